//! Unpadded base64url (RFC 4648 §5), as JWS (RFC 7515 §2) uses it.
//!
//! Hand-written so the default build carries no dependency. Decoding is
//! strict: no padding, no whitespace, no characters outside the alphabet, and
//! the unused low bits of the last character must be zero. Strictness matters
//! here: a lenient decoder would let one signature be spelled several ways, and
//! the collector identifies a proof by the SHA-256 of its exact JWS text.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Encodes bytes as unpadded base64url.
///
/// ```
/// assert_eq!(consent_proof::base64url::encode(b"hi?"), "aGk_");
/// ```
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    encode_into(bytes, &mut out);
    out
}

/// Appends the unpadded base64url encoding of `bytes` to `out`.
pub fn encode_into(bytes: &[u8], out: &mut String) {
    let mut chunks = bytes.chunks_exact(3);
    for c in &mut chunks {
        let n = (u32::from(c[0]) << 16) | (u32::from(c[1]) << 8) | u32::from(c[2]);
        push_sextets(out, n, 4);
    }
    match *chunks.remainder() {
        [a] => push_sextets(out, u32::from(a) << 16, 2),
        [a, b] => push_sextets(out, (u32::from(a) << 16) | (u32::from(b) << 8), 3),
        _ => {}
    }
}

/// Pushes the first `count` sextets of the 24-bit group `n`.
fn push_sextets(out: &mut String, n: u32, count: usize) {
    for i in 0..count {
        let index = (n >> (18 - 6 * i)) & 63;
        out.push(char::from(ALPHABET[index as usize]));
    }
}

/// Decodes strict unpadded base64url; `None` if the text is not exactly that.
///
/// ```
/// use consent_proof::base64url::decode;
/// assert_eq!(decode("aGk_"), Some(b"hi?".to_vec()));
/// assert_eq!(decode("aGk="), None); // padding is refused
/// assert_eq!(decode("aGk"), Some(b"hi".to_vec()));
/// assert_eq!(decode("aGl"), None); // non-zero unused bits
/// ```
pub fn decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    if bytes.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3 + 2);
    for group in bytes.chunks(4) {
        let mut n: u32 = 0;
        for &c in group {
            n = (n << 6) | u32::from(sextet(c)?);
        }
        // Left-align a short final group into 24 bits.
        n <<= 6 * (4 - group.len() as u32);
        let produced = group.len() * 6 / 8;
        let unused_mask = (1u32 << (24 - 8 * produced as u32)) - 1;
        if n & unused_mask != 0 {
            return None;
        }
        for i in 0..produced {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    Some(out)
}

/// The value of one base64url character.
fn sextet(c: u8) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'-' => Some(62),
        b'_' => Some(63),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_length() {
        let data: Vec<u8> = (0u8..=255).collect();
        for len in 0..40 {
            let encoded = encode(&data[..len]);
            assert!(!encoded.contains('='));
            assert_eq!(decode(&encoded).as_deref(), Some(&data[..len]));
        }
    }

    #[test]
    fn matches_rfc4648_vectors_without_padding() {
        let cases = [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
            ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in cases {
            assert_eq!(encode(plain.as_bytes()), encoded);
            assert_eq!(decode(encoded).as_deref(), Some(plain.as_bytes()));
        }
    }

    #[test]
    fn refuses_non_canonical_text() {
        for bad in ["Zg==", "Z", "Zh", "Zm9=", "Zm+v", "Zm/v", "Zm9v ", "Zm\n9v"] {
            assert_eq!(decode(bad), None, "{bad:?}");
        }
    }
}
