//! The public key carried in the protected header, and its RFC 7638 thumbprint input.

use crate::base64url;
use crate::canonical::{write_string_members, Canonical, ObjectWriter};
use crate::jws::Alg;
#[allow(unused_imports)]
use crate::prelude::*;

/// A public signing key as a JWK (RFC 7517): Ed25519 (RFC 8037) or P-256.
///
/// Coordinates are unpadded base64url, exactly as WebCrypto's
/// `exportKey("jwk", ...)` returns them. Only the required members are
/// carried, so the header's `jwk` is also the RFC 7638 thumbprint input.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Jwk {
    /// `{"crv":"Ed25519","kty":"OKP","x":...}`.
    Ed25519 {
        /// `x`: the 32-byte public key, base64url.
        x: String,
    },
    /// `{"crv":"P-256","kty":"EC","x":...,"y":...}`.
    P256 {
        /// `x`: the 32-byte x coordinate, base64url.
        x: String,
        /// `y`: the 32-byte y coordinate, base64url.
        y: String,
    },
}

impl Jwk {
    /// An Ed25519 key from its 32 raw public-key bytes.
    pub fn ed25519(public_key: &[u8; 32]) -> Self {
        Jwk::Ed25519 {
            x: base64url::encode(public_key),
        }
    }

    /// A P-256 key from its raw affine coordinates.
    pub fn p256(x: &[u8; 32], y: &[u8; 32]) -> Self {
        Jwk::P256 {
            x: base64url::encode(x),
            y: base64url::encode(y),
        }
    }

    /// The JWS `alg` this key signs with.
    pub fn alg(&self) -> Alg {
        match self {
            Jwk::Ed25519 { .. } => Alg::EdDSA,
            Jwk::P256 { .. } => Alg::Es256,
        }
    }

    /// The RFC 7638 thumbprint input: the canonical JSON of the required members.
    ///
    /// The `kid` is `base64url(SHA-256(thumbprint_input))`; the widget hashes
    /// with WebCrypto, the `verify` feature with `verify::thumbprint`.
    pub fn thumbprint_input(&self) -> String {
        self.to_canonical_json()
    }
}

impl Canonical for Jwk {
    fn write_canonical(&self, out: &mut String) {
        let mut object = ObjectWriter::new(out);
        match self {
            Jwk::Ed25519 { x } => object
                .string("crv", "Ed25519")
                .string("kty", "OKP")
                .string("x", x),
            Jwk::P256 { x, y } => object
                .string("crv", "P-256")
                .string("kty", "EC")
                .string("x", x)
                .string("y", y),
        };
        object.finish();
    }
}

/// The RFC 7638 thumbprint input for any key type, from its required members.
///
/// For key types this crate does not sign with (RSA: `e`, `kty`, `n`), pass the
/// required members; they are sorted and written canonically.
pub fn thumbprint_input_from_members(members: &[(&str, &str)]) -> String {
    let mut out = String::new();
    write_string_members(&mut out, members.iter().copied());
    out
}
