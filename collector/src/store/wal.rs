//! SQLite's write-ahead log copied back into the database by a task of its
//! own, on a connection of its own, instead of by the commit that crosses
//! SQLite's threshold (`wal_autocheckpoint`): that commit's batch waited for
//! the copy and its fsync, 2 to 9 ms every few hundred pages, a fifth of the
//! appender's time in a profile. A PASSIVE checkpoint runs beside the
//! appends (it takes no writer lock) and the WAL restarts from its start
//! once all of it is copied.

use std::sync::{Arc, Weak};
use std::time::Duration;

use sqlx::AnyPool;

/// How often the task copies what the WAL holds: at 1,000 sign-ups a
/// second, a few hundred pages each time, about what the threshold held.
pub(super) const EVERY: Duration = Duration::from_millis(100);

/// The running task; it stops when this is dropped (with its store).
pub(super) struct Checkpointer {
    _alive: Arc<()>,
}

/// Starts copying the WAL of the database `pool` connects to, every [`EVERY`].
pub(super) fn spawn(pool: AnyPool) -> Checkpointer {
    let alive = Arc::new(());
    let weak: Weak<()> = Arc::downgrade(&alive);
    tokio::spawn(async move {
        let mut failing = false;
        loop {
            tokio::time::sleep(EVERY).await;
            if weak.strong_count() == 0 {
                break;
            }
            match sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(&pool)
                .await
            {
                Ok(_) => failing = false,
                // A full disk, say: the log is still whole (SQLite reads the
                // WAL), and the next tick tries again. Said once per outage.
                Err(e) if !failing => {
                    failing = true;
                    tracing::warn!(error = %e, "WAL checkpoint failed; retrying");
                }
                Err(_) => {}
            }
        }
        pool.close().await;
    });
    Checkpointer { _alive: alive }
}
