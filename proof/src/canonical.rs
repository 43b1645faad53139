//! The RFC 8785 (JCS) writer for this crate's own types.
//!
//! The payload and header only hold strings, nulls, arrays and objects, so the
//! writer needs no number formatting at all. What it must get right:
//!
//! - **strings** (RFC 8785 §3.2.2.2): `"` and `\` escaped, the control
//!   characters U+0000..U+001F written as `\b \t \n \f \r` or `\u00xx`
//!   (lowercase hex), everything else written as itself, UTF-8;
//! - **object keys** sorted by their UTF-16 code units (§3.2.3). Struct fields
//!   are written in an order fixed by hand (all keys are ASCII, where UTF-16
//!   order is byte order); only free-form maps are sorted at run time;
//! - no whitespace anywhere.
//!
//! The `verify` feature has the general canonicalizer for arbitrary JSON
//! (the `jcs` module); the tests check that both agree byte for byte.

use std::cmp::Ordering;

/// A value that has one RFC 8785 canonical JSON form.
pub trait Canonical {
    /// Appends the canonical JSON of `self` to `out`.
    fn write_canonical(&self, out: &mut String);

    /// Returns the canonical JSON of `self` as a new string.
    fn to_canonical_json(&self) -> String {
        let mut out = String::new();
        self.write_canonical(&mut out);
        out
    }
}

/// Appends `s` as an RFC 8785 JSON string literal.
pub fn write_string(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    // Copy runs of plain characters in one go; only escapes are pushed singly.
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let escape: Option<u8> = match b {
            b'"' => Some(b'"'),
            b'\\' => Some(b'\\'),
            0x08 => Some(b'b'),
            0x09 => Some(b't'),
            0x0a => Some(b'n'),
            0x0c => Some(b'f'),
            0x0d => Some(b'r'),
            0x00..=0x1f => Some(b'u'),
            _ => None,
        };
        if let Some(e) = escape {
            // `get` rather than indexing: `i` is always a char boundary (an
            // ASCII byte), and this keeps panic paths out of the wasm.
            out.push_str(s.get(start..i).unwrap_or_default());
            out.push('\\');
            out.push(char::from(e));
            if e == b'u' {
                out.push_str("00");
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 15)]));
            }
            start = i + 1;
        }
    }
    out.push_str(s.get(start..).unwrap_or_default());
    out.push('"');
}

/// Orders two strings by their UTF-16 code units, as RFC 8785 §3.2.3 sorts keys.
///
/// This differs from Rust's byte order only when one string has a character
/// above U+FFFF (a surrogate pair, 0xD800..0xDFFF) where the other has one in
/// U+E000..U+FFFF.
pub fn utf16_cmp(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// Writes one JSON object whose members are added in canonical order.
///
/// The caller adds members already sorted; debug builds check it.
pub struct ObjectWriter<'a> {
    out: &'a mut String,
    first: bool,
    #[cfg(debug_assertions)]
    last_key: Option<String>,
}

impl<'a> ObjectWriter<'a> {
    /// Opens an object (`{`).
    pub fn new(out: &'a mut String) -> Self {
        out.push('{');
        ObjectWriter {
            out,
            first: true,
            #[cfg(debug_assertions)]
            last_key: None,
        }
    }

    /// Writes the key and `:` of the next member and returns the buffer for its value.
    pub fn key(&mut self, key: &str) -> &mut String {
        #[cfg(debug_assertions)]
        {
            if let Some(last) = &self.last_key {
                debug_assert!(
                    utf16_cmp(last, key) == Ordering::Less,
                    "keys out of order: {last:?} then {key:?}"
                );
            }
            self.last_key = Some(key.to_owned());
        }
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        write_string(self.out, key);
        self.out.push(':');
        self.out
    }

    /// Adds a member whose value is a string.
    pub fn string(&mut self, key: &str, value: &str) -> &mut Self {
        write_string(self.key(key), value);
        self
    }

    /// Adds a string member, or nothing when `value` is `None` (absent, not null).
    pub fn optional_string(&mut self, key: &str, value: Option<&str>) -> &mut Self {
        if let Some(v) = value {
            self.string(key, v);
        }
        self
    }

    /// Adds a string member, written as `null` when `value` is `None`.
    pub fn nullable_string(&mut self, key: &str, value: Option<&str>) -> &mut Self {
        match value {
            Some(v) => self.string(key, v),
            None => {
                self.key(key).push_str("null");
                self
            }
        }
    }

    /// Adds a member whose value is itself canonical.
    pub fn value(&mut self, key: &str, value: &impl Canonical) -> &mut Self {
        value.write_canonical(self.key(key));
        self
    }

    /// Closes the object (`}`).
    pub fn finish(&mut self) {
        self.out.push('}');
    }
}

impl<T: Canonical> Canonical for [T] {
    fn write_canonical(&self, out: &mut String) {
        out.push('[');
        for (i, item) in self.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            item.write_canonical(out);
        }
        out.push(']');
    }
}

impl<T: Canonical> Canonical for Vec<T> {
    fn write_canonical(&self, out: &mut String) {
        self.as_slice().write_canonical(out);
    }
}

impl Canonical for str {
    fn write_canonical(&self, out: &mut String) {
        write_string(out, self);
    }
}

impl Canonical for String {
    fn write_canonical(&self, out: &mut String) {
        write_string(out, self);
    }
}

/// Sorts members by key in UTF-16 order.
///
/// Maps here hold a handful of entries; a few lines of insertion sort cost
/// far fewer wasm bytes than the standard library's sorts.
fn insertion_sort(members: &mut [(&str, &str)]) {
    for i in 1..members.len() {
        let mut j = i;
        while j > 0 && utf16_cmp(members[j - 1].0, members[j].0) == Ordering::Greater {
            members.swap(j - 1, j);
            j -= 1;
        }
    }
}

/// Writes an object of string members given in any order, sorting by UTF-16.
pub fn write_string_members<'s>(
    out: &mut String,
    members: impl Iterator<Item = (&'s str, &'s str)>,
) {
    let mut members: Vec<(&str, &str)> = members.collect();
    insertion_sort(&mut members);
    let mut object = ObjectWriter::new(out);
    for (k, v) in members {
        object.string(k, v);
    }
    object.finish();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn string(s: &str) -> String {
        let mut out = String::new();
        write_string(&mut out, s);
        out
    }

    #[test]
    fn escapes_like_rfc8785() {
        // RFC 8785 §3.2.2.2's example string, "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/".
        let input = "\u{20ac}$\u{000f}\u{000a}A'\u{0042}\u{0022}\u{005c}\\\"/";
        assert_eq!(string(input), "\"€$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"");
        assert_eq!(
            string("\u{8}\u{9}\u{c}\u{d}\u{1f}\u{7f}\u{2028}"),
            "\"\\b\\t\\f\\r\\u001f\u{7f}\u{2028}\""
        );
    }

    #[test]
    fn sorts_keys_by_utf16_units() {
        // RFC 8785 §3.2.3's sorting example.
        let members = [
            ("\u{20ac}", "Euro Sign"),
            ("\r", "Carriage Return"),
            ("\u{fb33}", "Hebrew Letter Dalet With Dagesh"),
            ("1", "One"),
            ("\u{1f600}", "Emoji: Grinning Face"),
            ("\u{0080}", "Control"),
            ("\u{00f6}", "Latin Small Letter O With Diaeresis"),
        ];
        let mut out = String::new();
        write_string_members(&mut out, members.into_iter());
        assert_eq!(
            out,
            "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u{80}\":\"Control\",\"ö\":\"Latin Small Letter O With Diaeresis\",\"€\":\"Euro Sign\",\"😀\":\"Emoji: Grinning Face\",\"\u{fb33}\":\"Hebrew Letter Dalet With Dagesh\"}"
        );
    }
}
