//! Klaviyo profile subscriptions (developers.klaviyo.com/en/reference/bulk_subscribe_profiles
//! and bulk_unsubscribe_profiles).
//!
//! `POST /api/profile-subscription-bulk-create-jobs` with a JSON:API body
//! `{data: {type: "profile-subscription-bulk-create-job", attributes:
//! {profiles: {data: [{type: "profile", attributes: {email, phone_number,
//! subscriptions: {email: {marketing: {consent: "SUBSCRIBED", consented_at}},
//! sms: {...}}}}]}, historical_import, custom_source}, relationships: {list:
//! {data: {type: "list", id}}}}}`; withdrawal and erasure use
//! `POST /api/profile-subscription-bulk-delete-jobs` (type
//! `profile-subscription-bulk-delete-job`, consent `UNSUBSCRIBED`), without
//! a list, so the channel is unsubscribed, not just one list left. Headers:
//! `Authorization: Klaviyo-API-Key <private key>`, `revision: YYYY-MM-DD`,
//! `Content-Type: application/vnd.api+json`. Both answer 202 with no body;
//! errors are `{errors: [{id, status, code, title, detail, source}]}`; 429
//! carries `Retry-After`.
//!
//! `historical_import: true` (the default here) is what lets `consented_at`
//! carry the log's time (Klaviyo refuses it otherwise), and keeps a list with
//! double opt-in from mailing its own confirmation to someone who already
//! confirmed with the collector. Subscribing again is a no-op, so a retry
//! doubles nothing.

use async_trait::async_trait;
use serde_json::{json, Value};

use super::http::send;
use super::{Channel, Connector, Failure, Handoff, State};

/// The `revision` header sent unless the config names another.
pub const REVISION: &str = "2025-01-15";

/// A Klaviyo account.
pub struct Klaviyo {
    base: String,
    private_key: String,
    revision: String,
    list: Option<String>,
    historical_import: bool,
    client: reqwest::Client,
}

impl Klaviyo {
    /// The account behind `private_key`, subscribing into `list` when given.
    pub fn new(
        base: String,
        private_key: String,
        revision: String,
        list: Option<String>,
        historical_import: bool,
        client: reqwest::Client,
    ) -> Self {
        Klaviyo {
            base: base.trim_end_matches('/').to_string(),
            private_key,
            revision,
            list,
            historical_import,
            client,
        }
    }

    /// The job body for a change: (path, body).
    pub fn job(&self, handoff: &Handoff) -> (&'static str, Value) {
        let change = &handoff.change;
        let subscribe = change.state == State::Confirmed;
        let consent = |channel| {
            let mut marketing =
                json!({"consent": if subscribe { "SUBSCRIBED" } else { "UNSUBSCRIBED" }});
            if subscribe && self.historical_import {
                let at = change
                    .confirmed_at
                    .as_ref()
                    .or(change.consented_at.as_ref())
                    .unwrap_or(&change.at);
                marketing["consented_at"] = json!(at);
            }
            (channel, json!({"marketing": marketing}))
        };
        let mut subscriptions = serde_json::Map::new();
        let mut attributes = serde_json::Map::new();
        if change.covers(Channel::Email) {
            let (k, v) = consent("email");
            subscriptions.insert(k.into(), v);
        }
        attributes.insert("email".into(), json!(change.email));
        if let (true, Some(phone)) = (change.has(Channel::Sms), change.phone.as_ref()) {
            let (k, v) = consent("sms");
            subscriptions.insert(k.into(), v);
            attributes.insert("phone_number".into(), json!(phone));
        }
        attributes.insert("subscriptions".into(), Value::Object(subscriptions));
        let profiles = json!({"data": [{"type": "profile", "attributes": attributes}]});
        let (path, kind) = if subscribe {
            (
                "/api/profile-subscription-bulk-create-jobs",
                "profile-subscription-bulk-create-job",
            )
        } else {
            (
                "/api/profile-subscription-bulk-delete-jobs",
                "profile-subscription-bulk-delete-job",
            )
        };
        let mut job = json!({"type": kind, "attributes": {"profiles": profiles}});
        if subscribe {
            job["attributes"]["custom_source"] = json!("consent-widget");
            job["attributes"]["historical_import"] = json!(self.historical_import);
            if let Some(list) = &self.list {
                job["relationships"] = json!({"list": {"data": {"type": "list", "id": list}}});
            }
        }
        (path, json!({"data": job}))
    }
}

#[async_trait]
impl Connector for Klaviyo {
    fn name(&self) -> &str {
        "klaviyo"
    }

    async fn deliver(&self, handoff: &Handoff) -> Result<(), Failure> {
        let change = &handoff.change;
        if !(change.covers(Channel::Email) || change.has(Channel::Sms) && change.phone.is_some()) {
            return Ok(());
        }
        let (path, body) = self.job(handoff);
        let request = self
            .client
            .post(format!("{}{path}", self.base))
            .header(
                "authorization",
                format!("Klaviyo-API-Key {}", self.private_key),
            )
            .header("revision", &self.revision)
            .header("accept", "application/vnd.api+json")
            .header("content-type", "application/vnd.api+json")
            .body(body.to_string());
        send("klaviyo", request, None).await.map(|_| ())
    }
}
