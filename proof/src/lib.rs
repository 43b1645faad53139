//! Signed consent proofs: payload types, RFC 8785 canonical JSON, JWS and verification.
//!
//! One crate for both ends, so the bytes the browser signs and the bytes the
//! collector checks come from one implementation.
//!
//! - **Default features: no dependencies**, built into the widget's wasm.
//!   The payload types ([`Proof`] and its parts), a canonical JSON writer
//!   ([`Canonical`]), [`base64url`], the protected header ([`ProtectedHeader`],
//!   [`Jwk`]), the RFC 7638 thumbprint input, the JWS signing input and the
//!   compact assembly ([`jws`]), `issuedAt` formatting ([`timestamp`]) and the
//!   schema rules ([`Proof::check`]). No hashing, no signing: the browser does
//!   those with WebCrypto. Also standard padded [`base64`], for the formats
//!   that fix it; the widget does not call it, so it costs the wasm nothing.
//! - **`verify`**: native, for the collector and tools. `verify::verify`,
//!   a typed `VerifyError` per failure, the general RFC 8785 canonicalizer
//!   (`jcs`, also for any `Serialize` value), thumbprints, `sign` to mint
//!   proofs without a browser, and `document`: compact JWS over any payload
//!   with a key the verifier holds (the collector's receipts and manifests).
//! - **`serde`**: `Serialize`/`Deserialize` on the payload types (implied by `verify`).
//! - **`fixture`**: the shared test fixture as constants (module `fixture`
//!   when enabled), also stored as plain files in `proof/fixtures/`.
//!
//! # 1. Build a record
//!
//! ```
//! use consent_proof::*;
//!
//! let mut shown = ShownTexts::new();
//! shown.push("purpose.newsletter", "I agree to receive the newsletter by e-mail.");
//! shown.push("privacy.link", "Privacy policy");
//! // The widget hashes with WebCrypto; these are the SHA-256 of the texts.
//! let texts_sha256 = "9f8e0c7b65bbe1f3a4b1a9ab6c4b7a2d3d5e0e6a9c0a1b2c3d4e5f60718293a4".to_owned();
//! let label_sha256 = "1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d".to_owned();
//! assert_eq!(Texts::digest_input(&shown), r#"{"privacy.link":"Privacy policy","purpose.newsletter":"I agree to receive the newsletter by e-mail."}"#);
//!
//! let proof = Proof {
//!     schema: Schema::V1,
//!     id: "0193f0a2-7c4e-7d1a-9a55-1c2f3e4d5a6b".to_owned(),
//!     kind: Kind::Consent,
//!     issued_at: timestamp::format_millis(1_795_947_302_481).unwrap(),
//!     site: Site { origin: "https://shop.example".to_owned(), page: "https://shop.example/".to_owned() },
//!     controller: Controller { name: "Shop SAS".to_owned(), contact: "dpo@shop.example".to_owned() },
//!     jurisdiction: "FR".to_owned(),
//!     regime: Regime::B2c,
//!     subject: Subject { email: "marie@example.org".to_owned(), phone: None },
//!     locale: "en".to_owned(),
//!     privacy_policy: PrivacyPolicy { url: "https://shop.example/privacy".to_owned(), version: None },
//!     form: Form { id: "footer".to_owned(), version: "1".to_owned(), widget: "consent-widget 0.1.0".to_owned() },
//!     texts: Texts { sha256: texts_sha256, shown },
//!     purposes: vec![Purpose {
//!         id: "newsletter".to_owned(),
//!         channel: Channel::Email,
//!         basis: Basis::Consent,
//!         choice: Choice::Granted,
//!         text_sha256: label_sha256,
//!     }],
//!     mechanism: "unchecked-box-ticked".to_owned(),
//!     double_opt_in: DoubleOptIn::Requested,
//!     prev: None,
//! };
//! assert_eq!(proof.check(), Ok(()));
//!
//! // # 2. Canonicalize: RFC 8785, keys sorted, no spaces, `prev` written as null.
//! let payload = proof.to_canonical_json();
//! assert!(payload.starts_with(r#"{"controller":{"contact":"dpo@shop.example","name":"Shop SAS"},"doubleOptIn":"requested","#));
//!
//! // # 3. Sign, widget side: header from the WebCrypto public key, kid =
//! // base64url(SHA-256(jwk.thumbprint_input())), then sign the signing input.
//! let jwk = Jwk::ed25519(&[7; 32]);
//! assert_eq!(jwk.thumbprint_input(), r#"{"crv":"Ed25519","kty":"OKP","x":"BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc"}"#);
//! let header = ProtectedHeader::new(jwk, "<thumbprint from WebCrypto>".to_owned());
//! let input = jws::signing_input(&header.to_canonical_json(), &payload);
//! let signature = [0u8; 64]; // from crypto.subtle.sign("Ed25519", key, input)
//! let compact = jws::compact(&input, &signature);
//! assert_eq!(compact.matches('.').count(), 2);
//! ```
//!
//! # 3'. Sign natively, and 4. verify (feature `verify`)
//!
//! ```
//! # #[cfg(all(feature = "verify", feature = "fixture"))] {
//! use consent_proof::sign::{sign, SigningKey};
//! use consent_proof::{fixture, verify, VerifyError, VerifyOptions};
//!
//! let key = SigningKey::ed25519_from_seed(&[7; 32]); // or SigningKey::p256_from_scalar
//! let jws = sign(&fixture::proof(), &key);
//!
//! // The clock is a parameter; limits have defaults (5 min skew, 7 days age, 64 KiB).
//! let verified = verify(&jws, &VerifyOptions::new(fixture::ISSUED_AT_MS)).unwrap();
//! assert_eq!(verified.proof, fixture::proof());
//! assert_eq!(verified.kid, key.header().kid);
//! let next_prev = verified.jws_sha256_hex(); // what the next proof from this browser puts in `prev`
//! assert_eq!(next_prev.len(), 64);
//!
//! let mut forged = jws.clone();
//! forged.pop();
//! assert!(verify(&forged, &VerifyOptions::new(fixture::ISSUED_AT_MS)).is_err());
//! let late = VerifyOptions::new(fixture::ISSUED_AT_MS + 30 * 24 * 3600 * 1000);
//! assert!(matches!(verify(&jws, &late), Err(VerifyError::Time { .. })));
//! # }
//! ```
//!
//! # What a proof proves, and what it does not
//!
//! - The **browser signature** proves the payload was not altered after
//!   signing, and links the records signed by one browser key to each other
//!   (same `kid`; `prev` chains each proof to the one before). The key is
//!   created in the browser as non-extractable and never leaves it.
//! - It does **not** prove who the person is. Anyone who can reach the
//!   collector can mint a well-formed proof with a fresh key. Double opt-in
//!   (control of the mailbox), origin checks and rate limits raise that cost;
//!   the collector's countersigned hash chain proves nothing was changed
//!   after receipt.
//!
//! # Test vectors and fixture
//!
//! - `proof/vectors/proofs.json`: flagged proofs (good EdDSA and ES256,
//!   tampered, truncated, wrong key, kid mismatch, `alg: none`, HS256,
//!   non-canonical, schema violations, oversized, out of time) with the exact
//!   verdict each must get: `"ok"` or a `VerifyError::code`
//!   and, for schema errors, the field. Generated reproducibly from fixed keys
//!   by `proof/tests/vectors.rs`, which also checks every verdict.
//! - `proof/fixtures/`: one fixed record and its exact bytes (payload,
//!   header, thumbprint input, signing input, JWS); see its `README.md`.
//!
//! # Stability
//!
//! Member names, vocabularies, the absent-versus-null rule (see [`record`])
//! and the hash spellings (lowercase hex SHA-256; `kid` base64url) are fixed
//! for schema `consent-proof/1`. A change means a new schema string.
#![deny(missing_docs)]
// The default layer is no_std (alloc only), so the widget's small wasm build,
// which has no std, can use it; the native features bring std back.
#![no_std]

extern crate alloc;
#[cfg(any(test, feature = "serde"))]
extern crate std;

/// The allocation types, for the no_std layer.
mod prelude {
    #[allow(unused_imports)]
    pub use alloc::{
        borrow::ToOwned,
        boxed::Box,
        format,
        string::{String, ToString},
        vec,
        vec::Vec,
    };
}

pub mod base64;
pub mod base64url;
pub mod canonical;
pub mod jwk;
pub mod jws;
pub mod record;
pub mod texts;
pub mod timestamp;
pub mod validate;
mod vocabulary;

#[cfg(feature = "verify")]
pub mod document;
#[cfg(feature = "verify")]
pub mod error;
#[cfg(feature = "verify")]
pub mod jcs;
#[cfg(feature = "verify")]
pub mod sign;
#[cfg(feature = "verify")]
pub mod verify;

#[cfg(any(test, feature = "fixture"))]
pub mod fixture;

pub use canonical::Canonical;
pub use jwk::Jwk;
pub use jws::{Alg, ProtectedHeader};
pub use record::{
    Basis, Channel, Choice, Controller, DoubleOptIn, Form, Kind, PrivacyPolicy, Proof, Purpose,
    Regime, Schema, Site, Subject,
};
pub use texts::{ShownTexts, Texts};
pub use validate::SchemaError;
pub use vocabulary::asks_confirmation;

#[cfg(feature = "verify")]
pub use error::VerifyError;
#[cfg(feature = "verify")]
pub use verify::{verify, Verified, VerifyOptions};
