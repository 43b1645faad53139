//! Verification of incoming consent proofs: the one seam to the `consent-proof` crate.
//!
//! Everything else in the collector sees only [`VerifiedProof`] and its
//! [`ProofView`], and every
//! [`consent_proof::VerifyError`] becomes a [`ProofError`] with a stable HTTP code here.

use chrono::{DateTime, Duration, Utc};
use consent_proof::{VerifyError, VerifyOptions};

use super::view::ProofView;

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
    #[error("{0}")]
    Malformed(String),
    /// The header is not a consent-proof header (alg, jwk, kid).
    #[error("{0}")]
    Header(String),
    /// The signature does not verify under the header's key.
    #[error("signature does not verify")]
    Signature,
    /// The payload is not in RFC 8785 canonical form.
    #[error("payload is not rfc 8785 canonical json")]
    NotCanonical,
    /// The payload breaks the `consent-proof/1` schema.
    #[error("{0}")]
    Payload(String),
    /// `issuedAt` is too far in the future.
    #[error("issuedAt is in the future beyond the allowed clock skew")]
    Future,
    /// `issuedAt` is older than allowed.
    #[error("issuedAt is older than the allowed age")]
    TooOld,
    /// The JWS is longer than allowed.
    #[error("{0}")]
    TooLarge(String),
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
            ProofError::Future => "clock_skew",
            ProofError::TooOld => "proof_expired",
            ProofError::TooLarge(_) => "proof_too_large",
        }
    }

    fn from_verify(e: VerifyError) -> Self {
        let message = e.to_string().to_lowercase();
        match e {
            VerifyError::Oversized { .. } => ProofError::TooLarge(message),
            VerifyError::Encoding { .. } => ProofError::Malformed(message),
            VerifyError::Signature => ProofError::Signature,
            VerifyError::NonCanonical => ProofError::NotCanonical,
            VerifyError::Schema(_) => ProofError::Payload(message),
            VerifyError::Time {
                issued_at_ms,
                now_ms,
            } if issued_at_ms > now_ms => ProofError::Future,
            VerifyError::Time { .. } => ProofError::TooOld,
            // Header, alg and kid failures, and any check added later.
            _ => ProofError::Header(message),
        }
    }
}

/// A proof whose signature, form and schema have been checked.
#[derive(Clone, Debug)]
pub struct VerifiedProof {
    /// The JWS exactly as received.
    pub jws: String,
    /// SHA-256 (lowercase hex) of the JWS: the `proof` field of the receipt.
    pub sha256: String,
    /// The payload exactly as signed: its RFC 8785 canonical JSON.
    pub payload_json: String,
    /// What the collector reads of it.
    pub view: ProofView,
    /// The verifier's typed record, whole: what form matching compares
    /// against the registered forms (see `crate::registry`).
    pub record: consent_proof::Proof,
    /// The payload as JSON, which only [`super::stored::split`] reads.
    pub(super) payload: serde_json::Value,
}

impl VerifiedProof {
    /// Whether a confirmation e-mail is asked for.
    pub fn wants_double_opt_in(&self) -> bool {
        self.view.asks_confirmation()
    }

    /// The e-mail address as the collector keys subjects: trimmed, lowercase.
    pub fn subject_key(&self) -> String {
        self.view.subject_key()
    }
}

/// Verifies a proof on arrival: everything `consent-proof` checks, `issuedAt` against `now`.
pub fn verify(
    jws: &str,
    now: DateTime<Utc>,
    max_bytes: usize,
    limits: &ProofLimits,
) -> Result<VerifiedProof, ProofError> {
    let options = VerifyOptions {
        now_ms: now.timestamp_millis(),
        max_skew_ms: limits.max_skew.num_milliseconds(),
        max_age_ms: limits.max_age.num_milliseconds(),
        max_bytes,
    };
    let verified = consent_proof::verify(jws, &options).map_err(ProofError::from_verify)?;
    let payload = serde_json::from_str(&verified.payload)
        .map_err(|e| ProofError::Malformed(e.to_string().to_lowercase()))?;
    Ok(VerifiedProof {
        jws: jws.to_string(),
        sha256: verified.jws_sha256_hex(),
        view: ProofView::new(&verified.proof, &verified.kid),
        record: verified.proof,
        payload,
        payload_json: verified.payload,
    })
}

/// Verifies a stored proof with no time or size limit: what `verify-log` re-runs offline.
pub fn verify_stored(jws: &str) -> Result<VerifiedProof, ProofError> {
    let unbounded = ProofLimits {
        max_skew: Duration::MAX,
        max_age: Duration::MAX,
    };
    verify(jws, DateTime::UNIX_EPOCH, usize::MAX, &unbounded)
}
