//! Mailchimp Marketing API 3.0 list members.
//!
//! "Add or update list member" (mailchimp.com/developer/marketing/api/list-members/):
//! `PUT /3.0/lists/{list_id}/members/{subscriber_hash}`, the hash being the
//! MD5 of the lowercased address, with `email_address`, `status_if_new`
//! (for a new member) and `status` (for an existing one), `language`,
//! `marketing_permissions` ([{marketing_permission_id, enabled}], the GDPR
//! fields of the audience), and the evidence fields `ip_signup`,
//! `timestamp_signup`, `ip_opt`, `timestamp_opt`. HTTP Basic auth with any
//! user name and the API key; the key's `-usN` suffix names the data centre
//! (`https://usN.api.mailchimp.com`). Errors are problem documents
//! (`{type, title, status, detail, instance}`).
//!
//! A PUT sets the final state, so a retry repeats nothing. An erasure uses
//! `POST .../members/{hash}/actions/delete-permanent`, Mailchimp's GDPR
//! deletion; a 404 there means already gone.

use std::collections::BTreeMap;

use async_trait::async_trait;
use md5::{Digest, Md5};
use serde_json::{json, Value};

use super::http::send;
use super::{Channel, Connector, Failure, Handoff, State};

/// A Mailchimp audience.
pub struct Mailchimp {
    base: String,
    api_key: String,
    list: String,
    permissions: BTreeMap<String, String>,
    client: reqwest::Client,
}

/// The data centre a key names (`abc-us6` → `us6`).
pub fn data_centre(api_key: &str) -> Option<&str> {
    api_key
        .rsplit_once('-')
        .map(|(_, dc)| dc)
        .filter(|dc| !dc.is_empty() && dc.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// The member id: MD5 (hex) of the lowercased address.
pub fn subscriber_hash(email: &str) -> String {
    hex::encode(Md5::digest(email.trim().to_lowercase().as_bytes()))
}

/// Mailchimp's timestamps: ISO 8601 without fractions.
fn mc_time(rfc3339: &Option<String>) -> Value {
    rfc3339
        .as_deref()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| json!(t.to_utc().format("%Y-%m-%dT%H:%M:%S+00:00").to_string()))
        .unwrap_or(Value::Null)
}

impl Mailchimp {
    /// The audience `list` under `base` (default from the key's data centre);
    /// `permissions` maps purpose ids to the audience's marketing permission ids.
    pub fn new(
        base: String,
        api_key: String,
        list: String,
        permissions: BTreeMap<String, String>,
        client: reqwest::Client,
    ) -> Self {
        Mailchimp {
            base: base.trim_end_matches('/').to_string(),
            api_key,
            list,
            permissions,
            client,
        }
    }

    /// The PUT body for a change.
    pub fn member(&self, handoff: &Handoff) -> Value {
        let change = &handoff.change;
        let subscribed = change.state == State::Confirmed;
        let status = if subscribed {
            "subscribed"
        } else {
            "unsubscribed"
        };
        let permissions: Vec<Value> = change
            .purposes
            .iter()
            .filter(|p| p.channel == Channel::Email)
            .filter_map(|p| self.permissions.get(&p.id))
            .map(|id| json!({"marketing_permission_id": id, "enabled": subscribed}))
            .collect();
        let mut member = json!({
            "email_address": change.email,
            "status_if_new": status,
            "status": status,
        });
        let fields = member.as_object_mut().expect("an object");
        if !permissions.is_empty() {
            fields.insert("marketing_permissions".into(), json!(permissions));
        }
        if let Some(lang) = change.locale.as_deref() {
            // Mailchimp's language codes are the primary subtag ("fr", "en").
            fields.insert(
                "language".into(),
                json!(lang.split('-').next().unwrap_or(lang)),
            );
        }
        if subscribed {
            // Mailchimp takes an address: the network's, without its prefix
            // length (the collector keeps truncated addresses only).
            let address = |ip: Option<&String>| ip.map(|ip| ip.split('/').next().unwrap_or(ip).to_string());
            for (key, value) in [
                ("ip_signup", json!(address(change.consent_ip.as_ref()))),
                ("timestamp_signup", mc_time(&change.consented_at)),
                (
                    "ip_opt",
                    json!(address(change.confirm_ip.as_ref().or(change.consent_ip.as_ref()))),
                ),
                (
                    "timestamp_opt",
                    mc_time(&change.confirmed_at.clone().or(Some(change.at.clone()))),
                ),
            ] {
                if !value.is_null() {
                    fields.insert(key.into(), value);
                }
            }
        }
        member
    }
}

#[async_trait]
impl Connector for Mailchimp {
    fn name(&self) -> &str {
        "mailchimp"
    }

    async fn deliver(&self, handoff: &Handoff) -> Result<(), Failure> {
        let change = &handoff.change;
        if !change.covers(Channel::Email) {
            return Ok(()); // an audience holds e-mail subscribers only
        }
        let member_url = format!(
            "{}/3.0/lists/{}/members/{}",
            self.base,
            self.list,
            subscriber_hash(&change.email)
        );
        if change.state == State::Erased {
            let request = self
                .client
                .post(format!("{member_url}/actions/delete-permanent"))
                .basic_auth("consent-collector", Some(&self.api_key));
            return match send("mailchimp", request, None).await {
                Err(Failure::Permanent(e)) if e.contains("HTTP 404") => Ok(()),
                other => other.map(|_| ()),
            };
        }
        let request = self
            .client
            .put(member_url)
            .basic_auth("consent-collector", Some(&self.api_key))
            .json(&self.member(handoff));
        send("mailchimp", request, None).await.map(|_| ())
    }
}
