//! The zero-dependency writer against the full canonicalizer and serde.
#![cfg(all(feature = "verify", feature = "fixture"))]

use consent_proof::canonical::Canonical;
use consent_proof::sign::{sign, SigningKey};
use consent_proof::verify::{parse_proof, sha256_hex};
use consent_proof::{fixture, jcs, verify, Proof, Texts, VerifyOptions};

/// Variants of the fixture that stress the writer: awkward strings and keys, optional members absent.
fn variants() -> Vec<Proof> {
    let mut out = vec![fixture::proof()];

    let mut awkward = fixture::proof();
    let odd = "quote \" backslash \\ slash / tab \t nul \u{0} bell \u{7} del \u{7f} ls \u{2028} emoji 😀 é";
    awkward.controller.name = odd.to_owned();
    awkward.form.widget = "\u{1f}\u{8}\u{c}\r\n".to_owned();
    for key in [
        "\u{20ac}",
        "\r",
        "\u{fb33}",
        "1",
        "\u{1f600}",
        "\u{80}",
        "\u{f6}",
        "Z",
        "a",
    ] {
        awkward.texts.shown.push(key, odd);
    }
    awkward.texts.sha256 = sha256_hex(Texts::digest_input(&awkward.texts.shown).as_bytes());
    out.push(awkward);

    let mut bare = fixture::proof();
    bare.subject.phone = None;
    bare.privacy_policy.version = None;
    bare.prev = Some("ab".repeat(32));
    out.push(bare);
    out
}

#[test]
fn writer_equals_the_full_canonicalizer() {
    for proof in variants() {
        let written = proof.to_canonical_json();
        assert_eq!(jcs::canonicalize_str(&written).unwrap(), written);
        // serde's field order is declaration order, so this really re-sorts.
        let via_serde = serde_json::to_string(&proof).unwrap();
        assert_eq!(jcs::canonicalize_str(&via_serde).unwrap(), written);
    }
}

#[test]
fn canonical_text_parses_back_to_the_same_record() {
    for proof in variants() {
        let written = proof.to_canonical_json();
        let parsed: Proof = serde_json::from_str(&written).unwrap();
        assert_eq!(parsed, proof);
        assert_eq!(parse_proof(&written).unwrap(), proof);
    }
}

#[test]
fn absent_optionals_are_omitted_and_prev_is_always_written() {
    let bare = &variants()[2];
    let written = bare.to_canonical_json();
    assert!(!written.contains("\"phone\"") && !written.contains("\"version\":\"2026"));
    let mut first = fixture::proof();
    first.prev = None;
    assert!(first.to_canonical_json().contains("\"prev\":null"));
}

#[test]
fn signed_variants_verify_with_both_algorithms() {
    let keys = [
        SigningKey::ed25519_from_seed(&[9; 32]),
        SigningKey::p256_from_scalar(&[9; 32]).unwrap(),
    ];
    for proof in variants() {
        for key in &keys {
            let jws = sign(&proof, key);
            let verified = verify(&jws, &VerifyOptions::new(fixture::ISSUED_AT_MS)).unwrap();
            assert_eq!(verified.proof, proof);
            assert_eq!(verified.payload, proof.to_canonical_json());
            assert_eq!(verified.issued_at_ms, fixture::ISSUED_AT_MS);
        }
    }
}
