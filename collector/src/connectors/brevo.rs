//! Brevo contacts (developers.brevo.com/reference/create-contact).
//!
//! `POST /v3/contacts` with `email`, `attributes` (upper-case names that
//! exist in the account; `SMS` is the phone in E.164), `listIds`,
//! `emailBlacklisted`, `smsBlacklisted`, and `updateEnabled: true`, which
//! makes it an upsert (without it an existing contact answers 400
//! `duplicate_parameter`): so a retry repeats nothing. Header `api-key`.
//! Answers 201 `{id}` for a new contact, 204 for an updated one; errors
//! are `{code, message}`; 429 carries `x-sib-ratelimit-reset` (seconds).
//!
//! A withdrawal blacklists the channel (Brevo's unsubscribed state: no
//! campaign reaches the contact, whatever its lists); an erasure deletes
//! the contact (`DELETE /v3/contacts/{email}`, 404 meaning already gone).
//! Brevo's own double opt-in (`/v3/contacts/doubleOptinConfirmation`) is
//! not used: the collector already ran it.

use std::collections::BTreeMap;

use async_trait::async_trait;
use serde_json::{json, Value};

use super::http::send;
use super::{Change, Channel, Connector, Failure, Handoff, State};

/// Fields of a change a Brevo attribute can take.
pub const ATTRIBUTE_FIELDS: &[&str] =
    &["consentedAt", "confirmedAt", "optIn", "locale", "recordId"];

/// A Brevo account.
pub struct Brevo {
    base: String,
    api_key: String,
    lists: Vec<i64>,
    attributes: BTreeMap<String, String>,
    client: reqwest::Client,
}

fn field(change: &Change, name: &str) -> Value {
    match name {
        "consentedAt" => json!(change.consented_at),
        "confirmedAt" => json!(change.confirmed_at),
        "optIn" => json!(change.opt_in),
        "locale" => json!(change.locale),
        "recordId" => json!(change.evidence.record_id),
        _ => Value::Null,
    }
}

impl Brevo {
    /// The account behind `api_key`; subscribers join `lists`; `attributes`
    /// maps Brevo attribute names to fields of [`ATTRIBUTE_FIELDS`].
    pub fn new(
        base: String,
        api_key: String,
        lists: Vec<i64>,
        attributes: BTreeMap<String, String>,
        client: reqwest::Client,
    ) -> Self {
        Brevo {
            base: base.trim_end_matches('/').to_string(),
            api_key,
            lists,
            attributes,
            client,
        }
    }

    /// The `POST /v3/contacts` body for a confirmation or withdrawal.
    pub fn contact(&self, handoff: &Handoff) -> Value {
        let change = &handoff.change;
        let subscribed = change.state == State::Confirmed;
        let mut attributes = serde_json::Map::new();
        let sms = change.has(Channel::Sms) && change.phone.is_some();
        if sms {
            attributes.insert("SMS".into(), json!(change.phone));
        }
        if subscribed {
            for (name, from) in &self.attributes {
                let value = field(change, from);
                if !value.is_null() {
                    attributes.insert(name.clone(), value);
                }
            }
        }
        let mut contact = json!({
            "email": change.email,
            "attributes": attributes,
            "updateEnabled": true,
        });
        if change.has(Channel::Email) {
            contact["emailBlacklisted"] = json!(!subscribed);
        }
        if sms {
            contact["smsBlacklisted"] = json!(!subscribed);
        }
        if subscribed && !self.lists.is_empty() {
            contact["listIds"] = json!(self.lists);
        }
        contact
    }

    fn auth(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        request
            .header("api-key", &self.api_key)
            .header("accept", "application/json")
    }
}

#[async_trait]
impl Connector for Brevo {
    fn name(&self) -> &str {
        "brevo"
    }

    async fn deliver(&self, handoff: &Handoff) -> Result<(), Failure> {
        let change = &handoff.change;
        if change.state == State::Erased {
            let url = format!(
                "{}/v3/contacts/{}?identifierType=email_id",
                self.base,
                urlencode(&change.email)
            );
            let request = self.auth(self.client.delete(url));
            return match send("brevo", request, Some("x-sib-ratelimit-reset")).await {
                Err(Failure::Permanent(e)) if e.contains("HTTP 404") => Ok(()),
                other => other.map(|_| ()),
            };
        }
        if !(change.has(Channel::Email) || change.has(Channel::Sms) && change.phone.is_some()) {
            return Ok(());
        }
        let request = self
            .auth(self.client.post(format!("{}/v3/contacts", self.base)))
            .json(&self.contact(handoff));
        send("brevo", request, Some("x-sib-ratelimit-reset"))
            .await
            .map(|_| ())
    }
}

/// Percent-encodes an address for a path segment (`@` and `+` included).
fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
