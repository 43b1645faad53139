//! The SQL store over sqlx's `Any` driver: SQLite or PostgreSQL by URL.

use std::sync::Once;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyConnection, AnyPool, Executor, Row};
use tokio::sync::Mutex;

use super::migrations::MIGRATIONS;
use super::*;
use crate::chain;
use crate::receipt::{Receipt, RECEIPT_SCHEMA};

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
const APPEND_LOCK: i64 = 0x636f_6e73_656e_7401;
const MIGRATE_LOCK: i64 = 0x636f_6e73_656e_7402;

const COLUMNS: &str = "seq, kind, received_at, proof_sha256, prev_chain, chain, receipt, record_id, subject, jws_header, jws_signature, body, texts_sha256";

/// The SQL implementation of [`Store`].
pub struct SqlStore {
    pool: AnyPool,
    /// Where the mail bookkeeping commits (see [`SqlStore::begin_bookkeeping`]):
    /// on SQLite one connection of its own that does not fsync at commit;
    /// on PostgreSQL the pool.
    bookkeeping: AnyPool,
    backend: Backend,
    /// Serializes this process's appends; PostgreSQL adds an advisory lock
    /// for other processes, SQLite's single writer needs nothing more.
    append_lock: Mutex<()>,
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
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 4 } else { 8 })
            // A SQLite connection is a file handle in this process: no need to
            // ping it (a round trip to its worker thread) on every acquire.
            .test_before_acquire(backend == Backend::Postgres)
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers run during an append; FULL makes a commit survive power loss.
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA synchronous = FULL").await?;
                        // The commit that crosses this many WAL pages copies them into the
                        // database before its batch is answered: 250 pages (1 MB) stall it
                        // 2 to 9 ms, SQLite's default 1,000 pages 9 to 15 ms, for the same CPU.
                        conn.execute("PRAGMA wal_autocheckpoint = 250").await?;
                        conn.execute("PRAGMA busy_timeout = 10000").await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await?;
        let bookkeeping = match backend {
            Backend::Sqlite => {
                AnyPoolOptions::new()
                    .max_connections(1)
                    .test_before_acquire(false)
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
        let mut tx = self.begin_write().await?;
        self.lock(&mut tx, MIGRATE_LOCK).await?;
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

    /// Begins a transaction that holds the write lock from its first statement.
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, StoreError> {
        Ok(match self.backend {
            // A deferred SQLite transaction that reads first fails with SQLITE_BUSY when
            // another connection writes meanwhile; IMMEDIATE waits (busy_timeout) instead.
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    async fn lock(&self, conn: &mut AnyConnection, id: i64) -> Result<(), StoreError> {
        if self.backend == Backend::Postgres {
            // Wrapped so the driver sees an int column, not void.
            sqlx::query("SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock($1)) AS l")
                .bind(id)
                .fetch_one(conn)
                .await?;
        }
        Ok(())
    }
}

/// The last seq and chain value: where the next entry links.
struct Head {
    seq: i64,
    chain: String,
}

async fn head(conn: &mut AnyConnection) -> Result<Head, StoreError> {
    let row = sqlx::query("SELECT seq, chain FROM entries ORDER BY seq DESC LIMIT 1")
        .fetch_optional(conn)
        .await?;
    Ok(match row {
        Some(row) => Head {
            seq: row.try_get("seq")?,
            chain: row.try_get("chain")?,
        },
        None => Head {
            seq: 0,
            chain: chain::GENESIS.to_string(),
        },
    })
}

/// Links, signs and inserts one entry after `head`, and moves `head` on.
async fn insert_entry(
    conn: &mut AnyConnection,
    backend: Backend,
    head: &mut Head,
    entry: NewEntry,
    keys: &Keyring,
    received_at: &str,
) -> Result<StoredEntry, StoreError> {
    let mut rows = Rows::default();
    let stored = rows.link(head, entry, keys, received_at)?;
    rows.flush(conn, backend).await?;
    Ok(stored)
}

/// Rows of one transaction waiting to be inserted: linked and signed in
/// memory, then written with one multi-row statement per table.
#[derive(Default)]
struct Rows {
    texts: Vec<(String, String)>,
    entries: Vec<StoredEntry>,
    tokens: Vec<(i64, NewToken)>,
    mails: Vec<(i64, NewMail)>,
}

/// Rows per multi-row statement: far below SQLite's 32,766 and PostgreSQL's 65,535 parameters.
pub(super) const ROWS_PER_STATEMENT: usize = 64;

impl Rows {
    /// Links and signs one entry after `head`, moves `head` on, and keeps its rows for [`Rows::flush`].
    fn link(
        &mut self,
        head: &mut Head,
        entry: NewEntry,
        keys: &Keyring,
        received_at: &str,
    ) -> Result<StoredEntry, StoreError> {
        let seq = head.seq + 1;
        let chain = chain::link(&head.chain, &entry.proof_sha256, seq as u64, received_at)
            .ok_or_else(|| {
                StoreError::Corrupt(format!("chain value at seq {} is not a sha-256", head.seq))
            })?;
        let receipt = keys.sign_receipt(&Receipt {
            schema: RECEIPT_SCHEMA.into(),
            entry: entry.kind,
            proof: entry.proof_sha256.clone(),
            seq: seq as u64,
            prev_chain: head.chain.clone(),
            chain: chain.clone(),
            received_at: received_at.to_string(),
        });
        let (jws_header, jws_signature, body, texts_sha256) = match entry.body {
            NewBody::Proof(parts) => {
                let texts_sha256 = parts.texts.map(|(sha, shown)| {
                    // Texts are stored once: a set met earlier in this batch is not sent again.
                    if !self.texts.iter().any(|(known, _)| *known == sha) {
                        self.texts.push((sha.clone(), shown));
                    }
                    sha
                });
                (
                    Some(parts.header_b64),
                    Some(parts.signature_b64),
                    parts.body,
                    texts_sha256,
                )
            }
            NewBody::Event(json) => (None, None, json, None),
        };
        let stored = StoredEntry {
            seq,
            kind: entry.kind.as_str().to_string(),
            received_at: received_at.to_string(),
            proof_sha256: entry.proof_sha256,
            prev_chain: std::mem::replace(&mut head.chain, chain.clone()),
            chain,
            receipt,
            record_id: entry.record_id,
            subject: entry.subject,
            jws_header,
            jws_signature,
            body: Some(body),
            texts_sha256,
        };
        head.seq = seq;
        self.entries.push(stored.clone());
        Ok(stored)
    }

    /// Inserts every kept row: texts, entries, tokens, then mails, each table in as few statements as fit.
    async fn flush(
        &mut self,
        conn: &mut AnyConnection,
        backend: Backend,
    ) -> Result<(), StoreError> {
        for chunk in std::mem::take(&mut self.texts).chunks(ROWS_PER_STATEMENT) {
            let sql = format!(
                "INSERT INTO texts (sha256, shown) VALUES {} ON CONFLICT (sha256) DO NOTHING",
                placeholders(backend, chunk.len(), 2)
            );
            let mut query = sqlx::query(&sql);
            for (sha, shown) in chunk {
                query = query.bind(sha.as_str()).bind(shown.as_str());
            }
            query.execute(&mut *conn).await?;
        }
        for chunk in std::mem::take(&mut self.entries).chunks(ROWS_PER_STATEMENT) {
            let sql = format!(
                "INSERT INTO entries ({COLUMNS}) VALUES {}",
                placeholders(backend, chunk.len(), 13)
            );
            let mut query = sqlx::query(&sql);
            for e in chunk {
                query = query
                    .bind(e.seq)
                    .bind(e.kind.as_str())
                    .bind(e.received_at.as_str())
                    .bind(e.proof_sha256.as_str())
                    .bind(e.prev_chain.as_str())
                    .bind(e.chain.as_str())
                    .bind(e.receipt.as_str())
                    .bind(e.record_id.as_deref())
                    .bind(e.subject.as_deref())
                    .bind(e.jws_header.as_deref())
                    .bind(e.jws_signature.as_deref())
                    .bind(e.body.as_deref())
                    .bind(e.texts_sha256.as_deref());
            }
            query.execute(&mut *conn).await?;
        }
        for chunk in std::mem::take(&mut self.tokens).chunks(ROWS_PER_STATEMENT) {
            let sql = format!(
                "INSERT INTO tokens (hash, purpose, entry_seq, locale, expires_at) VALUES {}",
                placeholders(backend, chunk.len(), 5)
            );
            let mut query = sqlx::query(&sql);
            for (entry_seq, token) in chunk {
                query = query
                    .bind(token.hash.as_str())
                    .bind(token.purpose.as_str())
                    .bind(*entry_seq)
                    .bind(token.locale.as_str())
                    .bind(token.expires_at.map(timestamp));
            }
            query.execute(&mut *conn).await?;
        }
        super::pending_mail::insert(conn, backend, &std::mem::take(&mut self.mails)).await?;
        Ok(())
    }
}

/// `($1, $2), ($3, $4)` for 2 rows of 2 columns, `($1, $2, $3)` for 1 row of 3;
/// on SQLite `(?, ?), (?, ?)`: the driver looks each numbered parameter up
/// by name, one linear search each, which costs more than the insert.
pub(super) fn placeholders(backend: Backend, rows: usize, columns: usize) -> String {
    let mut sql = String::with_capacity(rows * columns * 5);
    for row in 0..rows {
        sql.push_str(if row == 0 { "(" } else { ", (" });
        for column in 0..columns {
            if column > 0 {
                sql.push_str(", ");
            }
            match backend {
                Backend::Sqlite => sql.push('?'),
                Backend::Postgres => {
                    sql.push('$');
                    sql.push_str(&(row * columns + column + 1).to_string());
                }
            }
        }
        sql.push(')');
    }
    sql
}

/// The proofs already stored under any of these record ids, by record id.
async fn by_record_ids(
    conn: &mut AnyConnection,
    backend: Backend,
    ids: &[&str],
) -> Result<std::collections::HashMap<String, StoredEntry>, StoreError> {
    let mut found = std::collections::HashMap::new();
    for chunk in ids.chunks(ROWS_PER_STATEMENT * 4) {
        let sql = format!(
            "SELECT {COLUMNS} FROM entries WHERE record_id IN {}",
            placeholders(backend, 1, chunk.len())
        );
        let mut query = sqlx::query(&sql);
        for id in chunk {
            query = query.bind(*id);
        }
        for row in query.fetch_all(&mut *conn).await? {
            let entry = entry_from(&row)?;
            if let Some(id) = entry.record_id.clone() {
                found.insert(id, entry);
            }
        }
    }
    Ok(found)
}

async fn insert_token(
    conn: &mut AnyConnection,
    entry_seq: i64,
    token: NewToken,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO tokens (hash, purpose, entry_seq, locale, expires_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(token.hash)
        .bind(token.purpose.as_str())
        .bind(entry_seq)
        .bind(token.locale)
        .bind(token.expires_at.map(timestamp))
        .execute(conn)
        .await?;
    Ok(())
}

/// Marks a token used if it can be; the reason if not. Using a confirm
/// token deletes its waiting mail: the clear-text links have served.
async fn consume_token(
    conn: &mut AnyConnection,
    hash: &str,
    now: &str,
) -> Result<Option<TokenProblem>, StoreError> {
    let Some(row) = sqlx::query(
        "SELECT entry_seq, purpose, expires_at, used_at, withdrawn_at FROM tokens WHERE hash = $1",
    )
    .bind(hash)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(Some(TokenProblem::Unknown));
    };
    // Before used: a confirm link used and then withdrawn must not say "confirmed".
    if row.try_get::<Option<String>, _>("withdrawn_at")?.is_some() {
        return Ok(Some(TokenProblem::Withdrawn));
    }
    if row.try_get::<Option<String>, _>("used_at")?.is_some() {
        return Ok(Some(TokenProblem::Used));
    }
    // Stored times share one fixed-width format, so text order is time order.
    if row
        .try_get::<Option<String>, _>("expires_at")?
        .is_some_and(|e| e.as_str() <= now)
    {
        return Ok(Some(TokenProblem::Expired));
    }
    sqlx::query("UPDATE tokens SET used_at = $1 WHERE hash = $2")
        .bind(now)
        .bind(hash)
        .execute(&mut *conn)
        .await?;
    if row.try_get::<String, _>("purpose")? == TokenPurpose::Confirm.as_str() {
        sqlx::query("DELETE FROM pending_mail WHERE entry_seq = $1")
            .bind(row.try_get::<i64, _>("entry_seq")?)
            .execute(&mut *conn)
            .await?;
    }
    Ok(None)
}

/// Cancels the confirmation of the consent a withdrawal names: deletes its
/// waiting mail (and the clear-text links in it) and marks its confirm link
/// withdrawn, so that a click after the withdrawal confirms nothing.
async fn cancel_confirmation(
    conn: &mut AnyConnection,
    withdraws: &Withdraws,
    now: &str,
) -> Result<(), StoreError> {
    let seq = match withdraws {
        Withdraws::Seq(seq) => *seq,
        Withdraws::Proof {
            sha256,
            subject,
            purposes,
        } => {
            let Some(row) = sqlx::query("SELECT seq, body FROM entries WHERE proof_sha256 = $1 AND subject = $2 AND kind = 'proof'")
                .bind(sha256.as_str())
                .bind(subject.as_str())
                .fetch_optional(&mut *conn)
                .await?
            else {
                return Ok(());
            };
            let body = row
                .try_get::<Option<String>, _>("body")?
                .and_then(|b| serde_json::from_str::<serde_json::Value>(&b).ok())
                .unwrap_or_default();
            let granted: Vec<(&str, &str)> = body["purposes"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["choice"] == "granted")
                .filter_map(|p| Some((p["id"].as_str()?, p["channel"].as_str()?)))
                .collect();
            let withdrawn = |id: &&str| purposes.iter().any(|w| w == id);
            let email: Vec<&str> = granted
                .iter()
                .filter(|(_, channel)| *channel == "email")
                .map(|(id, _)| *id)
                .collect();
            let all = granted.iter().map(|(id, _)| id).all(withdrawn);
            if !(all || (!email.is_empty() && email.iter().all(withdrawn))) {
                return Ok(());
            }
            row.try_get("seq")?
        }
    };
    sqlx::query("DELETE FROM pending_mail WHERE entry_seq = $1")
        .bind(seq)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE tokens SET withdrawn_at = $1, used_at = COALESCE(used_at, $1) WHERE entry_seq = $2 AND purpose = 'confirm' AND withdrawn_at IS NULL")
        .bind(now)
        .bind(seq)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

async fn by_record_id(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Option<StoredEntry>, StoreError> {
    let query = format!("SELECT {COLUMNS} FROM entries WHERE record_id = $1");
    let row = sqlx::query(&query).bind(id).fetch_optional(conn).await?;
    Ok(row.as_ref().map(entry_from).transpose()?)
}

fn entry_from(row: &AnyRow) -> Result<StoredEntry, sqlx::Error> {
    Ok(StoredEntry {
        seq: row.try_get("seq")?,
        kind: row.try_get("kind")?,
        received_at: row.try_get("received_at")?,
        proof_sha256: row.try_get("proof_sha256")?,
        prev_chain: row.try_get("prev_chain")?,
        chain: row.try_get("chain")?,
        receipt: row.try_get("receipt")?,
        record_id: row.try_get("record_id")?,
        subject: row.try_get("subject")?,
        jws_header: row.try_get("jws_header")?,
        jws_signature: row.try_get("jws_signature")?,
        body: row.try_get("body")?,
        texts_sha256: row.try_get("texts_sha256")?,
    })
}

#[async_trait]
impl Store for SqlStore {
    async fn append(
        &self,
        batch: Vec<Append>,
        keys: &Keyring,
        now: DateTime<Utc>,
    ) -> Result<Vec<Appended>, StoreError> {
        let _guard = self.append_lock.lock().await;
        let mut tx = self.begin_write().await?;
        self.lock(&mut tx, APPEND_LOCK).await?;
        let received_at = timestamp(now);
        let mut head = head(&mut tx).await?;
        // One query finds every replay of an earlier batch; a record id seen
        // earlier in this batch is a replay too.
        let ids: Vec<&str> = batch
            .iter()
            .filter_map(|item| item.entry.record_id.as_deref())
            .collect();
        let mut stored_ids = if ids.is_empty() {
            Default::default()
        } else {
            by_record_ids(&mut tx, self.backend, &ids).await?
        };
        let mut rows = Rows::default();
        let mut outcomes = Vec::with_capacity(batch.len());
        for item in batch {
            if let Some(id) = &item.entry.record_id {
                if let Some(stored) = stored_ids.get(id) {
                    outcomes.push(Appended::Replay(stored.clone()));
                    continue;
                }
            }
            if let Some(hash) = &item.consume {
                // The token's row may have been written earlier in this batch.
                rows.flush(&mut tx, self.backend).await?;
                if let Some(problem) = consume_token(&mut tx, hash, &received_at).await? {
                    outcomes.push(Appended::Token(problem));
                    continue;
                }
            }
            let withdraws = item.withdraws;
            let stored = rows.link(&mut head, item.entry, keys, &received_at)?;
            rows.tokens
                .extend(item.tokens.into_iter().map(|token| (stored.seq, token)));
            rows.mails
                .extend(item.mail.into_iter().map(|mail| (stored.seq, mail)));
            if let Some(id) = &stored.record_id {
                stored_ids.insert(id.clone(), stored.clone());
            }
            if let Some(withdraws) = &withdraws {
                // The consent may have been stored earlier in this batch.
                rows.flush(&mut tx, self.backend).await?;
                cancel_confirmation(&mut tx, withdraws, &received_at).await?;
            }
            outcomes.push(Appended::New(stored));
        }
        rows.flush(&mut tx, self.backend).await?;
        tx.commit().await?;
        Ok(outcomes)
    }

    async fn entries(&self, after: i64, limit: i64) -> Result<Vec<StoredEntry>, StoreError> {
        let query = format!("SELECT {COLUMNS} FROM entries WHERE seq > $1 ORDER BY seq LIMIT $2");
        let rows = sqlx::query(&query)
            .bind(after)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(entry_from).collect::<Result<_, _>>()?)
    }

    async fn entry(&self, seq: i64) -> Result<Option<StoredEntry>, StoreError> {
        let query = format!("SELECT {COLUMNS} FROM entries WHERE seq = $1");
        let row = sqlx::query(&query)
            .bind(seq)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(entry_from).transpose()?)
    }

    async fn by_record_id(&self, id: &str) -> Result<Option<StoredEntry>, StoreError> {
        by_record_id(&mut *self.pool.acquire().await?, id).await
    }

    async fn token(&self, hash: &str) -> Result<Option<TokenRow>, StoreError> {
        let row = sqlx::query(
            "SELECT entry_seq, purpose, locale, expires_at, used_at, withdrawn_at FROM tokens WHERE hash = $1",
        )
        .bind(hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let purpose: String = row.try_get("purpose")?;
        Ok(Some(TokenRow {
            entry_seq: row.try_get("entry_seq")?,
            purpose: if purpose == "confirm" {
                TokenPurpose::Confirm
            } else {
                TokenPurpose::Unsubscribe
            },
            locale: row.try_get("locale")?,
            expires_at: row.try_get("expires_at")?,
            used_at: row.try_get("used_at")?,
            withdrawn_at: row.try_get("withdrawn_at")?,
        }))
    }

    async fn subject_proofs(&self, subject: &str) -> Result<Vec<StoredEntry>, StoreError> {
        let query = format!("SELECT {COLUMNS} FROM entries WHERE subject = $1 AND kind = 'proof' AND body IS NOT NULL ORDER BY seq DESC");
        let rows = sqlx::query(&query)
            .bind(subject)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(entry_from).collect::<Result<_, _>>()?)
    }

    async fn add_token(&self, entry_seq: i64, token: NewToken) -> Result<(), StoreError> {
        insert_token(&mut *self.pool.acquire().await?, entry_seq, token).await
    }

    async fn text(&self, sha256: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT shown FROM texts WHERE sha256 = $1")
            .bind(sha256)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.try_get("shown")).transpose()?)
    }

    async fn prune(
        &self,
        cutoff: DateTime<Utc>,
        keys: &Keyring,
        now: DateTime<Utc>,
    ) -> Result<Option<StoredEntry>, StoreError> {
        let _guard = self.append_lock.lock().await;
        let mut tx = self.begin_write().await?;
        self.lock(&mut tx, APPEND_LOCK).await?;
        let subjects: Vec<String> = sqlx::query(
            "SELECT subject FROM entries WHERE subject IS NOT NULL GROUP BY subject HAVING MAX(received_at) < $1 ORDER BY subject",
        )
        .bind(timestamp(cutoff))
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| r.try_get("subject"))
        .collect::<Result<_, _>>()?;
        if subjects.is_empty() {
            return Ok(None);
        }
        let mut erased: Vec<i64> = Vec::new();
        for subject in &subjects {
            let seqs = sqlx::query("SELECT seq FROM entries WHERE subject = $1")
                .bind(subject)
                .fetch_all(&mut *tx)
                .await?;
            for row in seqs {
                let seq: i64 = row.try_get("seq")?;
                sqlx::query("DELETE FROM tokens WHERE entry_seq = $1")
                    .bind(seq)
                    .execute(&mut *tx)
                    .await?;
                // A mail still waiting holds the address and working links.
                sqlx::query("DELETE FROM pending_mail WHERE entry_seq = $1")
                    .bind(seq)
                    .execute(&mut *tx)
                    .await?;
                erased.push(seq);
            }
            // Hashes, receipts and chain values stay: the chain still verifies
            // and shows where erased entries were.
            sqlx::query("UPDATE entries SET subject = NULL, jws_header = NULL, jws_signature = NULL, body = NULL WHERE subject = $1")
                .bind(subject)
                .execute(&mut *tx)
                .await?;
        }
        erased.sort_unstable();
        let event = serde_json::json!({
            "schema": crate::events::EVENT_SCHEMA,
            "type": "pruned",
            "at": timestamp(now),
            "inactiveBefore": timestamp(cutoff),
            "subjects": subjects.len(),
            "erased": erased,
        });
        let entry = crate::events::entry(crate::receipt::EntryKind::Prune, event, None);
        let mut head = head(&mut tx).await?;
        let stored = insert_entry(
            &mut tx,
            self.backend,
            &mut head,
            entry,
            keys,
            &timestamp(now),
        )
        .await?;
        tx.commit().await?;
        Ok(Some(stored))
    }
}
