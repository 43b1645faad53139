//! What the hand-off table tells the merchant and the DPO: per-connector
//! counts and last error (`connectors status`, the dashboard), and one
//! subject's hand-offs (`history`). Reads only, on any pool of the
//! collector's database: no claim, no lease.

use serde::Serialize;
use sqlx::{AnyPool, Row};

use super::{Change, OptIn, State};

/// Per-connector counts for `connectors status`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConnectorStatus {
    /// The connector.
    pub connector: String,
    /// Hand-offs the tool accepted.
    pub delivered: i64,
    /// Hand-offs still to deliver (retries included).
    pub waiting: i64,
    /// Hand-offs given up after the attempt limit or a permanent refusal.
    pub given_up: i64,
    /// Given-up hand-offs a newer delivered change made pointless.
    pub superseded: i64,
    /// The most recent error, and when.
    pub last_error: Option<(String, String)>,
}

impl ConnectorStatus {
    /// The line `connectors status` prints.
    pub fn line(&self) -> String {
        let error = self
            .last_error
            .as_ref()
            .map(|(e, at)| format!(" last error at {at}: {e}"))
            .unwrap_or_default();
        format!(
            "{}: delivered {}, waiting {}, given up {}, superseded {}.{error}",
            self.connector, self.delivered, self.waiting, self.given_up, self.superseded
        )
    }
}

/// Counts per connector and state, and each connector's latest error, read
/// from the database at `pool` (the store's own pool will do: no claim is made).
pub async fn status(pool: &AnyPool) -> Result<Vec<ConnectorStatus>, sqlx::Error> {
    let rows = sqlx::query("SELECT connector, state, COUNT(*) AS n FROM handoffs GROUP BY connector, state ORDER BY connector")
        .fetch_all(pool)
        .await?;
    let mut out: Vec<ConnectorStatus> = Vec::new();
    for row in &rows {
        let connector: String = row.try_get("connector")?;
        if out.last().map(|s| &s.connector) != Some(&connector) {
            out.push(ConnectorStatus {
                connector: connector.clone(),
                ..Default::default()
            });
        }
        let entry = out.last_mut().expect("just pushed");
        let n: i64 = row.try_get("n")?;
        match row.try_get::<String, _>("state")?.as_str() {
            "delivered" => entry.delivered = n,
            "waiting" => entry.waiting = n,
            "given-up" => entry.given_up = n,
            _ => entry.superseded = n,
        }
    }
    let errors = sqlx::query("SELECT h.connector, h.last_error, h.last_error_at FROM handoffs h WHERE h.last_error_at = (SELECT MAX(x.last_error_at) FROM handoffs x WHERE x.connector = h.connector)")
        .fetch_all(pool)
        .await?;
    for row in &errors {
        let connector: String = row.try_get("connector")?;
        if let Some(entry) = out.iter_mut().find(|s| s.connector == connector) {
            entry.last_error = Some((row.try_get("last_error")?, row.try_get("last_error_at")?));
        }
    }
    Ok(out)
}

/// One hand-off of a subject, as `history` tells it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SubjectHandoff {
    /// The log entry that made the change.
    pub entry_seq: i64,
    /// The connector it is for.
    pub connector: String,
    /// When it was queued (in the entry's transaction).
    pub created_at: String,
    /// The change handed off: confirmed, withdrawn or erased.
    pub change: State,
    /// The opt-in level it carries.
    pub opt_in: Option<OptIn>,
    /// The purposes it covers.
    pub purposes: Vec<String>,
    /// `delivered`, `waiting`, `given-up` or `superseded`.
    pub state: String,
    /// Attempts so far.
    pub attempts: i64,
    /// When it was delivered, given up or superseded.
    pub done_at: Option<String>,
    /// When a waiting hand-off is next tried.
    pub next_attempt_at: Option<String>,
    /// The last failed attempt's error, and when.
    pub last_error: Option<LastError>,
}

/// A hand-off's last failed attempt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LastError {
    /// When it failed.
    pub at: String,
    /// What the tool (or the network) said.
    pub message: String,
}

/// Every hand-off of `subject` (the stored key: trimmed, lowercased) still in
/// the table, in log order then by connector. An erasure leaves only its own
/// waiting rows until they are delivered.
pub async fn subject_handoffs(
    pool: &AnyPool,
    subject: &str,
) -> Result<Vec<SubjectHandoff>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT entry_seq, connector, change, state, attempts, next_attempt_at, last_error, last_error_at, created_at, done_at
         FROM handoffs WHERE subject = $1 ORDER BY entry_seq, connector",
    )
    .bind(subject)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            let change: String = row.try_get("change")?;
            let change: Change =
                serde_json::from_str(&change).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
            let state: String = row.try_get("state")?;
            let last_error: Option<String> = row.try_get("last_error")?;
            let last_error_at: Option<String> = row.try_get("last_error_at")?;
            Ok(SubjectHandoff {
                entry_seq: row.try_get("entry_seq")?,
                connector: row.try_get("connector")?,
                created_at: row.try_get("created_at")?,
                change: change.state,
                opt_in: change.opt_in,
                purposes: change.purposes.into_iter().map(|p| p.id).collect(),
                next_attempt_at: (state == "waiting")
                    .then(|| row.try_get("next_attempt_at"))
                    .transpose()?,
                state,
                attempts: row.try_get("attempts")?,
                done_at: row.try_get("done_at")?,
                last_error: last_error
                    .zip(last_error_at)
                    .map(|(message, at)| LastError { at, message }),
            })
        })
        .collect()
}
