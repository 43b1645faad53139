//! Rate-limit counters in the database, shared by every collector on it and kept across restarts.
//!
//! One row per key (`ip:<network>`, `mail:<subject>`, `resend:<subject>`)
//! holds the count of its current window, which opens at the key's first
//! event and lasts the window's length. Taking an event is one upsert
//! that counts only while under the limit, so two collectors racing for the
//! last allowance cannot both get it. Both SQLite and PostgreSQL accept this
//! SQL (`ON CONFLICT ... DO UPDATE ... WHERE`, `RETURNING`). They commit as
//! the mail bookkeeping does, without waiting for the disk: a power cut may
//! lose the last few counts, not the log.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::LazyLock;

use sqlx::AnyConnection;

/// Every this many events, the counters of windows that are over are deleted.
const SWEEP_EVERY: u64 = 1024;
static TAKEN: AtomicU64 = AtomicU64::new(0);

/// The migration that creates the counters.
pub const MIGRATION: &[&str] = &[
    "CREATE TABLE rate_counters (
        key TEXT PRIMARY KEY,
        window_start BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        count BIGINT NOT NULL
    )",
    "CREATE INDEX rate_counters_expiry ON rate_counters (expires_at)",
];

/// A counter taken again: a new window if its last one is over, else one more.
const UPDATE_IN_WINDOW: &str = "
    count = CASE WHEN rate_counters.expires_at <= excluded.window_start
                 THEN 1 ELSE rate_counters.count + 1 END,
    window_start = CASE WHEN rate_counters.expires_at <= excluded.window_start
                 THEN excluded.window_start ELSE rate_counters.window_start END,
    expires_at = CASE WHEN rate_counters.expires_at <= excluded.window_start
                 THEN excluded.expires_at ELSE rate_counters.expires_at END";

/// `limit` events per window of `seconds`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// Events allowed per window; 0 turns the limit off.
    pub limit: u32,
    /// Length of a window, in seconds (at least 1).
    pub seconds: i64,
}

/// Counts one event for `key` at unix time `now` if the window has room; `false` when full.
pub async fn take(
    conn: &mut AnyConnection,
    key: &str,
    window: Window,
    now: i64,
) -> Result<bool, sqlx::Error> {
    if window.limit == 0 {
        return Ok(true);
    }
    // Written once: it runs for every sign-up a limit counts.
    static SQL: LazyLock<String> = LazyLock::new(|| {
        format!(
            "INSERT INTO rate_counters (key, window_start, expires_at, count) VALUES ($1, $2, $3, 1)
             ON CONFLICT (key) DO UPDATE SET {UPDATE_IN_WINDOW}
             WHERE rate_counters.expires_at <= excluded.window_start OR rate_counters.count < $4
             RETURNING count"
        )
    });
    let row = sqlx::query(SQL.as_str())
    .bind(key)
    .bind(now)
    .bind(now + window.seconds.max(1))
    .bind(i64::from(window.limit))
    .fetch_optional(&mut *conn)
    .await?;
    if TAKEN.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
        forget_expired(conn, now).await?;
    }
    Ok(row.is_some())
}

/// [`take`] for each of `takes` whose limit is on, the result unread: the
/// windows a batch of appends starts, in as few statements as their keys
/// allow (one statement may not update one row twice on PostgreSQL, so a key
/// taken twice goes in a second statement, counted twice as by two takes).
pub(super) async fn take_all(
    conn: &mut AnyConnection,
    backend: super::sql::Backend,
    takes: &[(String, Window)],
    now: i64,
) -> Result<(), sqlx::Error> {
    let mut statements: Vec<(Window, Vec<&str>)> = Vec::new();
    for (key, window) in takes.iter().filter(|(_, w)| w.limit > 0) {
        let room = statements.iter_mut().find(|(w, keys)| {
            w == window && keys.len() < super::rows::ROWS_PER_STATEMENT && !keys.contains(&key.as_str())
        });
        match room {
            Some((_, keys)) => keys.push(key),
            None => statements.push((*window, vec![key])),
        }
    }
    for (window, keys) in &statements {
        let mut sql = format!(
            "INSERT INTO rate_counters (key, window_start, expires_at, count) VALUES {}
             ON CONFLICT (key) DO UPDATE SET {UPDATE_IN_WINDOW}
             WHERE rate_counters.expires_at <= excluded.window_start OR rate_counters.count < ",
            super::rows::placeholders_with(backend, keys.len(), 3, ", 1"),
        );
        super::rows::push_parameter(&mut sql, backend, keys.len() * 3 + 1);
        let mut query = sqlx::query(&sql);
        for key in keys {
            query = query.bind(*key).bind(now).bind(now + window.seconds.max(1));
        }
        query.bind(i64::from(window.limit)).execute(&mut *conn).await?;
        let before = TAKEN.fetch_add(keys.len() as u64, Ordering::Relaxed);
        if before / SWEEP_EVERY != (before + keys.len() as u64) / SWEEP_EVERY {
            forget_expired(conn, now).await?;
        }
    }
    Ok(())
}

/// Gives back an event [`take`] counted for `key` that did not happen after all.
pub async fn give_back(
    conn: &mut AnyConnection,
    key: &str,
    window: Window,
    now: i64,
) -> Result<(), sqlx::Error> {
    if window.limit == 0 {
        return Ok(());
    }
    sqlx::query(
        "UPDATE rate_counters SET count = count - 1 WHERE key = $1 AND expires_at > $2 AND count > 0",
    )
    .bind(key)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Deletes the counters whose window is over.
pub async fn forget_expired(conn: &mut AnyConnection, now: i64) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM rate_counters WHERE expires_at <= $1")
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}
