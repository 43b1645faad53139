//! Confirmation mail survives an SMTP outage and a restart, on both backends,
//! with real SMTP servers (aiosmtpd) that the tests start late or answer 4xx/5xx.

#[macro_use]
mod common;

use std::path::Path;
use std::process::{Command, Stdio};

use common::{Db, Served, Smtpd, TestDb};
use consent_collector::store::SqlStore;
use reqwest::StatusCode;
use sqlx::Row;

const BIN: &str = env!("CARGO_BIN_EXE_consent-collector");

on_both_backends!(
    the_mail_goes_out_once_the_smtp_server_comes_back,
    mail_pending_when_the_collector_is_killed_goes_out_after_the_next_start,
    a_4xx_or_530_is_retried_and_a_5xx_is_given_up_after_three,
    a_withdrawal_during_an_outage_cancels_the_confirmation_and_its_mail,
);

/// The stored row of the mail waiting for `to` (lowercase): `(attempts, rejections, last_error)`.
async fn pending(store: &SqlStore, to: &str) -> Option<(i64, i64, Option<String>)> {
    let row = sqlx::query(
        "SELECT p.attempts, p.rejections, p.last_error FROM pending_mail p JOIN entries e ON e.seq = p.entry_seq WHERE e.subject = $1",
    )
    .bind(to)
    .fetch_optional(store.pool())
    .await
    .unwrap()?;
    Some((
        row.try_get("attempts").unwrap(),
        row.try_get("rejections").unwrap(),
        row.try_get("last_error").unwrap(),
    ))
}

/// Waits until the mail to `to` has failed once and waits in the database.
async fn until_failed_once(store: &SqlStore, to: &str) -> String {
    common::eventually("a failed attempt recorded in pending_mail", || async {
        pending(store, to).await.and_then(|(_, _, error)| error)
    })
    .await
}

/// Waits until no mail to `to` waits in the database any more.
async fn until_gone(store: &SqlStore, to: &str) {
    common::eventually("the pending mail row deleted", || async {
        pending(store, to).await.is_none().then_some(())
    })
    .await
}

fn address(prefix: &str) -> String {
    format!("{prefix}-{}@example.org", &common::record_id()[..8])
}

async fn submit(url: &str, email: &str) {
    let jws = common::sign(&common::browser_key(), &common::consent(email, "fr"));
    let response = common::post_proof(url, &jws).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "pending");
}

/// A collector mailing through `smtp://127.0.0.1:port`, retrying from 1 s (the least allowed).
async fn collector(db: &TestDb, data: &Path, port: u16) -> consent_collector::http::Running {
    let mut settings = common::settings(db, data);
    settings.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
    settings.outbox = Some(false);
    settings.mail_retry = Some("1s".into());
    common::start(settings).await
}

async fn the_mail_goes_out_once_the_smtp_server_comes_back(db: Db) {
    let db = TestDb::new(db).await;
    let data = tempfile::tempdir().unwrap();
    let port = common::free_port();
    let server = collector(&db, data.path(), port).await;
    let store = db.open().await;

    // No SMTP server: the proof is stored and answered 201 all the same.
    let email = address("down");
    submit(&server.url, &email).await;
    let error = until_failed_once(&store, &email).await;
    assert!(error.starts_with("smtp: "), "{error}");

    let smtpd = Smtpd::start(port).await;
    let mail = common::wait_for_mail_in(&smtpd.mail(), &email, 600).await;
    let confirm = common::link(&mail, &format!("{}/v1/confirm?token=", server.url));
    assert_eq!(common::follow_link(&confirm).await.status(), StatusCode::OK);
    until_gone(&store, &email).await;
    server.stop().await.unwrap();
    assert_eq!(smtpd.offers(&email), 1);
}

/// `serve` as an operator runs it, on a fixed port so that mailed links
/// outlive the process; killed (by its own pid) when dropped.
fn serve(db: &TestDb, data: &Path, listen: u16, smtp: u16) -> Served {
    let mut command = Command::new(BIN);
    command
        .args(["serve", "--database", &db.url, "--outbox", "false"])
        .args(["--listen", &format!("127.0.0.1:{listen}")])
        .args(["--smtp-url", &format!("smtp://127.0.0.1:{smtp}"), "--mail-from", common::MAIL_FROM])
        .args(["--mail-retry", "1s", "--allowed-origins", common::ORIGIN])
        .arg("--data-dir")
        .arg(data);
    Served::start(command)
}

async fn mail_pending_when_the_collector_is_killed_goes_out_after_the_next_start(db: Db) {
    let db = TestDb::new(db).await;
    let data = tempfile::tempdir().unwrap();
    let status = Command::new(BIN)
        .arg("keygen")
        .arg("--data-dir")
        .arg(data.path())
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let (listen, smtp) = (common::free_port(), common::free_port());
    let url = format!("http://127.0.0.1:{listen}");
    let store = db.open().await;

    let mut first = serve(&db, data.path(), listen, smtp);
    let email = address("restart");
    submit(&url, &email).await;
    until_failed_once(&store, &email).await;
    // SIGKILL: nothing is drained, only what the database holds survives.
    first.child.kill().unwrap();
    first.child.wait().unwrap();
    assert!(pending(&store, &email).await.is_some());

    let smtpd = Smtpd::start(smtp).await;
    let _second = serve(&db, data.path(), listen, smtp);
    let mail = common::wait_for_mail_in(&smtpd.mail(), &email, 600).await;
    let confirm = common::link(&mail, &format!("{url}/v1/confirm?token="));
    assert_eq!(common::follow_link(&confirm).await.status(), StatusCode::OK);
    until_gone(&store, &email).await;
}

async fn a_4xx_or_530_is_retried_and_a_5xx_is_given_up_after_three(db: Db) {
    let db = TestDb::new(db).await;
    let data = tempfile::tempdir().unwrap();
    let smtpd = Smtpd::start(common::free_port()).await;
    let server = collector(&db, data.path(), smtpd.port).await;
    let store = db.open().await;

    // 451 twice, then accepted.
    let later = address("later");
    submit(&server.url, &later).await;
    let mail = common::wait_for_mail_in(&smtpd.mail(), &later, 600).await;
    assert!(mail.contains("/v1/confirm?token="), "{mail}");
    // Built again from the stored proof: its texts and the phone, masked.
    assert!(
        mail.contains("J'accepte de recevoir la newsletter") && mail.contains("+33 6 •• •• •• 78"),
        "{mail}"
    );
    until_gone(&store, &later).await;
    assert_eq!(smtpd.offers(&later), 3);

    // 530, authentication required, is the collector's settings: not counted
    // as a rejection of the recipient, retried past three.
    let locked = address("locked");
    submit(&server.url, &locked).await;
    common::wait_for_mail_in(&smtpd.mail(), &locked, 600).await;
    until_gone(&store, &locked).await;
    assert_eq!(smtpd.offers(&locked), 5);

    // 550 every time: given up at the third, its row deleted, its proof still pending.
    let rejected = address("rejected");
    submit(&server.url, &rejected).await;
    until_gone(&store, &rejected).await;
    assert_eq!(smtpd.offers(&rejected), 3);
    let states = consent_collector::audit::export::current_states(
        db.store().await.as_ref(),
        &consent_collector::audit::export::Filter {
            subject: Some(rejected.clone()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(
        states.iter().any(|s| s.state == "pending"),
        "{:?}",
        states.iter().map(|s| &s.state).collect::<Vec<_>>()
    );
    server.stop().await.unwrap();
    assert_eq!(smtpd.offers(&rejected), 3);
}

/// The links of the mail waiting for `to`, read from its stored row: `(confirm, unsubscribe)`.
async fn waiting_links(store: &SqlStore, url: &str, to: &str) -> (String, String) {
    let row = sqlx::query(
        "SELECT p.confirm_token, p.unsubscribe_token FROM pending_mail p JOIN entries e ON e.seq = p.entry_seq WHERE e.subject = $1",
    )
    .bind(to)
    .fetch_one(store.pool())
    .await
    .unwrap();
    let token = |column: &str| row.try_get::<String, _>(column).unwrap();
    (
        format!("{url}/v1/confirm?token={}", token("confirm_token")),
        format!("{url}/v1/unsubscribe?token={}", token("unsubscribe_token")),
    )
}

/// The confirm link after a withdrawal: both the page and the button say
/// there is nothing to confirm, and nothing is recorded.
async fn assert_nothing_to_confirm(confirm: &str) {
    let (status, html) = common::open_link(confirm).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("Rien à confirmer"), "{html}");
    assert!(!html.contains("<form"), "{html}");
    let pressed = common::press(confirm).await;
    let html = pressed.text().await.unwrap();
    assert!(html.contains("Rien à confirmer"), "{html}");
    assert!(!html.contains("Inscription confirmée"), "{html}");
}

async fn a_withdrawal_during_an_outage_cancels_the_confirmation_and_its_mail(db: Db) {
    let db = TestDb::new(db).await;
    let data = tempfile::tempdir().unwrap();
    // No SMTP server at all: every mail waits in the database.
    let server = collector(&db, data.path(), common::free_port()).await;
    let store = db.open().await;
    let key = common::browser_key();
    let submit = |email: String| {
        let key = key.clone();
        let url = server.url.clone();
        async move {
            let consent = common::consent(&email, "fr");
            let jws = common::sign(&key, &consent);
            assert_eq!(
                common::post_proof(&url, &jws).await.status(),
                StatusCode::CREATED
            );
            (consent, jws)
        }
    };

    // The unsubscribe link: the mail still waiting is deleted with the
    // withdrawal, and the confirm link no longer confirms.
    let unsubscribed = address("unsub");
    submit(unsubscribed.clone()).await;
    let (confirm, unsubscribe) = waiting_links(&store, &server.url, &unsubscribed).await;
    assert_eq!(
        common::follow_link(&unsubscribe).await.status(),
        StatusCode::OK
    );
    assert_eq!(pending(&store, &unsubscribed).await, None);
    assert_nothing_to_confirm(&confirm).await;

    // A withdrawal proof from the widget, for that consent: the same.
    let withdrawn = address("widget");
    let (consent, jws) = submit(withdrawn.clone()).await;
    let (confirm, _) = waiting_links(&store, &server.url, &withdrawn).await;
    let withdrawal = common::sign(&key, &common::withdrawal(&consent, &jws));
    assert_eq!(
        common::post_proof(&server.url, &withdrawal).await.status(),
        StatusCode::CREATED
    );
    assert_eq!(pending(&store, &withdrawn).await, None);
    assert_nothing_to_confirm(&confirm).await;

    // Confirmed from a mail sent earlier (the links are the stored ones):
    // the waiting copy, clear-text links and all, goes with the click.
    let confirmed = address("confirmed");
    submit(confirmed.clone()).await;
    let (confirm, unsubscribe) = waiting_links(&store, &server.url, &confirmed).await;
    let pressed = common::follow_link(&confirm).await;
    assert!(pressed
        .text()
        .await
        .unwrap()
        .contains("Inscription confirmée"));
    assert_eq!(pending(&store, &confirmed).await, None);
    // Unsubscribed after confirming: the confirm link no longer says "confirmed".
    assert_eq!(
        common::follow_link(&unsubscribe).await.status(),
        StatusCode::OK
    );
    assert_nothing_to_confirm(&confirm).await;

    // The log agrees: one confirmation (the third subscriber's), and every
    // e-mail purpose withdrawn.
    let states = consent_collector::audit::export::current_states(
        &store,
        &consent_collector::audit::export::Filter::default(),
    )
    .await
    .unwrap();
    for subject in [&unsubscribed, &withdrawn, &confirmed] {
        let email: Vec<_> = states
            .iter()
            .filter(|r| &r.subject == subject && r.channel == "email" && r.state != "refused")
            .collect();
        assert!(!email.is_empty());
        assert!(email.iter().all(|r| r.state == "withdrawn"), "{email:?}");
    }
    let confirmations: i64 =
        sqlx::query("SELECT COUNT(*) AS n FROM entries WHERE kind = 'confirmation'")
            .fetch_one(store.pool())
            .await
            .unwrap()
            .try_get("n")
            .unwrap();
    assert_eq!(confirmations, 1);
    server.stop().await.unwrap();
}
