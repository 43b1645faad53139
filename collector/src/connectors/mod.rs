//! Hand-offs to the merchant's tools: every consent state change that matters
//! (confirmed, withdrawn, erased) reaches each configured connector once.
//!
//! The collector's log stays the proof; a tool's copy is what lets the
//! merchant send from it. A change is written to the `handoffs` table in the
//! transaction that records it ([`enqueue`]), one row per connector, and a
//! [`worker::Dispatcher`] delivers the rows after the commit: never before the
//! answer to the widget, never lost by a crash, retried with backoff on
//! timeouts, 5xx and 429 (honouring `Retry-After`), and given up after
//! [`worker::MAX_ATTEMPTS`] tries (`connectors retry` re-queues those).
//! Several collectors on one PostgreSQL share the table: a row is claimed
//! with `FOR UPDATE SKIP LOCKED` and a lease, so each hand-off has one
//! deliverer at a time. Each connector's call sets a final state (subscribed,
//! unsubscribed, deleted) under a key stable across retries, so a retry after
//! a timeout never doubles an effect.

pub mod brevo; // Brevo contacts
pub mod config; // the [connectors] section of the config file
pub mod http; // one HTTP client, one reading of answers (2xx, 429, 5xx, timeouts)
pub mod inbound; // withdrawals the tools report: Shopify, Mailchimp, signed webhooks
pub mod klaviyo; // Klaviyo subscription bulk jobs
pub mod mailchimp; // Mailchimp list members
pub mod queue; // the durable hand-off table
pub mod report; // what the table tells: counts per connector, a subject's hand-offs
pub mod shopify; // Shopify Admin GraphQL marketing consent
pub mod webhook; // Standard Webhooks, signed with the collector's key
pub mod worker; // delivery after the commit, retries, leases

use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

pub use queue::{enqueue, Handoff, MIGRATION};

/// What happened to a subject's consent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// Consent that allows sending: confirmed by the mailbox click, or a
    /// single opt-in that the registered form allows.
    Confirmed,
    /// The subject withdrew (link, widget, or a tool's own unsubscribe).
    Withdrawn,
    /// The subject's data was erased from the collector.
    Erased,
}

/// How the consent was given, in the M3AAWG terms the tools use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OptIn {
    /// Confirmed by clicking the mailed link (double opt-in).
    Confirmed,
    /// Given once, without a confirmation (allowed by the registered form).
    Single,
}

/// Where a change came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// The widget (a signed proof).
    Widget,
    /// The confirmation link in the mail.
    ConfirmLink,
    /// The unsubscribe link in the mail.
    UnsubscribeLink,
    /// The subscriber's preference page.
    PreferencePage,
    /// An administrator's command (erase, prune).
    Admin,
    /// Shopify's `customers/email_marketing_consent_update` webhook.
    Shopify,
    /// Mailchimp's unsubscribe webhook.
    Mailchimp,
    /// A signed Standard Webhooks request from another tool.
    Webhook,
}

impl Source {
    /// The connector type that reported it, for inbound changes: that
    /// connector is not told back its own news.
    pub fn connector(self) -> Option<&'static str> {
        match self {
            Source::Shopify => Some("shopify"),
            Source::Mailchimp => Some("mailchimp"),
            _ => None,
        }
    }
}

/// The channel a purpose reaches the subject on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    /// Marketing e-mail.
    Email,
    /// Marketing SMS.
    Sms,
    /// Phone calls: no tool here takes them; carried in the signed webhook only.
    Phone,
    /// Post: likewise.
    Post,
}

/// One purpose the change is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Purpose {
    /// The registered purpose id, such as `newsletter`.
    pub id: String,
    /// Its channel.
    pub channel: Channel,
}

/// The proof and receipt behind a change, so that a receiver can check it offline.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Evidence {
    /// The consent proof's record id.
    pub record_id: Option<String>,
    /// SHA-256 (hex) of the consent proof's JWS.
    pub proof_sha256: Option<String>,
    /// The consent proof's compact JWS, when the collector still holds it.
    pub proof: Option<String>,
    /// Seq of the log entry that made this change.
    pub seq: i64,
    /// The collector's receipt JWS for that entry (verify it with the JWKS).
    pub receipt: String,
}

/// A state change to hand to every connector. Built by the collector from
/// its own log, never from what a request claims.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    /// What happened.
    pub state: State,
    /// How the consent was given (for `confirmed`; the earlier level otherwise).
    pub opt_in: Option<OptIn>,
    /// Where it came from.
    pub source: Source,
    /// The subject's e-mail address, lowercased.
    pub email: String,
    /// The subject's phone number (E.164), for SMS purposes.
    pub phone: Option<String>,
    /// The purposes this change covers.
    pub purposes: Vec<Purpose>,
    /// The language of the form (BCP 47).
    pub locale: Option<String>,
    /// When the subject signed up (the proof's receive time), RFC 3339.
    pub consented_at: Option<String>,
    /// Truncated client address at sign-up, as the log keeps it.
    pub consent_ip: Option<String>,
    /// When the subject confirmed by the mailed link.
    pub confirmed_at: Option<String>,
    /// Truncated client address at confirmation.
    pub confirm_ip: Option<String>,
    /// When this change was recorded, RFC 3339: the tools' consent time.
    pub at: String,
    /// The log's evidence for it.
    pub evidence: Evidence,
}

impl Change {
    /// Whether any purpose uses `channel`.
    pub fn has(&self, channel: Channel) -> bool {
        self.purposes.iter().any(|p| p.channel == channel)
    }

    /// Whether the change concerns `channel`: an erasure concerns them all.
    pub fn covers(&self, channel: Channel) -> bool {
        self.state == State::Erased || self.has(channel)
    }

    /// A change with only what every change has; the caller fills the rest.
    pub fn new(state: State, source: Source, email: &str, at: &str) -> Change {
        Change {
            state,
            opt_in: None,
            source,
            email: email.to_string(),
            phone: None,
            purposes: Vec::new(),
            locale: None,
            consented_at: None,
            consent_ip: None,
            confirmed_at: None,
            confirm_ip: None,
            at: at.to_string(),
            evidence: Evidence::default(),
        }
    }

    /// The erasure of `email`, recorded by the entry at `seq`.
    pub fn erased(email: &str, at: &str, seq: i64, receipt: &str) -> Change {
        Change {
            evidence: Evidence {
                seq,
                receipt: receipt.to_string(),
                ..Evidence::default()
            },
            ..Change::new(State::Erased, Source::Admin, email, at)
        }
    }
}

/// Why one delivery attempt failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// Worth another try: timeout, connection error, 5xx, 429, throttling.
    Retry {
        /// What went wrong (never a secret).
        error: String,
        /// The wait the tool asked for (`Retry-After`, throttle status).
        after: Option<Duration>,
    },
    /// The tool refused this change for good (4xx, user errors): another
    /// try would get the same answer. Given up at once; `connectors retry`
    /// re-queues it once the cause is fixed.
    Permanent(String),
}

impl Failure {
    /// A retryable failure without a requested wait.
    pub fn retry(error: impl Into<String>) -> Self {
        Failure::Retry {
            error: error.into(),
            after: None,
        }
    }

    /// What went wrong.
    pub fn message(&self) -> &str {
        match self {
            Failure::Retry { error, .. } | Failure::Permanent(error) => error,
        }
    }
}

/// One merchant tool.
#[async_trait]
pub trait Connector: Send + Sync {
    /// Its name in the config file and in the `handoffs` table.
    fn name(&self) -> &str;
    /// Makes the tool hold `handoff.change`. `handoff.id` is stable across
    /// retries; the effect must be the same however many times this runs.
    async fn deliver(&self, handoff: &Handoff) -> Result<(), Failure>;
}
