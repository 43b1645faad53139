//! Withdrawals the tools report, authenticated before anything is read, and
//! the `[connectors]` section: secrets from the environment, never in errors.

mod tools;

use axum::http::{HeaderMap, HeaderName, HeaderValue};
use chrono::Utc;
use connectors::config::{ConnectorConfigError, ConnectorsConfig};
use connectors::inbound::{self, InboundError};
use connectors::webhook::{public_key, signature, Secret};
use connectors::Source;
use consent_collector::connectors;

fn headers(pairs: &[(&str, String)]) -> HeaderMap {
    pairs
        .iter()
        .map(|(k, v)| {
            (
                HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            )
        })
        .collect()
}

#[test]
fn shopify_webhook_is_taken_only_with_its_hmac() {
    let (pairs, body) =
        tools::shopify::consent_webhook(b"client-secret", "Ada@Example.com", "unsubscribed");
    let got = inbound::shopify(b"client-secret", &headers(&pairs), body.as_bytes())
        .unwrap()
        .unwrap();
    assert_eq!(
        (got.source, got.email.as_str()),
        (Source::Shopify, "ada@example.com")
    );
    assert!(got.reference.unwrap().starts_with("wh-"));
    assert_eq!(
        inbound::shopify(b"another-secret", &headers(&pairs), body.as_bytes()),
        Err(InboundError::Unauthenticated)
    );
    let tampered = body.replace("Ada", "Eve");
    assert_ne!(tampered, body);
    assert_eq!(
        inbound::shopify(b"client-secret", &headers(&pairs), tampered.as_bytes()),
        Err(InboundError::Unauthenticated)
    );
    // A subscription in Shopify is not consent here: nothing to record.
    let (pairs, body) =
        tools::shopify::consent_webhook(b"client-secret", "ada@example.com", "subscribed");
    assert_eq!(
        inbound::shopify(b"client-secret", &headers(&pairs), body.as_bytes()),
        Ok(None)
    );
}

#[test]
fn mailchimp_webhook_needs_the_url_secret_and_the_audience() {
    let body = tools::mailchimp::unsubscribe_webhook("L1", "ada@example.com");
    let got = inbound::mailchimp("s3cret", Some("s3cret"), "L1", body.as_bytes())
        .unwrap()
        .unwrap();
    assert_eq!(
        (got.source, got.email.as_str()),
        (Source::Mailchimp, "ada@example.com")
    );
    assert!(got.reported_at.is_some());
    assert_eq!(
        inbound::mailchimp("s3cret", Some("guess"), "L1", body.as_bytes()),
        Err(InboundError::Unauthenticated)
    );
    assert_eq!(
        inbound::mailchimp("s3cret", None, "L1", body.as_bytes()),
        Err(InboundError::Unauthenticated)
    );
    assert!(matches!(
        inbound::mailchimp("s3cret", Some("s3cret"), "OTHER", body.as_bytes()),
        Err(InboundError::Malformed(_))
    ));
    let subscribe = body.replace("type=unsubscribe", "type=subscribe");
    assert_eq!(
        inbound::mailchimp("s3cret", Some("s3cret"), "L1", subscribe.as_bytes()),
        Ok(None)
    );
}

#[test]
fn signed_webhook_in_checks_signature_and_age() {
    let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let body = br#"{"type":"consent.withdrawn","timestamp":"2026-12-01T10:00:00Z","data":{"email":"Ada@example.com"}}"#;
    let now = Utc::now();
    let signed = |ts: i64, k: &ed25519_dalek::SigningKey| {
        headers(&[
            ("webhook-id", "msg_1".into()),
            ("webhook-timestamp", ts.to_string()),
            (
                "webhook-signature",
                signature("msg_1", ts, body, Some(k), None),
            ),
        ])
    };
    let public = key.verifying_key();
    let got = inbound::signed(
        None,
        Some(&public),
        &signed(now.timestamp(), &key),
        body,
        now,
    )
    .unwrap()
    .unwrap();
    assert_eq!(
        (got.source, got.email.as_str()),
        (Source::Webhook, "ada@example.com")
    );
    let stranger = ed25519_dalek::SigningKey::from_bytes(&[9; 32]);
    assert_eq!(
        inbound::signed(
            None,
            Some(&public),
            &signed(now.timestamp(), &stranger),
            body,
            now
        ),
        Err(InboundError::Unauthenticated)
    );
    assert_eq!(
        inbound::signed(
            None,
            Some(&public),
            &signed(now.timestamp() - 600, &key),
            body,
            now
        ),
        Err(InboundError::Unauthenticated),
        "a replay from ten minutes ago"
    );
    let secret = Secret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
    let ts = now.timestamp();
    let v1 = headers(&[
        ("webhook-id", "msg_2".into()),
        ("webhook-timestamp", ts.to_string()),
        (
            "webhook-signature",
            signature("msg_2", ts, body, None, Some(&secret)),
        ),
    ]);
    assert!(inbound::signed(Some(&secret), None, &v1, body, now)
        .unwrap()
        .is_some());
    assert_eq!(
        inbound::signed(None, Some(&public), &v1, body, now),
        Err(InboundError::Unauthenticated),
        "v1 does not pass for v1a"
    );
}

#[test]
fn standard_webhooks_v1_matches_the_specification_example() {
    // The example of the Standard Webhooks reference libraries' test suites.
    let secret = Secret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
    let body = br#"{"test": 2432232314}"#;
    assert_eq!(
        signature(
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            body,
            None,
            Some(&secret)
        ),
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    );
}

#[test]
fn config_reads_secrets_from_the_environment_and_never_shows_them() {
    let text = r#"
        timeout = "2s"
        [[webhook]]
        name = "crm"
        url = "https://crm.example/hooks"
        sign = "both"
        secret-env = "CRM_SECRET"
        [shopify]
        shop = "boutique.myshopify.com"
        token-env = "SHOPIFY_TOKEN"
        webhook-secret-env = "SHOPIFY_SECRET"
        [klaviyo]
        private-key-env = "KLAVIYO_KEY"
        list = "Y6nRLr"
        [mailchimp]
        api-key-env = "MC_KEY"
        list = "L1"
        webhook-secret-env = "MC_HOOK"
        [brevo]
        api-key-env = "BREVO_KEY"
        lists = [7]
    "#;
    let config: ConnectorsConfig = toml::from_str(text).unwrap();
    let key = ed25519_dalek::SigningKey::from_bytes(&[1; 32]);
    let env = |name: &str| match name {
        "CRM_SECRET" => Some("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".to_string()),
        "SHOPIFY_TOKEN" => Some("shpat_very_secret".into()),
        "SHOPIFY_SECRET" | "KLAVIYO_KEY" | "BREVO_KEY" | "MC_HOOK" => Some("x".repeat(20)),
        "MC_KEY" => Some("abc-us6".into()),
        _ => None,
    };
    let built = config.build(&key, &env).unwrap();
    let mut names: Vec<&str> = built.connectors.iter().map(|c| c.name()).collect();
    names.sort();
    assert_eq!(
        names,
        ["brevo", "klaviyo", "mailchimp", "shopify", "webhook-crm"]
    );
    assert_eq!(built.inbound.mailchimp.as_ref().unwrap().1, "L1");
    assert!(public_key(&key).starts_with("whpk_"));

    let missing = |name: &str| {
        if name == "SHOPIFY_TOKEN" {
            None
        } else {
            env(name)
        }
    };
    let err = config.build(&key, &missing).err().unwrap();
    assert_eq!(
        err,
        ConnectorConfigError::MissingEnv {
            tool: "shopify",
            var: "SHOPIFY_TOKEN".into()
        }
    );
    assert!(!format!("{err} {:?}", built.inbound).contains("shpat_very_secret"));
    assert!(
        toml::from_str::<ConnectorsConfig>("[shopify]\ntoken = \"shpat_in_file\"").is_err(),
        "a secret in the file is refused"
    );
}
