//! `export`: the current state of every subject and purpose, replayed from the log.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;

use chrono::{DateTime, Utc};
use serde::Serialize;

use consent_proof::{DoubleOptIn, Kind};

use crate::ledger::events::{self, LinkEvent};
use crate::ledger::receipt::EntryKind;
use crate::proof::stored;
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
    let Some(body_text) = entry.body.as_deref() else {
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
            // The texts are not needed: no labels are exported.
            let Some(view) = entry
                .jws_header
                .as_deref()
                .and_then(|header| stored::read(header, body_text, None))
            else {
                return;
            };
            let purposes: Vec<(String, String, String)> = view
                .purposes
                .iter()
                .map(|p| {
                    (
                        p.id.clone(),
                        p.channel.as_str().into(),
                        p.choice.as_str().into(),
                    )
                })
                .collect();
            let withdrawal = view.kind == Kind::Withdrawal;
            let double_opt_in = view.double_opt_in == DoubleOptIn::Requested;
            for p in &view.purposes {
                let state = match p.choice {
                    _ if withdrawal => "withdrawn",
                    // Granted, or not objected to (b2b, soft opt-in): waits for the click.
                    choice if choice.allows_sending() && double_opt_in => "pending",
                    choice => choice.as_str(),
                };
                states.extend([row(
                    &p.id,
                    p.channel.as_str(),
                    state,
                    entry.record_id.clone(),
                    view.phone.clone(),
                )]);
            }
            proofs.insert(
                entry.seq,
                ProofFacts {
                    subject: subject.clone(),
                    record_id: entry.record_id.clone(),
                    phone: view.phone,
                    purposes,
                },
            );
        }
        Some(EntryKind::Confirmation) => {
            let Some(event) = events::read::<LinkEvent>(body_text) else {
                return;
            };
            let Some(proof) = proofs.get(&event.proof_seq) else {
                return;
            };
            for (id, channel, _) in &proof.purposes {
                // Only what that proof left pending is confirmed: a withdrawal in between wins.
                let key = (proof.subject.clone(), id.clone());
                if states
                    .get(&key)
                    .is_some_and(|r| r.state == "pending" && r.seq == event.proof_seq)
                {
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
            let Some(event) = events::read::<LinkEvent>(body_text) else {
                return;
            };
            let Some(proof) = proofs.get(&event.proof_seq) else {
                return;
            };
            let withdrawn = proof
                .purposes
                .iter()
                .filter(|p| event.purposes.contains(&p.0));
            for (id, channel, _) in withdrawn {
                states.extend([row(
                    id,
                    channel,
                    "withdrawn",
                    proof.record_id.clone(),
                    proof.phone.clone(),
                )]);
            }
        }
        Some(EntryKind::Prune) | None => {}
    }
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
