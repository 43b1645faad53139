//! Signed notes (c2sp.org/signed-note) with Ed25519 signatures.
//!
//! A note is a text ending in a newline, a blank line, then one line per
//! signature: `— <key name> <base64(key id || signature)>`. The key id is
//! `SHA-256(name || 0x0A || 0x01 || public key)[:4]`, so one name and key
//! give one id. The spec fixes standard base64 with padding (RFC 4648
//! section 4), not the base64url of the collector's JWS. Signatures are
//! made and checked by `consent-proof`, as every other signature of the
//! collector's (strict Ed25519 on checking).

use consent_proof::base64;
use consent_proof::verify::verify_signature;
use consent_proof::{Alg, Jwk};
use ed25519_dalek::{SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

/// The signature type byte of Ed25519 in the signed-note spec.
const ED25519: u8 = 0x01;

/// The most signature lines read from one note (the spec asks for at least 16).
const MAX_SIGNATURES: usize = 32;

/// Why a note was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum NoteError {
    /// Not a text, a blank line and signature lines.
    #[error("not a signed note: {0}")]
    Malformed(&'static str),
    /// A signature from a trusted key does not verify.
    #[error("the signature of {0} does not verify")]
    BadSignature(String),
    /// No line is signed by a trusted key.
    #[error("no signature from a trusted key named {0}")]
    Unsigned(String),
}

/// A key name fit for a note: non-empty, no spaces and no `+`.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && !name
            .chars()
            .any(|c| c.is_whitespace() || c == '+' || c.is_control())
}

/// The 4-byte key id of an Ed25519 key under `name`.
pub fn key_id(name: &str, key: &VerifyingKey) -> [u8; 4] {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update([b'\n', ED25519]);
    h.update(key.as_bytes());
    let digest = h.finalize();
    [digest[0], digest[1], digest[2], digest[3]]
}

/// The verifier key text others configure: `<name>+<hex key id>+<base64(0x01 || key)>`.
pub fn verifier_key(name: &str, key: &VerifyingKey) -> String {
    let mut typed = vec![ED25519];
    typed.extend_from_slice(key.as_bytes());
    format!(
        "{name}+{}+{}",
        hex::encode(key_id(name, key)),
        base64::encode(&typed)
    )
}

/// Signs `text` (which must end in a newline and hold no control character
/// but newlines) as `name`, returning the whole note.
pub fn sign(text: &str, name: &str, key: &SigningKey) -> String {
    assert!(valid_name(name), "note key name {name:?}");
    assert!(check_text(text).is_ok(), "note text {text:?}");
    let mut blob = key_id(name, &key.verifying_key()).to_vec();
    let signer = consent_proof::sign::SigningKey::Ed25519(key.clone());
    blob.extend_from_slice(&signer.sign_raw(text.as_bytes()));
    format!("{text}\n\u{2014} {name} {}\n", base64::encode(&blob))
}

/// Verifies `note` with the keys trusted under `name` and returns its text.
///
/// Lines from other keys are ignored, as the spec requires; a line whose
/// name and id match a trusted key must verify, and one at least must.
pub fn open<'n>(note: &'n str, name: &str, trusted: &[VerifyingKey]) -> Result<&'n str, NoteError> {
    let split = note
        .rfind("\n\n")
        .ok_or(NoteError::Malformed("no blank line before the signatures"))?;
    let text = &note[..split + 1];
    check_text(text)?;
    let lines = &note[split + 2..];
    if !lines.ends_with('\n') || lines.len() == 1 {
        return Err(NoteError::Malformed(
            "signature lines must end in a newline",
        ));
    }
    let mut verified = false;
    for (count, line) in lines.trim_end_matches('\n').split('\n').enumerate() {
        if count == MAX_SIGNATURES {
            return Err(NoteError::Malformed("too many signatures"));
        }
        let (line_name, blob) = line
            .strip_prefix("\u{2014} ")
            .and_then(|rest| rest.rsplit_once(' '))
            .ok_or(NoteError::Malformed(
                "a signature line is not `— name signature`",
            ))?;
        let blob = base64::decode(blob).ok_or(NoteError::Malformed("a signature is not base64"))?;
        if line_name != name || blob.len() < 4 {
            continue;
        }
        for key in trusted.iter().filter(|k| key_id(name, k) == blob[..4]) {
            let jwk = Jwk::ed25519(key.as_bytes());
            verify_signature(Alg::EdDSA, &jwk, text.as_bytes(), &blob[4..])
                .map_err(|_| NoteError::BadSignature(name.to_string()))?;
            verified = true;
        }
    }
    if verified {
        Ok(text)
    } else {
        Err(NoteError::Unsigned(name.to_string()))
    }
}

fn check_text(text: &str) -> Result<(), NoteError> {
    if !text.ends_with('\n') {
        return Err(NoteError::Malformed("the text must end in a newline"));
    }
    if text.chars().any(|c| c < ' ' && c != '\n') {
        return Err(NoteError::Malformed("control character in the text"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    /// The example of Go's golang.org/x/mod/sumdb/note, whose signer and
    /// verifier keys are published: the same bytes prove the format interoperates.
    #[test]
    fn the_go_sumdb_note_example_signs_and_opens_byte_for_byte() {
        let skey = base64::decode("AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz").unwrap();
        let seed: [u8; 32] = skey[1..].try_into().unwrap();
        let key = SigningKey::from_bytes(&seed);
        let text = "If you think cryptography is the answer to your problem,\n\
                    then you don't know what your problem is.\n";
        let note = sign(text, "PeterNeumann", &key);
        assert_eq!(
            note,
            format!("{text}\n\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n")
        );
        assert_eq!(
            verifier_key("PeterNeumann", &key.verifying_key()),
            "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
        );
        assert_eq!(
            open(&note, "PeterNeumann", &[key.verifying_key()]),
            Ok(text)
        );
    }

    #[test]
    fn a_signed_note_opens_with_its_key_and_no_other() {
        let note = sign("shop.example/log\n3\nAAAA\n", "shop.example/log", &key(1));
        let trusted = [key(1).verifying_key()];
        assert_eq!(
            open(&note, "shop.example/log", &trusted),
            Ok("shop.example/log\n3\nAAAA\n")
        );
        let other = [key(2).verifying_key()];
        assert_eq!(
            open(&note, "shop.example/log", &other),
            Err(NoteError::Unsigned("shop.example/log".into()))
        );
        assert!(open(&note, "other.example/log", &trusted).is_err());
    }

    #[test]
    fn an_edited_text_or_signature_fails() {
        let note = sign("shop.example/log\n3\nAAAA\n", "shop.example/log", &key(1));
        let trusted = [key(1).verifying_key()];
        let edited = note.replacen("\n3\n", "\n4\n", 1);
        assert_eq!(
            open(&edited, "shop.example/log", &trusted),
            Err(NoteError::BadSignature("shop.example/log".into()))
        );
        let (head, sig) = note.rsplit_once(' ').unwrap();
        let mut blob = base64::decode(sig.trim_end()).unwrap();
        blob[10] ^= 1;
        let flipped = format!("{head} {}\n", base64::encode(&blob));
        assert!(matches!(
            open(&flipped, "shop.example/log", &trusted),
            Err(NoteError::BadSignature(_))
        ));
    }

    #[test]
    fn unknown_signature_lines_are_ignored() {
        let note = sign("shop.example/log\n3\nAAAA\n", "shop.example/log", &key(1));
        let cosigned = format!("{note}\u{2014} witness.example AAAAAAAA\n");
        let trusted = [key(1).verifying_key()];
        assert!(open(&cosigned, "shop.example/log", &trusted).is_ok());
    }

    #[test]
    fn the_key_id_follows_the_spec_and_the_verifier_key_carries_it() {
        let k = key(1).verifying_key();
        let mut preimage = b"shop.example/log\n\x01".to_vec();
        preimage.extend_from_slice(k.as_bytes());
        assert_eq!(
            key_id("shop.example/log", &k)[..],
            Sha256::digest(&preimage)[..4]
        );
        let vkey = verifier_key("shop.example/log", &k);
        let parts: Vec<&str> = vkey.split('+').collect();
        assert_eq!(parts[0], "shop.example/log");
        assert_eq!(parts[1], hex::encode(key_id("shop.example/log", &k)));
        assert_eq!(base64::decode(parts[2]).unwrap()[0], 1);
        assert!(!valid_name("a b") && !valid_name("a+b") && !valid_name(""));
    }

    #[test]
    fn malformed_notes_are_named() {
        let trusted = [key(1).verifying_key()];
        assert!(matches!(
            open("no blank line\n", "n", &trusted),
            Err(NoteError::Malformed(_))
        ));
        assert!(matches!(
            open("text\n\nnot a signature\n", "n", &trusted),
            Err(NoteError::Malformed(_))
        ));
        assert!(matches!(
            open("te\rxt\n\n\u{2014} n AAAA\n", "n", &trusted),
            Err(NoteError::Malformed(_))
        ));
    }
}
