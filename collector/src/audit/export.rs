//! `export`: the current state of every subject and purpose, replayed from the log.

use std::io::Write;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::flows::replay::Replay;
use crate::store::{Pages, Store, StoreError};

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

/// Replays the log into the current state per subject and purpose, through
/// the state table (`crate::flows::consent_state`): held proofs count only
/// from their release.
pub async fn current_states(
    store: &dyn Store,
    filter: &Filter,
) -> Result<Vec<StateRow>, StoreError> {
    let held = crate::registry::sql::held_seqs(store.sql_pool()).await?;
    let mut replay = Replay::new(held.into_iter().collect());
    let mut pages = Pages::new(store);
    while let Some(page) = pages.next().await? {
        for entry in &page {
            replay.apply(entry);
        }
    }
    let wanted = filter.subject.as_ref().map(|s| s.trim().to_lowercase());
    let since = filter.since.map(crate::store::timestamp);
    let until = filter.until.map(crate::store::timestamp);
    let mut rows: Vec<StateRow> = replay
        .subjects()
        .filter(|(subject, _)| wanted.as_ref().map_or(true, |s| s == *subject))
        .flat_map(|(subject, state)| {
            state.rows().map(move |row| StateRow {
                subject: subject.clone(),
                purpose: row.purpose.clone(),
                channel: row.channel.as_str().to_string(),
                state: row.state.as_str().to_string(),
                since: row.since.clone(),
                seq: row.seq,
                record_id: row.record_id.clone(),
                phone: row.phone.clone(),
            })
        })
        .filter(|row| since.as_ref().map_or(true, |t| row.since >= *t))
        .filter(|row| until.as_ref().map_or(true, |t| row.since < *t))
        .collect();
    rows.sort_by(|a, b| (&a.subject, &a.purpose).cmp(&(&b.subject, &b.purpose)));
    Ok(rows)
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
