//! Standard padded base64 (RFC 4648 §4), for the formats that fix it
//! rather than JWS's base64url: C2SP signed notes and checkpoints, RFC 3161
//! tokens carried in JSON, CSP hashes, webhook signatures.
//!
//! Written on top of [`crate::base64url`], which differs only in two
//! characters of the alphabet and in padding, so there is one codec to
//! trust. Decoding is as strict: padding exactly as RFC 4648 writes it, no
//! whitespace, no base64url characters, zero unused bits.

use crate::base64url;
#[allow(unused_imports)]
use crate::prelude::*;

/// Encodes bytes as standard base64 with `=` padding.
///
/// ```
/// assert_eq!(consent_proof::base64::encode(b"\xfb\xff"), "+/8=");
/// ```
pub fn encode(bytes: &[u8]) -> String {
    let mut out: String = base64url::encode(bytes)
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            c => c,
        })
        .collect();
    while out.len() % 4 != 0 {
        out.push('=');
    }
    out
}

/// Decodes strict padded standard base64; `None` if the text is not exactly that.
///
/// ```
/// use consent_proof::base64::decode;
/// assert_eq!(decode("+/8="), Some(b"\xfb\xff".to_vec()));
/// assert_eq!(decode("+/8"), None); // padding is required
/// assert_eq!(decode("-_8="), None); // base64url characters are refused
/// ```
pub fn decode(text: &str) -> Option<Vec<u8>> {
    if text.len() % 4 != 0 {
        return None;
    }
    let unpadded = text
        .strip_suffix("==")
        .or_else(|| text.strip_suffix('='))
        .unwrap_or(text);
    // Padding fills out the last group of four only: "A===" or "AA=A" are not base64.
    if text.len() - unpadded.len() > 0 && unpadded.len() % 4 < 2 {
        return None;
    }
    let mut url = String::with_capacity(unpadded.len());
    for c in unpadded.chars() {
        url.push(match c {
            '+' => '-',
            '/' => '_',
            '-' | '_' | '=' => return None,
            c => c,
        });
    }
    base64url::decode(&url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_rfc4648_vectors() {
        // RFC 4648 §10.
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in cases {
            assert_eq!(encode(plain.as_bytes()), encoded);
            assert_eq!(decode(encoded).as_deref(), Some(plain.as_bytes()));
        }
    }

    #[test]
    fn uses_the_standard_alphabet_and_round_trips_every_length() {
        assert_eq!(encode(&[0xfb, 0xef, 0xff]), "++//");
        let data: Vec<u8> = (0u8..=255).rev().collect();
        for len in 0..40 {
            let encoded = encode(&data[..len]);
            assert_eq!(encoded.len() % 4, 0);
            assert!(!encoded.contains(['-', '_']));
            assert_eq!(decode(&encoded).as_deref(), Some(&data[..len]));
        }
    }

    #[test]
    fn refuses_non_canonical_text() {
        for bad in [
            "Zg", "Zg=", "Zg===", "Z===", "Zm9=", "Zh==", "Zm8", "Zm8=Zm8=", "Zm=v", "Zm9v====",
            "Zm-v", "Zm_v", "Zm9v ", "Zm\n9v", "====",
        ] {
            assert_eq!(decode(bad), None, "{bad:?}");
        }
    }
}
