//! Why a proof was refused: one variant per failure, so callers can answer precisely.

use std::fmt;

use crate::validate::SchemaError;

/// A proof that failed verification.
///
/// Checks run in a fixed order (size, encoding, header, key, signature,
/// canonical form, schema, time), and the first failure is reported.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifyError {
    /// The JWS is longer than [`crate::verify::VerifyOptions::max_bytes`].
    Oversized {
        /// Length of the JWS text in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// Not three base64url parts, or a part that is not strict base64url, or
    /// a header or payload that is not UTF-8 JSON, or a signature of the wrong length.
    Encoding {
        /// Which part: `"jws"`, `"header"`, `"payload"` or `"signature"`.
        part: &'static str,
    },
    /// The protected header is JSON but not a consent-proof header.
    Header {
        /// What is wrong, lowercase.
        reason: String,
    },
    /// `alg` is not `EdDSA` or `ES256` (`none` and every `HS*` are refused here).
    UnsupportedAlg {
        /// The `alg` found, or empty if it was not a string.
        alg: String,
    },
    /// `kid` is not the RFC 7638 thumbprint of `jwk`.
    KidMismatch {
        /// The `kid` in the header.
        kid: String,
        /// The thumbprint of the header's `jwk`.
        thumbprint: String,
    },
    /// The signature does not verify under the header's key.
    Signature,
    /// The payload bytes are not their own RFC 8785 canonical form.
    NonCanonical,
    /// The payload breaks the `consent-proof/1` schema.
    Schema(SchemaError),
    /// `issuedAt` is too far in the future or too old.
    Time {
        /// `issuedAt` in milliseconds since the epoch.
        issued_at_ms: i64,
        /// The clock given in the options.
        now_ms: i64,
    },
}

impl VerifyError {
    /// A stable short code per variant, for logs, HTTP answers and the vector file.
    pub fn code(&self) -> &'static str {
        match self {
            VerifyError::Oversized { .. } => "oversized",
            VerifyError::Encoding { .. } => "encoding",
            VerifyError::Header { .. } => "header",
            VerifyError::UnsupportedAlg { .. } => "unsupported-alg",
            VerifyError::KidMismatch { .. } => "kid-mismatch",
            VerifyError::Signature => "signature",
            VerifyError::NonCanonical => "non-canonical",
            VerifyError::Schema(_) => "schema",
            VerifyError::Time { .. } => "time",
        }
    }

    pub(crate) fn header(reason: &str) -> Self {
        VerifyError::Header {
            reason: reason.to_owned(),
        }
    }
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyError::Oversized { len, max } => {
                write!(f, "proof is {len} bytes, more than the {max} allowed")
            }
            VerifyError::Encoding { part } => write!(f, "bad encoding in the jws {part}"),
            VerifyError::Header { reason } => write!(f, "bad protected header: {reason}"),
            VerifyError::UnsupportedAlg { alg } => write!(
                f,
                "unsupported alg {alg:?}: only EdDSA and ES256 are accepted"
            ),
            VerifyError::KidMismatch { kid, thumbprint } => {
                write!(
                    f,
                    "kid {kid:?} is not the thumbprint of the header key ({thumbprint})"
                )
            }
            VerifyError::Signature => f.write_str("signature does not verify"),
            VerifyError::NonCanonical => f.write_str("payload is not rfc 8785 canonical json"),
            VerifyError::Schema(e) => e.fmt(f),
            VerifyError::Time {
                issued_at_ms,
                now_ms,
            } => {
                write!(
                    f,
                    "issuedAt is out of range: {issued_at_ms} ms against a clock of {now_ms} ms"
                )
            }
        }
    }
}

impl std::error::Error for VerifyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            VerifyError::Schema(e) => Some(e),
            _ => None,
        }
    }
}

impl From<SchemaError> for VerifyError {
    fn from(e: SchemaError) -> Self {
        VerifyError::Schema(e)
    }
}
