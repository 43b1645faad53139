//! The JWS envelope (RFC 7515 compact serialization): protected header,
//! signing input, and the assembled `header.payload.signature` text.
//!
//! Signing itself happens elsewhere: in the browser with WebCrypto, natively
//! with the `verify` feature's `sign` module. This module only builds the
//! exact bytes to sign and assembles the result.

use crate::base64url;
use crate::canonical::{Canonical, ObjectWriter};
use crate::jwk::Jwk;
#[allow(unused_imports)]
use crate::prelude::*;

/// The `typ` of every consent proof: `"consent-proof+jws"`.
pub const TYP: &str = "consent-proof+jws";

/// A JWS signature algorithm this crate produces and accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Alg {
    /// `"EdDSA"` with Ed25519 (RFC 8037): the default.
    EdDSA,
    /// `"ES256"`: ECDSA P-256 with SHA-256, signature raw `r || s` (64 bytes),
    /// for browsers without WebCrypto Ed25519.
    Es256,
}

impl Alg {
    /// The `alg` header value.
    pub const fn as_str(self) -> &'static str {
        match self {
            Alg::EdDSA => "EdDSA",
            Alg::Es256 => "ES256",
        }
    }

    /// The `alg` for a header value, if it is one this crate accepts.
    pub fn from_name(name: &str) -> Option<Alg> {
        match name {
            "EdDSA" => Some(Alg::EdDSA),
            "ES256" => Some(Alg::Es256),
            _ => None,
        }
    }
}

/// The JWS protected header of a consent proof.
///
/// Written canonically as `{"alg":...,"jwk":{...},"kid":...,"typ":"consent-proof+jws"}`.
/// `alg` follows from the key type, so it is not stored separately.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProtectedHeader {
    /// `jwk`: the browser's public key. The signature is checked against it.
    pub jwk: Jwk,
    /// `kid`: the RFC 7638 SHA-256 thumbprint of `jwk`, base64url (43 characters).
    pub kid: String,
}

impl ProtectedHeader {
    /// A header for `jwk`, whose thumbprint the caller computed as `kid`.
    pub fn new(jwk: Jwk, kid: String) -> Self {
        ProtectedHeader { jwk, kid }
    }

    /// `alg`: `EdDSA` for an Ed25519 key, `ES256` for a P-256 key.
    pub fn alg(&self) -> Alg {
        self.jwk.alg()
    }
}

impl Canonical for ProtectedHeader {
    fn write_canonical(&self, out: &mut String) {
        ObjectWriter::new(out)
            .string("alg", self.alg().as_str())
            .value("jwk", &self.jwk)
            .string("kid", &self.kid)
            .string("typ", TYP)
            .finish();
    }
}

/// The JWS signing input: `base64url(header) "." base64url(payload)`.
///
/// `header_json` and `payload_json` are the exact bytes to protect; pass the
/// canonical JSON of a [`ProtectedHeader`] and of a [`crate::Proof`].
pub fn signing_input(header_json: &str, payload_json: &str) -> String {
    let mut out = String::with_capacity((header_json.len() + payload_json.len()) * 4 / 3 + 4);
    base64url::encode_into(header_json.as_bytes(), &mut out);
    out.push('.');
    base64url::encode_into(payload_json.as_bytes(), &mut out);
    out
}

/// The compact JWS: `signing_input "." base64url(signature)`.
///
/// `signature` is the raw signature over `signing_input`: 64 bytes for
/// Ed25519, and for ES256 the 64-byte `r || s` that WebCrypto returns.
pub fn compact(signing_input: &str, signature: &[u8]) -> String {
    let mut out = String::with_capacity(signing_input.len() + 1 + signature.len() * 4 / 3 + 2);
    out.push_str(signing_input);
    out.push('.');
    base64url::encode_into(signature, &mut out);
    out
}

/// A compact JWS split into its three base64url parts (not yet decoded).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CompactParts<'a> {
    /// The encoded protected header.
    pub header: &'a str,
    /// The encoded payload.
    pub payload: &'a str,
    /// The encoded signature.
    pub signature: &'a str,
    /// `header "." payload`: the bytes the signature covers.
    pub signing_input: &'a str,
}

impl<'a> CompactParts<'a> {
    /// Splits `jws` at its two dots; `None` unless there are exactly three parts.
    ///
    /// An empty signature part is returned as such (an `alg: none` token), so
    /// that the header can be read and refused for its `alg`.
    pub fn split(jws: &'a str) -> Option<Self> {
        let (signing_input, signature) = jws.rsplit_once('.')?;
        let (header, payload) = signing_input.split_once('.')?;
        if payload.contains('.') {
            return None;
        }
        Some(CompactParts {
            header,
            payload,
            signature,
            signing_input,
        })
    }
}
