//! `serve` as an operator runs it, with two tools down: the collector is
//! killed with SIGKILL during the outage, started again, and once the tools
//! are back every hand-off arrives, once. `connectors status` and
//! `connectors retry` report on the same database; `prune`'s erasures reach
//! the tools too.

mod common;
mod tools;

use std::path::Path;
use std::process::Command;

use common::{eventually, Db, Served, TestDb};
use reqwest::StatusCode;

const BIN: &str = env!("CARGO_BIN_EXE_consent-collector");

fn config(dir: &Path, shopify: &str, mailchimp: &str) -> std::path::PathBuf {
    let path = dir.join("collector.toml");
    let text = format!(
        r#"
[connectors]
timeout = "1s"
retry-first = "300ms"
[connectors.shopify]
base-url = "{shopify}"
token-env = "CRASH_SHOPIFY_TOKEN"
[connectors.mailchimp]
base-url = "{mailchimp}"
api-key-env = "CRASH_MAILCHIMP_KEY"
list = "L1"
"#
    );
    std::fs::write(&path, text).unwrap();
    path
}

fn serve(db: &TestDb, data: &Path, config: &Path, listen: u16) -> Served {
    let mut command = Command::new(BIN);
    command
        .arg("--config")
        .arg(config)
        .args(["serve", "--database", &db.url, "--outbox", "false"])
        .args(["--listen", &format!("127.0.0.1:{listen}")])
        .args([
            "--smtp-url",
            &std::env::var("CONSENT_TEST_SMTP").expect("run scripts/test-collector"),
        ])
        .args(["--allowed-origins", common::ORIGIN, "--mail-from", common::MAIL_FROM])
        .arg("--data-dir")
        .arg(data)
        .env("CRASH_SHOPIFY_TOKEN", "shpat_crash")
        .env("CRASH_MAILCHIMP_KEY", "mc-crash-us6");
    Served::start(command)
}

fn cli(config: &Path, db: &TestDb, args: &[&str]) -> String {
    let out = Command::new(BIN)
        .arg("--config")
        .arg(config)
        .arg("connectors")
        .args(args)
        .args(["--database", &db.url])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test]
async fn sigkill_during_an_outage_then_every_handoff_arrives_once() {
    let shopify = tools::shopify::start("shpat_crash", "2025-10").await;
    let mailchimp = tools::mailchimp::start("mc-crash-us6", "L1", &[]).await;
    shopify.set_down(true);
    mailchimp.set_down(true);
    let db = TestDb::new(Db::Postgres).await;
    let data = tempfile::tempdir().unwrap();
    consent_collector::ledger::keys::Keyring::generate(
        &data.path().join("keys"),
        chrono::Utc::now(),
    )
    .unwrap();
    let config = config(data.path(), &shopify.url, &mailchimp.url);
    let port = common::free_port();
    let served = serve(&db, data.path(), &config, port);

    let emails: Vec<String> = (0..3)
        .map(|i| {
            format!(
                "crash{i}.{}@example.com",
                &consent_collector::crypto::tokens::new_token().1[..8]
            )
        })
        .collect();
    for email in &emails {
        let key = common::browser_key();
        let response = common::post_proof(
            &served.url,
            &common::sign(&key, &common::consent(email, "en")),
        )
        .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let mail = common::wait_for_mail(email).await;
        let confirm = common::link(&mail, &format!("{}/v1/confirm?token=", served.url));
        assert_eq!(common::follow_link(&confirm).await.status(), StatusCode::OK);
    }
    eventually("each hand-off tried during the outage", || async {
        (mailchimp.received().len() >= 3 && shopify.received().len() >= 3).then_some(())
    })
    .await;
    let status = cli(&config, &db, &["status"]);
    assert!(
        status.contains("mailchimp: delivered 0, waiting 3, given up 0"),
        "{status}"
    );
    assert!(
        status.contains("last error at") && status.contains("HTTP 503"),
        "{status}"
    );
    // SIGKILL: no shutdown, whatever was in flight is cut.
    drop(served);

    shopify.set_down(false);
    mailchimp.set_down(false);
    let served = serve(&db, data.path(), &config, port);
    eventually("every hand-off delivered after the restart", || async {
        let all = emails.iter().all(|e| {
            mailchimp
                .member(e)
                .is_some_and(|m| m.status == "subscribed")
                && shopify
                    .customer(e)
                    .and_then(|c| c.email_consent)
                    .is_some_and(|c| c.0 == "SUBSCRIBED")
        });
        all.then_some(())
    })
    .await;
    assert!(
        emails
            .iter()
            .all(|e| mailchimp.member(e).unwrap().writes == 1),
        "each member written once"
    );
    assert_eq!(shopify.with(|d| d.creates), 3, "each customer created once");
    let status = cli(&config, &db, &["status"]);
    assert!(
        status.contains("mailchimp: delivered 3, waiting 0, given up 0"),
        "{status}"
    );
    assert!(
        status.contains("shopify: delivered 3, waiting 0, given up 0"),
        "{status}"
    );
    assert!(cli(&config, &db, &["retry"]).contains("re-queued 0"));

    // Erasure: prune erases the three, and the running collector tells the tools.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let pruned = Command::new(BIN)
        .arg("--config")
        .arg(&config)
        .args(["prune", "--inactive", "1s", "--database", &db.url])
        .arg("--data-dir")
        .arg(data.path())
        .output()
        .unwrap();
    assert!(
        pruned.status.success(),
        "{}",
        String::from_utf8_lossy(&pruned.stderr)
    );
    eventually("the tools are told of the erasure", || async {
        let all = emails.iter().all(|e| {
            mailchimp.member(e).is_none()
                && shopify
                    .customer(e)
                    .and_then(|c| c.email_consent)
                    .is_some_and(|c| c.0 == "UNSUBSCRIBED")
        });
        all.then_some(())
    })
    .await;
    // The erased subjects' finished hand-offs are gone; the erasures remain.
    let status = cli(&config, &db, &["status"]);
    assert!(
        status.contains("mailchimp: delivered 3, waiting 0, given up 0"),
        "{status}"
    );
    drop(served);
}
