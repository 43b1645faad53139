//! The hash chain that links every log entry to the one before it.

use sha2::{Digest, Sha256};

/// The chain value the first entry links from: 32 zero bytes, in hex.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// `SHA-256(prevChain || proof || seq || receivedAt)`.
///
/// `prev_chain` and `proof` are the raw 32 bytes behind their hex, `seq` is a
/// big-endian u64 and `received_at` the UTF-8 RFC 3339 string stored in the
/// receipt; fixed-width fields first, so the concatenation is unambiguous.
/// `None` when a hash is not 64 hex digits.
pub fn link(prev_chain: &str, proof: &str, seq: u64, received_at: &str) -> Option<String> {
    let prev = decode32(prev_chain)?;
    let proof = decode32(proof)?;
    let mut hasher = Sha256::new();
    hasher.update(prev);
    hasher.update(proof);
    hasher.update(seq.to_be_bytes());
    hasher.update(received_at.as_bytes());
    Some(hex::encode(hasher.finalize()))
}

fn decode32(text: &str) -> Option<[u8; 32]> {
    // Uppercase hex would hash the same but compare differently: refuse it.
    if text.bytes().any(|b| b.is_ascii_uppercase()) {
        return None;
    }
    hex::decode(text).ok()?.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_depends_on_every_field() {
        let proof = "11".repeat(32);
        let base = link(GENESIS, &proof, 1, "2026-11-29T10:15:02.913Z").unwrap();
        assert_ne!(
            base,
            link(GENESIS, &proof, 2, "2026-11-29T10:15:02.913Z").unwrap()
        );
        assert_ne!(
            base,
            link(GENESIS, &"12".repeat(32), 1, "2026-11-29T10:15:02.913Z").unwrap()
        );
        assert_ne!(
            base,
            link(&proof, &proof, 1, "2026-11-29T10:15:02.913Z").unwrap()
        );
        assert_ne!(
            base,
            link(GENESIS, &proof, 1, "2026-11-29T10:15:02.914Z").unwrap()
        );
        assert!(link("zz", &proof, 1, "x").is_none());
        assert!(link(&"AA".repeat(32), &proof, 1, "x").is_none());
    }
}
