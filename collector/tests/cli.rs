//! The binary: serve on port 0, keygen and rotation, export, verify-log, prune, startup errors.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{Db, Served, TestDb};
use reqwest::StatusCode;

const BIN: &str = env!("CARGO_BIN_EXE_consent-collector");

fn serve(db: &TestDb, data: &Path, extra: &[&str]) -> Served {
    let mut command = Command::new(BIN);
    command
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--database",
            &db.url,
            "--outbox",
            "true",
        ])
        .arg("--data-dir")
        .arg(data)
        .args(["--allowed-origins", common::ORIGIN])
        .args(extra);
    Served::start(command)
}

fn run(db: &TestDb, data: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .args(["--database", &db.url])
        .arg("--data-dir")
        .arg(data)
        .output()
        .unwrap()
}

/// A served SQLite collector with a key, holding one consent from `email`.
async fn served_with_consent(email: &str) -> (TestDb, tempfile::TempDir, Served) {
    let db = TestDb::new(Db::Sqlite).await;
    let data = tempfile::tempdir().unwrap();
    keygen(data.path());
    let server = serve(&db, data.path(), &[]);
    let jws = common::sign(&common::browser_key(), &common::consent(email, "fr"));
    assert_eq!(
        common::post_proof(&server.url, &jws).await.status(),
        StatusCode::CREATED
    );
    (db, data, server)
}

/// Runs `keygen` and returns the new key's kid.
fn keygen(data: &Path) -> String {
    let output = Command::new(BIN)
        .arg("keygen")
        .arg("--data-dir")
        .arg(data)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    stdout(&output).trim().to_string()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[tokio::test]
async fn an_auditor_exports_and_reverifies_the_log_offline() {
    let db = TestDb::new(Db::Sqlite).await;
    let data = tempfile::tempdir().unwrap();
    let first_kid = keygen(data.path());
    assert_eq!(first_kid.len(), 43, "a base64url sha-256 thumbprint");

    let server = serve(&db, data.path(), &[]);
    let key = common::browser_key();
    for email in ["anne@example.org", "bob@example.org"] {
        let response = common::post_proof(
            &server.url,
            &common::sign(&key, &common::consent(email, "fr")),
        )
        .await;
        assert_eq!(response.status(), StatusCode::CREATED);
    }
    let jwks = reqwest::get(format!("{}/.well-known/jwks.json", server.url))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // A graceful stop: in-flight requests finish, the process exits 0.
    let status = server.terminate();
    assert!(status.success(), "the collector stopped with {status:?}");

    // Rotation: a new key signs from now on; the old one stays published and verifying.
    assert_ne!(keygen(data.path()), first_kid);
    let server = serve(&db, data.path(), &[]);
    let response = common::post_proof(
        &server.url,
        &common::sign(&key, &common::consent("carl@example.org", "en")),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let rotated_jwks: serde_json::Value =
        reqwest::get(format!("{}/.well-known/jwks.json", server.url))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    assert_eq!(rotated_jwks["keys"].as_array().unwrap().len(), 2);
    drop(server);

    let clean = run(&db, data.path(), &["verify-log"]);
    assert!(clean.status.success(), "{}", stderr(&clean));
    assert_eq!(
        stdout(&clean).trim(),
        "ok: 3 entries, 3 proof signatures re-verified, 0 erased by prune or erasure request"
    );
    // With only the public keys as published before rotation, the third receipt cannot verify.
    let old_jwks = data.path().join("old-jwks.json");
    std::fs::write(&old_jwks, &jwks).unwrap();
    let partial = run(
        &db,
        data.path(),
        &["verify-log", "--jwks", old_jwks.to_str().unwrap()],
    );
    assert!(!partial.status.success());
    assert!(
        stderr(&partial).contains("seq 3: receipt signature"),
        "{}",
        stderr(&partial)
    );

    let jsonl = run(
        &db,
        data.path(),
        &["export", "--subject", "Anne@Example.org"],
    );
    let rows: Vec<serde_json::Value> = stdout(&jsonl)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 3);
    assert!(rows.iter().all(|r| r["subject"] == "anne@example.org"));
    assert_eq!(rows[0]["purpose"], "newsletter");
    assert_eq!(rows[0]["state"], "pending");
    // The number an SMS consent is for, as the proof gave it.
    assert!(
        rows.iter().all(|r| r["phone"] == "+33612345678"),
        "{rows:?}"
    );
    let csv = run(&db, data.path(), &["export", "--format", "csv"]);
    let lines: Vec<&str> = std::str::from_utf8(&csv.stdout).unwrap().lines().collect();
    assert_eq!(
        lines[0],
        "subject,purpose,channel,state,since,seq,recordId,phone"
    );
    assert!(
        lines[1..].iter().all(|l| l.ends_with(",+33612345678")),
        "{lines:?}"
    );
    assert_eq!(lines.len(), 1 + 9);
    let later = run(
        &db,
        data.path(),
        &["export", "--since", "2999-01-01T00:00:00Z"],
    );
    assert_eq!(stdout(&later), "");
    // The same settings from the environment, and from a config file.
    let from_env = Command::new(BIN)
        .args(["export", "--format", "csv"])
        .env("CONSENT_DATABASE", &db.url)
        .output()
        .unwrap();
    assert_eq!(from_env.stdout, csv.stdout);
    let config = data.path().join("collector.toml");
    std::fs::write(
        &config,
        format!("database = {:?}\ndata-dir = {:?}\n", db.url, data.path()),
    )
    .unwrap();
    let from_file = Command::new(BIN)
        .arg("--config")
        .arg(&config)
        .arg("verify-log")
        .output()
        .unwrap();
    assert_eq!(stdout(&from_file), stdout(&clean));

    // Tampering: one byte of one stored row; verify-log names the entry.
    sqlx::query("UPDATE entries SET body = REPLACE(body, 'bob@example.org', 'bob@example.net') WHERE seq = 2")
        .execute(db.open().await.pool())
        .await
        .unwrap();
    let broken = run(&db, data.path(), &["verify-log"]);
    assert_eq!(broken.status.code(), Some(1));
    assert!(
        stderr(&broken).starts_with("error: log broken at seq 2: "),
        "{}",
        stderr(&broken)
    );
}

#[tokio::test]
async fn prune_erases_inactive_subjects_and_keeps_the_log_verifiable() {
    let (db, data, server) = served_with_consent("gone@example.org").await;
    drop(server);

    let kept = run(&db, data.path(), &["prune", "--inactive", "3y"]);
    assert!(
        stdout(&kept).starts_with("nothing to prune"),
        "{}",
        stdout(&kept)
    );
    let pruned = run(&db, data.path(), &["prune", "--inactive", "0s"]);
    assert!(pruned.status.success(), "{}", stderr(&pruned));
    assert!(
        stdout(&pruned).contains("\"erased\":[1]") && stdout(&pruned).contains("seq 2"),
        "{}",
        stdout(&pruned)
    );
    assert_eq!(stdout(&run(&db, data.path(), &["export"])), "");
    let clean = run(&db, data.path(), &["verify-log"]);
    assert_eq!(
        stdout(&clean).trim(),
        "ok: 2 entries, 0 proof signatures re-verified, 1 erased by prune or erasure request"
    );
}

#[tokio::test]
async fn marketing_mail_gets_one_click_unsubscribe_links() {
    let (db, data, server) = served_with_consent("news@example.org").await;

    let link = run(
        &db,
        data.path(),
        &[
            "unsubscribe-link",
            "--subject",
            "News@example.org",
            "--public-url",
            &server.url,
        ],
    );
    assert!(link.status.success(), "{}", stderr(&link));
    let url = stdout(&link).trim().to_string();
    assert!(
        url.starts_with(&format!("{}/v1/unsubscribe?token=", server.url)),
        "{url}"
    );
    // Opened (a mail scanner, say): a page with a button, nothing withdrawn.
    let opened = reqwest::get(&url).await.unwrap();
    assert_eq!(opened.status(), StatusCode::OK);
    assert!(opened
        .text()
        .await
        .unwrap()
        .contains("<form method=\"post\">"));
    let states = stdout(&run(&db, data.path(), &["export", "--format", "csv"]));
    assert!(
        states.contains("news@example.org,newsletter,email,pending,"),
        "{states}"
    );
    let one_click = reqwest::Client::new()
        .post(&url)
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(one_click.status(), StatusCode::OK);
    assert!(one_click
        .text()
        .await
        .unwrap()
        .contains("Désinscription enregistrée"));
    let states = stdout(&run(&db, data.path(), &["export", "--format", "csv"]));
    assert!(
        states.contains("news@example.org,newsletter,email,withdrawn,"),
        "{states}"
    );
    assert!(
        states.contains("news@example.org,sms,sms,pending,"),
        "{states}"
    );

    let nobody = run(
        &db,
        data.path(),
        &[
            "unsubscribe-link",
            "--subject",
            "nobody@example.org",
            "--public-url",
            &server.url,
        ],
    );
    assert_eq!(
        stderr(&nobody).trim(),
        "error: no e-mail consent recorded for nobody@example.org"
    );
    let no_url = run(
        &db,
        data.path(),
        &["unsubscribe-link", "--subject", "news@example.org"],
    );
    assert!(
        stderr(&no_url).starts_with("error: no public url"),
        "{}",
        stderr(&no_url)
    );
}

#[test]
fn startup_errors_are_clear() {
    let data = tempfile::tempdir().unwrap();
    let no_origins = Command::new(BIN)
        .args(["serve", "--smtp-url", "smtp://127.0.0.1:1", "--mail-from", common::MAIL_FROM])
        .arg("--data-dir")
        .arg(data.path())
        .output()
        .unwrap();
    assert_eq!(no_origins.status.code(), Some(1));
    assert!(
        stderr(&no_origins).starts_with("error: no allowed origins"),
        "{}",
        stderr(&no_origins)
    );

    let no_key = Command::new(BIN)
        .args([
            "serve",
            "--outbox",
            "true",
            "--allowed-origins",
            "https://a.example",
            "--listen",
            "127.0.0.1:0",
        ])
        .arg("--data-dir")
        .arg(data.path())
        .output()
        .unwrap();
    assert!(
        stderr(&no_key).contains("run `consent-collector keygen` first"),
        "{}",
        stderr(&no_key)
    );

    let config = data.path().join("collector.toml");
    std::fs::write(
        &config,
        "listen = \"127.0.0.1:0\"\nallowed_origins = [\"https://a.example\"]\n",
    )
    .unwrap();
    let typo = Command::new(BIN)
        .arg("--config")
        .arg(&config)
        .args(["serve", "--demo"])
        .output()
        .unwrap();
    assert!(
        stderr(&typo).contains("invalid config file") && stderr(&typo).contains("allowed_origins"),
        "{}",
        stderr(&typo)
    );

    let bad_db = Command::new(BIN)
        .args(["export", "--database", "mysql://x"])
        .output()
        .unwrap();
    assert!(
        stderr(&bad_db).starts_with("error: unsupported database url \"mysql://x\""),
        "{}",
        stderr(&bad_db)
    );
}

#[tokio::test]
async fn every_answered_proof_survives_a_kill_right_after() {
    for backend in [Db::Sqlite, Db::Postgres] {
        let db = TestDb::new(backend).await;
        let data = tempfile::tempdir().unwrap();
        keygen(data.path());
        let mut server = serve(&db, data.path(), &["--rate-ip", "0", "--rate-email", "0"]);
        // 200 submissions at once; SIGKILL once 80 are answered 201, while
        // the others are queued, in a batch being written, or committed but
        // not yet answered.
        let key = common::browser_key();
        let (answered, mut answers) = tokio::sync::mpsc::unbounded_channel();
        for i in 0..200 {
            let proof = common::consent(&format!("k{i}@example.org"), "en");
            let (jws, id) = (common::sign(&key, &proof), proof.id.clone());
            let (url, answered) = (server.url.clone(), answered.clone());
            tokio::spawn(async move {
                let response = reqwest::Client::new()
                    .post(format!("{url}/v1/proofs"))
                    .header("origin", common::ORIGIN)
                    .json(&serde_json::json!({ "proof": jws }))
                    .send()
                    .await;
                let receipt = match response {
                    Ok(r) if r.status() == StatusCode::CREATED => r
                        .json::<serde_json::Value>()
                        .await
                        .ok()
                        .and_then(|b| b["receipt"].as_str().map(String::from)),
                    _ => None,
                };
                let _ = answered.send((id, receipt));
            });
        }
        drop(answered);
        let mut created = Vec::new();
        while let Some((id, receipt)) = answers.recv().await {
            if let Some(receipt) = receipt {
                created.push((id, receipt));
                if created.len() == 80 {
                    server.child.kill().unwrap();
                }
            }
        }
        // Fewer than 80 answered: the kill above never came; stop it here,
        // so the assertion below reports it instead of waiting forever.
        let _ = server.child.kill();
        let _ = server.child.wait();
        eprintln!(
            "{backend:?}: {} of 200 answered 201, killed at 80",
            created.len()
        );
        assert!(
            created.len() >= 80,
            "{backend:?}: {} answered",
            created.len()
        );
        // Every 201 is in the log with the receipt it was answered with.
        let store = db.store().await;
        for (id, receipt) in &created {
            let stored = store.by_record_id(id).await.unwrap();
            assert_eq!(
                stored.map(|s| s.receipt).as_ref(),
                Some(receipt),
                "{backend:?}: {id}"
            );
        }
        let keys =
            consent_collector::ledger::keys::Keyring::load(&data.path().join("keys")).unwrap();
        consent_collector::audit::verify_log::verify_log(store.as_ref(), &keys.public())
            .await
            .unwrap();
    }
}
