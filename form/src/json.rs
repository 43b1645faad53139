//! JSON text into a [`Value`]: how configuration and lists cross from the
//! page into the core. A small reader of RFC 8259, so that neither serde nor
//! float parsing ships in the wasm (no configuration field takes a number;
//! a number's type is all a problem needs to name).

use crate::prelude::*;
use crate::value::Value;

/// Parses JSON text, or says where it stops being JSON.
///
/// # Errors
/// The byte offset of the first thing that is not JSON.
pub fn parse(text: &str) -> Result<Value, usize> {
    let mut r = Reader { s: text.as_bytes(), at: 0 };
    let v = r.value(0)?;
    r.space();
    if r.at != r.s.len() {
        return Err(r.at);
    }
    Ok(v)
}

/// Deeper nesting than this is refused rather than risking the stack.
const MAX_DEPTH: u32 = 64;

struct Reader<'a> {
    s: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn space(&mut self) {
        while matches!(self.s.get(self.at), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn eat(&mut self, b: u8) -> bool {
        self.space();
        let hit = self.s.get(self.at) == Some(&b);
        self.at += usize::from(hit);
        hit
    }

    fn word(&mut self, w: &[u8], v: Value) -> Result<Value, usize> {
        if self.s.get(self.at..).is_some_and(|rest| rest.starts_with(w)) {
            self.at += w.len();
            Ok(v)
        } else {
            Err(self.at)
        }
    }

    fn value(&mut self, depth: u32) -> Result<Value, usize> {
        self.space();
        if depth > MAX_DEPTH {
            return Err(self.at);
        }
        match self.s.get(self.at) {
            Some(b'{') => {
                self.at += 1;
                let mut members = Vec::new();
                if !self.eat(b'}') {
                    loop {
                        self.space();
                        let key = self.string()?;
                        if !self.eat(b':') {
                            return Err(self.at);
                        }
                        members.push((key, self.value(depth + 1)?));
                        if self.eat(b'}') {
                            break;
                        }
                        if !self.eat(b',') {
                            return Err(self.at);
                        }
                    }
                }
                Ok(Value::Obj(members))
            }
            Some(b'[') => {
                self.at += 1;
                let mut items = Vec::new();
                if !self.eat(b']') {
                    loop {
                        items.push(self.value(depth + 1)?);
                        if self.eat(b']') {
                            break;
                        }
                        if !self.eat(b',') {
                            return Err(self.at);
                        }
                    }
                }
                Ok(Value::Arr(items))
            }
            Some(b'"') => self.string().map(Value::Str),
            Some(b't') => self.word(b"true", Value::Bool(true)),
            Some(b'f') => self.word(b"false", Value::Bool(false)),
            Some(b'n') => self.word(b"null", Value::Null),
            _ => self.number(),
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.at;
        while self.s.get(self.at).is_some_and(u8::is_ascii_digit) {
            self.at += 1;
        }
        self.at - start
    }

    fn number(&mut self) -> Result<Value, usize> {
        let start = self.at;
        self.at += usize::from(self.s.get(self.at) == Some(&b'-'));
        let int = self.digits();
        if int == 0 || (int > 1 && self.s.get(self.at - int) == Some(&b'0')) {
            return Err(start);
        }
        if self.s.get(self.at) == Some(&b'.') {
            self.at += 1;
            if self.digits() == 0 {
                return Err(self.at);
            }
        }
        if matches!(self.s.get(self.at), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.s.get(self.at), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if self.digits() == 0 {
                return Err(self.at);
            }
        }
        Ok(Value::Num)
    }

    fn hex4(&mut self) -> Result<u32, usize> {
        let mut n = 0;
        for _ in 0..4 {
            let d = self.s.get(self.at).and_then(|b| (*b as char).to_digit(16)).ok_or(self.at)?;
            n = n * 16 + d;
            self.at += 1;
        }
        Ok(n)
    }

    fn string(&mut self) -> Result<String, usize> {
        if self.s.get(self.at) != Some(&b'"') {
            return Err(self.at);
        }
        self.at += 1;
        let mut out = String::new();
        loop {
            let start = self.at;
            while self.s.get(self.at).is_some_and(|b| *b != b'"' && *b != b'\\' && *b >= 0x20) {
                self.at += 1;
            }
            // The input is a &str and we cut at ASCII bytes only: still UTF-8.
            out.push_str(self.s.get(start..self.at).and_then(|b| core::str::from_utf8(b).ok()).ok_or(start)?);
            match self.s.get(self.at) {
                Some(b'"') => {
                    self.at += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.at += 2;
                    let c = match self.s.get(self.at - 1) {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => self.unicode()?,
                        _ => return Err(self.at - 1),
                    };
                    out.push(c);
                }
                _ => return Err(self.at),
            }
        }
    }

    /// The character after `\u`, joining a surrogate pair; a lone
    /// surrogate becomes U+FFFD, as JavaScript strings allow them and UTF-8 does not.
    fn unicode(&mut self) -> Result<char, usize> {
        let hi = self.hex4()?;
        if (0xD800..0xDC00).contains(&hi) && self.s.get(self.at..).is_some_and(|rest| rest.starts_with(b"\\u")) {
            let back = self.at;
            self.at += 2;
            let lo = self.hex4()?;
            if (0xDC00..0xE000).contains(&lo) {
                return Ok(char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)).unwrap_or('\u{FFFD}'));
            }
            self.at = back;
        }
        Ok(char::from_u32(hi).unwrap_or('\u{FFFD}'))
    }
}
