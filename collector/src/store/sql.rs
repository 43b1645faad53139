//! The SQL store over sqlx's `Any` driver: SQLite or PostgreSQL by URL,
//! its connections, transactions and locks. Its [`super::Store`] methods are
//! in `log.rs`, the rows it writes in `rows.rs`, its tokens in `tokens.rs`.

use std::sync::Once;

use chrono::Utc;
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Executor, Row};
use tokio::sync::Mutex;

use super::migrations::MIGRATIONS;
use super::{timestamp, StoreError};

/// The longest wait for a pooled connection (see [`SqlStore::open`]).
/// Well under the default 10 s request timeout, so a database outage still gets
/// its JSON 503 first; long enough that a burst (200 sign-ups at once on 8
/// connections) waits its turn: at 3 s, 126 of 200 got a 503 on PostgreSQL.
const ACQUIRE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(6);

/// Which database a [`SqlStore`] talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// Embedded, one process.
    Sqlite,
    /// Shared by several collectors.
    Postgres,
}

/// Advisory lock ids: PostgreSQL serializes appends (and migrations) of every
/// collector sharing the database on these.
pub(super) const APPEND_LOCK: i64 = 0x636f_6e73_656e_7401;
const MIGRATE_LOCK: i64 = 0x636f_6e73_656e_7402;

/// The SQL implementation of [`Store`].
pub struct SqlStore {
    pub(super) pool: AnyPool,
    /// The write transactions' connection (see [`SqlStore::begin_write`]).
    writer: AnyPool,
    /// Where the mail bookkeeping commits (see [`SqlStore::begin_bookkeeping`]):
    /// on SQLite one connection of its own that does not fsync at commit;
    /// on PostgreSQL the pool.
    bookkeeping: AnyPool,
    pub(super) backend: Backend,
    /// Serializes this process's appends; PostgreSQL adds an advisory lock
    /// for other processes, SQLite's single writer needs nothing more.
    pub(super) append_lock: Mutex<()>,
}

impl SqlStore {
    /// Connects, creating a SQLite file if needed, and migrates.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        static DRIVERS: Once = Once::new();
        DRIVERS.call_once(sqlx::any::install_default_drivers);
        let (backend, url) = if let Some(path) = url.strip_prefix("sqlite://") {
            if let Some(parent) =
                std::path::Path::new(path.split('?').next().unwrap_or(path)).parent()
            {
                if !parent.as_os_str().is_empty() {
                    std::fs::create_dir_all(parent)
                        .map_err(|e| StoreError::Database(sqlx::Error::Io(e)))?;
                }
            }
            let url = if path.contains('?') {
                url.to_string()
            } else {
                format!("{url}?mode=rwc")
            };
            (Backend::Sqlite, url)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            (Backend::Postgres, url.to_string())
        } else {
            return Err(StoreError::Url(url.to_string()));
        };
        let pool = options(backend, if backend == Backend::Sqlite { 4 } else { 8 })
            .connect(&url)
            .await?;
        // The appends' own connection: the appender never waits for one
        // behind the requests' reads (64 of them at a time, on 4 or 8
        // connections), and readers never wait behind a batch. One is enough:
        // `begin_write`'s callers hold the append lock (the migration, the
        // only other, runs before anything else).
        let writer = options(backend, 1).connect(&url).await?;
        let bookkeeping = match backend {
            Backend::Sqlite => {
                AnyPoolOptions::new()
                    .max_connections(1)
                    .acquire_timeout(ACQUIRE_TIMEOUT)
                    .test_before_acquire(false)
                    .after_release(|conn, _| Box::pin(out_of_transaction(conn)))
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            conn.execute("PRAGMA journal_mode = WAL").await?;
                            // Its commits reach the disk with the next FULL commit's
                            // fsync of the WAL, or at a checkpoint.
                            conn.execute("PRAGMA synchronous = NORMAL").await?;
                            conn.execute("PRAGMA wal_autocheckpoint = 250").await?;
                            conn.execute("PRAGMA busy_timeout = 10000").await?;
                            Ok(())
                        })
                    })
                    .connect(&url)
                    .await?
            }
            Backend::Postgres => pool.clone(),
        };
        let store = SqlStore {
            pool,
            writer,
            bookkeeping,
            backend,
            append_lock: Mutex::new(()),
        };
        store.migrate().await?;
        Ok(store)
    }

    /// Which backend this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The pool, for tests that tamper with rows on purpose.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        let mut tx = self.begin_write(MIGRATE_LOCK).await?;
        tx.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)")
            .await?;
        let done: Option<i64> = sqlx::query("SELECT MAX(version) AS v FROM schema_migrations")
            .fetch_one(&mut *tx)
            .await?
            .try_get("v")?;
        for (version, statements) in MIGRATIONS.iter().filter(|(v, _)| *v > done.unwrap_or(0)) {
            for statement in *statements {
                tx.execute(*statement).await?;
            }
            sqlx::query("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)")
                .bind(version)
                .bind(timestamp(Utc::now()))
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// This process's append lock on SQLite, for writes beside the appends:
    /// SQLite's own lock would make them wait in its busy handler's sleeps.
    /// PostgreSQL needs none: those writes touch other rows.
    pub(super) async fn sqlite_write_guard(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        match self.backend {
            Backend::Sqlite => Some(self.append_lock.lock().await),
            Backend::Postgres => None,
        }
    }

    /// Begins a transaction for the mail bookkeeping (claims, failures,
    /// deleting sent mail) that commits without waiting for the disk. Losing
    /// one at a power cut costs at most a mail sent twice or tried once more,
    /// and an fsync per mail batch would slow the appends, which wait for the
    /// same lock on SQLite.
    pub(super) async fn begin_bookkeeping(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Any>, StoreError> {
        Ok(match self.backend {
            Backend::Sqlite => self.bookkeeping.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => {
                let mut tx = self.bookkeeping.begin().await?;
                tx.execute("SET LOCAL synchronous_commit TO OFF").await?;
                tx
            }
        })
    }

    /// Begins a transaction that holds the write lock from its first
    /// statement: SQLite's own, or on PostgreSQL the advisory lock `lock`
    /// (one per role: appends, migrations), taken in the same round trip as
    /// the `BEGIN` (a simple query may hold several statements).
    pub(super) async fn begin_write(
        &self,
        lock: i64,
    ) -> Result<sqlx::Transaction<'static, sqlx::Any>, StoreError> {
        Ok(match self.backend {
            // A deferred SQLite transaction that reads first fails with SQLITE_BUSY when
            // another connection writes meanwhile; IMMEDIATE waits (busy_timeout) instead.
            Backend::Sqlite => self.writer.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => {
                self.writer
                    .begin_with(format!("BEGIN; SELECT pg_advisory_xact_lock({lock})"))
                    .await?
            }
        })
    }
}

/// The settings every pool of a [`SqlStore`] shares, for `max` connections.
fn options(backend: Backend, max: u32) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(max)
        // While the database is down a request waits this long for a
        // connection, then gets its JSON 503, within the request
        // timeout (sqlx's default, 30 s, outlasted it).
        .acquire_timeout(ACQUIRE_TIMEOUT)
        // A SQLite connection is a file handle in this process: no need to
        // ping it (a round trip to its worker thread) on every acquire.
        .test_before_acquire(backend == Backend::Postgres)
        .after_release(|conn, _| Box::pin(out_of_transaction(conn)))
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if backend == Backend::Sqlite {
                    // WAL lets readers run during an append; FULL makes a commit survive power loss.
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute("PRAGMA synchronous = FULL").await?;
                    // The commit that crosses this many WAL pages copies them into the
                    // database before its batch is answered: 250 pages (1 MB) stall it
                    // 2 to 9 ms, SQLite's default 1,000 pages 9 to 15 ms, for the same CPU.
                    // A checkpoint beside the appends instead (tried: every 100 ms on a
                    // connection of its own) never catches up with a writer that keeps
                    // appending, so the WAL never restarts: 3.3 GB after 60 s at 1,000
                    // sign-ups/s. With it every 25 ms and this threshold kept, the tail
                    // was the same (BENCHMARKS.md, Sustained load).
                    conn.execute("PRAGMA wal_autocheckpoint = 250").await?;
                    conn.execute("PRAGMA busy_timeout = 10000").await?;
                }
                Ok(())
            })
        })
}

/// Whether a connection given back to its pool is out of any transaction,
/// and so fit to reuse; one that is not is closed. A COMMIT that fails
/// because the disk is full leaves SQLite's transaction rolled back by SQLite
/// itself, so the driver's own ROLLBACK then fails and it keeps counting one
/// open transaction: every later `BEGIN` on that connection would fail, and
/// the collector would answer 503 after the disk had space again.
async fn out_of_transaction(conn: &mut sqlx::AnyConnection) -> Result<bool, sqlx::Error> {
    use sqlx::Connection;
    if !conn.is_in_transaction() {
        return Ok(true);
    }
    // A dropped transaction's ROLLBACK may still be queued: let it run first.
    conn.ping().await?;
    Ok(!conn.is_in_transaction())
}
