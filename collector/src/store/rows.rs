//! The rows of the log: linked, signed and inserted in batches, and read back.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::inserts::Inserts;
use super::sql::Backend;
use super::{timestamp, NewBody, NewEntry, NewMail, NewToken, StoreError, StoredEntry};
use crate::ledger::chain;
use crate::ledger::keys::Keyring;
use crate::ledger::receipt::{Receipt, RECEIPT_SCHEMA};

/// Every column of `entries`, in insert order.
macro_rules! entry_columns {
    () => {
        "seq, kind, received_at, proof_sha256, prev_chain, chain, receipt, record_id, subject, jws_header, jws_signature, body, texts_sha256"
    };
}
pub(super) const COLUMNS: &str = entry_columns!();

/// The insert of every column, up to its values.
const ENTRIES_INSERT: &str = concat!("INSERT INTO entries (", entry_columns!(), ") VALUES ");

/// The last seq and chain value: where the next entry links.
pub(super) struct Head {
    seq: i64,
    chain: String,
}

pub(super) async fn head(conn: &mut AnyConnection) -> Result<Head, StoreError> {
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
pub(super) async fn insert_entry(
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
pub(super) struct Rows {
    pub(super) texts: Vec<(String, String)>,
    pub(super) entries: Vec<StoredEntry>,
    pub(super) tokens: Vec<(i64, NewToken)>,
    pub(super) mails: Vec<(i64, NewMail)>,
}

/// Rows per multi-row statement: far below SQLite's 32,766 and PostgreSQL's 65,535 parameters.
pub(super) const ROWS_PER_STATEMENT: usize = 64;

impl Rows {
    /// Links and signs one entry after `head`, moves `head` on, and keeps its rows for [`Rows::flush`].
    pub(super) fn link(
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

    /// Inserts every kept row: texts, entries, tokens, then mails, each table
    /// in as few multi-row inserts as fit.
    pub(super) async fn flush(
        &mut self,
        conn: &mut AnyConnection,
        backend: Backend,
    ) -> Result<(), StoreError> {
        let texts = std::mem::take(&mut self.texts);
        let entries = std::mem::take(&mut self.entries);
        let tokens = std::mem::take(&mut self.tokens);
        let mails = std::mem::take(&mut self.mails);
        let mut inserts = Inserts::new(backend);
        for chunk in texts.chunks(ROWS_PER_STATEMENT) {
            inserts.insert("INSERT INTO texts (sha256, shown) VALUES ");
            for (sha, shown) in chunk {
                inserts.row().bind(sha.as_str()).bind(shown.as_str());
            }
            inserts.end(" ON CONFLICT (sha256) DO NOTHING");
        }
        for chunk in entries.chunks(ROWS_PER_STATEMENT) {
            inserts.insert(ENTRIES_INSERT);
            for e in chunk {
                inserts
                    .row()
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
            inserts.end("");
        }
        for chunk in tokens.chunks(ROWS_PER_STATEMENT) {
            inserts.insert("INSERT INTO tokens (hash, purpose, entry_seq, locale, expires_at, network) VALUES ");
            for (entry_seq, token) in chunk {
                inserts
                    .row()
                    .bind(token.hash.as_str())
                    .bind(token.purpose.as_str())
                    .bind(*entry_seq)
                    .bind(token.locale.as_str())
                    .bind(token.expires_at.map(timestamp))
                    .bind(token.network.as_deref());
            }
            inserts.end("");
        }
        super::pending_mail::insert(&mut inserts, &mails);
        inserts.execute(conn).await?;
        Ok(())
    }
}

/// `($1, $2), ($3, $4)` for 2 rows of 2 columns, `($1, $2, $3)` for 1 row of 3;
/// on SQLite `(?, ?), (?, ?)`: the driver looks each numbered parameter up
/// by name, one linear search each, which costs more than the insert.
pub(super) fn placeholders(backend: Backend, rows: usize, columns: usize) -> String {
    placeholders_with(backend, rows, columns, "")
}

/// [`placeholders`] with `tail` (constant values, e.g. `", 1"`) closing each row.
pub(super) fn placeholders_with(backend: Backend, rows: usize, columns: usize, tail: &str) -> String {
    let mut sql = String::with_capacity(rows * (columns * 5 + tail.len()));
    for row in 0..rows {
        sql.push_str(if row == 0 { "(" } else { ", (" });
        for column in 0..columns {
            if column > 0 {
                sql.push_str(", ");
            }
            push_parameter(&mut sql, backend, row * columns + column + 1);
        }
        sql.push_str(tail);
        sql.push(')');
    }
    sql
}

/// Writes the `n`th parameter (from 1): `$n`, or `?` on SQLite (see [`placeholders`]).
pub(super) fn push_parameter(sql: &mut String, backend: Backend, n: usize) {
    match backend {
        Backend::Sqlite => sql.push('?'),
        Backend::Postgres => {
            sql.push('$');
            sql.push_str(&n.to_string());
        }
    }
}

/// The proofs already stored under any of these record ids, by record id.
pub(super) async fn by_record_ids(
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

pub(super) async fn by_record_id(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Option<StoredEntry>, StoreError> {
    let query = format!("SELECT {COLUMNS} FROM entries WHERE record_id = $1");
    let row = sqlx::query(&query).bind(id).fetch_optional(conn).await?;
    Ok(row.as_ref().map(entry_from).transpose()?)
}

pub(super) fn entry_from(row: &AnyRow) -> Result<StoredEntry, sqlx::Error> {
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
