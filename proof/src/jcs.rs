//! RFC 8785 (JCS) for arbitrary JSON: the verifier's reference canonicalizer.
//!
//! Strings and key order reuse the writer in [`crate::canonical`]; numbers are
//! written as ECMAScript's `Number.prototype.toString` does (RFC 8785 §3.2.2.3),
//! via the `ryu-js` crate. Input is parsed with serde_json's `float_roundtrip`
//! so every number is the nearest IEEE 754 double, as JavaScript reads it.

#[allow(unused_imports)]
use crate::prelude::*;
use serde_json::Value;

use crate::canonical::{utf16_cmp, write_string};

/// The RFC 8785 canonical form of a JSON text.
///
/// # Errors
/// The text is not JSON (serde_json's message), or holds a number that is not
/// a finite double.
pub fn canonicalize_str(json: &str) -> Result<String, serde_json::Error> {
    let value: Value = serde_json::from_str(json)?;
    canonicalize(&value).ok_or_else(|| serde::de::Error::custom("number is not a finite double"))
}

/// The RFC 8785 canonical form of any serializable value: what the
/// collector signs and hashes (receipts, events, manifests).
///
/// ```
/// let value = serde_json::json!({"seq": 2, "at": "now", "ip": null});
/// assert_eq!(consent_proof::jcs::to_string(&value).unwrap(), r#"{"at":"now","ip":null,"seq":2}"#);
/// ```
///
/// # Errors
/// `value` does not serialize to JSON (a map with non-string keys, a
/// failing `Serialize`), or holds a number that is not a finite double.
pub fn to_string<T: serde::Serialize + ?Sized>(value: &T) -> Result<String, serde_json::Error> {
    let value = serde_json::to_value(value)?;
    canonicalize(&value).ok_or_else(|| serde::ser::Error::custom("number is not a finite double"))
}

/// The RFC 8785 canonical form of a parsed value; `None` if a number is not finite.
pub fn canonicalize(value: &Value) -> Option<String> {
    let mut out = String::new();
    write_value(&mut out, value)?;
    Some(out)
}

fn write_value(out: &mut String, value: &Value) -> Option<()> {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => write_number(out, n.as_f64()?)?,
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item)?;
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut members: Vec<(&String, &Value)> = map.iter().collect();
            members.sort_by(|a, b| utf16_cmp(a.0, b.0));
            out.push('{');
            for (i, (key, item)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, key);
                out.push(':');
                write_value(out, item)?;
            }
            out.push('}');
        }
    }
    Some(())
}

/// Writes a double as ECMAScript does; `None` for NaN and infinities, which JSON cannot hold.
pub fn write_number(out: &mut String, n: f64) -> Option<()> {
    if !n.is_finite() {
        return None;
    }
    if n == 0.0 {
        // -0 is written "0" (ECMAScript Number::toString).
        out.push('0');
    } else {
        out.push_str(ryu_js::Buffer::new().format_finite(n));
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number(bits: u64) -> String {
        let mut out = String::new();
        write_number(&mut out, f64::from_bits(bits)).unwrap();
        out
    }

    #[test]
    fn numbers_match_rfc8785_appendix_b() {
        let table: [(u64, &str); 24] = [
            (0x0000000000000000, "0"),
            (0x8000000000000000, "0"),
            (0x0000000000000001, "5e-324"),
            (0x8000000000000001, "-5e-324"),
            (0x7fefffffffffffff, "1.7976931348623157e+308"),
            (0xffefffffffffffff, "-1.7976931348623157e+308"),
            (0x4340000000000000, "9007199254740992"),
            (0xc340000000000000, "-9007199254740992"),
            (0x4430000000000000, "295147905179352830000"),
            (0x44b52d02c7e14af5, "9.999999999999997e+22"),
            (0x44b52d02c7e14af6, "1e+23"),
            (0x44b52d02c7e14af7, "1.0000000000000001e+23"),
            (0x444b1ae4d6e2ef4e, "999999999999999700000"),
            (0x444b1ae4d6e2ef4f, "999999999999999900000"),
            (0x444b1ae4d6e2ef50, "1e+21"),
            (0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"),
            (0x3eb0c6f7a0b5ed8d, "0.000001"),
            (0x41b3de4355555553, "333333333.3333332"),
            (0x41b3de4355555554, "333333333.33333325"),
            (0x41b3de4355555555, "333333333.3333333"),
            (0x41b3de4355555556, "333333333.3333334"),
            (0x41b3de4355555557, "333333333.33333343"),
            (0xbecbf647612f3696, "-0.0000033333333333333333"),
            (0x43143ff3c1cb0959, "1424953923781206.2"),
        ];
        for (bits, expected) in table {
            assert_eq!(number(bits), expected, "{bits:016x}");
        }
        // NaN and Infinity have no JSON form.
        for bits in [0x7fffffffffffffff, 0x7ff0000000000000] {
            assert_eq!(write_number(&mut String::new(), f64::from_bits(bits)), None);
        }
    }

    #[test]
    fn canonicalizes_rfc8785_example() {
        // RFC 8785 §3.2.2's input and §3.2.3's (sorted) output.
        let input = r#"{
            "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
            "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
            "literals": [null, true, false]
        }"#;
        let expected = "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],\"string\":\"€$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}";
        assert_eq!(canonicalize_str(input).unwrap(), expected);
    }

    #[test]
    fn sorts_rfc8785_example_keys() {
        let input = r#"{
            "\u20ac": "Euro Sign",
            "\r": "Carriage Return",
            "\ufb33": "Hebrew Letter Dalet With Dagesh",
            "1": "One",
            "\ud83d\ude00": "Emoji: Grinning Face",
            "\u0080": "Control",
            "\u00f6": "Latin Small Letter O With Diaeresis"
        }"#;
        let keys: Vec<String> = canonicalize_str(input)
            .unwrap()
            .split("\":\"")
            .skip(1)
            .map(|s| s.split('"').next().unwrap().to_owned())
            .collect();
        assert_eq!(
            keys,
            [
                "Carriage Return",
                "One",
                "Control",
                "Latin Small Letter O With Diaeresis",
                "Euro Sign",
                "Emoji: Grinning Face",
                "Hebrew Letter Dalet With Dagesh"
            ]
        );
    }

    #[test]
    fn refuses_lone_surrogates() {
        assert!(canonicalize_str(r#"["\ud83d"]"#).is_err());
    }
}
