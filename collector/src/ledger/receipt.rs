//! The receipt the collector signs for every log entry.

use serde::{Deserialize, Serialize};

/// Schema name written into every receipt.
pub const RECEIPT_SCHEMA: &str = "consent-receipt/1";

/// What a log entry records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    /// A signed proof from the widget (a consent or a withdrawal).
    Proof,
    /// A double opt-in confirmation click.
    Confirmation,
    /// A withdrawal through an unsubscribe link.
    Withdrawal,
    /// A prune run that erased inactive subjects.
    Prune,
    /// A held proof made to count: the merchant registered a form version it matches.
    Release,
}

impl EntryKind {
    /// The name stored in the database and written in receipts.
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Proof => "proof",
            EntryKind::Confirmation => "confirmation",
            EntryKind::Withdrawal => "withdrawal",
            EntryKind::Prune => "prune",
            EntryKind::Release => "release",
        }
    }

    /// Parses a stored name.
    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::Proof,
            Self::Confirmation,
            Self::Withdrawal,
            Self::Prune,
            Self::Release,
        ]
        .into_iter()
        .find(|k| k.as_str() == text)
    }
}

/// The signed statement: this entry was received at this time at this place in the chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Receipt {
    /// Always [`RECEIPT_SCHEMA`].
    pub schema: String,
    /// What the entry records.
    pub entry: EntryKind,
    /// SHA-256 (hex) of the proof JWS, or of the event's canonical JSON.
    pub proof: String,
    /// Position in the log, from 1.
    pub seq: u64,
    /// Chain value of entry `seq - 1` (the genesis value for seq 1).
    pub prev_chain: String,
    /// `SHA-256(prevChain || proof || seq || receivedAt)`.
    pub chain: String,
    /// When the collector received it, RFC 3339 UTC with milliseconds.
    pub received_at: String,
}
