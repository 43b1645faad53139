//! Verification of incoming consent proofs, and the few fields the collector reads.
//!
//! This is the one seam to the `consent-proof` crate: everything else in the
//! collector sees only [`VerifiedProof`]. Until that crate's `verify` lands,
//! the check here is the same contract written locally: EdDSA JWS, public key
//! as `jwk` in the protected header, `kid` its RFC 7638 thumbprint, payload in
//! RFC 8785 canonical form.

use chrono::{DateTime, Duration, Utc};
use ed25519_dalek::VerifyingKey;
use serde::Deserialize;

use crate::hash::sha256_hex;
use crate::jws;

/// Limits applied to a proof on arrival.
#[derive(Clone, Debug)]
pub struct ProofLimits {
    /// How far in the future `issuedAt` may be (clock skew of the browser).
    pub max_skew: Duration,
    /// How old `issuedAt` may be (a widget retries offline submissions later).
    pub max_age: Duration,
}

/// Why a proof was refused; every variant is a client error.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ProofError {
    /// Not a compact JWS, or its parts are not base64url JSON.
    #[error("not a compact jws: {0}")]
    Malformed(String),
    /// The header is not the consent-proof header.
    #[error("unsupported header: {0}")]
    Header(String),
    /// The signature does not verify under the header's key.
    #[error("signature does not verify")]
    Signature,
    /// The payload is not in RFC 8785 canonical form.
    #[error("payload is not rfc 8785 canonical json")]
    NotCanonical,
    /// A required payload field is missing or has the wrong type.
    #[error("invalid payload: {0}")]
    Payload(String),
    /// `issuedAt` is too far in the future.
    #[error("issuedAt is {0}s in the future, beyond the allowed clock skew")]
    Future(i64),
    /// `issuedAt` is older than allowed.
    #[error("issuedAt is older than the allowed age")]
    TooOld,
}

impl ProofError {
    /// The stable error code the HTTP API returns.
    pub fn code(&self) -> &'static str {
        match self {
            ProofError::Malformed(_) => "malformed_proof",
            ProofError::Header(_) => "unsupported_header",
            ProofError::Signature => "invalid_signature",
            ProofError::NotCanonical => "not_canonical",
            ProofError::Payload(_) => "invalid_payload",
            ProofError::Future(_) => "clock_skew",
            ProofError::TooOld => "proof_expired",
        }
    }
}

/// Consent or withdrawal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProofKind {
    /// The subject gave (or refused) consent.
    Consent,
    /// The subject withdrew the listed purposes.
    Withdrawal,
}

/// One purpose and what the subject chose.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Purpose {
    /// Purpose id, such as `newsletter`.
    pub id: String,
    /// `email` or `sms`.
    pub channel: String,
    /// `granted`, `refused`, `objected` or `not-objected`.
    pub choice: String,
}

/// The fields of a proof payload the collector acts on.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProofRecord {
    /// Record id: the idempotency key.
    pub id: String,
    /// Consent or withdrawal.
    pub kind: ProofKind,
    /// When the browser signed it.
    pub issued_at: DateTime<Utc>,
    /// Where it was collected.
    pub site: Site,
    /// Who it is about.
    pub subject: Subject,
    /// The subject's language (BCP 47).
    pub locale: String,
    /// The purposes and choices.
    pub purposes: Vec<Purpose>,
    /// `requested` when a confirmation e-mail must be sent.
    #[serde(default)]
    pub double_opt_in: Option<String>,
}

/// The page the proof was collected on.
#[derive(Clone, Debug, Deserialize)]
pub struct Site {
    /// `https://shop.example`.
    pub origin: String,
}

/// The data subject.
#[derive(Clone, Debug, Deserialize)]
pub struct Subject {
    /// E-mail address as entered.
    pub email: String,
}

impl ProofRecord {
    /// Whether a confirmation e-mail is asked for.
    pub fn wants_double_opt_in(&self) -> bool {
        self.kind == ProofKind::Consent
            && self.double_opt_in.as_deref() == Some("requested")
            && self.purposes.iter().any(|p| p.choice == "granted")
    }

    /// The e-mail address as the collector keys subjects: trimmed, lowercase.
    pub fn subject_key(&self) -> String {
        self.subject.email.trim().to_lowercase()
    }
}

/// A proof whose signature and form have been checked.
#[derive(Clone, Debug)]
pub struct VerifiedProof {
    /// The JWS exactly as received.
    pub jws: String,
    /// SHA-256 (hex) of the JWS: the `proof` field of the receipt.
    pub sha256: String,
    /// The decoded payload.
    pub payload: serde_json::Value,
    /// The fields the collector reads.
    pub record: ProofRecord,
}

/// Verifies a proof JWS's signature and form, without any time check.
///
/// This is what `verify-log` re-runs offline.
pub fn verify_signature(jws: &str) -> Result<VerifiedProof, ProofError> {
    let compact = jws::split(jws).ok_or_else(|| ProofError::Malformed("expected three base64url parts".into()))?;
    let header: serde_json::Value =
        serde_json::from_slice(&compact.header).map_err(|_| ProofError::Malformed("header is not json".into()))?;
    if header["alg"] != "EdDSA" {
        return Err(ProofError::Header(format!("alg {} is not supported", header["alg"])));
    }
    let jwk = &header["jwk"];
    if jwk["kty"] != "OKP" || jwk["crv"] != "Ed25519" {
        return Err(ProofError::Header("jwk is not an ed25519 key".into()));
    }
    let key = jwk["x"]
        .as_str()
        .and_then(jws::unb64)
        .and_then(|x| <[u8; 32]>::try_from(x).ok())
        .and_then(|x| VerifyingKey::from_bytes(&x).ok())
        .ok_or_else(|| ProofError::Header("jwk x is not an ed25519 public key".into()))?;
    if header["kid"].as_str() != Some(jws::thumbprint(&key).as_str()) {
        return Err(ProofError::Header("kid is not the rfc 7638 thumbprint of jwk".into()));
    }
    if !jws::verify_ed25519(&key, &compact) {
        return Err(ProofError::Signature);
    }
    let payload: serde_json::Value =
        serde_json::from_slice(&compact.payload).map_err(|_| ProofError::Malformed("payload is not json".into()))?;
    if serde_json_canonicalizer::to_vec(&payload).ok().as_deref() != Some(compact.payload.as_slice()) {
        return Err(ProofError::NotCanonical);
    }
    let record: ProofRecord =
        serde_json::from_value(payload.clone()).map_err(|e| ProofError::Payload(e.to_string().to_lowercase()))?;
    Ok(VerifiedProof { jws: jws.to_string(), sha256: sha256_hex(jws), payload, record })
}

/// Verifies a proof on arrival: signature, form, and `issuedAt` against `now`.
pub fn verify(jws: &str, now: DateTime<Utc>, limits: &ProofLimits) -> Result<VerifiedProof, ProofError> {
    let proof = verify_signature(jws)?;
    let issued = proof.record.issued_at;
    if issued > now + limits.max_skew {
        return Err(ProofError::Future((issued - now).num_seconds()));
    }
    if issued < now - limits.max_age {
        return Err(ProofError::TooOld);
    }
    Ok(proof)
}
