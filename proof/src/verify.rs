//! Verifying a consent proof JWS (feature `verify`).
//!
//! [`verify`] runs every check in a fixed order and returns the first failure
//! as a typed [`VerifyError`]:
//!
//! 1. size (`max_bytes`), before anything is decoded;
//! 2. three strict base64url parts;
//! 3. protected header: `alg` is `EdDSA` or `ES256` (never `none`, never
//!    `HS*`), `typ` is `consent-proof+jws`, `jwk` is a public Ed25519 or P-256
//!    key matching `alg` and nothing more, no other member (so no `crit`);
//! 4. `kid` is the RFC 7638 thumbprint of `jwk`;
//! 5. signature (Ed25519 `verify_strict`; ES256 raw `r || s`);
//! 6. the payload is its own RFC 8785 canonical form;
//! 7. the payload is a `consent-proof/1` record, written exactly as
//!    [`Canonical`] writes it (so absent-versus-null is unambiguous), and
//!    keeps the schema rules, hashes of the texts included;
//! 8. `issuedAt` lies within `[now - max_age, now + max_skew]`.
//!
//! The clock is a parameter: nothing here reads the time.

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::base64url;
use crate::canonical::Canonical;
use crate::error::VerifyError;
use crate::jwk::Jwk;
use crate::jws::{Alg, CompactParts, ProtectedHeader, TYP};
use crate::record::Proof;
use crate::validate::SchemaError;
use crate::{jcs, timestamp};

/// Limits and clock for [`verify`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VerifyOptions {
    /// The verifier's clock, milliseconds since the Unix epoch.
    pub now_ms: i64,
    /// How far `issuedAt` may be ahead of `now_ms` (browser clocks drift).
    pub max_skew_ms: i64,
    /// How far `issuedAt` may be behind `now_ms` (the widget's outbox retries
    /// offline submissions later).
    pub max_age_ms: i64,
    /// The largest JWS accepted, in bytes.
    pub max_bytes: usize,
}

impl VerifyOptions {
    /// Default skew: 5 minutes.
    pub const DEFAULT_MAX_SKEW_MS: i64 = 5 * 60 * 1000;
    /// Default age: 7 days.
    pub const DEFAULT_MAX_AGE_MS: i64 = 7 * 24 * 60 * 60 * 1000;
    /// Default size: 64 KiB, far above any real form.
    pub const DEFAULT_MAX_BYTES: usize = 64 * 1024;

    /// Options with the default limits and the given clock.
    pub fn new(now_ms: i64) -> Self {
        VerifyOptions {
            now_ms,
            max_skew_ms: Self::DEFAULT_MAX_SKEW_MS,
            max_age_ms: Self::DEFAULT_MAX_AGE_MS,
            max_bytes: Self::DEFAULT_MAX_BYTES,
        }
    }
}

/// A proof that passed every check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    /// The protected header.
    pub header: ProtectedHeader,
    /// The record.
    pub proof: Proof,
    /// The payload exactly as signed: its canonical JSON.
    pub payload: String,
    /// The header's `kid` (the key's RFC 7638 thumbprint): one id per browser key.
    pub kid: String,
    /// `issuedAt` as milliseconds since the Unix epoch.
    pub issued_at_ms: i64,
    /// SHA-256 of the JWS text: what the collector chains on, and what a
    /// later proof from the same browser puts in `prev` (as lowercase hex).
    pub jws_sha256: [u8; 32],
}

impl Verified {
    /// [`Verified::jws_sha256`] as lowercase hex: the `prev` of the next proof.
    pub fn jws_sha256_hex(&self) -> String {
        hex(&self.jws_sha256)
    }
}

/// Verifies a compact JWS consent proof.
///
/// # Errors
/// The first failed check, as listed in the [module docs](self).
pub fn verify(jws: &str, options: &VerifyOptions) -> Result<Verified, VerifyError> {
    if jws.len() > options.max_bytes {
        return Err(VerifyError::Oversized {
            len: jws.len(),
            max: options.max_bytes,
        });
    }
    let parts = CompactParts::split(jws).ok_or(VerifyError::Encoding { part: "jws" })?;
    let header_bytes =
        base64url::decode(parts.header).ok_or(VerifyError::Encoding { part: "header" })?;
    let header = parse_header(&header_bytes)?;
    let thumbprint = thumbprint(&header.jwk);
    if thumbprint != header.kid {
        return Err(VerifyError::KidMismatch {
            kid: header.kid,
            thumbprint,
        });
    }
    let signature =
        base64url::decode(parts.signature).ok_or(VerifyError::Encoding { part: "signature" })?;
    verify_signature(
        header.alg(),
        &header.jwk,
        parts.signing_input.as_bytes(),
        &signature,
    )?;

    let payload_bytes =
        base64url::decode(parts.payload).ok_or(VerifyError::Encoding { part: "payload" })?;
    let payload =
        String::from_utf8(payload_bytes).map_err(|_| VerifyError::Encoding { part: "payload" })?;
    let proof = parse_proof(&payload)?;

    let issued_at_ms = timestamp::parse_millis(&proof.issued_at)
        .ok_or_else(|| SchemaError::new("issuedAt", "must be YYYY-MM-DDTHH:MM:SS.mmmZ"))?;
    let now = options.now_ms;
    if issued_at_ms > now.saturating_add(options.max_skew_ms)
        || issued_at_ms < now.saturating_sub(options.max_age_ms)
    {
        return Err(VerifyError::Time {
            issued_at_ms,
            now_ms: now,
        });
    }
    Ok(Verified {
        kid: header.kid.clone(),
        header,
        proof,
        payload,
        issued_at_ms,
        jws_sha256: sha256(jws.as_bytes()),
    })
}

/// Parses and checks a payload: canonical form, shape, schema rules and text hashes.
///
/// This is [`verify`] without the envelope; use it to re-check a stored payload.
///
/// # Errors
/// [`VerifyError::Encoding`] if it is not JSON, [`VerifyError::NonCanonical`],
/// or [`VerifyError::Schema`].
pub fn parse_proof(payload: &str) -> Result<Proof, VerifyError> {
    let value: Value =
        serde_json::from_str(payload).map_err(|_| VerifyError::Encoding { part: "payload" })?;
    if jcs::canonicalize(&value).as_deref() != Some(payload) {
        return Err(VerifyError::NonCanonical);
    }
    let proof: Proof = serde_path_to_error::deserialize(&value).map_err(shape_error)?;
    // The shape is right; now insist on the one spelling this crate writes
    // (e.g. `"phone":null` parses, but the canonical record omits it).
    let written = proof.to_canonical_json();
    if written != payload {
        let ours: Value = serde_json::from_str(&written).map_err(|_| VerifyError::NonCanonical)?;
        let mut path = String::new();
        first_difference(&value, &ours, &mut path);
        return Err(SchemaError::new(
            path,
            "is not written the way schema consent-proof/1 writes it",
        )
        .into());
    }
    proof.check()?;
    check_text_hashes(&proof)?;
    Ok(proof)
}

/// Checks that `texts.sha256` and every `purposes[].textSha256` match the texts shown.
fn check_text_hashes(proof: &Proof) -> Result<(), SchemaError> {
    let shown = &proof.texts.shown;
    if sha256_hex(crate::texts::Texts::digest_input(shown).as_bytes()) != proof.texts.sha256 {
        return Err(SchemaError::new(
            "texts.sha256",
            "is not the sha-256 of the canonical json of texts.shown",
        ));
    }
    let shown_hashes: Vec<String> = shown.texts().map(|t| sha256_hex(t.as_bytes())).collect();
    for (i, purpose) in proof.purposes.iter().enumerate() {
        if !shown_hashes.contains(&purpose.text_sha256) {
            return Err(SchemaError::new(
                format!("purposes[{i}].textSha256"),
                "is not the sha-256 of any text in texts.shown",
            ));
        }
    }
    Ok(())
}

/// Turns a serde shape error into a schema error naming the field.
fn shape_error(e: serde_path_to_error::Error<serde_json::Error>) -> VerifyError {
    let mut field = e.path().to_string();
    if field == "." {
        field.clear();
    }
    let reason = e.inner().to_string();
    // "missing field `kind`": the path stops at the parent, so add the name.
    if let Some(name) = reason
        .strip_prefix("missing field `")
        .and_then(|r| r.strip_suffix('`'))
    {
        if !field.is_empty() {
            field.push('.');
        }
        field.push_str(name);
    }
    SchemaError::new(field, reason).into()
}

/// Writes into `path` the JSON path of the first place `a` and `b` differ.
fn first_difference(a: &Value, b: &Value, path: &mut String) -> bool {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys = x.keys().chain(y.keys().filter(|k| !x.contains_key(*k)));
            for key in keys {
                let (u, v) = (
                    x.get(key).unwrap_or(&Value::Null),
                    y.get(key).unwrap_or(&Value::Null),
                );
                let before = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
                if x.contains_key(key) != y.contains_key(key) || first_difference(u, v, path) {
                    return true;
                }
                path.truncate(before);
            }
            false
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (u, v)) in x.iter().zip(y).enumerate() {
                let before = path.len();
                path.push_str(&format!("[{i}]"));
                if first_difference(u, v, path) {
                    return true;
                }
                path.truncate(before);
            }
            false
        }
        _ => a != b,
    }
}

/// Parses a protected header: checks `alg`, `typ`, `jwk` and `kid`, refuses anything else.
///
/// The `kid` is *not* compared with the thumbprint here; [`verify`] does that.
///
/// # Errors
/// [`VerifyError::Encoding`] if not a UTF-8 JSON text, [`VerifyError::UnsupportedAlg`],
/// or [`VerifyError::Header`].
pub fn parse_header(bytes: &[u8]) -> Result<ProtectedHeader, VerifyError> {
    let value: Value =
        serde_json::from_slice(bytes).map_err(|_| VerifyError::Encoding { part: "header" })?;
    let Value::Object(members) = value else {
        return Err(VerifyError::header("not a json object"));
    };
    // `alg` first, so that `none` and `HS256` are named as such.
    let alg = match members.get("alg") {
        Some(Value::String(name)) => {
            Alg::from_name(name).ok_or_else(|| VerifyError::UnsupportedAlg { alg: name.clone() })?
        }
        Some(_) => return Err(VerifyError::UnsupportedAlg { alg: String::new() }),
        None => return Err(VerifyError::header("missing alg")),
    };
    only_members(&members, &["alg", "jwk", "kid", "typ"], "header")?;
    if string_member(&members, "typ")? != TYP {
        return Err(VerifyError::header("typ must be consent-proof+jws"));
    }
    let kid = string_member(&members, "kid")?.to_owned();
    let Some(Value::Object(jwk)) = members.get("jwk") else {
        return Err(VerifyError::header("missing jwk object"));
    };
    let jwk = parse_jwk(jwk)?;
    if jwk.alg() != alg {
        return Err(VerifyError::header("jwk key type does not match alg"));
    }
    PublicKey::from_jwk(&jwk)?;
    Ok(ProtectedHeader::new(jwk, kid))
}

fn parse_jwk(members: &Map<String, Value>) -> Result<Jwk, VerifyError> {
    let (kty, crv) = (
        string_member(members, "kty")?,
        string_member(members, "crv")?,
    );
    let x = string_member(members, "x")?.to_owned();
    match (kty, crv) {
        ("OKP", "Ed25519") => {
            // Only public members: a `d` here would mean a leaked private key.
            only_members(members, &["crv", "kty", "x"], "jwk")?;
            Ok(Jwk::Ed25519 { x })
        }
        ("EC", "P-256") => {
            only_members(members, &["crv", "kty", "x", "y"], "jwk")?;
            Ok(Jwk::P256 {
                x,
                y: string_member(members, "y")?.to_owned(),
            })
        }
        _ => Err(VerifyError::header(
            "jwk must be an OKP Ed25519 or EC P-256 key",
        )),
    }
}

fn only_members(
    members: &Map<String, Value>,
    allowed: &[&str],
    what: &str,
) -> Result<(), VerifyError> {
    match members.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(VerifyError::Header {
            reason: format!("unexpected {what} member {k:?}"),
        }),
        None => Ok(()),
    }
}

fn string_member<'a>(members: &'a Map<String, Value>, name: &str) -> Result<&'a str, VerifyError> {
    match members.get(name) {
        Some(Value::String(s)) => Ok(s),
        _ => Err(VerifyError::Header {
            reason: format!("missing string member {name:?}"),
        }),
    }
}

/// A decoded public key, ready to verify with.
enum PublicKey {
    Ed25519(ed25519_dalek::VerifyingKey),
    P256(p256::ecdsa::VerifyingKey),
}

impl PublicKey {
    fn from_jwk(jwk: &Jwk) -> Result<Self, VerifyError> {
        let bad = || VerifyError::header("jwk is not a valid public key");
        let coordinate = |text: &str| -> Result<[u8; 32], VerifyError> {
            base64url::decode(text)
                .and_then(|b| <[u8; 32]>::try_from(b).ok())
                .ok_or_else(bad)
        };
        match jwk {
            Jwk::Ed25519 { x } => {
                let key =
                    ed25519_dalek::VerifyingKey::from_bytes(&coordinate(x)?).map_err(|_| bad())?;
                Ok(PublicKey::Ed25519(key))
            }
            Jwk::P256 { x, y } => {
                let point = p256::EncodedPoint::from_affine_coordinates(
                    &coordinate(x)?.into(),
                    &coordinate(y)?.into(),
                    false,
                );
                let key =
                    p256::ecdsa::VerifyingKey::from_encoded_point(&point).map_err(|_| bad())?;
                Ok(PublicKey::P256(key))
            }
        }
    }
}

/// Checks a raw JWS signature over `signing_input` with `jwk` under `alg`.
///
/// Ed25519 uses `verify_strict` (no small-order keys, canonical `S`); ES256
/// expects the 64-byte `r || s` of JWS and WebCrypto, and accepts high `S` as
/// WebCrypto produces it.
///
/// # Errors
/// [`VerifyError::Header`] if `jwk` does not fit `alg` or is not a valid key,
/// [`VerifyError::Encoding`] for a signature that is not 64 bytes,
/// [`VerifyError::Signature`] if it does not verify.
pub fn verify_signature(
    alg: Alg,
    jwk: &Jwk,
    signing_input: &[u8],
    signature: &[u8],
) -> Result<(), VerifyError> {
    use p256::ecdsa::signature::Verifier;
    if jwk.alg() != alg {
        return Err(VerifyError::header("jwk key type does not match alg"));
    }
    let signature: &[u8; 64] = signature
        .try_into()
        .map_err(|_| VerifyError::Encoding { part: "signature" })?;
    let ok = match PublicKey::from_jwk(jwk)? {
        PublicKey::Ed25519(key) => key
            .verify_strict(
                signing_input,
                &ed25519_dalek::Signature::from_bytes(signature),
            )
            .is_ok(),
        PublicKey::P256(key) => p256::ecdsa::Signature::from_slice(signature)
            .map(|sig| key.verify(signing_input, &sig).is_ok())
            .unwrap_or(false),
    };
    if ok {
        Ok(())
    } else {
        Err(VerifyError::Signature)
    }
}

/// The RFC 7638 SHA-256 thumbprint of `jwk`, base64url: the `kid` it must carry.
pub fn thumbprint(jwk: &Jwk) -> String {
    base64url::encode(&sha256(jwk.thumbprint_input().as_bytes()))
}

/// SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// SHA-256 of `bytes` as lowercase hex, the spelling of every hash in the payload.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&sha256(bytes))
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}
