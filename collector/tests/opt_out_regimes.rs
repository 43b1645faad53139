//! B2B and soft opt-in through real SMTP, on both backends: the form
//! informs, offers an objection box per purpose, and asks for double
//! opt-in. What was not objected to may be sent once confirmed: the mail
//! goes out and says what it confirms, the link confirms, unsubscribe links
//! (mailed and minted) withdraw, and the export says so.

#[macro_use]
mod common;

use common::{Db, TestDb};
use consent_collector::audit::export::{current_states, Filter};
use consent_collector::audit::verify_log::verify_log;
use consent_collector::flows::unsubscribe_link::unsubscribe_link;
use consent_collector::ledger::keys::Keyring;
use consent_proof::{Basis, Choice, Proof, Regime, ShownTexts, Texts};
use reqwest::StatusCode;

on_both_backends!(
    b2b_confirms_and_unsubscribes,
    soft_opt_in_confirms_and_unsubscribes
);

async fn b2b_confirms_and_unsubscribes(db: Db) {
    signup_confirm_unsubscribe(db, Regime::B2b).await;
}

async fn soft_opt_in_confirms_and_unsubscribes(db: Db) {
    signup_confirm_unsubscribe(db, Regime::SoftOptIn).await;
}

fn sha256(text: &str) -> String {
    consent_collector::crypto::hash::sha256_hex(text)
}

/// The fixture record as the widget writes it under an opt-out regime: each
/// purpose informed of and offered an objection box; partners objected to.
fn opt_out_consent(email: &str, regime: Regime) -> Proof {
    let mut proof = common::consent(email, "fr");
    proof.regime = regime;
    proof.form.version = format!("{}-opt-out", proof.form.version);
    proof.mechanism = "informed-with-unchecked-objection-box".into();
    let basis = match regime {
        Regime::SoftOptIn => Basis::SoftOptIn,
        _ => Basis::LegitimateInterest,
    };
    let label = |id: &str| match id {
        "newsletter" => "la newsletter",
        "partners" => "les offres des partenaires",
        _ => "les offres par SMS",
    };
    let mut shown = ShownTexts::new();
    shown.push("legend", "Restez informé·e");
    for purpose in &proof.purposes {
        let id = &purpose.id;
        shown.push(
            format!("purpose.{id}.inform"),
            format!("Nous vous enverrons {}.", label(id)),
        );
        shown.push(
            format!("purpose.{id}"),
            format!("Je ne souhaite pas recevoir {}.", label(id)),
        );
    }
    for purpose in &mut proof.purposes {
        purpose.basis = basis;
        purpose.choice = if purpose.id == "partners" {
            Choice::Objected
        } else {
            Choice::NotObjected
        };
        purpose.text_sha256 = sha256(shown.get(&format!("purpose.{}", purpose.id)).unwrap());
    }
    proof.texts = Texts {
        sha256: sha256(&Texts::digest_input(&shown)),
        shown,
    };
    proof
}

async fn states(db: &TestDb, subject: &str) -> Vec<(String, String)> {
    let filter = Filter {
        subject: Some(subject.into()),
        ..Filter::default()
    };
    current_states(db.store().await.as_ref(), &filter)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.purpose, r.state))
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

async fn signup_confirm_unsubscribe(db: Db, regime: Regime) {
    // Only the opt-out form is registered (the fixture's b2c form shares its id).
    let db = TestDb::empty(db).await;
    let data = tempfile::tempdir().unwrap();
    let mut settings = common::settings(&db, data.path());
    settings.smtp_url = Some(
        std::env::var("CONSENT_TEST_SMTP")
            .expect("CONSENT_TEST_SMTP is not set: run scripts/test-collector"),
    );
    settings.outbox = Some(false);
    let email = format!("pro-{}@example.org", &common::record_id()[..8]);
    let consent = opt_out_consent(&email, regime);
    // The merchant registered this opt-out form: its proofs count.
    common::register_form_of(&db.url, std::slice::from_ref(&consent)).await;
    let server = common::start(settings).await;
    let jws = common::sign(&common::browser_key(), &consent);

    let response = common::post_proof(&server.url, &jws).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let answer: serde_json::Value = response.json().await.unwrap();
    assert_eq!(answer["status"], "pending", "{answer}");
    assert_eq!(
        states(&db, &email).await,
        pairs(&[
            ("newsletter", "pending"),
            ("partners", "objected"),
            ("sms", "pending")
        ])
    );

    // The mail goes out and lists what the form said it would send, not the
    // objection boxes left unticked, nor what was objected to.
    let mail = common::wait_for_mail(&email).await;
    assert!(
        mail.contains("Vous avez été informé(e) de ces envois, sans vous y opposer :\n\n  - Nous vous enverrons la newsletter.\n  - Nous vous enverrons les offres par SMS.\n"),
        "{mail}"
    );
    assert!(
        !mail.contains("Je ne souhaite pas") && !mail.contains("partenaires"),
        "{mail}"
    );
    let confirm = common::link(&mail, &format!("{}/v1/confirm?token=", server.url));
    let (status, html) = common::open_link(&confirm).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("sans vous y opposer :")
            && html.contains("<li>Nous vous enverrons la newsletter.</li>"),
        "{html}"
    );
    assert_eq!(common::follow_link(&confirm).await.status(), StatusCode::OK);
    assert_eq!(
        states(&db, &email).await,
        pairs(&[
            ("newsletter", "confirmed"),
            ("partners", "objected"),
            ("sms", "confirmed")
        ])
    );

    // The merchant's own marketing mail gets a link for this subscriber too.
    let store = db.store().await;
    let minted = unsubscribe_link(store.as_ref(), &email, &server.url)
        .await
        .unwrap();
    let (status, html) = common::open_link(&minted).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("<li>Nous vous enverrons la newsletter.</li>")
            && !html.contains("<li>Nous vous enverrons les offres par SMS.</li>"),
        "{html}"
    );
    let done = common::press(&minted).await;
    assert_eq!(done.status(), StatusCode::OK);
    assert!(done
        .text()
        .await
        .unwrap()
        .contains("Désinscription enregistrée"));
    assert_eq!(
        states(&db, &email).await,
        pairs(&[
            ("newsletter", "withdrawn"),
            ("partners", "objected"),
            ("sms", "confirmed")
        ])
    );
    // The mailed link works too: the e-mail purposes are withdrawn already.
    let mailed = common::link(&mail, &format!("{}/v1/unsubscribe?token=", server.url));
    let again = common::press(&mailed).await;
    assert_eq!(again.status(), StatusCode::OK);
    assert!(again
        .text()
        .await
        .unwrap()
        .contains("Désinscription enregistrée"));

    let keys = Keyring::load(&data.path().join("keys")).unwrap();
    let report = verify_log(store.as_ref(), &keys.public()).await.unwrap();
    assert_eq!((report.entries, report.proofs), (4, 1));
    server.stop().await.unwrap();
}
