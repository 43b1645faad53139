//! `export`: the current state of every subject and purpose, replayed from the log.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::ledger::receipt::EntryKind;
use crate::store::{Pages, Store, StoreError, StoredEntry};

/// One subject and purpose, and where they stand.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StateRow {
    /// Lowercased e-mail address.
    pub subject: String,
    /// Purpose id.
    pub purpose: String,
    /// `email` or `sms`.
    pub channel: String,
    /// `granted`, `pending`, `confirmed`, `withdrawn`, `refused`, `objected` or `not-objected`.
    pub state: String,
    /// When it last changed (receive time of that entry).
    pub since: String,
    /// Seq of the entry that set it.
    pub seq: i64,
    /// Record id of the proof behind it (the consent, or the withdrawal).
    pub record_id: Option<String>,
    /// The phone number (E.164) that proof gave, if any: the number an SMS
    /// consent is for. Last, so that CSV readers by position keep working.
    pub phone: Option<String>,
}

/// Which rows to export.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// Only this subject (compared lowercased).
    pub subject: Option<String>,
    /// Only rows changed at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Only rows changed before this time.
    pub until: Option<DateTime<Utc>>,
}

/// Output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One JSON object per line.
    Jsonl,
    /// Comma-separated values with a header row.
    Csv,
    /// ISO/IEC TS 27560 consent records, DPV JSON-LD, one per line (see [`super::iso27560`]).
    Iso27560,
}

/// The proof fields a replay needs.
struct ProofFacts {
    subject: String,
    record_id: Option<String>,
    phone: Option<String>,
    purposes: Vec<(String, String, String)>,
}

/// Replays the log into the current state per subject and purpose.
pub async fn current_states(
    store: &dyn Store,
    filter: &Filter,
) -> Result<Vec<StateRow>, StoreError> {
    let mut proofs: HashMap<i64, ProofFacts> = HashMap::new();
    let mut states: BTreeMap<(String, String), StateRow> = BTreeMap::new();
    let mut pages = Pages::new(store);
    while let Some(page) = pages.next().await? {
        for entry in &page {
            apply(entry, &mut proofs, &mut states);
        }
    }
    let wanted = filter.subject.as_ref().map(|s| s.trim().to_lowercase());
    let since = filter.since.map(crate::store::timestamp);
    let until = filter.until.map(crate::store::timestamp);
    Ok(states
        .into_values()
        .filter(|row| wanted.as_ref().map_or(true, |s| *s == row.subject))
        .filter(|row| since.as_ref().map_or(true, |t| row.since >= *t))
        .filter(|row| until.as_ref().map_or(true, |t| row.since < *t))
        .collect())
}

fn apply(
    entry: &StoredEntry,
    proofs: &mut HashMap<i64, ProofFacts>,
    states: &mut BTreeMap<(String, String), StateRow>,
) {
    // Erased entries carry nothing to replay.
    let Some(body) = entry
        .body
        .as_deref()
        .and_then(|b| serde_json::from_str::<serde_json::Value>(b).ok())
    else {
        return;
    };
    let Some(subject) = entry.subject.clone() else {
        return;
    };
    let row = |purpose: &str,
               channel: &str,
               state: &str,
               record_id: Option<String>,
               phone: Option<String>| {
        let row = StateRow {
            subject: subject.clone(),
            purpose: purpose.into(),
            channel: channel.into(),
            state: state.into(),
            since: entry.received_at.clone(),
            seq: entry.seq,
            record_id,
            phone,
        };
        ((subject.clone(), purpose.to_string()), row)
    };
    match EntryKind::parse(&entry.kind) {
        Some(EntryKind::Proof) => {
            let purposes: Vec<(String, String, String)> = body["purposes"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| (text(&p["id"]), text(&p["channel"]), text(&p["choice"])))
                .collect();
            let withdrawal = body["kind"] == "withdrawal";
            let phone = body["subject"]["phone"].as_str().map(String::from);
            let double_opt_in = body["doubleOptIn"] == "requested";
            for (id, channel, choice) in &purposes {
                let state = match choice.as_str() {
                    _ if withdrawal => "withdrawn",
                    "granted" if double_opt_in => "pending",
                    other => other,
                };
                states.extend([row(
                    id,
                    channel,
                    state,
                    entry.record_id.clone(),
                    phone.clone(),
                )]);
            }
            proofs.insert(
                entry.seq,
                ProofFacts {
                    subject: subject.clone(),
                    record_id: entry.record_id.clone(),
                    phone,
                    purposes,
                },
            );
        }
        Some(EntryKind::Confirmation) => {
            let Some(proof) = body["proofSeq"].as_i64().and_then(|s| proofs.get(&s)) else {
                return;
            };
            for (id, channel, _) in &proof.purposes {
                // Only what that proof left pending is confirmed: a withdrawal in between wins.
                let key = (proof.subject.clone(), id.clone());
                if states.get(&key).is_some_and(|r| {
                    r.state == "pending" && r.seq == body["proofSeq"].as_i64().unwrap_or(-1)
                }) {
                    states.extend([row(
                        id,
                        channel,
                        "confirmed",
                        proof.record_id.clone(),
                        proof.phone.clone(),
                    )]);
                }
            }
        }
        Some(EntryKind::Withdrawal) => {
            let Some(proof) = body["proofSeq"].as_i64().and_then(|s| proofs.get(&s)) else {
                return;
            };
            let withdrawn: Vec<String> = body["purposes"]
                .as_array()
                .into_iter()
                .flatten()
                .map(text)
                .collect();
            for (id, channel, _) in proof.purposes.iter().filter(|p| withdrawn.contains(&p.0)) {
                states.extend([row(
                    id,
                    channel,
                    "withdrawn",
                    proof.record_id.clone(),
                    proof.phone.clone(),
                )]);
            }
        }
        Some(EntryKind::Prune | EntryKind::Erasure) | None => {}
    }
}

fn text(value: &serde_json::Value) -> String {
    value.as_str().unwrap_or_default().to_string()
}

/// Writes rows in the chosen format.
pub fn write(rows: &[StateRow], format: Format, out: &mut dyn Write) -> std::io::Result<()> {
    match format {
        Format::Jsonl => {
            for row in rows {
                serde_json::to_writer(&mut *out, row)?;
                out.write_all(b"\n")?;
            }
        }
        Format::Iso27560 => {
            return Err(std::io::Error::other("iso27560 records are written by audit::iso27560"))
        }
        Format::Csv => {
            let mut writer = csv::Writer::from_writer(out);
            for row in rows {
                writer.serialize(row).map_err(std::io::Error::other)?;
            }
            writer.flush()?;
        }
    }
    Ok(())
}
