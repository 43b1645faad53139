//! The widget's record builder makes exactly the proof crate's fixture bytes,
//! and what it builds verifies.
#![cfg(not(target_arch = "wasm32"))]



use consent_widget::fixture::config;
use consent_proof::fixture;
use consent_proof::sign::{sign, SigningKey};
use consent_proof::verify::sha256_hex;
use consent_proof::{verify, Canonical, Choice, ShownTexts, VerifyOptions};
use consent_widget::form::{Outcome, Submission};
use consent_widget::record::{self, Context};
use consent_widget::value::build::{arr, obj, s};

/// The fixture form, as a widget configuration.
pub fn fixture_config() -> consent_widget::config::Config {
    config(obj([
        ("endpoint", s("/v1/proofs")),
        ("controller", obj([("name", s("Boutique Exemple SAS")), ("contact", s("dpo@boutique.example"))])),
        ("privacyPolicyUrl", s("/confidentialite")),
        ("privacyPolicyVersion", s("2026-01")),
        ("phone", s("optional")),
        ("formId", s("footer-signup")),
        ("formVersion", s("3")),
        (
            "purposes",
            arr([
                obj([("id", s("newsletter")), ("channel", s("email"))]),
                obj([("id", s("partners")), ("channel", s("email"))]),
                obj([("id", s("sms")), ("channel", s("sms"))]),
            ]),
        ),
    ]))
}

fn fixture_submission(c: &consent_widget::config::Config) -> Submission {
    let choices = [Choice::Granted, Choice::Refused, Choice::Granted];
    Submission {
        email: "marie@example.org".into(),
        phone: Some("+33612345678".into()),
        outcomes: c
            .purposes
            .iter()
            .zip(choices)
            .map(|(p, choice)| Outcome { id: p.id.clone(), channel: p.channel, choice })
            .collect(),
    }
}

fn fixture_context() -> Context {
    Context {
        origin: "https://boutique.example".into(),
        page: "https://boutique.example/produits/tasse".into(),
        now_ms: fixture::ISSUED_AT_MS,
        id: "0193f0a2-7c4e-7d1a-9a55-1c2f3e4d5a6b".into(),
        prev: None,
        widget: "consent-widget 0.1.0+fixture".into(),
    }
}

#[test]
fn the_widget_builds_the_fixture_byte_for_byte() {
    let c = fixture_config();
    let shown: ShownTexts = fixture::SHOWN.into_iter().collect();
    let inputs = record::hash_inputs(&shown, &["newsletter", "partners", "sms"]);
    assert_eq!(inputs[0], fixture::TEXTS_DIGEST_INPUT);
    let hashes: Vec<String> = inputs.iter().map(|i| sha256_hex(i.as_bytes())).collect();
    let proof = record::consent(&c, "fr", &fixture_submission(&c), shown, &hashes, fixture_context());
    assert_eq!(proof.to_canonical_json(), fixture::CANONICAL_PROOF);
    assert_eq!(proof, fixture::proof());
}

#[test]
fn a_record_from_the_real_form_verifies() {
    let c = fixture_config();
    let texts = consent_widget::i18n::Texts::resolve(&c, Some("en"));
    let plan = consent_widget::view::plan(&c, &texts);
    let shown: ShownTexts = plan.shown.into_iter().collect();
    let inputs = record::hash_inputs(&shown, &["newsletter", "partners", "sms"]);
    let hashes: Vec<String> = inputs.iter().map(|i| sha256_hex(i.as_bytes())).collect();
    let mut ctx = fixture_context();
    ctx.id = record::uuid_v4([0x5a; 16]);
    let proof = record::consent(&c, texts.locale(), &fixture_submission(&c), shown, &hashes, ctx);
    assert_eq!(proof.privacy_policy.url, "https://boutique.example/confidentialite");
    let jws = sign(&proof, &SigningKey::ed25519_from_seed(&[9; 32]));
    let verified = verify(&jws, &VerifyOptions::new(fixture::ISSUED_AT_MS)).expect("verifies");
    assert_eq!(verified.proof.purposes[1].choice, Choice::Refused);
}

#[test]
fn a_withdrawal_record_verifies_and_links_to_the_consent() {
    let c = fixture_config();
    let consent_jws = fixture::JWS;
    let shown: ShownTexts = [("purpose.sms", "Je retire mon accord pour les SMS.")].into_iter().collect();
    let inputs = record::hash_inputs(&shown, &["sms"]);
    let hashes: Vec<String> = inputs.iter().map(|i| sha256_hex(i.as_bytes())).collect();
    let mut ctx = fixture_context();
    ctx.id = record::uuid_v4([7; 16]);
    ctx.prev = Some(sha256_hex(consent_jws.as_bytes()));
    let subject = consent_proof::Subject { email: "marie@example.org".into(), phone: None };
    let proof = record::withdrawal(&c, "fr", subject, &[("sms".into(), consent_proof::Channel::Sms)], shown, &hashes, ctx);
    let jws = sign(&proof, &SigningKey::ed25519_from_seed(&[9; 32]));
    let verified = verify(&jws, &VerifyOptions::new(fixture::ISSUED_AT_MS)).expect("verifies");
    assert_eq!(verified.proof.purposes[0].choice, Choice::Withdrawn);
    assert_eq!(verified.proof.prev.as_deref(), Some(sha256_hex(consent_jws.as_bytes()).as_str()));
}

#[test]
fn uuids_are_version_4_and_lowercase() {
    let id = record::uuid_v4([0xff; 16]);
    assert_eq!(id, "ffffffff-ffff-4fff-bfff-ffffffffffff");
    assert_eq!(record::uuid_v4([0; 16]), "00000000-0000-4000-8000-000000000000");
    assert_eq!(record::hex(&[0, 15, 255]), "000fff");
}
