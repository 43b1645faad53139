//! The shared fixture: its hashes, its files, and its signature.
//!
//! Regenerate the files after a deliberate change with
//! `CONSENT_PROOF_REGENERATE=1 cargo test -p consent-proof --all-features --test fixture`.
#![cfg(all(feature = "verify", feature = "fixture"))]

use std::path::PathBuf;

use consent_proof::canonical::Canonical;
use consent_proof::fixture;
use consent_proof::sign::{sign, SigningKey};
use consent_proof::verify::{sha256_hex, thumbprint};
use consent_proof::{base64url, jws, verify, Texts, VerifyOptions};

fn fixture_key() -> SigningKey {
    let d = base64url::decode(fixture::ED25519_PRIVATE_D).unwrap();
    SigningKey::ed25519_from_seed(&d.try_into().unwrap())
}

/// Writes `contents` to `proof/fixtures/name` when regenerating, else asserts the file holds it.
fn check_file(name: &str, contents: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name);
    if std::env::var_os("CONSENT_PROOF_REGENERATE").is_some() {
        std::fs::write(&path, contents).unwrap();
    }
    let on_disk = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        on_disk, contents,
        "{name} is stale: regenerate it (see this file's docs)"
    );
}

#[test]
fn hashes_in_the_fixture_are_the_texts_hashes() {
    let p = fixture::proof();
    let text = |key: &str| sha256_hex(p.texts.shown.get(key).unwrap().as_bytes());
    let computed = [
        (
            "TEXTS_SHA256",
            sha256_hex(Texts::digest_input(&p.texts.shown).as_bytes()),
        ),
        ("NEWSLETTER_SHA256", text("purpose.newsletter")),
        ("PARTNERS_SHA256", text("purpose.partners")),
        ("SMS_SHA256", text("purpose.sms")),
    ];
    let stored = [
        fixture::TEXTS_SHA256,
        fixture::NEWSLETTER_SHA256,
        fixture::PARTNERS_SHA256,
        fixture::SMS_SHA256,
    ];
    for ((name, hash), stored) in computed.iter().zip(stored) {
        assert_eq!(hash, stored, "fixture::{name}");
    }
}

#[test]
fn fixture_files_hold_the_crate_output() {
    let key = fixture_key();
    assert_eq!(key.header(), fixture::header());
    let header = key.header().to_canonical_json();
    let payload = fixture::proof().to_canonical_json();
    check_file("proof.canonical.json", &payload);
    check_file(
        "texts-digest-input.json",
        &Texts::digest_input(&fixture::proof().texts.shown),
    );
    check_file("header.canonical.json", &header);
    check_file(
        "thumbprint-input.json",
        &fixture::header().jwk.thumbprint_input(),
    );
    check_file("signing-input.txt", &jws::signing_input(&header, &payload));
    check_file("proof.jws", &sign(&fixture::proof(), &key));
}

#[test]
fn fixture_jws_verifies() {
    let verified = verify(fixture::JWS, &VerifyOptions::new(fixture::ISSUED_AT_MS)).unwrap();
    assert_eq!(verified.proof, fixture::proof());
    assert_eq!(verified.payload, fixture::CANONICAL_PROOF);
    assert_eq!(verified.kid, fixture::KID);
    assert_eq!(thumbprint(&fixture::header().jwk), fixture::KID);
    assert_eq!(
        verified.jws_sha256_hex(),
        sha256_hex(fixture::JWS.as_bytes())
    );
}
