//! Compact JWS over any payload, signed by a key the verifier already holds
//! (feature `verify`): the collector's receipts, audit manifests and other
//! documents it signs.
//!
//! A consent proof carries its own key in its header ([`crate::verify`]);
//! a document names its signer by `kid` only, and the verifier looks that
//! key up in what it trusts (a JWKS). The header is written canonically
//! (RFC 8785) as `{"alg":…,"kid":…,"typ":…}`; the payload is whatever bytes
//! the caller gives, canonical JSON by convention ([`crate::jcs::to_string`]).

#[allow(unused_imports)]
use crate::prelude::*;
use serde_json::Value;

use crate::base64url;
use crate::canonical::{Canonical, ObjectWriter};
use crate::error::VerifyError;
use crate::jwk::Jwk;
use crate::jws::{Alg, CompactParts};
use crate::sign::{sign_json, SigningKey};
use crate::verify::verify_signature;

/// The protected header of a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentHeader {
    /// `alg`: follows from the signing key.
    pub alg: Alg,
    /// `kid`: which of the signer's keys, if named.
    pub kid: Option<String>,
    /// `typ`: what the document is, if named.
    pub typ: Option<String>,
}

impl Canonical for DocumentHeader {
    fn write_canonical(&self, out: &mut String) {
        ObjectWriter::new(out)
            .string("alg", self.alg.as_str())
            .optional_string("kid", self.kid.as_deref())
            .optional_string("typ", self.typ.as_deref())
            .finish();
    }
}

/// Signs `payload` with `key`, named `kid`, as a document of type `typ`.
///
/// ```
/// use consent_proof::{document, sign::SigningKey, Jwk};
/// let key = SigningKey::ed25519_from_seed(&[1; 32]);
/// let jws = document::sign(&key, "k1", "example+jws", r#"{"a":1}"#);
/// let opened = document::open(&jws, |kid| (kid == Some("k1")).then(|| key.jwk())).unwrap();
/// assert_eq!(opened.payload, br#"{"a":1}"#);
/// assert_eq!(opened.header.typ.as_deref(), Some("example+jws"));
/// ```
pub fn sign(key: &SigningKey, kid: &str, typ: &str, payload: &str) -> String {
    let header = DocumentHeader {
        alg: key.alg(),
        kid: Some(kid.to_owned()),
        typ: Some(typ.to_owned()),
    };
    sign_json(&header.to_canonical_json(), payload, key)
}

/// A document whose signature verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Opened {
    /// Its protected header.
    pub header: DocumentHeader,
    /// The payload bytes, as signed.
    pub payload: Vec<u8>,
}

/// Verifies a compact JWS with the key `key_for` gives for its `kid`.
///
/// The header must be a JSON object with a supported `alg`, and no `crit`
/// (RFC 7515 §4.1.11: no extension is understood here); other members are
/// ignored. The signature is checked as [`verify_signature`] does
/// (strict Ed25519, ES256 `r || s`).
///
/// # Errors
/// [`VerifyError::Encoding`] for a part that is not base64url or a header
/// that is not JSON, [`VerifyError::UnsupportedAlg`], [`VerifyError::Header`]
/// when `key_for` knows no key for the `kid` (or the header is otherwise
/// unfit), [`VerifyError::Signature`].
pub fn open(
    jws: &str,
    key_for: impl FnOnce(Option<&str>) -> Option<Jwk>,
) -> Result<Opened, VerifyError> {
    let parts = CompactParts::split(jws).ok_or(VerifyError::Encoding { part: "jws" })?;
    let header_bytes =
        base64url::decode(parts.header).ok_or(VerifyError::Encoding { part: "header" })?;
    let header = parse_header(&header_bytes)?;
    let key = key_for(header.kid.as_deref())
        .ok_or_else(|| VerifyError::header("no trusted key for its kid"))?;
    let signature =
        base64url::decode(parts.signature).ok_or(VerifyError::Encoding { part: "signature" })?;
    verify_signature(header.alg, &key, parts.signing_input.as_bytes(), &signature)?;
    let payload =
        base64url::decode(parts.payload).ok_or(VerifyError::Encoding { part: "payload" })?;
    Ok(Opened { header, payload })
}

fn parse_header(bytes: &[u8]) -> Result<DocumentHeader, VerifyError> {
    let value: Value =
        serde_json::from_slice(bytes).map_err(|_| VerifyError::Encoding { part: "header" })?;
    let object = value
        .as_object()
        .ok_or_else(|| VerifyError::header("not a json object"))?;
    if object.contains_key("crit") {
        return Err(VerifyError::header("crit extensions are not supported"));
    }
    let text = |name: &str| -> Result<Option<String>, VerifyError> {
        match object.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(VerifyError::Header {
                reason: format!("{name} is not a string"),
            }),
        }
    };
    let alg = text("alg")?.ok_or_else(|| VerifyError::header("no alg"))?;
    Ok(DocumentHeader {
        alg: Alg::from_name(&alg).ok_or(VerifyError::UnsupportedAlg { alg })?,
        kid: text("kid")?,
        typ: text("typ")?,
    })
}
