//! JWS compact serialization helpers for the collector's own receipts (EdDSA only).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::Serialize;

/// Encodes bytes as base64url without padding, as JOSE requires.
pub fn b64(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes base64url without padding.
pub fn unb64(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(text).ok()
}

/// RFC 7638 thumbprint of an Ed25519 public key: the `kid` of that key.
pub fn thumbprint(key: &VerifyingKey) -> String {
    // The same computation as for browser keys, from the proof crate.
    consent_proof::verify::thumbprint(&consent_proof::Jwk::ed25519(key.as_bytes()))
}

/// Signs `payload` (serialized as RFC 8785 canonical JSON) under `header`.
pub fn sign<H: Serialize, P: Serialize>(key: &SigningKey, header: &H, payload: &P) -> String {
    let header = serde_json_canonicalizer::to_vec(header).expect("header serializes");
    let payload = serde_json_canonicalizer::to_vec(payload).expect("payload serializes");
    let input = format!("{}.{}", b64(header), b64(payload));
    let signature = key.sign(input.as_bytes());
    format!("{input}.{}", b64(signature.to_bytes()))
}

/// The three decoded parts of a compact JWS.
pub struct Compact {
    /// Decoded protected header bytes.
    pub header: Vec<u8>,
    /// Decoded payload bytes.
    pub payload: Vec<u8>,
    /// The signature bytes.
    pub signature: Vec<u8>,
    /// `header.payload` as sent: the bytes the signature covers.
    pub signing_input: String,
}

/// Splits and decodes a compact JWS; `None` when it is not one.
pub fn split(jws: &str) -> Option<Compact> {
    let mut parts = jws.split('.');
    let (h, p, s) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    Some(Compact {
        header: unb64(h)?,
        payload: unb64(p)?,
        signature: unb64(s)?,
        signing_input: format!("{h}.{p}"),
    })
}

/// Checks an Ed25519 signature over the signing input, strictly (no weak keys).
pub fn verify_ed25519(key: &VerifyingKey, compact: &Compact) -> bool {
    let Ok(signature) = Signature::from_slice(&compact.signature) else {
        return false;
    };
    key.verify_strict(compact.signing_input.as_bytes(), &signature)
        .is_ok()
        && key
            .verify(compact.signing_input.as_bytes(), &signature)
            .is_ok()
}
