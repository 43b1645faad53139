//! Each connector against a local server enforcing its tool's documented
//! contract: what the tool ends up holding, its errors, 429 with
//! Retry-After, 5xx, timeouts, and a retry after a lost answer that doubles
//! nothing.

mod tools;

use consent_collector::connectors;
use std::collections::BTreeMap;
use std::time::Duration;

use connectors::{
    Change, Channel, Connector, Evidence, Failure, Handoff, OptIn, Purpose, Source, State,
};
use tools::Fault;

fn change(state: State, email: &str, purposes: &[(&str, Channel)]) -> Change {
    Change {
        state,
        opt_in: Some(OptIn::Confirmed),
        source: Source::ConfirmLink,
        email: email.into(),
        phone: purposes
            .iter()
            .any(|p| p.1 == Channel::Sms)
            .then(|| "+33612345678".to_string()),
        purposes: purposes
            .iter()
            .map(|(id, channel)| Purpose {
                id: id.to_string(),
                channel: *channel,
            })
            .collect(),
        locale: Some("fr-FR".into()),
        consented_at: Some("2026-12-01T10:00:00.000Z".into()),
        consent_ip: Some("203.0.113.0".into()),
        confirmed_at: Some("2026-12-01T10:05:00.000Z".into()),
        confirm_ip: Some("198.51.100.0".into()),
        at: if state == State::Confirmed {
            "2026-12-01T10:05:00.000Z".into()
        } else {
            "2026-12-01T11:00:00.000Z".into()
        },
        evidence: Evidence {
            record_id: Some("rec-1".into()),
            seq: 2,
            receipt: "eyJ...".into(),
            ..Default::default()
        },
    }
}

fn handoff(seq: i64, connector: &str, change: Change) -> Handoff {
    Handoff {
        id: format!("{seq}-{connector}"),
        entry_seq: seq,
        connector: connector.into(),
        change,
        attempts: 1,
    }
}

fn client() -> reqwest::Client {
    connectors::http::client(Duration::from_millis(700))
}

const NEWS: (&str, Channel) = ("newsletter", Channel::Email);
const SMS: (&str, Channel) = ("sms", Channel::Sms);

#[tokio::test]
async fn shopify_subscribes_confirmed_opt_in_then_unsubscribes() {
    let tool = tools::shopify::start("shpat_test", "2025-10").await;
    let shop =
        connectors::shopify::Shopify::new(&tool.url, "2025-10", "shpat_test".into(), client());
    shop.deliver(&handoff(
        2,
        "shopify",
        change(State::Confirmed, "ada@example.com", &[NEWS, SMS]),
    ))
    .await
    .unwrap();
    let c = tool.customer("ada@example.com").unwrap();
    assert_eq!(
        c.email_consent,
        Some((
            "SUBSCRIBED".into(),
            Some("CONFIRMED_OPT_IN".into()),
            Some("2026-12-01T10:05:00.000Z".into())
        ))
    );
    assert_eq!(
        c.sms_consent.as_ref().map(|s| s.0.as_str()),
        Some("SUBSCRIBED")
    );
    assert_eq!(c.phone.as_deref(), Some("+33612345678"));

    let mut single = change(State::Confirmed, "bob@example.com", &[NEWS]);
    single.opt_in = Some(OptIn::Single);
    shop.deliver(&handoff(3, "shopify", single)).await.unwrap();
    assert_eq!(
        tool.customer("bob@example.com")
            .unwrap()
            .email_consent
            .unwrap()
            .1
            .as_deref(),
        Some("SINGLE_OPT_IN")
    );

    shop.deliver(&handoff(
        4,
        "shopify",
        change(State::Withdrawn, "ada@example.com", &[NEWS]),
    ))
    .await
    .unwrap();
    let c = tool.customer("ada@example.com").unwrap();
    assert_eq!(c.email_consent.unwrap().0, "UNSUBSCRIBED");
    assert_eq!(
        c.sms_consent.unwrap().0,
        "SUBSCRIBED",
        "an e-mail withdrawal leaves SMS alone"
    );
    // Every request carried the token and went to the versioned path.
    assert!(tool
        .received()
        .iter()
        .all(|r| r.path == "/admin/api/2025-10/graphql.json" && r.method == "POST"));
}

#[tokio::test]
async fn shopify_refusals_retries_and_a_lost_create() {
    let tool = tools::shopify::start("shpat_test", "2025-10").await;
    let wrong =
        connectors::shopify::Shopify::new(&tool.url, "2025-10", "shpat_wrong".into(), client());
    let h = handoff(
        2,
        "shopify",
        change(State::Confirmed, "ada@example.com", &[NEWS]),
    );
    let err = wrong.deliver(&h).await.unwrap_err();
    assert!(
        matches!(&err, Failure::Retry { .. }) && err.message().contains("HTTP 401"),
        "{err:?}"
    );
    assert!(
        !err.message().contains("shpat_wrong"),
        "the token never reaches an error"
    );

    let shop =
        connectors::shopify::Shopify::new(&tool.url, "2025-10", "shpat_test".into(), client());
    tool.state.lock().unwrap().data.throttle_next = true;
    match shop.deliver(&h).await.unwrap_err() {
        Failure::Retry { after, error } => {
            assert!(error.contains("THROTTLED"), "{error}");
            assert!(
                after.is_some_and(|d| d >= Duration::from_secs(1)),
                "throttle status gives the wait: {after:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    tool.fault(Fault::Unavailable);
    let err = shop.deliver(&h).await.unwrap_err();
    assert!(
        matches!(&err, Failure::Retry { .. }) && err.message().contains("HTTP 503"),
        "{err:?}"
    );
    shop.deliver(&h).await.unwrap();
    assert_eq!(tool.with(|d| d.creates), 1);
}

#[tokio::test]
async fn shopify_create_whose_answer_is_lost_is_not_doubled() {
    let tool = tools::shopify::start("shpat_test", "2025-10").await;
    let shop =
        connectors::shopify::Shopify::new(&tool.url, "2025-10", "shpat_test".into(), client());
    let h = handoff(
        2,
        "shopify",
        change(State::Confirmed, "eve@example.com", &[NEWS]),
    );
    // 1st request (find) fine; 2nd (create) applied then answered too late.
    tool.state.lock().unwrap().faults.extend([
        Fault::HangAfter(Duration::ZERO),
        Fault::HangAfter(Duration::from_secs(3)),
    ]);
    let err = shop.deliver(&h).await.unwrap_err();
    assert!(err.message().contains("timed out"), "{err:?}");
    shop.deliver(&h).await.unwrap();
    assert_eq!(
        tool.with(|d| d.creates),
        1,
        "one customer, however many attempts"
    );
    assert_eq!(
        tool.customer("eve@example.com")
            .unwrap()
            .email_consent
            .unwrap()
            .0,
        "SUBSCRIBED"
    );
}

#[tokio::test]
async fn klaviyo_subscribes_with_the_log_time_and_unsubscribes() {
    let tool = tools::klaviyo::start("pk_test", &["Y6nRLr"]).await;
    let k = |historical| {
        connectors::klaviyo::Klaviyo::new(
            tool.url.clone(),
            "pk_test".into(),
            "2025-01-15".into(),
            Some("Y6nRLr".into()),
            historical,
            client(),
        )
    };
    k(true)
        .deliver(&handoff(
            2,
            "klaviyo",
            change(State::Confirmed, "ada@example.com", &[NEWS, SMS]),
        ))
        .await
        .unwrap();
    let p = tool.profile("ada@example.com").unwrap();
    assert_eq!(
        p.consent["email"],
        ("SUBSCRIBED".into(), Some("2026-12-01T10:05:00.000Z".into()))
    );
    assert_eq!(p.consent["sms"].0, "SUBSCRIBED");
    assert!(p.lists.contains("Y6nRLr"));
    // Without historical_import, the consent time is Klaviyo's own.
    k(false)
        .deliver(&handoff(
            3,
            "klaviyo",
            change(State::Confirmed, "bob@example.com", &[NEWS]),
        ))
        .await
        .unwrap();
    assert_eq!(
        tool.profile("bob@example.com").unwrap().consent["email"].1,
        None
    );

    k(true)
        .deliver(&handoff(
            4,
            "klaviyo",
            change(State::Withdrawn, "ada@example.com", &[NEWS]),
        ))
        .await
        .unwrap();
    assert_eq!(
        tool.profile("ada@example.com").unwrap().consent["email"].0,
        "UNSUBSCRIBED"
    );
    let r = tool.received();
    assert!(r.iter().all(|r| r.headers["revision"] == "2025-01-15"
        && r.headers["authorization"] == "Klaviyo-API-Key pk_test"));
    assert_eq!(
        r.last().unwrap().path,
        "/api/profile-subscription-bulk-delete-jobs"
    );
}

#[tokio::test]
async fn klaviyo_429_honours_retry_after_and_5xx_retries() {
    let tool = tools::klaviyo::start("pk_test", &[]).await;
    let k = connectors::klaviyo::Klaviyo::new(
        tool.url.clone(),
        "pk_test".into(),
        "2025-01-15".into(),
        None,
        true,
        client(),
    );
    let h = handoff(
        2,
        "klaviyo",
        change(State::Confirmed, "ada@example.com", &[NEWS]),
    );
    tool.fault(Fault::TooMany(7));
    assert_eq!(k.deliver(&h).await.unwrap_err(), Failure::Retry {
        error: "klaviyo: HTTP 429: {\"errors\":[{\"status\":429,\"code\":\"throttled\",\"title\":\"Request was throttled.\",\"detail\":\"Request was throttled. Expected available in 1 second.\"}]}".into(),
        after: Some(Duration::from_secs(7)),
    });
    tool.fault(Fault::Unavailable);
    assert!(matches!(
        k.deliver(&h).await,
        Err(Failure::Retry { after: None, .. })
    ));
    assert!(tool.profile("ada@example.com").is_none());
    k.deliver(&h).await.unwrap();
    assert_eq!(tool.profile("ada@example.com").unwrap().jobs, 1);
}

#[tokio::test]
async fn mailchimp_member_with_evidence_fields_then_unsubscribed_then_erased() {
    let tool = tools::mailchimp::start("key-us6", "a1b2c3", &["perm-news"]).await;
    let perms = BTreeMap::from([("newsletter".to_string(), "perm-news".to_string())]);
    let mc = connectors::mailchimp::Mailchimp::new(
        tool.url.clone(),
        "key-us6".into(),
        "a1b2c3".into(),
        perms,
        client(),
    );
    mc.deliver(&handoff(
        2,
        "mailchimp",
        change(State::Confirmed, "Ada@Example.com", &[NEWS]),
    ))
    .await
    .unwrap();
    let m = tool.member("ada@example.com").unwrap();
    assert_eq!(m.status, "subscribed");
    assert!(m.permissions["perm-news"]);
    assert_eq!(m.fields["ip_signup"], "203.0.113.0");
    assert_eq!(m.fields["ip_opt"], "198.51.100.0");
    assert_eq!(m.fields["timestamp_signup"], "2026-12-01T10:00:00+00:00");
    assert_eq!(m.fields["timestamp_opt"], "2026-12-01T10:05:00+00:00");
    assert_eq!(m.fields["language"], "fr");

    // A PUT whose answer is lost is repeated as is: one member, same state.
    tool.fault(Fault::HangAfter(Duration::from_secs(3)));
    let w = handoff(
        3,
        "mailchimp",
        change(State::Withdrawn, "ada@example.com", &[NEWS]),
    );
    assert!(matches!(mc.deliver(&w).await, Err(Failure::Retry { .. })));
    mc.deliver(&w).await.unwrap();
    let m = tool.member("ada@example.com").unwrap();
    assert_eq!(
        (m.status.as_str(), m.permissions["perm-news"]),
        ("unsubscribed", false)
    );
    assert_eq!(tool.with(|d| d.members.len()), 1);

    mc.deliver(&handoff(
        4,
        "mailchimp",
        change(State::Erased, "ada@example.com", &[NEWS]),
    ))
    .await
    .unwrap();
    assert!(tool.member("ada@example.com").is_none());
    // Erasing again finds nothing to erase: done, not an error.
    mc.deliver(&handoff(
        4,
        "mailchimp",
        change(State::Erased, "ada@example.com", &[NEWS]),
    ))
    .await
    .unwrap();

    let bad = connectors::mailchimp::Mailchimp::new(
        tool.url.clone(),
        "key-us6".into(),
        "nolist".into(),
        BTreeMap::new(),
        client(),
    );
    let err = bad
        .deliver(&handoff(
            5,
            "mailchimp",
            change(State::Confirmed, "x@example.com", &[NEWS]),
        ))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Failure::Permanent(m) if m.contains("404") && m.contains("Resource Not Found")),
        "{err:?}"
    );
}

#[tokio::test]
async fn brevo_upserts_blacklists_and_deletes() {
    let tool = tools::brevo::start("xkeysib-test", &[7], &["CONSENT_AT"]).await;
    let attrs = BTreeMap::from([("CONSENT_AT".to_string(), "confirmedAt".to_string())]);
    let b = connectors::brevo::Brevo::new(
        tool.url.clone(),
        "xkeysib-test".into(),
        vec![7],
        attrs,
        client(),
    );
    let h = handoff(
        2,
        "brevo",
        change(State::Confirmed, "ada@example.com", &[NEWS, SMS]),
    );
    b.deliver(&h).await.unwrap();
    // Again (a retry): updateEnabled makes it an update, not a 400.
    b.deliver(&h).await.unwrap();
    let c = tool.contact("ada@example.com").unwrap();
    assert!(c.lists.contains(&7) && !c.email_blacklisted && !c.sms_blacklisted);
    assert_eq!(c.attributes["SMS"], "+33612345678");
    assert_eq!(c.attributes["CONSENT_AT"], "2026-12-01T10:05:00.000Z");
    assert_eq!(tool.with(|d| d.contacts.len()), 1);

    tool.fault(Fault::TooMany(3));
    let w = handoff(
        3,
        "brevo",
        change(State::Withdrawn, "ada@example.com", &[NEWS]),
    );
    assert!(
        matches!(b.deliver(&w).await, Err(Failure::Retry { after: Some(d), .. }) if d == Duration::from_secs(3))
    );
    b.deliver(&w).await.unwrap();
    assert!(tool.contact("ada@example.com").unwrap().email_blacklisted);

    b.deliver(&handoff(
        4,
        "brevo",
        change(State::Erased, "ada@example.com", &[NEWS]),
    ))
    .await
    .unwrap();
    assert!(tool.contact("ada@example.com").is_none());

    let unknown = BTreeMap::from([("NOPE".to_string(), "optIn".to_string())]);
    let b = connectors::brevo::Brevo::new(
        tool.url.clone(),
        "xkeysib-test".into(),
        vec![],
        unknown,
        client(),
    );
    let err = b
        .deliver(&handoff(
            5,
            "brevo",
            change(State::Confirmed, "x@example.com", &[NEWS]),
        ))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Failure::Permanent(m) if m.contains("Attribute NOPE does not exist")),
        "{err:?}"
    );
}

#[tokio::test]
async fn signed_webhook_verified_by_libraries_we_did_not_write() {
    use connectors::webhook::{public_key, Secret, Webhook};
    let key = ed25519_dalek::SigningKey::from_bytes(&rand::random());
    let other = ed25519_dalek::SigningKey::from_bytes(&rand::random());
    let whsec = format!(
        "whsec_{}",
        consent_proof::base64::encode(&rand::random::<[u8; 32]>())
    );
    let wrong = format!(
        "whsec_{}",
        consent_proof::base64::encode(&rand::random::<[u8; 32]>())
    );
    let r = tools::receiver::start(&public_key(&key), &whsec);
    let hook = |k: &ed25519_dalek::SigningKey, s: &str| {
        Webhook::new(
            "webhook-crm".into(),
            r.url.clone(),
            Some(k.clone()),
            Secret::parse(s),
            client(),
        )
    };
    let h = handoff(
        2,
        "webhook-crm",
        change(State::Confirmed, "ada@example.com", &[NEWS, SMS]),
    );
    hook(&key, &whsec).deliver(&h).await.unwrap();
    hook(&key, &whsec).deliver(&h).await.unwrap(); // a redelivery: same id
    let err = hook(&other, &whsec).deliver(&h).await.unwrap_err();
    assert!(
        err.message().contains("401") && err.message().contains("v1a"),
        "{err:?}"
    );
    let err = hook(&key, &wrong).deliver(&h).await.unwrap_err();
    assert!(
        err.message().contains("401") && err.message().contains("v1 "),
        "{err:?}"
    );
    hook(&key, &whsec)
        .deliver(&handoff(
            3,
            "webhook-crm",
            change(State::Withdrawn, "ada@example.com", &[NEWS]),
        ))
        .await
        .unwrap();

    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&r.events)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "the redelivery is recognised by its id");
    assert_eq!(lines[0]["id"], "msg_2-webhook-crm");
    let event = &lines[0]["event"];
    assert_eq!(event["type"], "consent.confirmed");
    assert_eq!(event["data"]["state"], "confirmed");
    assert_eq!(event["data"]["optIn"], "confirmed");
    assert_eq!(
        event["data"]["purposes"][1],
        serde_json::json!({"id": "sms", "channel": "sms"})
    );
    assert_eq!(event["data"]["evidence"]["recordId"], "rec-1");
    assert_eq!(event["data"]["evidence"]["receipt"], "eyJ...");
    assert_eq!(lines[1]["event"]["type"], "consent.withdrawn");
}
