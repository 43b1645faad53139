//! A log no one can quietly cut or edit: column checks, signed checkpoints,
//! receipts held by readers, and RFC 3161 tokens from a real local authority.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{Db, Served, TestDb};
use reqwest::StatusCode;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_consent-collector");

fn serve(db: &TestDb, data: &Path, extra: &[&str]) -> Served {
    if !data.join("keys").exists() {
        let made = Command::new(BIN)
            .arg("keygen")
            .arg("--data-dir")
            .arg(data)
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(made.success());
    }
    let mut command = Command::new(BIN);
    command
        .args(["serve", "--listen", "127.0.0.1:0", "--database", &db.url])
        .args(["--outbox", "true", "--checkpoint-interval", "100ms"])
        .arg("--data-dir")
        .arg(data)
        .args(["--allowed-origins", common::ORIGIN])
        .args(extra);
    Served::start(command)
}

fn verify_log(db: &TestDb, data: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("verify-log")
        .args(args)
        .args(["--database", &db.url])
        .arg("--data-dir")
        .arg(data)
        .output()
        .unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Posts a consent for `email`; returns its receipt.
async fn consent(url: &str, email: &str) -> String {
    let jws = common::sign(&common::browser_key(), &common::consent(email, "en"));
    let response = common::post_proof(url, &jws).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let answer: Value = response.json().await.unwrap();
    answer["receipt"].as_str().unwrap().to_string()
}

/// Waits until the served checkpoint covers `size` entries; returns its note.
async fn checkpoint_of(url: &str, size: u64) -> String {
    common::eventually(&format!("a checkpoint of size {size}"), || async move {
        let response = reqwest::get(format!("{url}/v1/checkpoint")).await.ok()?;
        let note = response.text().await.ok()?;
        (note.split('\n').nth(1) == Some(size.to_string().as_str())).then_some(note)
    })
    .await
}

async fn sql(db: &TestDb, statement: &str) {
    sqlx::query(statement)
        .execute(db.open().await.pool())
        .await
        .unwrap();
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

async fn an_edited_column_is_named(backend: Db) {
    let db = TestDb::new(backend).await;
    let data = tempfile::tempdir().unwrap();
    let server = serve(&db, data.path(), &[]);
    let mut receipts = Vec::new();
    for who in ["ada@example.org", "bob@example.org", "cyd@example.org"] {
        receipts.push(consent(&server.url, who).await);
    }
    let note = checkpoint_of(&server.url, 3).await;
    assert!(note.contains("\n\n\u{2014} "), "a signed note: {note:?}");
    drop(server);
    let file = data.path().join("checkpoints.jsonl");
    let held = data.path().join("held-checkpoints.jsonl");
    std::fs::copy(&file, &held).unwrap();
    let receipt_file = data.path().join("receipts.txt");
    std::fs::write(&receipt_file, receipts.join("\n") + "\n").unwrap();
    let fetched = data.path().join("fetched-checkpoint.txt");
    std::fs::write(&fetched, &note).unwrap();

    let clean = verify_log(
        &db,
        data.path(),
        &[
            "--checkpoint",
            path(&held),
            "--checkpoint",
            path(&fetched),
            "--receipt",
            path(&receipt_file),
        ],
    );
    assert!(clean.status.success(), "{}", stderr(&clean));
    assert!(stdout(&clean).contains("3 entries"), "{}", stdout(&clean));
    assert!(stdout(&clean).contains("3 receipts"), "{}", stdout(&clean));

    // An edited column that export would follow: verify-log alone names it.
    sql(
        &db,
        "UPDATE entries SET subject = 'eve@example.org' WHERE seq = 2",
    )
    .await;
    let edited = verify_log(&db, data.path(), &[]);
    assert_eq!(edited.status.code(), Some(1));
    assert!(
        stderr(&edited).contains("seq 2: the subject column"),
        "{}",
        stderr(&edited)
    );
    sql(
        &db,
        "UPDATE entries SET subject = 'bob@example.org' WHERE seq = 2",
    )
    .await;
    let original: String = sqlx::query_scalar("SELECT record_id FROM entries WHERE seq = 1")
        .fetch_one(db.open().await.pool())
        .await
        .unwrap();
    sql(
        &db,
        "UPDATE entries SET record_id = 'f0000000-0000-4000-8000-000000000000' WHERE seq = 1",
    )
    .await;
    let edited = verify_log(&db, data.path(), &[]);
    assert_eq!(edited.status.code(), Some(1));
    assert!(
        stderr(&edited).contains("seq 1: the record_id column"),
        "{}",
        stderr(&edited)
    );
    sql(
        &db,
        &format!("UPDATE entries SET record_id = '{original}' WHERE seq = 1"),
    )
    .await;
    assert!(verify_log(&db, data.path(), &[]).status.success());
}

async fn a_cut_and_a_fork_are_named(backend: Db) {
    let db = TestDb::new(backend).await;
    let data = tempfile::tempdir().unwrap();
    let server = serve(&db, data.path(), &[]);
    let mut receipts = Vec::new();
    for who in ["ada@example.org", "bob@example.org", "cyd@example.org"] {
        receipts.push(consent(&server.url, who).await);
    }
    checkpoint_of(&server.url, 3).await;
    drop(server);
    let held = data.path().join("held-checkpoints.jsonl");
    std::fs::copy(data.path().join("checkpoints.jsonl"), &held).unwrap();
    let receipt_file = data.path().join("receipt-3.txt");
    std::fs::write(&receipt_file, format!("{}\n", receipts[2])).unwrap();

    // Cut: the newest entry deleted. The log alone still checks out...
    for table in ["pending_mail", "tokens"] {
        sql(&db, &format!("DELETE FROM {table} WHERE entry_seq = 3")).await;
    }
    sql(&db, "DELETE FROM entries WHERE seq = 3").await;
    assert!(verify_log(&db, data.path(), &[]).status.success());
    // ...but not against what a reader saw.
    let cut = verify_log(&db, data.path(), &["--checkpoint", path(&held)]);
    assert_eq!(cut.status.code(), Some(1));
    let message = stderr(&cut);
    assert!(
        message.contains("shorter than the checkpoint of size 3"),
        "{message}"
    );
    assert!(message.contains("entries 3 to 3 are missing"), "{message}");
    assert!(
        message.contains(&format!("{} line", held.display())),
        "{message}"
    );
    let by_receipt = verify_log(&db, data.path(), &["--receipt", path(&receipt_file)]);
    assert!(
        stderr(&by_receipt).contains("shorter than the receipt of seq 3"),
        "{}",
        stderr(&by_receipt)
    );

    // Fork: someone holding the key appends another entry 3 and re-signs it.
    let server = serve(&db, data.path(), &[]);
    consent(&server.url, "mallory@example.org").await;
    drop(server);
    assert!(verify_log(&db, data.path(), &[]).status.success());
    let forked = verify_log(&db, data.path(), &["--checkpoint", path(&held)]);
    assert_eq!(forked.status.code(), Some(1));
    let message = stderr(&forked);
    assert!(
        message.contains("forks from the checkpoint of size 3"),
        "{message}"
    );
    assert!(message.contains("at seq 3"), "{message}");
    let by_receipt = verify_log(&db, data.path(), &["--receipt", path(&receipt_file)]);
    assert!(
        stderr(&by_receipt).contains("forks from the receipt of seq 3"),
        "{}",
        stderr(&by_receipt)
    );
}

fn tsa_env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run scripts/test-collector, which starts a local timestamp authority")
    })
}

/// A token for `message` from the authority whose `openssl ts` files are in `dir`.
fn openssl_token(dir: &Path, message: &[u8]) -> Vec<u8> {
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("message");
    std::fs::write(&data, message).unwrap();
    let query = work.path().join("q.tsq");
    let reply = work.path().join("r.tsr");
    let token = work.path().join("t.der");
    let ok = |c: &mut Command| assert!(c.status().unwrap().success(), "{c:?}");
    ok(Command::new("openssl")
        .args(["ts", "-query", "-sha256", "-cert", "-data"])
        .arg(&data)
        .arg("-out")
        .arg(&query));
    ok(Command::new("openssl")
        .args(["ts", "-reply", "-config"])
        .arg(dir.join("tsa.cnf"))
        .arg("-queryfile")
        .arg(&query)
        .arg("-out")
        .arg(&reply));
    ok(Command::new("openssl")
        .args(["ts", "-reply", "-in"])
        .arg(&reply)
        .args(["-token_out", "-out"])
        .arg(&token));
    std::fs::read(token).unwrap()
}

fn records(file: &Path) -> Vec<Value> {
    std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn write_records(file: &Path, records: &[Value]) {
    let lines: Vec<String> = records.iter().map(|r| r.to_string() + "\n").collect();
    std::fs::write(file, lines.concat()).unwrap();
}

#[tokio::test]
async fn checkpoint_tokens_from_the_authority_verify_and_forged_ones_fail() {
    use consent_proof::base64 as b64;
    let (url, cert) = (
        tsa_env("CONSENT_TEST_TSA_URL"),
        tsa_env("CONSENT_TEST_TSA_CERT"),
    );
    let other = PathBuf::from(tsa_env("CONSENT_TEST_TSA_OTHER_DIR"));
    let db = TestDb::new(Db::Sqlite).await;
    let data = tempfile::tempdir().unwrap();
    let server = serve(&db, data.path(), &["--tsa-url", &url, "--tsa-cert", &cert]);
    consent(&server.url, "ada@example.org").await;
    checkpoint_of(&server.url, 1).await;
    consent(&server.url, "bob@example.org").await;
    checkpoint_of(&server.url, 2).await;
    drop(server);
    let file = data.path().join("checkpoints.jsonl");
    let stamped = records(&file);
    assert!(stamped.len() >= 2 && stamped.iter().all(|r| r["timestamp"].is_string()));

    let good = verify_log(
        &db,
        data.path(),
        &["--checkpoint", path(&file), "--tsa-cert", &cert],
    );
    assert!(good.status.success(), "{}", stderr(&good));
    assert!(
        stdout(&good).contains("timestamps verified"),
        "{}",
        stdout(&good)
    );

    // A token of another authority over the very same note.
    let forged_file = data.path().join("forged.jsonl");
    let mut forged = stamped.clone();
    let note = forged[0]["checkpoint"].as_str().unwrap().to_string();
    forged[0]["timestamp"] = b64::encode(&openssl_token(&other, note.as_bytes())).into();
    write_records(&forged_file, &forged);
    let refused = verify_log(
        &db,
        data.path(),
        &["--checkpoint", path(&forged_file), "--tsa-cert", &cert],
    );
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused)
            .contains("line 1: timestamp: the token is not signed by the authority's certificate"),
        "{}",
        stderr(&refused)
    );
    // That other authority's token is genuine for its own certificate (an RSA key).
    let other_cert = other.join("tsa.pem");
    let its_own = verify_log(
        &db,
        data.path(),
        &[
            "--checkpoint",
            path(&forged_file),
            "--tsa-cert",
            path(&other_cert),
        ],
    );
    assert!(
        stderr(&its_own).contains("line 2: timestamp"),
        "only line 2 fails: {}",
        stderr(&its_own)
    );

    // The authority's real token, moved onto another checkpoint.
    let mut moved = stamped.clone();
    moved[1]["timestamp"] = moved[0]["timestamp"].clone();
    write_records(&forged_file, &moved);
    let refused = verify_log(
        &db,
        data.path(),
        &["--checkpoint", path(&forged_file), "--tsa-cert", &cert],
    );
    assert!(
        stderr(&refused).contains("line 2: timestamp: the token stamps another message"),
        "{}",
        stderr(&refused)
    );

    // One flipped byte in the signature at the end of the token.
    let mut token = b64::decode(stamped[0]["timestamp"].as_str().unwrap()).unwrap();
    let last = token.len() - 3;
    token[last] ^= 0x01;
    let mut flipped = stamped.clone();
    flipped[0]["timestamp"] = b64::encode(&token).into();
    write_records(&forged_file, &flipped);
    let refused = verify_log(
        &db,
        data.path(),
        &["--checkpoint", path(&forged_file), "--tsa-cert", &cert],
    );
    assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("line 1: timestamp"),
        "{}",
        stderr(&refused)
    );
}

on_both_backends!(an_edited_column_is_named, a_cut_and_a_fork_are_named);
