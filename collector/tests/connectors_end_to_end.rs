//! A real collector (HTTP, real SMTP, real database) with every connector
//! pointed at local tools: sign up, confirm by the mailed link, and each tool
//! holds the subscriber at the right opt-in level; unsubscribe by the link,
//! and each tool has them unsubscribed; a tool's own unsubscribe webhook
//! reaches the chain and the other tools, not the tool that sent it.

mod common;
mod tools;

use consent_collector::connectors::config::ConnectorsConfig;
use consent_collector::connectors::webhook::public_key;
use consent_collector::store::Store;
use reqwest::StatusCode;

use common::{eventually, Db, TestDb};

const WHSEC: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

struct Tools {
    shopify: tools::Tool<tools::shopify::Data>,
    klaviyo: tools::Tool<tools::klaviyo::Data>,
    mailchimp: tools::Tool<tools::mailchimp::Data>,
    brevo: tools::Tool<tools::brevo::Data>,
}

/// The `[connectors]` section for these tools; secrets in variables named `<prefix>_...`.
fn section(t: &Tools, receiver: &str, prefix: &str) -> ConnectorsConfig {
    for (var, value) in [
        ("SHOPIFY", "shpat_e2e"),
        ("SHOPIFY_HOOK", "shopify-client-secret"),
        ("KLAVIYO", "pk_e2e"),
        ("MAILCHIMP", "mc-key-us6"),
        ("MAILCHIMP_HOOK", "mc-hook-secret"),
        ("BREVO", "xkeysib-e2e"),
        ("HOOK", WHSEC),
    ] {
        std::env::set_var(format!("{prefix}_{var}"), value);
    }
    toml::from_str(&format!(
        r#"
        timeout = "2s"
        retry-first = "200ms"
        [[webhook]]
        name = "crm"
        url = "{receiver}"
        sign = "both"
        secret-env = "{prefix}_HOOK"
        [shopify]
        base-url = "{}"
        token-env = "{prefix}_SHOPIFY"
        webhook-secret-env = "{prefix}_SHOPIFY_HOOK"
        [klaviyo]
        base-url = "{}"
        private-key-env = "{prefix}_KLAVIYO"
        list = "Y6nRLr"
        [mailchimp]
        base-url = "{}"
        api-key-env = "{prefix}_MAILCHIMP"
        list = "L1"
        marketing-permissions = {{ newsletter = "perm-news" }}
        webhook-secret-env = "{prefix}_MAILCHIMP_HOOK"
        [brevo]
        base-url = "{}"
        api-key-env = "{prefix}_BREVO"
        lists = [7]
        "#,
        t.shopify.url, t.klaviyo.url, t.mailchimp.url, t.brevo.url
    ))
    .unwrap()
}

async fn tools() -> Tools {
    Tools {
        shopify: tools::shopify::start("shpat_e2e", "2025-10").await,
        klaviyo: tools::klaviyo::start("pk_e2e", &["Y6nRLr"]).await,
        mailchimp: tools::mailchimp::start("mc-key-us6", "L1", &["perm-news"]).await,
        brevo: tools::brevo::start("xkeysib-e2e", &[7], &[]).await,
    }
}

/// Signs up `email` through the HTTP API and returns its mailed links.
async fn sign_up(url: &str, email: &str) -> (String, String) {
    let key = common::browser_key();
    let response =
        common::post_proof(url, &common::sign(&key, &common::consent(email, "fr"))).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let mail = common::wait_for_mail(email).await;
    (
        common::link(&mail, &format!("{url}/v1/confirm?token=")),
        common::link(&mail, &format!("{url}/v1/unsubscribe?token=")),
    )
}

#[tokio::test]
async fn confirm_then_unsubscribe_reaches_every_tool() {
    let t = tools().await;
    let key = common::keys();
    let receiver = tools::receiver::start(&public_key(key.ring.active_signing_key()), WHSEC);
    let db = TestDb::new(Db::Sqlite).await;
    let mut settings = common::settings(&db, key.dir.path());
    settings.connectors = Some(section(&t, &receiver.url, "E2E_A"));
    let server = common::start(settings).await;

    let email = format!(
        "ada.{}@example.com",
        &consent_collector::crypto::tokens::new_token().1[..8]
    );
    let (confirm, unsubscribe) = sign_up(&server.url, &email).await;
    // The same sign-up again, from a stranger's key: still no confirmation.
    let again = common::sign(&common::browser_key(), &common::consent(&email, "fr"));
    let answer: serde_json::Value = common::post_proof(&server.url, &again).await.json().await.unwrap();
    assert_eq!(answer["status"], "pending", "{answer}");
    // Nothing reaches a tool before the confirmation.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(t.shopify.received().is_empty() && t.mailchimp.received().is_empty());
    assert!(receiver.events().is_empty());

    assert_eq!(common::follow_link(&confirm).await.status(), StatusCode::OK);
    let customer = eventually("Shopify has the customer subscribed", || async {
        t.shopify
            .customer(&email)
            .filter(|c| c.sms_consent.is_some())
    })
    .await;
    let (state, level, at) = customer.email_consent.unwrap();
    assert_eq!(
        (state.as_str(), level.as_deref()),
        ("SUBSCRIBED", Some("CONFIRMED_OPT_IN"))
    );
    assert_eq!(customer.sms_consent.unwrap().0, "SUBSCRIBED");
    let member = eventually("Mailchimp", || async { t.mailchimp.member(&email) }).await;
    assert_eq!(
        (member.status.as_str(), member.permissions["perm-news"]),
        ("subscribed", true)
    );
    assert_eq!(member.fields["language"], "fr");
    // The evidence: the sign-up's and the click's networks (both from
    // this test's loopback), and their times.
    assert_eq!(
        (member.fields["ip_signup"].as_str(), member.fields["ip_opt"].as_str()),
        (Some("127.0.0.0"), Some("127.0.0.0")),
        "{}",
        member.fields
    );
    assert!(member.fields["timestamp_signup"].is_string() && member.fields["timestamp_opt"].is_string());
    let profile = eventually("Klaviyo", || async { t.klaviyo.profile(&email) }).await;
    assert_eq!(profile.consent["email"].0, "SUBSCRIBED");
    let contact = eventually("Brevo", || async { t.brevo.contact(&email) }).await;
    assert!(!contact.email_blacklisted && contact.lists.contains(&7));
    let events = eventually("the signed webhook", || async {
        Some(receiver.events()).filter(|e| !e.is_empty())
    })
    .await;
    let data = &events[0]["event"]["data"];
    assert_eq!(
        (data["state"].as_str(), data["optIn"].as_str()),
        (Some("confirmed"), Some("confirmed"))
    );
    // consentUpdatedAt is the confirmation's time in the log, as its receipt says.
    let seq = data["evidence"]["seq"].as_i64().unwrap();
    let entry = server_store(&db).await.entry(seq).await.unwrap().unwrap();
    assert_eq!(entry.kind, "confirmation");
    assert_eq!(at.as_deref(), Some(entry.received_at.as_str()));
    assert_eq!(data["evidence"]["receipt"], entry.receipt.as_str());
    assert!(
        data["evidence"]["proof"]
            .as_str()
            .unwrap()
            .split('.')
            .count()
            == 3,
        "the proof JWS travels with it"
    );

    assert_eq!(
        common::follow_link(&unsubscribe).await.status(),
        StatusCode::OK
    );
    eventually("Shopify unsubscribed", || async {
        t.shopify
            .customer(&email)
            .filter(|c| c.email_consent.as_ref().unwrap().0 == "UNSUBSCRIBED")
    })
    .await;
    eventually("Mailchimp unsubscribed", || async {
        t.mailchimp
            .member(&email)
            .filter(|m| m.status == "unsubscribed")
    })
    .await;
    eventually("Klaviyo unsubscribed", || async {
        t.klaviyo
            .profile(&email)
            .filter(|p| p.consent["email"].0 == "UNSUBSCRIBED")
    })
    .await;
    eventually("Brevo blacklisted", || async {
        t.brevo.contact(&email).filter(|c| c.email_blacklisted)
    })
    .await;
    eventually("webhook withdrawn", || async {
        (receiver.events().len() == 2).then_some(())
    })
    .await;
    assert_eq!(
        receiver.events()[1]["event"]["data"]["source"],
        "unsubscribe-link"
    );
    server.stop().await.unwrap();
}

/// The connectors a log entry's change was queued for.
async fn handoffs(db: &TestDb, seq: i64) -> Vec<String> {
    use sqlx::Row;
    let store = db.open().await;
    sqlx::query("SELECT connector FROM handoffs WHERE entry_seq = $1 ORDER BY connector")
        .bind(seq)
        .fetch_all(store.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<String, _>("connector"))
        .collect()
}

async fn server_store(db: &TestDb) -> consent_collector::store::SqlStore {
    db.open().await
}

#[tokio::test]
async fn a_tool_unsubscribe_reaches_the_chain_and_the_other_tools() {
    let t = tools().await;
    let key = common::keys();
    let receiver = tools::receiver::start(&public_key(key.ring.active_signing_key()), WHSEC);
    let db = TestDb::new(Db::Postgres).await;
    let mut settings = common::settings(&db, key.dir.path());
    settings.connectors = Some(section(&t, &receiver.url, "E2E_B"));
    let server = common::start(settings).await;
    let http = reqwest::Client::new();

    let mc = format!(
        "mc.{}@example.com",
        &consent_collector::crypto::tokens::new_token().1[..8]
    );
    let (confirm, _) = sign_up(&server.url, &mc).await;
    common::follow_link(&confirm).await;
    eventually("everyone has the subscriber", || async {
        t.shopify
            .customer(&mc)
            .and(t.brevo.contact(&mc))
            .and(t.mailchimp.member(&mc))
    })
    .await;
    // Mailchimp's webhook: its URL check, a wrong secret, then the unsubscribe.
    assert_eq!(
        http.get(format!("{}/v1/connectors/mailchimp", server.url))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let body = tools::mailchimp::unsubscribe_webhook("L1", &mc);
    let post = |secret: &str| {
        http.post(format!(
            "{}/v1/connectors/mailchimp?secret={secret}",
            server.url
        ))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.clone())
        .send()
    };
    let refused = post("guess").await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        refused.json::<serde_json::Value>().await.unwrap()["error"],
        "bad_signature"
    );
    let answer: serde_json::Value = post("mc-hook-secret").await.unwrap().json().await.unwrap();
    assert_eq!(answer["recorded"], true);
    let entry = db
        .open()
        .await
        .entry(answer["seq"].as_i64().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(entry.kind, "withdrawal");
    assert!(
        entry.body.unwrap().contains(r#""via":"mailchimp""#),
        "marked with its source"
    );
    eventually("Shopify told", || async {
        t.shopify
            .customer(&mc)
            .filter(|c| c.email_consent.as_ref().unwrap().0 == "UNSUBSCRIBED")
    })
    .await;
    eventually("Brevo told", || async {
        t.brevo.contact(&mc).filter(|c| c.email_blacklisted)
    })
    .await;
    eventually("Klaviyo told", || async {
        t.klaviyo
            .profile(&mc)
            .filter(|p| p.consent["email"].0 == "UNSUBSCRIBED")
    })
    .await;
    eventually("webhook told", || async {
        receiver
            .events()
            .iter()
            .any(|e| e["event"]["data"]["source"] == "mailchimp")
            .then_some(())
    })
    .await;
    assert_eq!(
        t.mailchimp.member(&mc).unwrap().writes,
        1,
        "Mailchimp is not told back its own news"
    );
    assert_eq!(
        handoffs(&db, answer["seq"].as_i64().unwrap()).await,
        ["brevo", "klaviyo", "shopify", "webhook-crm"]
    );

    // Shopify's consent webhook, HMAC-signed with the app's client secret.
    let sh = format!(
        "sh.{}@example.com",
        &consent_collector::crypto::tokens::new_token().1[..8]
    );
    let (confirm, _) = sign_up(&server.url, &sh).await;
    common::follow_link(&confirm).await;
    eventually("Mailchimp has it", || async { t.mailchimp.member(&sh) }).await;
    let (headers, body) =
        tools::shopify::consent_webhook(b"shopify-client-secret", &sh, "unsubscribed");
    let send = |secret_ok: bool| {
        let mut request = http
            .post(format!("{}/v1/connectors/shopify", server.url))
            .body(body.clone());
        for (k, v) in &headers {
            request = request.header(
                *k,
                if *k == "x-shopify-hmac-sha256" && !secret_ok {
                    "AAAA".to_string()
                } else {
                    v.clone()
                },
            );
        }
        request.send()
    };
    assert_eq!(
        send(false).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    let answer: serde_json::Value = send(true).await.unwrap().json().await.unwrap();
    assert_eq!(answer["recorded"], true);
    eventually("Mailchimp told", || async {
        t.mailchimp
            .member(&sh)
            .filter(|m| m.status == "unsubscribed")
    })
    .await;
    assert_eq!(
        handoffs(&db, answer["seq"].as_i64().unwrap()).await,
        ["brevo", "klaviyo", "mailchimp", "webhook-crm"],
        "Shopify is not told back its own news"
    );
    server.stop().await.unwrap();
}
