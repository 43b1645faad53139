//! The HTTP API against a running collector: statuses, replay, receipts, links, limits.

#[macro_use]
mod common;

use common::{Db, TestDb, ORIGIN};
use consent_collector::ledger::keys::PublicKeys;
use consent_collector::ledger::receipt::EntryKind;
use reqwest::StatusCode;
use serde_json::{json, Value};

on_both_backends!(
    bad_input_gets_its_exact_status_and_stores_nothing,
    replay_returns_the_original_receipt_and_stores_nothing,
    links_are_single_use_and_expire,
    concurrent_submissions_are_each_committed_once,
);

/// A collector on `db` that writes mail to its outbox.
async fn collector(
    db: &TestDb,
    data: &tempfile::TempDir,
    tweak: impl FnOnce(&mut consent_collector::config::Settings),
) -> consent_collector::http::Running {
    let mut settings = common::settings(db, data.path());
    settings.outbox = Some(true);
    settings.max_body = Some(16 * 1024);
    tweak(&mut settings);
    common::start(settings).await
}

async fn post_raw(url: &str, body: &str, origin: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{url}/v1/proofs"))
        .header("origin", origin)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap()
}

async fn error_of(response: reqwest::Response) -> (StatusCode, String) {
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    // Messages start lowercase; field names inside keep their spelling (issuedAt).
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.starts_with(|c: char| c.is_lowercase())),
        "{body}"
    );
    (status, body["error"].as_str().unwrap().to_string())
}

fn parts(jws: &str) -> Vec<String> {
    jws.split('.').map(String::from).collect()
}

async fn bad_input_gets_its_exact_status_and_stores_nothing(db: Db) {
    let db = TestDb::new(db).await;
    let data = tempfile::tempdir().unwrap();
    let server = collector(&db, &data, |_| {}).await;
    let url = &server.url;
    let key = common::browser_key();
    let proof = common::consent("bad@example.org", "fr");
    let good = common::sign(&key, &proof);

    // Forged: a valid header and payload with another key's signature.
    let other = parts(&common::sign(&common::browser_key(), &proof));
    let mut forged = parts(&good);
    forged[2] = other[2].clone();
    // Tampered: the payload changed after signing (another address).
    let mut tampered = parts(&good);
    let mut changed = proof.clone();
    changed.subject.email = "mallory@example.org".into();
    tampered[1] = parts(&common::sign(&key, &changed))[1].clone();
    let mut foreign = common::consent("bad@example.org", "fr");
    foreign.site.origin = "https://evil.example".into();
    foreign.site.page = "https://evil.example/".into();
    let future = common::consent_at(
        "bad@example.org",
        "fr",
        chrono::Utc::now() + chrono::Duration::hours(1),
    );
    let stale = common::consent_at(
        "bad@example.org",
        "fr",
        chrono::Utc::now() - chrono::Duration::days(30),
    );

    let cases: Vec<(&str, String, &str, StatusCode, &str)> = vec![
        (
            "forged signature",
            json!({ "proof": forged.join(".") }).to_string(),
            ORIGIN,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_signature",
        ),
        (
            "tampered payload",
            json!({ "proof": tampered.join(".") }).to_string(),
            ORIGIN,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_signature",
        ),
        (
            "origin not allowed",
            json!({ "proof": common::sign(&key, &foreign) }).to_string(),
            "https://evil.example",
            StatusCode::FORBIDDEN,
            "origin_not_allowed",
        ),
        (
            "origin header differs",
            json!({ "proof": good }).to_string(),
            "https://evil.example",
            StatusCode::FORBIDDEN,
            "origin_mismatch",
        ),
        (
            "oversized body",
            json!({ "proof": "a".repeat(20 * 1024) }).to_string(),
            ORIGIN,
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
        ),
        (
            "malformed json",
            "{\"proof\": ".into(),
            ORIGIN,
            StatusCode::BAD_REQUEST,
            "malformed_json",
        ),
        (
            "not a jws",
            json!({ "proof": "abc" }).to_string(),
            ORIGIN,
            StatusCode::BAD_REQUEST,
            "malformed_proof",
        ),
        (
            "from the future",
            json!({ "proof": common::sign(&key, &future) }).to_string(),
            ORIGIN,
            StatusCode::UNPROCESSABLE_ENTITY,
            "clock_skew",
        ),
        (
            "too old",
            json!({ "proof": common::sign(&key, &stale) }).to_string(),
            ORIGIN,
            StatusCode::UNPROCESSABLE_ENTITY,
            "proof_expired",
        ),
    ];
    for (name, body, origin, status, code) in cases {
        let (got_status, got_code) = error_of(post_raw(url, &body, origin).await).await;
        assert_eq!((got_status, got_code.as_str()), (status, code), "{name}");
    }
    let mismatch = reqwest::Client::new()
        .post(format!("{url}/v1/proofs"))
        .header("origin", ORIGIN)
        .header("idempotency-key", common::record_id())
        .json(&json!({ "proof": good }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_of(mismatch).await,
        (StatusCode::BAD_REQUEST, "idempotency_key_mismatch".into())
    );

    let store = db.open().await;
    for table in ["entries", "texts", "tokens"] {
        assert_eq!(common::count(&store, table).await, 0, "{table}");
    }
    // The good proof is accepted afterwards: the failures above were about the input only.
    assert_eq!(
        common::post_proof(url, &good).await.status(),
        StatusCode::CREATED
    );
    server.stop().await.unwrap();
}

async fn replay_returns_the_original_receipt_and_stores_nothing(db: Db) {
    let db = TestDb::new(db).await;
    let data = tempfile::tempdir().unwrap();
    let server = collector(&db, &data, |_| {}).await;
    let key = common::browser_key();
    let proof = common::consent("replay@example.org", "en");
    let jws = common::sign(&key, &proof);
    let send = || {
        reqwest::Client::new()
            .post(format!("{}/v1/proofs", server.url))
            .header("origin", ORIGIN)
            .header("idempotency-key", &proof.id)
            .json(&json!({ "proof": jws }))
            .send()
    };
    let first = send().await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    assert_eq!(first["status"], "pending");
    let second = send().await.unwrap();
    assert_eq!(second.status(), StatusCode::OK);
    let second: Value = second.json().await.unwrap();
    assert_eq!(second["receipt"], first["receipt"]);
    assert_eq!(second["status"], "replay");

    // The receipt verifies with the published keys and states what was stored.
    let jwks = reqwest::get(format!("{}/.well-known/jwks.json", server.url))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let receipt = PublicKeys::from_jwks(&jwks)
        .unwrap()
        .verify_receipt(first["receipt"].as_str().unwrap())
        .unwrap();
    assert_eq!(receipt.entry, EntryKind::Proof);
    assert_eq!(
        receipt.proof,
        consent_collector::crypto::hash::sha256_hex(&jws)
    );
    assert_eq!(
        (receipt.seq, receipt.prev_chain.as_str()),
        (1, consent_collector::ledger::chain::GENESIS)
    );

    // Another proof under the same record id is a conflict, not a replay.
    let mut other = proof.clone();
    other.subject.email = "someone-else@example.org".into();
    let (status, code) =
        error_of(common::post_proof(&server.url, &common::sign(&key, &other)).await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::CONFLICT, "record_id_conflict")
    );

    let store = db.open().await;
    assert_eq!(common::count(&store, "entries").await, 1);
    assert_eq!(
        common::count(&store, "tokens").await,
        3,
        "one confirm, one unsubscribe and one preference token"
    );
    server.stop().await.unwrap();
}

async fn links_are_single_use_and_expire(db: Db) {
    let db = TestDb::new(db).await;
    let data = tempfile::tempdir().unwrap();
    let server = collector(&db, &data, |_| {}).await;
    let outbox = data.path().join("outbox");
    let key = common::browser_key();
    assert_eq!(
        common::post_proof(
            &server.url,
            &common::sign(&key, &common::consent("once@example.org", "fr"))
        )
        .await
        .status(),
        StatusCode::CREATED
    );
    let mail = common::wait_for_outbox(&outbox, "once@example.org").await;
    let store = db.open().await;

    // Opening the link, as a mail scanner does, shows what it confirms and a
    // button, in the subscriber's language; nothing is recorded or used up.
    for _ in 0..2 {
        let (status, html) = common::open_link(&mail.confirm_url).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            html.contains("<html lang=\"fr\">")
                && html.contains("<h1>Confirmer votre inscription</h1>"),
            "{html}"
        );
        assert!(html.contains("Boutique Exemple SAS"), "{html}");
        assert!(
            html.contains(
                "<li>J&#39;accepte de recevoir la newsletter « Les nouveautés » par e-mail.</li>"
            ),
            "{html}"
        );
        assert!(
            html.contains("<button type=\"submit\">Confirmer mon inscription</button>"),
            "{html}"
        );
        assert!(
            !html.contains("partenaires"),
            "a refused purpose is not listed: {html}"
        );
    }
    assert_eq!(
        common::count(&store, "entries").await,
        1,
        "a GET records nothing"
    );

    let first = common::press(&mail.confirm_url).await;
    assert_eq!(first.status(), StatusCode::OK);
    common::assert_link_page_headers(&first);
    let first = first.text().await.unwrap();
    assert!(
        first.contains("Inscription confirmée") && first.contains("Boutique Exemple SAS"),
        "{first}"
    );
    assert!(!first.contains("<form"), "{first}");
    assert_eq!(common::count(&store, "entries").await, 2);
    // Used: the subscription is confirmed, and the page says so, by GET or POST.
    let reused = common::press(&mail.confirm_url).await;
    assert_eq!(reused.status(), StatusCode::OK);
    assert!(reused
        .text()
        .await
        .unwrap()
        .contains("Inscription déjà confirmée"));
    let (status, html) = common::open_link(&mail.confirm_url).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Inscription déjà confirmée") && !html.contains("<form"),
        "{html}"
    );

    // An unknown link speaks the reader's language, English (the fallback) when none is given.
    let unknown = format!("{}/v1/confirm?token=nope", server.url);
    let (status, html) = common::open_link(&unknown).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        html.contains("<html lang=\"en\">") && html.contains("Unknown link"),
        "{html}"
    );
    let reader = |accept: &'static str| {
        let unknown = unknown.clone();
        async move {
            let page = reqwest::Client::new().get(&unknown).header("accept-language", accept).send().await.unwrap();
            assert_eq!(page.status(), StatusCode::NOT_FOUND);
            let language = page.headers()["content-language"].to_str().unwrap().to_string();
            (language, page.text().await.unwrap())
        }
    };
    let (language, german) = reader("de-DE, en-GB;q=0.8, fr;q=0.5").await;
    assert!(
        language == "de" && german.contains("<html lang=\"de\">") && german.contains("Unbekannter Link"),
        "{language} {german}"
    );
    // A language with no catalog gives way to the next one listed.
    let (language, french) = reader("ja, fr-CA;q=0.8, en;q=0.5").await;
    assert!(
        language == "fr" && french.contains("<html lang=\"fr\">") && french.contains("Lien inconnu"),
        "{language} {french}"
    );
    assert_eq!(
        common::press(&unknown).await.status(),
        StatusCode::NOT_FOUND
    );
    // An unsubscribe token does not confirm.
    let crossed = mail
        .unsubscribe_url
        .replace("/v1/unsubscribe", "/v1/confirm");
    assert_eq!(common::open_link(&crossed).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        common::press(&crossed).await.status(),
        StatusCode::NOT_FOUND
    );
    server.stop().await.unwrap();

    // A collector whose confirm links expire after a second (the shortest
    // lifetime that leaves room for a retry delay: --mail-retry is at least 1s).
    let server = collector(&db, &data, |s| {
        s.token_ttl = Some("1s".into());
        s.mail_retry = Some("1s".into());
    })
    .await;
    assert_eq!(
        common::post_proof(
            &server.url,
            &common::sign(&key, &common::consent("late@example.org", "en"))
        )
        .await
        .status(),
        StatusCode::CREATED
    );
    let mail = common::wait_for_outbox(&outbox, "late@example.org").await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (status, html) = common::open_link(&mail.confirm_url).await;
    assert_eq!(status, StatusCode::GONE);
    assert!(
        html.contains("Link expired") && !html.contains("<form"),
        "{html}"
    );
    let expired = common::press(&mail.confirm_url).await;
    assert_eq!(expired.status(), StatusCode::GONE);
    assert!(expired.text().await.unwrap().contains("Link expired"));
    server.stop().await.unwrap();

    // Two proofs and one confirmation: the reused, unknown and expired links stored nothing.
    let store = db.open().await;
    assert_eq!(common::count(&store, "entries").await, 3);
}

#[tokio::test]
async fn limits_per_network_and_per_address() {
    let db = TestDb::new(Db::Sqlite).await;
    let data = tempfile::tempdir().unwrap();
    let server = collector(&db, &data, |s| {
        s.rate_ip = Some(3);
        s.rate_email = Some(1);
    })
    .await;
    let key = common::browser_key();
    let post_proof = |proof: consent_proof::Proof| {
        let jws = common::sign(&key, &proof);
        let url = server.url.clone();
        async move { common::post_proof(&url, &jws).await }
    };
    let post = |email: &str| post_proof(common::consent(email, "fr"));
    assert_eq!(post("x@example.org").await.status(), StatusCode::CREATED);
    // Same address again, with a purpose that needs a second confirmation
    // mail: stored and pending, but the address had its one mail this hour.
    // (The same sign-up again would re-send the first, within the same
    // limits: see the state table.)
    let again = post_proof(granting_partners("X@Example.org")).await;
    assert_eq!(again.status(), StatusCode::CREATED);
    let again: Value = again.json().await.unwrap();
    assert_eq!(
        (again["status"].as_str(), again["mail"].as_str()),
        (Some("pending"), Some("limit_reached"))
    );
    assert_eq!(post("y@example.org").await.status(), StatusCode::CREATED);
    // Fourth submission from this network in the minute.
    let (status, _) = error_of(post("z@example.org").await).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(common::count(&db.open().await, "entries").await, 3);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_replay_is_answered_over_the_mail_limit_and_uses_none_of_it() {
    let db = TestDb::new(Db::Sqlite).await;
    let data = tempfile::tempdir().unwrap();
    let server = collector(&db, &data, |s| {
        s.rate_email = Some(1);
        s.resend_after = Some("0s".into());
    })
    .await;
    let key = common::browser_key();
    let first = common::sign(&key, &common::consent("r@example.org", "en"));
    assert_eq!(
        common::post_proof(&server.url, &first).await.status(),
        StatusCode::CREATED
    );
    // Retries, each found in the append's batch: no mail, so no allowance used.
    for _ in 0..3 {
        assert_eq!(
            common::post_proof(&server.url, &first).await.status(),
            StatusCode::OK
        );
    }
    // The allowance is used up now (a new purpose would need a second mail):
    // stored without mail, never refused; a retry of the first is still answered.
    let second = common::sign(&key, &granting_partners("r@example.org"));
    let answer: Value = common::post_proof(&server.url, &second)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(answer["mail"], "limit_reached", "{answer}");
    assert_eq!(
        common::post_proof(&server.url, &first).await.status(),
        StatusCode::OK
    );
    assert_eq!(common::count(&db.open().await, "entries").await, 2);
    server.stop().await.unwrap();
}

/// The fixture's sign-up with its refused purpose (`partners`) ticked too.
fn granting_partners(email: &str) -> consent_proof::Proof {
    let mut proof = common::consent(email, "en");
    proof.purposes[1].choice = consent_proof::Choice::Granted;
    proof
}

#[tokio::test]
async fn cors_admits_only_the_allowed_origins() {
    let db = TestDb::new(Db::Sqlite).await;
    let data = tempfile::tempdir().unwrap();
    let server = collector(&db, &data, |_| {}).await;
    let preflight = |origin: &'static str| {
        reqwest::Client::new()
            .request(
                reqwest::Method::OPTIONS,
                format!("{}/v1/proofs", server.url),
            )
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "content-type,idempotency-key",
            )
            .send()
    };
    let allowed = preflight(ORIGIN).await.unwrap();
    assert_eq!(allowed.headers()["access-control-allow-origin"], ORIGIN);
    assert!(allowed.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .contains("idempotency-key"));
    let refused = preflight("https://evil.example").await.unwrap();
    assert!(refused
        .headers()
        .get("access-control-allow-origin")
        .is_none());
    server.stop().await.unwrap();
}

#[tokio::test]
async fn demo_serves_the_storefront_the_widget_and_the_outbox() {
    let db = TestDb::empty(Db::Sqlite).await;
    let data = tempfile::tempdir().unwrap();
    let site = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(site.path().join("www")).unwrap();
    std::fs::create_dir_all(site.path().join("pkg")).unwrap();
    // The storefront's page, with the demo's widget configuration in it:
    // the demo registers that form at start.
    let index = format!(
        "<h1>Boutique</h1><script type=\"application/json\" id=\"signup-config\">{}</script>",
        common::widget::demo_config()
    );
    std::fs::write(site.path().join("www/index.html"), &index).unwrap();
    std::fs::write(
        site.path().join("pkg/consent_widget.js"),
        "export default 1;",
    )
    .unwrap();
    let settings = consent_collector::config::Settings {
        listen: Some("127.0.0.1:0".into()),
        database: Some(db.url.clone()),
        data_dir: Some(data.path().to_path_buf()),
        www: Some(site.path().join("www")),
        pkg: Some(site.path().join("pkg")),
        ..Default::default()
    };
    // Demo: no key, no SMTP, no origin list given; all defaulted.
    let server = consent_collector::http::start(settings.resolve(true).unwrap())
        .await
        .unwrap();
    let get = |path: &str| reqwest::get(format!("{}{path}", server.url));
    assert_eq!(get("/").await.unwrap().text().await.unwrap(), index);
    assert_eq!(
        get("/pkg/consent_widget.js")
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "export default 1;"
    );
    // The demo accepts proofs of its own form from its own origin.
    let page = common::widget::Page::demo(&server.url, "en");
    let proof = page.consent("demo@example.org", "", &["newsletter"], None);
    let response = reqwest::Client::new()
        .post(format!("{}/v1/proofs", server.url))
        .header("origin", &server.url)
        .json(&json!({ "proof": common::sign(&common::browser_key(), &proof) }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let mail = common::wait_for_outbox(&data.path().join("outbox"), "demo@example.org").await;
    let page = get("/outbox").await.unwrap().text().await.unwrap();
    assert!(
        page.contains("demo@example.org") && page.contains(&mail.confirm_url.replace('&', "&amp;")),
        "{page}"
    );
    assert!(page.contains(&format!("/outbox/{}", mail.file)), "{page}");
    let eml = get(&format!("/outbox/{}", mail.file))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(Some(&eml), mail.message.as_ref());
    common::assert_mime_with_message_id(&eml, "localhost");
    assert!(
        eml.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"),
        "{eml}"
    );
    assert_eq!(
        get(&mail.confirm_url.replace(&server.url, ""))
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    assert!(
        data.path().join("keys").read_dir().unwrap().count() == 1,
        "the demo made its key"
    );
    server.stop().await.unwrap();
}

#[tokio::test]
async fn raw_jose_bodies_and_forwarded_clients_behind_a_trusted_proxy() {
    let db = TestDb::new(Db::Sqlite).await;
    let data = tempfile::tempdir().unwrap();
    let server = collector(&db, &data, |s| {
        s.trusted_proxies = Some("127.0.0.1, 10.0.0.0/8".into());
        s.rate_ip = Some(1);
    })
    .await;
    let key = common::browser_key();
    let post = |client_ip: &'static str, email: &str| {
        let jws = common::sign(&key, &common::consent(email, "fr"));
        let url = server.url.clone();
        async move {
            // The compact JWS as the whole body, as `application/jose` allows.
            reqwest::Client::new()
                .post(format!("{url}/v1/proofs"))
                .header("origin", ORIGIN)
                .header("content-type", "application/jose")
                .header("x-forwarded-for", format!("{client_ip}, 10.0.0.1"))
                .body(jws)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    // One per client network per minute: the proxy's own address does not count.
    assert_eq!(
        post("198.51.100.7", "p@example.org").await,
        StatusCode::CREATED
    );
    assert_eq!(
        post("203.0.113.9", "q@example.org").await,
        StatusCode::CREATED
    );
    assert_eq!(
        post("198.51.100.200", "r@example.org").await,
        StatusCode::TOO_MANY_REQUESTS
    );

    // The confirmation records the client network, truncated, never the address.
    let mail = common::wait_for_outbox(&data.path().join("outbox"), "p@example.org").await;
    let confirmed = reqwest::Client::new()
        .post(&mail.confirm_url)
        .header("x-forwarded-for", "192.0.2.77")
        .send()
        .await
        .unwrap();
    assert_eq!(confirmed.status(), StatusCode::OK);
    let store = db.store().await;
    let event: Value =
        serde_json::from_str(&store.entry(3).await.unwrap().unwrap().body.unwrap()).unwrap();
    assert_eq!(
        (event["type"].as_str(), event["ip"].as_str()),
        (Some("confirmed"), Some("192.0.2.0/24"))
    );
    server.stop().await.unwrap();
}

async fn concurrent_submissions_are_each_committed_once(db: Db) {
    let db = TestDb::new(db).await;
    let data = tempfile::tempdir().unwrap();
    let server = collector(&db, &data, |s| {
        s.rate_ip = Some(0);
        s.rate_email = Some(0);
        s.resend_after = Some("0s".into());
    })
    .await;
    // Forty at once, each sent twice: the appender may batch them; every one is stored once.
    let key = common::browser_key();
    let jws: Vec<String> = (0..40)
        .map(|i| common::sign(&key, &common::consent(&format!("c{i}@example.org"), "en")))
        .collect();
    let tasks: Vec<_> = jws
        .iter()
        .chain(jws.iter())
        .map(|j| {
            let (url, j) = (server.url.clone(), j.clone());
            tokio::spawn(async move { common::post_proof(&url, &j).await.status() })
        })
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::CREATED)
            .count(),
        40,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == StatusCode::OK).count(),
        40,
        "{statuses:?}"
    );
    let keys = consent_collector::ledger::keys::Keyring::load(&data.path().join("keys")).unwrap();
    let report =
        consent_collector::audit::verify_log::verify_log(db.store().await.as_ref(), &keys.public())
            .await
            .unwrap();
    assert_eq!(report.entries, 40);
    // Stopping sends what the mail queue still holds: one confirmation per
    // stored proof (none for the replays), each with its own link.
    server.stop().await.unwrap();
    let mails = consent_collector::mail::outbox_items(&data.path().join("outbox")).unwrap();
    let mut to: Vec<&str> = mails.iter().map(|m| m.to.as_str()).collect();
    to.sort_unstable();
    to.dedup();
    assert_eq!((mails.len(), to.len()), (40, 40), "{to:?}");
    // Sent mail leaves nothing waiting in the database.
    assert_eq!(common::count(&db.open().await, "pending_mail").await, 0);
    for mail in &mails {
        let message = mail.message.as_deref().unwrap();
        assert!(
            message.contains(&format!("To: {}", mail.to))
                && message.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"),
            "{message}"
        );
    }
}
