//! Sign up, confirm, unsubscribe, withdraw: through real SMTP, on both backends.

#[macro_use]
mod common;

use common::{Db, TestDb};
use consent_collector::audit::export::{current_states, Filter};
use consent_collector::audit::verify_log::verify_log;
use consent_collector::ledger::keys::Keyring;
use reqwest::StatusCode;

on_both_backends!(double_opt_in_then_unsubscribe_then_withdrawal);

/// `(purpose, state)` pairs of one subject, in purpose order.
async fn states(db: &TestDb, subject: &str) -> Vec<(String, String)> {
    let store = db.store().await;
    let filter = Filter {
        subject: Some(subject.into()),
        ..Filter::default()
    };
    current_states(store.as_ref(), &filter)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.purpose, r.state))
        .collect()
}

/// A collector that mails through the test SMTP server.
async fn smtp_collector(db: &TestDb, data: &std::path::Path) -> consent_collector::http::Running {
    let mut settings = common::settings(db, data);
    settings.smtp_url = Some(
        std::env::var("CONSENT_TEST_SMTP")
            .expect("CONSENT_TEST_SMTP is not set: run scripts/test-collector"),
    );
    settings.outbox = Some(false);
    common::start(settings).await
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

async fn double_opt_in_then_unsubscribe_then_withdrawal(db: Db) {
    let db = TestDb::new(db).await;
    let data = tempfile::tempdir().unwrap();
    let server = smtp_collector(&db, data.path()).await;
    // A unique address per run, so this test reads only its own mail.
    let email = format!("marie-{}@example.org", &common::record_id()[..8]);
    let key = common::browser_key();
    let consent = common::consent(&email, "fr");
    let consent_jws = common::sign(&key, &consent);

    let response = common::post_proof(&server.url, &consent_jws).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(
        states(&db, &email).await,
        pairs(&[
            ("newsletter", "pending"),
            ("partners", "refused"),
            ("sms", "pending")
        ])
    );

    // The mail reached the SMTP server, in French, with both links and the RFC 8058 headers.
    let mail = common::wait_for_mail(&email).await;
    assert!(
        mail.contains("Bonjour") && mail.contains("Boutique Exemple SAS"),
        "{mail}"
    );
    assert!(
        mail.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"),
        "{mail}"
    );
    // The default sender is no-reply@localhost.
    common::assert_mime_with_message_id(&mail, "boutique.example");
    let confirm = common::link(&mail, &format!("{}/v1/confirm?token=", server.url));
    let unsubscribe = common::link(&mail, &format!("{}/v1/unsubscribe?token=", server.url));
    assert!(
        mail.contains(&format!("List-Unsubscribe: <{unsubscribe}>")),
        "{mail}"
    );

    // The mail says what the click confirms: the boxes ticked, the phone, masked.
    assert!(
        mail.contains("Vous avez coché :\n\n  - J'accepte de recevoir la newsletter « Les nouveautés » par e-mail.\n  - J'accepte de recevoir des offres par SMS. Répondez STOP pour ne plus en recevoir.\n"),
        "{mail}"
    );
    assert!(!mail.contains("partenaires"), "{mail}");
    assert!(
        mail.contains("Numéro de téléphone indiqué : +33 6 •• •• •• 78")
            && !mail.contains("12345678"),
        "{mail}"
    );

    let pending = pairs(&[
        ("newsletter", "pending"),
        ("partners", "refused"),
        ("sms", "pending"),
    ]);
    // A scanner opening both links changes nothing.
    assert_eq!(common::open_link(&confirm).await.0, StatusCode::OK);
    assert_eq!(common::open_link(&unsubscribe).await.0, StatusCode::OK);
    assert_eq!(states(&db, &email).await, pending);

    let page = common::follow_link(&confirm).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("lang=\"fr\""));
    let confirmed = pairs(&[
        ("newsletter", "confirmed"),
        ("partners", "refused"),
        ("sms", "confirmed"),
    ]);
    assert_eq!(states(&db, &email).await, confirmed);

    // The unsubscribe page says what the button withdraws, and what it leaves.
    let (status, html) = common::open_link(&unsubscribe).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("<h1>Se désinscrire des e-mails</h1>")
            && html.contains("consentement aux e-mails de Boutique Exemple SAS :")
            && html.contains(
                "<li>J&#39;accepte de recevoir la newsletter « Les nouveautés » par e-mail.</li>"
            )
            && !html.contains("<li>J&#39;accepte de recevoir des offres par SMS")
            && html.contains("Votre consentement aux SMS n&#39;est pas concerné"),
        "{html}"
    );
    assert_eq!(states(&db, &email).await, confirmed);

    // One-click unsubscribe as a mail client does it (RFC 8058): POST, fixed body, at once.
    let one_click = reqwest::Client::new()
        .post(&unsubscribe)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(one_click.status(), StatusCode::OK);
    let done = one_click.text().await.unwrap();
    assert!(
        done.contains("Désinscription enregistrée")
            && done.contains(
                "<li>J&#39;accepte de recevoir la newsletter « Les nouveautés » par e-mail.</li>"
            )
            && done.contains("votre consentement aux SMS reste enregistré"),
        "{done}"
    );
    // The e-mail link withdraws the e-mail purposes; SMS consent is distinct.
    assert_eq!(
        states(&db, &email).await,
        pairs(&[
            ("newsletter", "withdrawn"),
            ("partners", "refused"),
            ("sms", "confirmed")
        ])
    );
    let (status, again) = common::open_link(&unsubscribe).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        again.contains("Déjà désinscrit") && !again.contains("<form"),
        "{again}"
    );
    let again = common::press(&unsubscribe).await;
    assert_eq!(again.status(), StatusCode::OK);
    assert!(again.text().await.unwrap().contains("Déjà désinscrit"));

    // A signed withdrawal from the same browser withdraws the rest.
    let withdrawal = common::withdrawal(&consent, &consent_jws);
    let response = common::post_proof(&server.url, &common::sign(&key, &withdrawal)).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(
        states(&db, &email).await,
        pairs(&[
            ("newsletter", "withdrawn"),
            ("partners", "refused"),
            ("sms", "withdrawn")
        ])
    );

    // Consent, confirmation, unsubscribe, withdrawal: four entries, all verifiable offline.
    let keys = Keyring::load(&data.path().join("keys")).unwrap();
    let store = db.store().await;
    let report = verify_log(store.as_ref(), &keys.public()).await.unwrap();
    assert_eq!((report.entries, report.proofs), (4, 2));
    server.stop().await.unwrap();
}

#[tokio::test]
async fn the_mail_speaks_the_subscribers_language() {
    let db = TestDb::new(Db::Sqlite).await;
    let data = tempfile::tempdir().unwrap();
    let server = smtp_collector(&db, data.path()).await;
    let email = format!("mary-{}@example.org", &common::record_id()[..8]);
    let response = common::post_proof(
        &server.url,
        &common::sign(&common::browser_key(), &common::consent(&email, "en-GB")),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let mail = common::wait_for_mail(&email).await;
    assert!(
        mail.contains("Hello,") && mail.contains("valid for 48 hours"),
        "{mail}"
    );
    assert!(
        mail.contains("You ticked:") && mail.contains("Phone number given: +33 6 •• •• •• 78"),
        "{mail}"
    );
    let confirm = common::link(&mail, &format!("{}/v1/confirm?token=", server.url));
    let (_, html) = common::open_link(&confirm).await;
    assert!(
        html.contains("<html lang=\"en\">")
            && html.contains("<button type=\"submit\">Confirm my subscription</button>"),
        "{html}"
    );
    let page = common::follow_link(&confirm).await;
    assert!(page
        .text()
        .await
        .unwrap()
        .contains("Subscription confirmed"));
    server.stop().await.unwrap();
}
