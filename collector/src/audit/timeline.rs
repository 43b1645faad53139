//! One subject's entries, in log order, with everything a DPO needs to read
//! them: what `history`, `access`, `audit-bundle` and the ISO/IEC TS 27560
//! export all start from, so that they cannot tell different stories.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::Value;

use consent_proof::Kind;

use crate::crypto::hash::sha256_hex;
use crate::proof::stored;
use crate::ledger::receipt::EntryKind;
use crate::store::{Pages, Store, StoreError, StoredEntry};

/// What happened at one entry, as a DPO names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum What {
    /// A signed proof granting at least one purpose (or not objecting to one).
    Consent,
    /// A signed proof that granted nothing: every purpose refused or objected to.
    Refusal,
    /// A signed withdrawal from the widget ("Manage my choices").
    Withdrawal,
    /// The double opt-in link was clicked.
    Confirmation,
    /// The unsubscribe link was used.
    Unsubscribe,
    /// Entries were erased: on request, or by a retention prune.
    Erasure,
    /// A held proof was released: the merchant registered its form version.
    Release,
    /// An entry of another kind written for this subject.
    Other,
}

impl What {
    /// The word printed by `history`.
    pub fn as_str(self) -> &'static str {
        match self {
            What::Consent => "consent",
            What::Refusal => "refusal",
            What::Withdrawal => "withdrawal",
            What::Confirmation => "confirmation",
            What::Unsubscribe => "unsubscribe",
            What::Erasure => "erasure",
            What::Release => "release",
            What::Other => "other",
        }
    }
}

/// The form a proof came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Form {
    /// Form id.
    pub id: String,
    /// Form version.
    pub version: String,
    /// Widget build that showed it.
    pub widget: String,
}

/// The privacy policy a proof linked to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Policy {
    /// Its URL.
    pub url: String,
    /// Its version, when the form gave one.
    pub version: Option<String>,
}

/// One purpose of a proof, and the choice made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Choice {
    /// Purpose id.
    pub id: String,
    /// `email` or `sms`.
    pub channel: String,
    /// `consent`, `legitimate-interest` or `soft-opt-in`.
    pub basis: String,
    /// `granted`, `refused`, `withdrawn`, `objected` or `not-objected`.
    pub choice: String,
    /// The exact text shown next to it, when the texts are stored.
    pub text: Option<String>,
}

/// The exact texts a proof says were shown, resolved from the text store.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Texts {
    /// Key in the text store: SHA-256 of the canonical JSON of `texts.shown`.
    pub sha256: String,
    /// The texts by key, as shown; `None` when the store does not hold them
    /// or they do not match their hash.
    pub shown: Option<Value>,
}

/// One entry of a subject's history.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    /// Position in the log.
    pub seq: i64,
    /// What happened.
    pub what: What,
    /// When the collector received it (RFC 3339, the receipt's `receivedAt`).
    pub received_at: String,
    /// When the browser signed it (proofs only).
    pub issued_at: Option<String>,
    /// The proof's record id (proofs only).
    pub record_id: Option<String>,
    /// Seq of the consent a confirmation or unsubscribe acts on.
    pub refers_to: Option<i64>,
    /// The form (proofs only).
    pub form: Option<Form>,
    /// The page the form was on (proofs only).
    pub page: Option<String>,
    /// Language of the form (proofs only).
    pub locale: Option<String>,
    /// The privacy policy linked from the form (proofs only).
    pub privacy_policy: Option<Policy>,
    /// Controller name and contact, as the proof states them (proofs only).
    pub controller: Option<Value>,
    /// The choices made (for an unsubscribe: the purposes withdrawn).
    pub purposes: Vec<Choice>,
    /// Whether a confirmation by mail was asked for (proofs only).
    pub double_opt_in: Option<String>,
    /// How the choice was expressed, e.g. `unchecked-box-ticked` (proofs only).
    pub mechanism: Option<String>,
    /// Jurisdiction the form declared, e.g. `FR` (proofs only).
    pub jurisdiction: Option<String>,
    /// For a widget withdrawal: SHA-256 of the proof it withdraws from.
    pub prev: Option<String>,
    /// For an erasure: how many entries it erased.
    pub erased: Option<u64>,
    /// The exact texts shown (proofs only).
    pub texts: Option<Texts>,
    /// The truncated client IP, where the entry recorded one.
    pub ip: Option<String>,
    /// SHA-256 of the proof JWS or event JSON: the receipt's `proof`.
    pub proof_sha256: String,
    /// The collector's receipt JWS.
    pub receipt: String,
    /// Why a proof is held (its form version is not registered, or differs):
    /// it counts for nothing until the merchant approves it. `None` for a
    /// proof that counts, or was released since, and for events.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub held: Option<String>,
}

/// Every entry of `subject` (an e-mail address, compared trimmed and
/// lowercased), in log order, with texts resolved. Entries whose content was
/// erased are not the subject's any more and do not appear.
pub async fn subject_events(store: &dyn Store, subject: &str) -> Result<Vec<Event>, StoreError> {
    let key = subject_key(subject);
    let held = held_reasons(store).await?;
    let mut events = Vec::new();
    let mut pages = Pages::new(store);
    while let Some(page) = pages.next().await? {
        for entry in page.iter().filter(|e| e.subject.as_deref() == Some(&key)) {
            if let Some(event) = event(store, entry, &held).await? {
                events.push(event);
            }
        }
    }
    Ok(events)
}

/// Every entry of the log that still holds its content, in order.
pub async fn all_events(store: &dyn Store) -> Result<Vec<(Option<String>, Event)>, StoreError> {
    let held = held_reasons(store).await?;
    let mut events = Vec::new();
    let mut pages = Pages::new(store);
    while let Some(page) = pages.next().await? {
        for entry in &page {
            if let Some(event) = event(store, entry, &held).await? {
                events.push((entry.subject.clone(), event));
            }
        }
    }
    Ok(events)
}

/// The subject key the collector stores: trimmed and lowercased.
pub fn subject_key(subject: &str) -> String {
    subject.trim().to_lowercase()
}

/// Reads one stored entry (`held`: why each held proof not released is
/// held, by seq); `None` once its content is erased.
pub async fn event(
    store: &dyn Store,
    entry: &StoredEntry,
    held: &HashMap<i64, String>,
) -> Result<Option<Event>, StoreError> {
    let Some(body) = entry
        .body
        .as_deref()
        .and_then(|b| serde_json::from_str::<Value>(b).ok())
    else {
        return Ok(None);
    };
    let mut event = Event {
        seq: entry.seq,
        what: What::Other,
        received_at: entry.received_at.clone(),
        issued_at: None,
        record_id: entry.record_id.clone(),
        refers_to: body["proofSeq"].as_i64(),
        form: None,
        page: None,
        locale: None,
        privacy_policy: None,
        controller: None,
        purposes: Vec::new(),
        double_opt_in: None,
        mechanism: None,
        jurisdiction: None,
        prev: None,
        erased: None,
        texts: None,
        ip: body["ip"].as_str().map(String::from),
        proof_sha256: entry.proof_sha256.clone(),
        receipt: entry.receipt.clone(),
        held: None,
    };
    match EntryKind::parse(&entry.kind) {
        Some(EntryKind::Proof) => {
            event.held = held.get(&entry.seq).cloned();
            let texts = match &entry.texts_sha256 {
                Some(sha) => Some(Texts {
                    sha256: sha.clone(),
                    shown: resolve_texts(store, sha).await?,
                }),
                None => None,
            };
            // The stored proof as the verifier's typed record; the texts
            // resolved from the store (checked against their hash) or kept
            // in the body.
            let shown = texts.as_ref().and_then(|t| t.shown.as_ref()).map(Value::to_string);
            let record = entry
                .jws_header
                .as_deref()
                .and_then(|h| stored::record(h, entry.body.as_deref()?, shown.as_deref()));
            if let Some((record, _)) = record {
                event.purposes = choices(&record);
                event.what = if record.kind == Kind::Withdrawal {
                    What::Withdrawal
                } else if record.purposes.iter().any(|p| p.choice.allows_sending()) {
                    What::Consent
                } else {
                    What::Refusal
                };
                event.issued_at = Some(record.issued_at.clone());
                event.form = Some(Form {
                    id: record.form.id.clone(),
                    version: record.form.version.clone(),
                    widget: record.form.widget.clone(),
                });
                event.page = Some(record.site.page.clone());
                event.locale = Some(record.locale.clone());
                event.privacy_policy = Some(Policy {
                    url: record.privacy_policy.url.clone(),
                    version: record.privacy_policy.version.clone(),
                });
                event.controller = serde_json::to_value(&record.controller).ok();
                event.double_opt_in = Some(record.double_opt_in.as_str().into());
                event.mechanism = Some(record.mechanism.clone());
                event.jurisdiction = Some(record.jurisdiction.clone());
                event.prev = record.prev.clone();
            }
            event.texts = texts;
        }
        Some(EntryKind::Confirmation) => event.what = What::Confirmation,
        Some(EntryKind::Release) => event.what = What::Release,
        Some(EntryKind::Withdrawal) => {
            event.what = What::Unsubscribe;
            event.purposes = body["purposes"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(|id| Choice {
                    id: id.to_string(),
                    channel: String::new(),
                    basis: String::new(),
                    choice: "withdrawn".into(),
                    text: None,
                })
                .collect();
        }
        Some(EntryKind::Prune | EntryKind::Erasure) => {
            event.what = What::Erasure;
            event.erased = body["erased"].as_array().map(|a| a.len() as u64);
        }
        None => {}
    }
    Ok(Some(event))
}

/// Why each held proof not released yet is held, by seq: read once per
/// reading of the log, as `forms held` reads it.
async fn held_reasons(store: &dyn Store) -> Result<HashMap<i64, String>, StoreError> {
    Ok(crate::registry::sql::held(store.sql_pool(), None)
        .await?
        .into_iter()
        .map(|h| (h.seq, h.reason))
        .collect())
}

/// The stored texts, only if they still match their hash.
async fn resolve_texts(store: &dyn Store, sha: &str) -> Result<Option<Value>, StoreError> {
    Ok(store
        .text(sha)
        .await?
        .filter(|shown| sha256_hex(shown) == sha)
        .and_then(|shown| serde_json::from_str(&shown).ok()))
}

fn choices(record: &consent_proof::Proof) -> Vec<Choice> {
    record
        .purposes
        .iter()
        .map(|p| Choice {
            text: record.texts.shown.get(&format!("purpose.{}", p.id)).map(String::from),
            channel: p.channel.as_str().into(),
            basis: p.basis.as_str().into(),
            choice: p.choice.as_str().into(),
            id: p.id.clone(),
        })
        .collect()
}
