//! The durable hand-off table, in the collector's database (SQLite or PostgreSQL).
//!
//! One row per (log entry, connector), written by [`enqueue`] inside the
//! transaction that records the change, so a change is handed off if and
//! only if it is in the log. Rows move `waiting` → `delivered`, or
//! `given-up` after the attempt limit; `connectors retry` puts given-up
//! rows back to `waiting`, and marks `superseded` those a newer delivered
//! change of the same subject has overtaken (a stale "subscribed" must not
//! undo a later "unsubscribed").
//!
//! Order: a subject's rows for one connector are delivered in log order: a
//! row is not claimed while an earlier one of the same connector and subject
//! waits. Claims: `FOR UPDATE SKIP LOCKED` on PostgreSQL (SQLite has one
//! writer at a time, under `BEGIN IMMEDIATE`), then a lease: a collector
//! that dies mid-delivery leaves the row to be claimed again once its lease
//! ends.

use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, Row};

use super::report;
pub use super::report::ConnectorStatus;
use super::Change;

/// The statements that create the table: added to the collector's
/// migrations as one version.
pub const MIGRATION: &[&str] = &[
    "CREATE TABLE handoffs (
        id TEXT PRIMARY KEY,
        entry_seq BIGINT NOT NULL,
        connector TEXT NOT NULL,
        subject TEXT NOT NULL,
        change TEXT NOT NULL,
        state TEXT NOT NULL,
        attempts BIGINT NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        lease_owner TEXT,
        lease_until TEXT,
        last_error TEXT,
        last_error_at TEXT,
        created_at TEXT NOT NULL,
        done_at TEXT
    )",
    "CREATE INDEX handoffs_due ON handoffs (state, next_attempt_at)",
    "CREATE INDEX handoffs_order ON handoffs (connector, subject, entry_seq)",
];

/// One hand-off as claimed for delivery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Handoff {
    /// `<entry seq>-<connector>`: the idempotency key sent to the tool.
    pub id: String,
    /// The log entry that made the change.
    pub entry_seq: i64,
    /// The connector it is for.
    pub connector: String,
    /// The change.
    pub change: Change,
    /// Attempts so far, this one included.
    pub attempts: i64,
}

/// RFC 3339 UTC with milliseconds: fixed width, so text order is time order.
pub fn ts(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Writes one row per connector for the change recorded at `seq`, inside
/// the caller's transaction. The connector that reported an inbound change
/// is left out (it already holds it). Enqueuing the same seq twice is a no-op.
pub async fn enqueue(
    conn: &mut AnyConnection,
    connectors: &[String],
    seq: i64,
    change: &Change,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    enqueue_keyed(conn, connectors, seq, "", change, now).await
}

/// [`enqueue`] for one of several changes one entry makes (a prune erases
/// many subjects): `key` tells them apart in the hand-off id.
pub async fn enqueue_keyed(
    conn: &mut AnyConnection,
    connectors: &[String],
    seq: i64,
    key: &str,
    change: &Change,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let json = serde_json::to_string(change).expect("a change serializes");
    let skip = change.source.connector();
    for name in connectors.iter().filter(|n| Some(n.as_str()) != skip) {
        sqlx::query(
            "INSERT INTO handoffs (id, entry_seq, connector, subject, change, state, next_attempt_at, created_at)
             VALUES ($1, $2, $3, $4, $5, 'waiting', $6, $6) ON CONFLICT (id) DO NOTHING",
        )
        .bind(if key.is_empty() {
            format!("{seq}-{name}")
        } else {
            format!("{seq}.{key}-{name}")
        })
        .bind(seq)
        .bind(name.as_str())
        .bind(change.email.as_str())
        .bind(json.as_str())
        .bind(ts(now))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The hand-off table of one database.
#[derive(Clone)]
pub struct Queue {
    pool: AnyPool,
    postgres: bool,
}

impl Queue {
    /// The queue in `pool`'s database; `postgres` picks row locks for claims.
    pub fn new(pool: AnyPool, postgres: bool) -> Self {
        Queue { pool, postgres }
    }

    /// A small pool of its own on the collector's database (already
    /// migrated by the store), so that delivery never takes a connection
    /// the appends wait for.
    pub async fn connect(url: &str) -> Result<Self, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let postgres = url.starts_with("postgres");
        let pool = sqlx::any::AnyPoolOptions::new()
            .max_connections(2)
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if !postgres {
                        use sqlx::Executor;
                        conn.execute("PRAGMA busy_timeout = 10000").await?;
                    }
                    Ok(())
                })
            })
            .connect(url)
            .await?;
        Ok(Queue { pool, postgres })
    }

    async fn begin(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        if self.postgres {
            self.pool.begin().await
        } else {
            self.pool.begin_with("BEGIN IMMEDIATE").await
        }
    }

    /// Claims up to `limit` due rows for `owner` until `lease_until`,
    /// counting one attempt each.
    pub async fn claim(
        &self,
        owner: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<Handoff>, sqlx::Error> {
        let lock = if self.postgres {
            "FOR UPDATE SKIP LOCKED"
        } else {
            ""
        };
        let sql = format!(
            "UPDATE handoffs SET lease_owner = $1, lease_until = $2, attempts = attempts + 1
             WHERE id IN (
                SELECT h.id FROM handoffs h
                WHERE h.state = 'waiting' AND h.next_attempt_at <= $3
                  AND (h.lease_until IS NULL OR h.lease_until <= $3)
                  AND NOT EXISTS (SELECT 1 FROM handoffs e WHERE e.connector = h.connector
                      AND e.subject = h.subject AND e.state = 'waiting' AND e.entry_seq < h.entry_seq)
                ORDER BY h.next_attempt_at, h.entry_seq LIMIT $4 {lock})
             RETURNING id, entry_seq, connector, change, attempts"
        );
        let mut tx = self.begin().await?;
        let rows = sqlx::query(&sql)
            .bind(owner)
            .bind(ts(lease_until))
            .bind(ts(now))
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        let mut claimed = Vec::with_capacity(rows.len());
        for row in &rows {
            claimed.push(handoff_from(row)?);
        }
        claimed.sort_by_key(|h| h.entry_seq);
        Ok(claimed)
    }

    /// Marks a claimed row delivered (only while `owner` holds it).
    pub async fn delivered(
        &self,
        id: &str,
        owner: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query("UPDATE handoffs SET state = 'delivered', done_at = $1, lease_owner = NULL, lease_until = NULL WHERE id = $2 AND lease_owner = $3 AND state = 'waiting'")
            .bind(ts(now))
            .bind(id)
            .bind(owner)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records a failed attempt: due again at `next`, or given up when `next` is `None`.
    pub async fn failed(
        &self,
        id: &str,
        owner: &str,
        error: &str,
        next: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        let (state, next, done) = match next {
            Some(next) => ("waiting", ts(next), None),
            None => ("given-up", ts(now), Some(ts(now))),
        };
        sqlx::query("UPDATE handoffs SET state = $1, next_attempt_at = $2, done_at = $3, last_error = $4, last_error_at = $5, lease_owner = NULL, lease_until = NULL WHERE id = $6 AND lease_owner = $7 AND state = 'waiting'")
            .bind(state)
            .bind(next)
            .bind(done)
            .bind(error)
            .bind(ts(now))
            .bind(id)
            .bind(owner)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// When the earliest waiting row is due (or its lease ends), if any waits.
    pub async fn next_due(&self) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
        let row = sqlx::query("SELECT MIN(CASE WHEN lease_until IS NOT NULL AND lease_until > next_attempt_at THEN lease_until ELSE next_attempt_at END) AS due FROM handoffs WHERE state = 'waiting'")
            .fetch_one(&self.pool)
            .await?;
        let due: Option<String> = row.try_get("due")?;
        Ok(due
            .and_then(|d| DateTime::parse_from_rfc3339(&d).ok())
            .map(|d| d.with_timezone(&Utc)))
    }

    /// Counts per connector and state, and each connector's latest error.
    pub async fn status(&self) -> Result<Vec<ConnectorStatus>, sqlx::Error> {
        report::status(&self.pool).await
    }

    /// Puts given-up rows back to `waiting`, due now, with a fresh attempt
    /// count; those a newer delivered change of the same subject overtook
    /// become `superseded` instead. Returns (re-queued, superseded).
    pub async fn retry_given_up(
        &self,
        connector: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(u64, u64), sqlx::Error> {
        // Binding a NULL for "every connector" leaves PostgreSQL unable to
        // type the parameter: the filter is spelled out instead.
        let (first, second) = match connector {
            Some(_) => ("AND connector = $1", "AND connector = $2"),
            None => ("", ""),
        };
        let mut tx = self.begin().await?;
        let sql = format!("UPDATE handoffs SET state = 'superseded' WHERE state = 'given-up' {first} AND EXISTS (SELECT 1 FROM handoffs n WHERE n.connector = handoffs.connector AND n.subject = handoffs.subject AND n.entry_seq > handoffs.entry_seq AND n.state = 'delivered')");
        let mut query = sqlx::query(&sql);
        if let Some(name) = connector {
            query = query.bind(name);
        }
        let superseded = query.execute(&mut *tx).await?.rows_affected();
        let sql = format!("UPDATE handoffs SET state = 'waiting', attempts = 0, next_attempt_at = $1, done_at = NULL WHERE state = 'given-up' {second}");
        let mut query = sqlx::query(&sql).bind(ts(now));
        if let Some(name) = connector {
            query = query.bind(name);
        }
        let requeued = query.execute(&mut *tx).await?.rows_affected();
        tx.commit().await?;
        Ok((requeued, superseded))
    }

    /// Deletes the finished rows of an erased subject, inside the erasing
    /// transaction: only the waiting ones (the erasure's own included) stay
    /// until delivered.
    pub async fn forget_subject(
        conn: &mut AnyConnection,
        subject: &str,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM handoffs WHERE subject = $1 AND state <> 'waiting'")
            .bind(subject)
            .execute(&mut *conn)
            .await?;
        Ok(())
    }
}

fn handoff_from(row: &AnyRow) -> Result<Handoff, sqlx::Error> {
    let change: String = row.try_get("change")?;
    Ok(Handoff {
        id: row.try_get("id")?,
        entry_seq: row.try_get("entry_seq")?,
        connector: row.try_get("connector")?,
        change: serde_json::from_str(&change).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
        attempts: row.try_get("attempts")?,
    })
}
