//! Withdrawals the tools report: a subscriber who unsubscribes inside
//! Shopify or Mailchimp, or a tool that posts a signed webhook.
//!
//! Each request is authenticated before its body is read as anything, and
//! only a withdrawal is taken from it: a tool can lower consent, never
//! raise it (consent grows only through the collector's own confirmation).
//! The [`WithdrawalLog`] (the collector's store) records the withdrawal in
//! the chain, marked with its source, and hands it to the other connectors.
//!
//! - Shopify (shopify.dev/docs/apps/build/webhooks/verify-deliveries):
//!   topic `customers/email_marketing_consent_update`, body
//!   `{customer_id, email_address, email_marketing_consent: {state,
//!   opt_in_level, consent_updated_at}}`, signed by `X-Shopify-Hmac-Sha256`,
//!   the base64 HMAC-SHA256 of the raw body under the app's client secret.
//! - Mailchimp (mailchimp.com/developer/marketing/guides/sync-audience-data-webhooks):
//!   `application/x-www-form-urlencoded`, `type=unsubscribe`, `fired_at`,
//!   `data[email]`, `data[list_id]`; Mailchimp signs nothing, so the URL
//!   carries a secret (`?secret=`) compared in constant time, and the
//!   GET Mailchimp sends to check the URL answers 200.
//! - Signed webhooks in: Standard Webhooks `v1` (HMAC) or `v1a` (Ed25519),
//!   timestamp within five minutes, body `{type: "consent.withdrawn",
//!   data: {email}}`.

use std::time::Duration;

use axum::http::HeaderMap;
use consent_proof::base64;
use ed25519_dalek::VerifyingKey;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

use super::webhook::{verify, Secret};
use super::Source;

/// How far a signed webhook's timestamp may be from now (the spec's advice).
pub const TOLERANCE: Duration = Duration::from_secs(5 * 60);

/// A withdrawal a tool reported, authenticated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inbound {
    /// Who reported it.
    pub source: Source,
    /// The subject's address, lowercased.
    pub email: String,
    /// When the tool says it happened (RFC 3339), if it says.
    pub reported_at: Option<String>,
    /// The tool's id for the event, kept in the log entry.
    pub reference: Option<String>,
}

/// Why an inbound request was refused: a JSON `{error, message}` with a status.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum InboundError {
    /// No valid signature or secret: 401, nothing read.
    #[error("the request's signature or secret does not match the configured one")]
    Unauthenticated,
    /// Authenticated but not understood: 400.
    #[error("{0}")]
    Malformed(String),
}

impl InboundError {
    /// The `error` code of the JSON answer.
    pub fn code(&self) -> &'static str {
        match self {
            InboundError::Unauthenticated => "bad_signature",
            InboundError::Malformed(_) => "bad_webhook",
        }
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn address(value: Option<&str>) -> Result<String, InboundError> {
    let email = value.unwrap_or_default().trim().to_lowercase();
    if email.len() > 254
        || !email.contains('@')
        || email.chars().any(|c| c.is_control() || c.is_whitespace())
    {
        return Err(InboundError::Malformed(
            "no valid e-mail address in the webhook".into(),
        ));
    }
    Ok(email)
}

/// Reads a Shopify consent webhook: `Ok(None)` for a state that is not a
/// withdrawal (a subscription in Shopify does not make consent here).
pub fn shopify(
    secret: &[u8],
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Option<Inbound>, InboundError> {
    let given = header(headers, "x-shopify-hmac-sha256")
        .and_then(|h| base64::decode(h.trim()))
        .ok_or(InboundError::Unauthenticated)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("any key length");
    mac.update(body);
    mac.verify_slice(&given)
        .map_err(|_| InboundError::Unauthenticated)?;
    let topic = header(headers, "x-shopify-topic").unwrap_or_default();
    if topic != "customers/email_marketing_consent_update" {
        return Err(InboundError::Malformed(format!(
            "topic {topic:?} is not customers/email_marketing_consent_update"
        )));
    }
    let json: Value = serde_json::from_slice(body)
        .map_err(|_| InboundError::Malformed("body is not JSON".into()))?;
    let state = json
        .pointer("/email_marketing_consent/state")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !state.eq_ignore_ascii_case("unsubscribed") {
        return Ok(None);
    }
    Ok(Some(Inbound {
        source: Source::Shopify,
        email: address(json["email_address"].as_str())?,
        reported_at: json
            .pointer("/email_marketing_consent/consent_updated_at")
            .and_then(Value::as_str)
            .map(str::to_string),
        reference: header(headers, "x-shopify-webhook-id").map(str::to_string),
    }))
}

/// Reads a Mailchimp webhook POST: `given` is the URL's `secret`, `list`
/// the configured audience; `Ok(None)` for an event that is not an unsubscribe.
pub fn mailchimp(
    expected: &str,
    given: Option<&str>,
    list: &str,
    body: &[u8],
) -> Result<Option<Inbound>, InboundError> {
    let given = given.ok_or(InboundError::Unauthenticated)?;
    // Constant time: compare MACs of both under a fixed key.
    let tag = |s: &str| {
        let mut mac = Hmac::<Sha256>::new_from_slice(b"mailchimp-secret").expect("any key length");
        mac.update(s.as_bytes());
        mac.finalize().into_bytes()
    };
    if tag(expected) != tag(given) {
        return Err(InboundError::Unauthenticated);
    }
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(body)
        .map_err(|_| InboundError::Malformed("body is not form-encoded".into()))?;
    let get = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    if get("type") != Some("unsubscribe") {
        return Ok(None);
    }
    if get("data[list_id]") != Some(list) {
        return Err(InboundError::Malformed(
            "data[list_id] is not the configured audience".into(),
        ));
    }
    // fired_at is "YYYY-MM-DD HH:MM:SS", in UTC.
    let reported_at = get("fired_at")
        .and_then(|t| chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S").ok())
        .map(|t| {
            t.and_utc()
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        });
    Ok(Some(Inbound {
        source: Source::Mailchimp,
        email: address(get("data[email]"))?,
        reported_at,
        reference: get("data[id]").map(str::to_string),
    }))
}

/// Reads a signed Standard Webhooks request: `Ok(None)` for an event type
/// other than `consent.withdrawn`.
pub fn signed(
    secret: Option<&Secret>,
    public: Option<&VerifyingKey>,
    headers: &HeaderMap,
    body: &[u8],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Option<Inbound>, InboundError> {
    let id = header(headers, "webhook-id").ok_or(InboundError::Unauthenticated)?;
    let timestamp: i64 = header(headers, "webhook-timestamp")
        .and_then(|t| t.trim().parse().ok())
        .ok_or(InboundError::Unauthenticated)?;
    let signature = header(headers, "webhook-signature").ok_or(InboundError::Unauthenticated)?;
    if (now.timestamp() - timestamp).unsigned_abs() > TOLERANCE.as_secs()
        || !verify(id, timestamp, body, signature, secret, public)
    {
        return Err(InboundError::Unauthenticated);
    }
    let json: Value = serde_json::from_slice(body)
        .map_err(|_| InboundError::Malformed("body is not JSON".into()))?;
    if json["type"].as_str() != Some("consent.withdrawn") {
        return Ok(None);
    }
    Ok(Some(Inbound {
        source: Source::Webhook,
        email: address(json.pointer("/data/email").and_then(Value::as_str))?,
        reported_at: json["timestamp"].as_str().map(str::to_string),
        reference: Some(id.to_string()),
    }))
}
