//! Entries the collector writes itself: confirmations, withdrawals by link, prunes.

use serde_json::{json, Value};

use super::entry::{NewBody, NewEntry};
use crate::crypto::hash::sha256_hex;
use crate::ledger::receipt::EntryKind;

/// Schema name written into every event.
pub const EVENT_SCHEMA: &str = "consent-event/1";

/// Wraps an event as a log entry: canonical JSON, hashed.
pub fn entry(kind: EntryKind, event: Value, subject: Option<String>) -> NewEntry {
    // Events hold strings, integers, nulls and arrays: always a canonical form.
    let json = consent_proof::jcs::canonicalize(&event).expect("an event has no float");
    NewEntry {
        kind,
        proof_sha256: sha256_hex(&json),
        body: NewBody::Event(json),
        record_id: None,
        subject,
    }
}

/// The subscriber clicked the confirmation link of the proof at `proof_seq`.
pub fn confirmation(
    proof_seq: i64,
    proof_sha256: &str,
    at: &str,
    ip: Option<String>,
    subject: String,
) -> NewEntry {
    let event = json!({
        "schema": EVENT_SCHEMA, "type": "confirmed", "at": at,
        "proofSeq": proof_seq, "proof": proof_sha256, "ip": ip,
    });
    entry(EntryKind::Confirmation, event, Some(subject))
}

/// The subscriber used the unsubscribe link of the proof at `proof_seq`.
pub fn withdrawal(
    proof_seq: i64,
    proof_sha256: &str,
    purposes: &[String],
    at: &str,
    ip: Option<String>,
    subject: String,
) -> NewEntry {
    withdrawal_via("unsubscribe-link", proof_seq, proof_sha256, purposes, at, ip, subject)
}

/// The subscriber withdrew `purposes` of the proof at `proof_seq` `via` a
/// mailed link: `unsubscribe-link` or `preference-page`.
pub fn withdrawal_via(
    via: &str,
    proof_seq: i64,
    proof_sha256: &str,
    purposes: &[String],
    at: &str,
    ip: Option<String>,
    subject: String,
) -> NewEntry {
    let event = json!({
        "schema": EVENT_SCHEMA, "type": "withdrawn", "via": via, "at": at,
        "proofSeq": proof_seq, "proof": proof_sha256, "purposes": purposes, "ip": ip,
    });
    entry(EntryKind::Withdrawal, event, Some(subject))
}

/// What a prune entry says, read back.
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
pub struct PruneEvent {
    /// The seqs of the entries it erased.
    pub erased: Vec<i64>,
}

/// A stored event's JSON as `T`; `None` if it is not one.
pub fn read<T: serde::de::DeserializeOwned>(body: &str) -> Option<T> {
    serde_json::from_str(body).ok()
}

/// The merchant registered a form version that the held proof at
/// `proof_seq` matches: from here on it counts.
pub fn release(
    proof_seq: i64,
    proof_sha256: &str,
    form: (&str, &str),
    at: &str,
    subject: String,
) -> NewEntry {
    let event = json!({
        "schema": EVENT_SCHEMA, "type": "released", "at": at,
        "proofSeq": proof_seq, "proof": proof_sha256,
        "form": {"id": form.0, "version": form.1},
    });
    entry(EntryKind::Release, event, Some(subject))
}
