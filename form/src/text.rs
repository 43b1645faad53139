//! Small string helpers that keep `format!` machinery out of the wasm.

use crate::prelude::*;

/// Concatenates the parts.
pub fn cat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        out.push_str(p);
    }
    out
}

/// The parts with `sep` between them (one small loop instead of the
/// standard library's generic join, which ships once per element type).
pub fn join(parts: &[&str], sep: &str) -> String {
    let mut out = String::new();
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(p);
    }
    out
}

/// The index of the first byte of `s` for which `test` gives `want`. The
/// checks below are plain loops taking a function: each closure given to
/// `bytes().all`, `any` or `position` (or to `chars()`'s) was one more copy
/// of the iterator's loop in the wasm.
pub fn find_byte(s: &str, test: fn(u8) -> bool, want: bool) -> Option<usize> {
    let mut i = 0;
    while let Some(b) = s.as_bytes().get(i) {
        if test(*b) == want {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// Whether every byte of `s` passes `test`.
pub fn all_bytes(s: &str, test: fn(u8) -> bool) -> bool {
    find_byte(s, test, false).is_none()
}

/// Whether every character of `s` passes `test`.
pub fn all_chars(s: &str, test: fn(char) -> bool) -> bool {
    for c in s.chars() {
        if !test(c) {
            return false;
        }
    }
    true
}

/// `s` split around its first `byte` (ASCII), if it has one. Byte loops,
/// this and the two below: `split`, `split_once` and `contains` on a char
/// bring the standard library's char searcher and memchr into the wasm.
pub fn split_first(s: &str, byte: u8) -> Option<(&str, &str)> {
    let mut at = 0;
    while *s.as_bytes().get(at)? != byte {
        at += 1;
    }
    Some((s.get(..at)?, s.get(at + 1..)?))
}

/// `s` split around its last `byte` (ASCII), if it has one.
pub fn split_last(s: &str, byte: u8) -> Option<(&str, &str)> {
    let mut at = s.len();
    loop {
        at = at.checked_sub(1)?;
        if *s.as_bytes().get(at)? == byte {
            return Some((s.get(..at)?, s.get(at + 1..)?));
        }
    }
}

/// The parts of `s` between each `byte` (ASCII), as `split` gives them.
pub fn parts(s: &str, byte: u8) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some((part, tail)) = split_first(rest, byte) {
        out.push(part);
        rest = tail;
    }
    out.push(rest);
    out
}

/// Replaces each `{name}` in `template` with its value; unknown names stay.
pub fn fill(template: &str, vars: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    // split_first, not indexing: no slicing panic path ships in the wasm.
    while let Some((before, after)) = split_first(rest, b'{') {
        out.push_str(before);
        let var = split_first(after, b'}').and_then(|(name, tail)| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| (*v, tail)));
        match var {
            Some((value, tail)) => {
                out.push_str(value);
                rest = tail;
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The decimal digits of `n`.
pub fn uint(n: usize) -> String {
    let mut out = String::new();
    push_uint(&mut out, n);
    out
}

/// Pushes the decimal digits of `n`, most significant first: no digit
/// buffer, so neither a bounds check nor UTF-8 validation ships in the wasm.
fn push_uint(out: &mut String, n: usize) {
    if n >= 10 {
        push_uint(out, n / 10);
    }
    out.push(char::from(b'0' + (n % 10) as u8));
}

/// An address masked to its first character and its domain,
/// `m•••@example.org`: enough to recognise one's own, not to read another's.
pub fn masked_email(email: &str) -> String {
    let (local, domain) = split_last(email, b'@').unwrap_or(("", ""));
    // The first character's length from its leading byte: no char machinery in the wasm.
    let len = match local.as_bytes().first() {
        None => 0,
        Some(b) if *b < 0xc0 => 1,
        Some(b) if *b < 0xe0 => 2,
        Some(b) if *b < 0xf0 => 3,
        Some(_) => 4,
    };
    cat(&[local.get(..len).unwrap_or(""), "•••@", domain])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_splits_match_the_standard_library() {
        for s in ["", "a", "a,b", ",a,,b,", "é,ü,", ",,"] {
            assert_eq!(parts(s, b','), s.split(',').collect::<Vec<_>>(), "{s}");
            assert_eq!(split_first(s, b','), s.split_once(','), "{s}");
            assert_eq!(split_last(s, b','), s.rsplit_once(','), "{s}");
        }
    }

    #[test]
    fn fill_replaces_known_names_only() {
        assert_eq!(fill("a {x} b {y} {", &[("x", "1")]), "a 1 b {y} {");
        assert_eq!(uint(0), "0");
        assert_eq!(uint(4071), "4071");
        assert_eq!(uint(usize::MAX), usize::MAX.to_string());
    }

    #[test]
    fn masked_email_keeps_the_first_character_and_the_domain() {
        assert_eq!(masked_email("marie@example.org"), "m•••@example.org");
        assert_eq!(masked_email("élodie@exemple.fr"), "é•••@exemple.fr");
        assert_eq!(masked_email("a\"@\"b@x.fr"), "a•••@x.fr");
        assert_eq!(masked_email(""), "•••@");
    }
}
