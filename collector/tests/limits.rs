//! Limits that hold and cannot lock anyone out, the client address behind
//! proxies, the outbox only in the demo, and JSON for every error.

mod common;

use std::io::{Read, Write};
use std::path::Path;
use std::process::Command;

use common::{Db, Served, TestDb};
use reqwest::StatusCode;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_consent-collector");

fn serve(db: &TestDb, data: &Path, extra: &[&str]) -> Served {
    if !data.join("keys").exists() {
        keygen(data);
    }
    let mut command = Command::new(BIN);
    command
        .args(["serve", "--listen", "127.0.0.1:0", "--database", &db.url])
        .args(["--outbox", "true"])
        .arg("--data-dir")
        .arg(data)
        .args(["--allowed-origins", common::ORIGIN])
        .args(extra);
    Served::start(command)
}

fn keygen(data: &Path) {
    let status = Command::new(BIN)
        .arg("keygen")
        .arg("--data-dir")
        .arg(data)
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
}

/// Posts a sign-up for `email` signed by a fresh key, as anyone can; returns status and answer.
async fn sign_up(url: &str, email: &str, forwarded: Option<&str>) -> (StatusCode, Value) {
    let jws = common::sign(&common::browser_key(), &common::consent(email, "en"));
    let mut request = reqwest::Client::new()
        .post(format!("{url}/v1/proofs"))
        .header("origin", common::ORIGIN)
        .json(&serde_json::json!({ "proof": jws }));
    if let Some(hops) = forwarded {
        request = request.header("x-forwarded-for", hops);
    }
    let response = request.send().await.unwrap();
    (response.status(), response.json().await.unwrap())
}

/// Confirmation mails the outbox holds for `to`.
fn mails_to(data: &Path, to: &str) -> usize {
    consent_collector::mail::outbox_items(&data.join("outbox"))
        .unwrap_or_default()
        .iter()
        .filter(|m| m.to.contains(to))
        .count()
}

async fn mails_reach(data: &Path, to: &str, n: usize) {
    common::eventually(&format!("{n} mails to {to}"), || async move {
        (mails_to(data, to) >= n).then_some(())
    })
    .await;
    assert_eq!(mails_to(data, to), n);
}

async fn forged_sign_ups_cannot_lock_a_person_out(backend: Db) {
    let db = TestDb::new(backend).await;
    let data = tempfile::tempdir().unwrap();
    let victim = "victim@example.org";
    let server = serve(&db, data.path(), &["--rate-email", "3"]);
    // A stranger signs the victim up again and again, each time with a fresh key.
    let (status, first) = sign_up(&server.url, victim, None).await;
    assert_eq!(
        (status, first["mail"].as_str()),
        (StatusCode::CREATED, Some("queued")),
        "{first}"
    );
    for _ in 0..4 {
        let (status, again) = sign_up(&server.url, victim, None).await;
        assert_eq!(status, StatusCode::CREATED, "{again}");
        assert_eq!(again["status"], "pending");
        assert_eq!(again["mail"], "recently_sent", "{again}");
    }
    mails_reach(data.path(), victim, 1).await;
    // The victim's own sign-up is not refused: a confirmation is on its way.
    let (status, own) = sign_up(&server.url, victim, None).await;
    assert_eq!(
        (status, own["mail"].as_str()),
        (StatusCode::CREATED, Some("recently_sent"))
    );
    drop(server);

    // Restarted with re-sends allowed at once: the hour's mail count survived the restart.
    let server = serve(
        &db,
        data.path(),
        &["--rate-email", "3", "--resend-after", "0s"],
    );
    for expected in ["queued", "queued", "limit_reached", "limit_reached"] {
        let (status, answer) = sign_up(&server.url, victim, None).await;
        assert_eq!(status, StatusCode::CREATED, "{answer}");
        assert_eq!(answer["mail"], expected, "{answer}");
    }
    mails_reach(data.path(), victim, 3).await;
    // A re-sent mail confirms the first sign-up, the one still pending,
    // and says what it is for in the registered form's words.
    let items = consent_collector::mail::outbox_items(&data.path().join("outbox")).unwrap();
    let mut urls: Vec<&str> = items.iter().filter(|m| m.to.contains(victim)).map(|m| m.confirm_url.as_str()).collect();
    urls.sort_unstable();
    urls.dedup();
    assert_eq!(urls.len(), 3, "fresh links in each mail: {urls:?}");
    let resent = items.iter().find(|m| m.to.contains(victim) && m.confirm_url.starts_with(&server.url)).unwrap();
    let (status, _) = common::open_link(&resent.confirm_url).await;
    assert_eq!(status, StatusCode::OK);
    assert!(common::press(&resent.confirm_url).await.status().is_success());
    let export = Command::new(BIN)
        .args(["export", "--database", &db.url, "--subject", victim, "--data-dir"])
        .arg(data.path())
        .output()
        .unwrap();
    let export = String::from_utf8_lossy(&export.stdout);
    let first_seq = first["seq"].as_u64().unwrap();
    let newsletter: Value = export
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|r| r["purpose"] == "newsletter")
        .unwrap();
    assert_eq!(newsletter["state"], "confirmed", "{export}");
    assert!(newsletter["seq"].as_u64().unwrap() > first_seq, "{export}");
}

async fn two_collectors_share_the_limits_and_the_chain() {
    let db = TestDb::new(Db::Postgres).await;
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    keygen(a.path());
    let copy = Command::new("cp")
        .arg("-a")
        .arg(a.path().join("keys"))
        .arg(b.path())
        .status()
        .unwrap();
    assert!(copy.success());
    let limits = ["--rate-ip", "3", "--checkpoint-interval", "100ms"];
    let (one, two) = (serve(&db, a.path(), &limits), serve(&db, b.path(), &limits));
    for (n, url) in [&one.url, &two.url, &one.url].into_iter().enumerate() {
        let (status, answer) = sign_up(url, &format!("p{n}@example.org"), None).await;
        assert_eq!(status, StatusCode::CREATED, "{answer}");
        assert_eq!(answer["seq"], n as u64 + 1, "one chain: {answer}");
    }
    let (status, answer) = sign_up(&two.url, "p3@example.org", None).await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("rate_limited"))
    );
    for url in [&one.url, &two.url] {
        common::eventually("a checkpoint of size 3", || async move {
            let note = reqwest::get(format!("{url}/v1/checkpoint"))
                .await
                .ok()?
                .text()
                .await
                .ok()?;
            (note.split('\n').nth(1) == Some("3")).then_some(())
        })
        .await;
    }
    drop((one, two));
    let checked = Command::new(BIN)
        .args(["verify-log", "--database", &db.url, "--data-dir"])
        .arg(a.path())
        .arg("--checkpoint")
        .arg(a.path().join("checkpoints.jsonl"))
        .arg("--checkpoint")
        .arg(b.path().join("checkpoints.jsonl"))
        .output()
        .unwrap();
    assert!(
        checked.status.success(),
        "{}",
        String::from_utf8_lossy(&checked.stderr)
    );
    // A restart does not reset the counters.
    let again = serve(&db, a.path(), &limits);
    let (status, _) = sign_up(&again.url, "p4@example.org", None).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn the_client_is_the_rightmost_hop_not_a_trusted_proxy() {
    let db = TestDb::new(Db::Sqlite).await;
    let data = tempfile::tempdir().unwrap();
    let server = serve(
        &db,
        data.path(),
        &["--rate-ip", "1", "--trusted-proxies", "127.0.0.1/32"],
    );
    let hops = |h: &'static str| Some(h);
    assert_eq!(
        sign_up(&server.url, "a@example.org", hops("1.1.1.1, 203.0.113.9"))
            .await
            .0,
        StatusCode::CREATED
    );
    // A new leftmost hop, written by the client, does not make a new client.
    assert_eq!(
        sign_up(&server.url, "b@example.org", hops("2.2.2.2, 203.0.113.9"))
            .await
            .0,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        sign_up(&server.url, "c@example.org", hops("198.51.100.7"))
            .await
            .0,
        StatusCode::CREATED
    );
    drop(server);

    // With no trusted proxy the header is not believed at all.
    let db = TestDb::new(Db::Sqlite).await;
    let server = serve(&db, data.path(), &["--rate-ip", "1"]);
    assert_eq!(
        sign_up(&server.url, "d@example.org", hops("203.0.113.9"))
            .await
            .0,
        StatusCode::CREATED
    );
    assert_eq!(
        sign_up(&server.url, "e@example.org", hops("198.51.100.7"))
            .await
            .0,
        StatusCode::TOO_MANY_REQUESTS
    );
    drop(server);

    let old = Command::new(BIN)
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--database",
            &db.url,
            "--outbox",
            "true",
            "--trust-forwarded",
            "true",
        ])
        .args(["--allowed-origins", common::ORIGIN])
        .arg("--data-dir")
        .arg(data.path())
        .output()
        .unwrap();
    assert!(!old.status.success());
    assert!(String::from_utf8_lossy(&old.stderr).contains("--trusted-proxies"));
}

#[tokio::test]
async fn the_outbox_is_served_only_in_the_demo_and_errors_are_json() {
    let db = TestDb::new(Db::Sqlite).await;
    let data = tempfile::tempdir().unwrap();
    let server = serve(&db, data.path(), &["--request-timeout", "300ms"]);
    let outbox = reqwest::get(format!("{}/outbox", server.url))
        .await
        .unwrap();
    assert_eq!(outbox.status(), StatusCode::NOT_FOUND);
    let body: Value = outbox.json().await.unwrap();
    assert_eq!(body["error"], "not_found", "{body}");

    let wrong = reqwest::Client::new()
        .put(format!("{}/v1/proofs", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(wrong.headers().get("allow").is_some());
    let body: Value = wrong.json().await.unwrap();
    assert_eq!(body["error"], "method_not_allowed", "{body}");

    // A body that never finishes arriving: the request times out, in JSON.
    let addr = server.url.trim_start_matches("http://").to_string();
    let answer = tokio::task::spawn_blocking(move || {
        let mut socket = std::net::TcpStream::connect(addr).unwrap();
        socket
            .write_all(b"POST /v1/proofs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
            .unwrap();
        let mut answer = String::new();
        let _ = socket.read_to_string(&mut answer);
        answer
    })
    .await
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains("application/json"), "{answer}");
    assert!(answer.contains("\"error\":\"timeout\""), "{answer}");
    drop(server);

    let demo_dir = tempfile::tempdir().unwrap();
    let demo = Served::start({
        let mut c = Command::new(BIN);
        c.args(["serve", "--demo", "--listen", "127.0.0.1:0"])
            .arg("--data-dir")
            .arg(demo_dir.path());
        c
    });
    assert_eq!(
        reqwest::get(format!("{}/outbox", demo.url))
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    drop(demo);

    // Without a mail transport, the start-up error points to SMTP, not to the outbox.
    let none = Command::new(BIN)
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--database",
            &db.url,
            "--allowed-origins",
            common::ORIGIN,
        ])
        .arg("--data-dir")
        .arg(data.path())
        .output()
        .unwrap();
    let message = String::from_utf8_lossy(&none.stderr);
    assert!(
        !none.status.success() && message.contains("--smtp-url"),
        "{message}"
    );
    assert!(!message.contains("--outbox"), "{message}");
}

/// The intervals a batch of appends starts are counted in its transaction,
/// one statement for all: a key started twice in one batch counts twice (on
/// PostgreSQL one statement may not update a row twice), a window with no
/// limit counts nothing, a replay starts nothing, and the limit then holds.
async fn a_batch_counts_each_interval_it_starts(db: Db) {
    use common::appends::{new, proof_append};
    use consent_collector::store::{limits::Window, Appended};
    use sqlx::Row;
    let db = TestDb::new(db).await;
    let store = db.store().await;
    let keys = common::keys();
    let hour = Window { limit: 2, seconds: 3600 };
    let starting = |email: &str, key: &str, window: Window| {
        let mut append = proof_append(email);
        append.starts = vec![(key.to_string(), window)];
        append
    };
    let b = starting("b@example.org", "resend:b", hour);
    let b_again = b.clone();
    let batch = vec![
        starting("a@example.org", "resend:a", hour),
        starting("a@example.org", "resend:a", hour),
        b,
        starting("c@example.org", "resend:c", Window { limit: 0, seconds: 60 }),
    ];
    for outcome in store.append(batch, &keys.ring, chrono::Utc::now()).await.unwrap() {
        new(outcome);
    }
    let replayed = store.append(vec![b_again], &keys.ring, chrono::Utc::now()).await.unwrap();
    assert!(matches!(replayed[0], Appended::Replay(_)), "{replayed:?}");
    let counts: Vec<(String, i64)> = sqlx::query("SELECT key, count FROM rate_counters ORDER BY key")
        .fetch_all(store.sql_pool())
        .await
        .unwrap()
        .iter()
        .map(|row| (row.get("key"), row.get("count")))
        .collect();
    assert_eq!(counts, [("resend:a".to_string(), 2), ("resend:b".to_string(), 1)]);
    let now = chrono::Utc::now();
    assert!(!store.take_limit("resend:a", hour, now).await.unwrap(), "resend:a is full");
    assert!(store.take_limit("resend:b", hour, now).await.unwrap(), "resend:b has room");
}

mod shared_postgres {
    #[tokio::test]
    async fn two_collectors_share_the_limits_and_the_chain() {
        super::two_collectors_share_the_limits_and_the_chain().await
    }
}

on_both_backends!(
    forged_sign_ups_cannot_lock_a_person_out,
    a_batch_counts_each_interval_it_starts,
);
