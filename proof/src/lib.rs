//! Signed consent proofs: payload types, RFC 8785 canonical JSON, JWS and verification.
#![deny(missing_docs)]

pub mod base64url;
pub mod canonical;
pub mod jwk;
pub mod jws;
pub mod record;
pub mod timestamp;
pub mod validate;
mod vocabulary;

pub use canonical::Canonical;
pub use jwk::Jwk;
pub use jws::{Alg, ProtectedHeader};
pub use record::{Basis, Channel, Choice, Controller, DoubleOptIn, Form, Kind, PrivacyPolicy, Proof, Purpose, Regime, Schema, Site, Subject, Texts};
pub use validate::SchemaError;

#[cfg(feature = "verify")]
pub mod error;
#[cfg(feature = "verify")]
pub mod jcs;
#[cfg(feature = "verify")]
pub mod sign;
#[cfg(feature = "verify")]
pub mod verify;

#[cfg(feature = "verify")]
pub use error::VerifyError;
#[cfg(feature = "verify")]
pub use verify::{verify, VerifyOptions, Verified};
#[cfg(any(test, feature = "fixture"))]
pub mod fixture;
