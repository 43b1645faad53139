//! Minting proofs natively (feature `verify`): for tests, benchmarks and tools.
//!
//! In production the browser signs with a non-extractable WebCrypto key; this
//! module produces byte-identical JWS text from a key held in memory, so the
//! collector can be tested without a browser.

#[allow(unused_imports)]
use crate::prelude::*;
pub use ed25519_dalek;
pub use p256;

use crate::canonical::Canonical;
use crate::jwk::Jwk;
use crate::jws::{self, ProtectedHeader};
use crate::record::Proof;
use crate::verify::thumbprint;

/// A private key that signs consent proofs.
#[derive(Clone, Debug)]
pub enum SigningKey {
    /// Ed25519, `alg` EdDSA.
    Ed25519(ed25519_dalek::SigningKey),
    /// ECDSA P-256, `alg` ES256.
    P256(p256::ecdsa::SigningKey),
}

impl SigningKey {
    /// An Ed25519 key from a 32-byte seed (fixed seeds make reproducible vectors).
    pub fn ed25519_from_seed(seed: &[u8; 32]) -> Self {
        SigningKey::Ed25519(ed25519_dalek::SigningKey::from_bytes(seed))
    }

    /// A P-256 key from a 32-byte big-endian scalar; `None` if it is zero or not below the group order.
    pub fn p256_from_scalar(scalar: &[u8; 32]) -> Option<Self> {
        p256::ecdsa::SigningKey::from_bytes(scalar.into())
            .ok()
            .map(SigningKey::P256)
    }

    /// The `alg` this key signs with.
    pub fn alg(&self) -> crate::jws::Alg {
        match self {
            SigningKey::Ed25519(_) => crate::jws::Alg::EdDSA,
            SigningKey::P256(_) => crate::jws::Alg::Es256,
        }
    }

    /// The public key as the header's `jwk`.
    pub fn jwk(&self) -> Jwk {
        match self {
            SigningKey::Ed25519(key) => Jwk::ed25519(&key.verifying_key().to_bytes()),
            SigningKey::P256(key) => {
                let point = key.verifying_key().to_encoded_point(false);
                // An uncompressed point always has both coordinates.
                let x: [u8; 32] = point.x().map(|x| (*x).into()).unwrap_or([0; 32]);
                let y: [u8; 32] = point.y().map(|y| (*y).into()).unwrap_or([0; 32]);
                Jwk::p256(&x, &y)
            }
        }
    }

    /// The protected header for this key, `kid` included.
    pub fn header(&self) -> ProtectedHeader {
        let jwk = self.jwk();
        let kid = thumbprint(&jwk);
        ProtectedHeader::new(jwk, kid)
    }

    /// The raw 64-byte signature of `message` (Ed25519, or ES256 `r || s`).
    pub fn sign_raw(&self, message: &[u8]) -> [u8; 64] {
        use p256::ecdsa::signature::Signer;
        match self {
            SigningKey::Ed25519(key) => key.sign(message).to_bytes(),
            SigningKey::P256(key) => {
                let signature: p256::ecdsa::Signature = key.sign(message);
                signature.to_bytes().into()
            }
        }
    }
}

/// Signs `proof` into a compact JWS, exactly as the widget does.
pub fn sign(proof: &Proof, key: &SigningKey) -> String {
    sign_json(
        &key.header().to_canonical_json(),
        &proof.to_canonical_json(),
        key,
    )
}

/// Signs arbitrary header and payload text (for test vectors: bad headers,
/// non-canonical payloads).
pub fn sign_json(header_json: &str, payload_json: &str, key: &SigningKey) -> String {
    let input = jws::signing_input(header_json, payload_json);
    let signature = key.sign_raw(input.as_bytes());
    jws::compact(&input, &signature)
}
