//! A log written by an earlier build still verifies, byte for byte.
//!
//! `tests/fixtures/log-v1/` holds a small SQLite log with its key, JWKS,
//! checkpoint file, the receipts the collector answered and an audit bundle,
//! all written by the collector as it was when receipts, events and
//! manifests were still canonicalised by a second JSON library. Every
//! signature and hash in it must keep verifying, the same values must
//! canonicalise to the same bytes today, and the log must grow on top of it.
//!
//! The fixture is made once, by hand, never in the normal run:
//! `cargo test -p consent-collector --test log_v1 -- --ignored write_fixture`
//! (it overwrites the folder; commit the result only when its format is
//! meant to change, and then keep the old one too).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{Db, TestDb};
use consent_collector::audit::{bundle, verify_bundle};
use consent_collector::ledger::keys::{Keyring, PublicKeys};
use consent_collector::ledger::receipt::Receipt;

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_consent-collector");

/// What the fixture's log holds, in seq order.
const KINDS: [&str; 7] = [
    "proof",        // 1 Marie's consent (double opt-in requested)
    "confirmation", // 2 her confirmation click
    "proof",        // 3 Paul's consent
    "withdrawal",   // 4 his one-click unsubscribe
    "proof",        // 5 Marie's withdrawal, signed in the widget
    "proof",        // 6 Zoé's consent
    "erasure",      // 7 Zoé erased on request
];

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/log-v1")
}

fn run(args: &[&str], data: &Path, db: &str) -> Output {
    Command::new(BIN)
        .args(args)
        .args(["--database", db])
        .arg("--data-dir")
        .arg(data)
        .output()
        .unwrap()
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// A copy of the fixture's database and key folder, so that nothing writes to it.
fn copy_of_fixture() -> (tempfile::TempDir, String) {
    let data = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixture().join("collector.db"),
        data.path().join("collector.db"),
    )
    .unwrap();
    std::fs::create_dir(data.path().join("keys")).unwrap();
    for key in std::fs::read_dir(fixture().join("keys")).unwrap() {
        let key = key.unwrap().path();
        std::fs::copy(
            &key,
            data.path().join("keys").join(key.file_name().unwrap()),
        )
        .unwrap();
    }
    let db = format!("sqlite://{}", data.path().join("collector.db").display());
    (data, db)
}

fn verify_log(data: &Path, db: &str) -> Output {
    let jwks = fixture().join("jwks.json");
    let checkpoints = fixture().join("checkpoints.jsonl");
    let receipts = fixture().join("receipts.txt");
    let args = [
        "verify-log",
        "--jwks",
        jwks.to_str().unwrap(),
        "--checkpoint",
        checkpoints.to_str().unwrap(),
        "--receipt",
        receipts.to_str().unwrap(),
    ];
    run(&args, data, db)
}

#[test]
fn the_v1_log_verifies_with_its_checkpoint_and_receipts() {
    let (data, db) = copy_of_fixture();
    let output = verify_log(data.path(), &db);
    let said = text(&output);
    assert!(output.status.success(), "{said}");
    assert!(said.starts_with("ok: 7 entries"), "{said}");
    assert!(
        said.contains("agrees with 1 checkpoints") && said.contains("and 5 receipts"),
        "{said}"
    );
    // One changed byte in a stored event and the same check fails, naming it.
    let edited = run_sql(
        &db,
        "UPDATE entries SET body = replace(body, '\"confirmed\"', '\"confirmeD\"') WHERE seq = 2",
    );
    assert_eq!(edited, 1);
    let output = verify_log(data.path(), &db);
    assert!(!output.status.success());
    assert!(text(&output).contains("seq 2"), "{}", text(&output));
}

/// Each receipt the collector answered opens with today's code, and its
/// header and payload are the bytes today's canonicaliser writes.
#[test]
fn the_v1_receipts_open_and_canonicalise_to_the_same_bytes() {
    let jwks = std::fs::read(fixture().join("jwks.json")).unwrap();
    let keys = PublicKeys::from_jwks(&jwks).unwrap();
    let receipts = std::fs::read_to_string(fixture().join("receipts.txt")).unwrap();
    let mut seqs = Vec::new();
    for jws in receipts.lines() {
        let receipt: Receipt = keys.verify_receipt(jws).expect("a v1 receipt verifies");
        let mut parts = jws.split('.');
        let header = consent_proof::base64url::decode(parts.next().unwrap()).unwrap();
        let payload = consent_proof::base64url::decode(parts.next().unwrap()).unwrap();
        let parsed: Value = serde_json::from_slice(&header).unwrap();
        assert_eq!(
            consent_proof::jcs::to_string(&parsed).unwrap().as_bytes(),
            header
        );
        assert_eq!(
            consent_proof::jcs::to_string(&receipt).unwrap().as_bytes(),
            payload
        );
        assert_eq!(receipt.entry.as_str(), KINDS[receipt.seq as usize - 1]);
        seqs.push(receipt.seq);
    }
    assert_eq!(seqs, [1, 3, 5, 6, 7]);
}

/// Every stored event is the canonical JSON of itself, as written then.
#[tokio::test]
async fn the_v1_events_are_canonical_today() {
    let (_data, db) = copy_of_fixture();
    let store = consent_collector::store::open(&db).await.unwrap();
    let page = store.entries(0, 100).await.unwrap();
    assert_eq!(
        page.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(),
        KINDS
    );
    let mut events = 0;
    for entry in page.iter().filter(|e| e.kind != "proof") {
        let body = entry.body.as_deref().unwrap();
        let value: Value = serde_json::from_str(body).unwrap();
        assert_eq!(
            consent_proof::jcs::to_string(&value).unwrap(),
            body,
            "seq {}",
            entry.seq
        );
        events += 1;
    }
    assert_eq!(events, 3);
}

#[test]
fn the_v1_audit_bundle_verifies() {
    let checked = verify_bundle::verify_bundle(&fixture().join("bundle"), None).unwrap();
    assert_eq!(
        (checked.entries, checked.proofs, checked.head_seq),
        (7, 3, 7)
    );
    assert_eq!(checked.chain, 7);
}

/// Today's collector appends to the v1 log, and the whole chain verifies.
#[tokio::test]
async fn the_log_grows_on_top_of_v1() {
    let (data, db) = copy_of_fixture();
    let server = common::start(settings(&db, data.path())).await;
    let jws = common::sign(
        &common::browser_key(),
        &common::consent("nouveau@example.org", "fr"),
    );
    let answer: Value = common::post_proof(&server.url, &jws)
        .await
        .json()
        .await
        .unwrap();
    let receipt = answer["receipt"].as_str().unwrap();
    server.stop().await.unwrap();
    let keys = Keyring::load(&data.path().join("keys")).unwrap().public();
    assert_eq!(keys.verify_receipt(receipt).unwrap().seq, 8);
    let output = verify_log(data.path(), &db);
    assert!(output.status.success(), "{}", text(&output));
    assert!(
        text(&output).starts_with("ok: 8 entries"),
        "{}",
        text(&output)
    );
    let store = consent_collector::store::open(&db).await.unwrap();
    let out = tempfile::tempdir().unwrap();
    let ring = Keyring::load(&data.path().join("keys")).unwrap();
    bundle::write_bundle(
        store.as_ref(),
        &ring,
        bundle::Scope::All,
        None,
        out.path(),
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    let checked = verify_bundle::verify_bundle(out.path(), None).unwrap();
    assert_eq!((checked.entries, checked.head_seq), (8, 8));
}

fn run_sql(db: &str, statement: &str) -> u64 {
    let db = db.to_string();
    let statement = statement.to_string();
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(async move {
            use sqlx::Connection;
            let mut conn = sqlx::SqliteConnection::connect(&db).await.unwrap();
            sqlx::query(&statement)
                .execute(&mut conn)
                .await
                .unwrap()
                .rows_affected()
        })
}

fn settings(db: &str, data: &Path) -> consent_collector::config::Settings {
    consent_collector::config::Settings {
        listen: Some("127.0.0.1:0".into()),
        database: Some(db.into()),
        data_dir: Some(data.to_path_buf()),
        allowed_origins: Some(vec![common::ORIGIN.into()]),
        outbox: Some(true),
        checkpoint_interval: Some("100ms".into()),
        ..Default::default()
    }
}

/// Posts a proof that must be stored; its receipt.
async fn post(url: &str, jws: &str) -> String {
    let response = common::post_proof(url, jws).await;
    assert!(response.status().is_success(), "{}", response.status());
    let answer: Value = response.json().await.unwrap();
    answer["receipt"].as_str().unwrap().to_string()
}

/// Writes `tests/fixtures/log-v1/` afresh with the build at hand.
#[tokio::test]
#[ignore = "writes the fixture; run by hand only"]
async fn write_fixture() {
    let db = TestDb::new(Db::Sqlite).await;
    let data = tempfile::tempdir().unwrap();
    let server = common::start(settings(&db.url, data.path())).await;
    let outbox = data.path().join("outbox");
    let mut receipts = Vec::new();
    let marie_key = common::browser_key();
    let marie = common::consent("Marie@Example.org", "fr");
    let marie_jws = common::sign(&marie_key, &marie);
    receipts.push(post(&server.url, &marie_jws).await);
    let mail = common::wait_for_outbox(&outbox, "Marie@Example.org").await;
    assert!(common::press(&mail.confirm_url).await.status().is_success());
    let paul = common::consent("paul@example.org", "en");
    receipts.push(post(&server.url, &common::sign(&common::browser_key(), &paul)).await);
    let mail = common::wait_for_outbox(&outbox, "paul@example.org").await;
    assert!(common::press(&mail.unsubscribe_url)
        .await
        .status()
        .is_success());
    let withdrawal = common::withdrawal(&marie, &marie_jws);
    receipts.push(post(&server.url, &common::sign(&marie_key, &withdrawal)).await);
    let zoe = common::consent("zoe@example.org", "fr");
    receipts.push(post(&server.url, &common::sign(&common::browser_key(), &zoe)).await);
    let erased = run(
        &[
            "erase",
            "--subject",
            "zoe@example.org",
            "--reason",
            "asked by mail",
        ],
        data.path(),
        &db.url,
    );
    assert!(erased.status.success(), "{}", text(&erased));
    // The erasure's receipt, as a reader who fetched it would hold it.
    let store = db.store().await;
    let page = store.entries(0, 100).await.unwrap();
    assert_eq!(
        page.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(),
        KINDS
    );
    receipts.push(page[6].receipt.clone());
    common::eventually("a checkpoint of the whole log", || async {
        let note = reqwest::get(format!("{}/v1/checkpoint", server.url))
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        (note.split('\n').nth(1) == Some("7")).then_some(())
    })
    .await;
    server.stop().await.unwrap();

    let out = fixture();
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(out.join("keys")).unwrap();
    // VACUUM INTO: one self-contained, compact file, WAL folded in.
    let target = out.join("collector.db");
    sqlx::query(&format!("VACUUM INTO '{}'", target.display()))
        .execute(db.open().await.pool())
        .await
        .unwrap();
    for key in std::fs::read_dir(data.path().join("keys")).unwrap() {
        let key = key.unwrap().path();
        std::fs::copy(&key, out.join("keys").join(key.file_name().unwrap())).unwrap();
    }
    let ring = Keyring::load(&data.path().join("keys")).unwrap();
    std::fs::write(
        out.join("jwks.json"),
        serde_json::to_vec_pretty(&ring.jwks()).unwrap(),
    )
    .unwrap();
    let checkpoints = std::fs::read_to_string(data.path().join("checkpoints.jsonl")).unwrap();
    // The last checkpoint only: the one of size 7.
    let last = checkpoints.lines().last().unwrap();
    std::fs::write(out.join("checkpoints.jsonl"), format!("{last}\n")).unwrap();
    std::fs::write(out.join("receipts.txt"), receipts.join("\n") + "\n").unwrap();
    let record: Value = serde_json::from_str(last).unwrap();
    bundle::write_bundle(
        store.as_ref(),
        &ring,
        bundle::Scope::All,
        Some(record["checkpoint"].as_str().unwrap().to_string()),
        &out.join("bundle"),
        chrono::Utc::now(),
    )
    .await
    .unwrap();
}
