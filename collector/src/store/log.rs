//! [`Store`] over SQL: appends, reads, prune and erasure on request.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;

use super::rows::{by_record_id, by_record_ids, entry_from, head, insert_entry, Rows, COLUMNS};
use super::sql::{SqlStore, APPEND_LOCK};
use super::tokens::{cancel_confirmation, consume_token, insert_token};
use super::*;
use crate::ledger::keys::Keyring;

#[async_trait]
impl Store for SqlStore {
    async fn append(
        &self,
        batch: Vec<Append>,
        keys: &Keyring,
        now: DateTime<Utc>,
    ) -> Result<Vec<Appended>, StoreError> {
        let _guard = self.append_lock.lock().await;
        let mut tx = self.begin_write(APPEND_LOCK).await?;
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
        let mut marks = Vec::new();
        let mut starts = Vec::new();
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
            starts.extend(item.starts);
            let stored = rows.link(&mut head, item.entry, keys, &received_at)?;
            if let Some(handoff) = item.handoff {
                let mut change = handoff.change;
                change.evidence.seq = stored.seq;
                change.evidence.receipt = stored.receipt.clone();
                // The log's own time for the change, as its receipt states it.
                change.at = stored.received_at.clone();
                if change.confirmed_at.is_some() {
                    change.confirmed_at = Some(stored.received_at.clone());
                }
                crate::connectors::enqueue(&mut tx, &handoff.to, stored.seq, &change, now).await?;
            }
            // A release's links and mail are those of the proof it releases.
            let owner = match &item.held {
                Some(HeldMark::Release { proof_seq }) => *proof_seq,
                _ => stored.seq,
            };
            rows.tokens
                .extend(item.tokens.into_iter().map(|token| (owner, token)));
            rows.mails
                .extend(item.mail.into_iter().map(|mail| (owner, mail)));
            marks.extend(item.held.map(|mark| (stored.seq, mark)));
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
        // The counters are read outside the batch only (before a mail is
        // queued): one statement for the whole batch is enough.
        limits::take_all(&mut tx, self.backend, &starts, now.timestamp()).await?;
        super::held::mark_all(&mut tx, self.backend, &marks).await?;
        let committing = std::time::Instant::now();
        tx.commit().await?;
        // With the appender's "batch" line: whether a slow batch waited for its commit (the disk).
        tracing::debug!(commit_us = committing.elapsed().as_micros() as u64, "append committed");
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

    async fn chain_values(&self, after: i64, limit: i64) -> Result<Vec<(i64, String)>, StoreError> {
        let rows = sqlx::query(super::CHAIN_VALUES_SQL)
            .bind(after)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(|row| Ok((row.try_get("seq")?, row.try_get("chain")?)))
            .collect::<Result<_, sqlx::Error>>()?)
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
            "SELECT entry_seq, purpose, locale, expires_at, used_at, withdrawn_at, network FROM tokens WHERE hash = $1",
        )
        .bind(hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let purpose: String = row.try_get("purpose")?;
        Ok(Some(TokenRow {
            entry_seq: row.try_get("entry_seq")?,
            purpose: TokenPurpose::parse(&purpose),
            locale: row.try_get("locale")?,
            expires_at: row.try_get("expires_at")?,
            used_at: row.try_get("used_at")?,
            withdrawn_at: row.try_get("withdrawn_at")?,
            network: row.try_get("network")?,
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

    fn sql_pool(&self) -> &sqlx::AnyPool {
        &self.pool
    }

    async fn subject_history(
        &self,
        subject: &str,
    ) -> Result<(Vec<StoredEntry>, Vec<i64>), StoreError> {
        // One query: it runs for every submission, before its append.
        let query = format!(
            "SELECT {COLUMNS}, (SELECT COUNT(*) FROM held_proofs h WHERE h.seq = entries.seq) AS held
             FROM entries WHERE subject = $1 ORDER BY seq"
        );
        let rows = sqlx::query(&query)
            .bind(subject)
            .fetch_all(&self.pool)
            .await?;
        let mut held = Vec::new();
        let mut entries = Vec::with_capacity(rows.len());
        for row in &rows {
            let entry = entry_from(row)?;
            if row.try_get::<i64, _>("held")? > 0 {
                held.push(entry.seq);
            }
            entries.push(entry);
        }
        Ok((entries, held))
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

    async fn erase_subject(
        &self,
        subject: &str,
        record: &(dyn Fn(Vec<i64>) -> NewEntry + Send + Sync),
        keys: &Keyring,
        now: DateTime<Utc>,
        handoff_to: &[String],
    ) -> Result<Option<StoredEntry>, StoreError> {
        let _guard = self.append_lock.lock().await;
        let mut tx = self.begin_write(APPEND_LOCK).await?;
        let mut erased = erase_rows(&mut tx, subject).await?;
        if erased.is_empty() {
            return Ok(None);
        }
        erased.sort_unstable();
        let mut head = head(&mut tx).await?;
        let entry = record(erased);
        let stored =
            insert_entry(&mut tx, self.backend, &mut head, entry, keys, &timestamp(now)).await?;
        tell_erased(&mut tx, handoff_to, &stored, std::slice::from_ref(&subject.to_string()), now).await?;
        tx.commit().await?;
        Ok(Some(stored))
    }

    async fn prune(
        &self,
        cutoff: DateTime<Utc>,
        keys: &Keyring,
        now: DateTime<Utc>,
        handoff_to: &[String],
    ) -> Result<Option<StoredEntry>, StoreError> {
        let _guard = self.append_lock.lock().await;
        let mut tx = self.begin_write(APPEND_LOCK).await?;
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
            erased.extend(erase_rows(&mut tx, subject).await?);
        }
        erased.sort_unstable();
        let event = serde_json::json!({
            "schema": crate::ledger::events::EVENT_SCHEMA,
            "type": "pruned",
            "at": timestamp(now),
            "inactiveBefore": timestamp(cutoff),
            "subjects": subjects.len(),
            "erased": erased,
        });
        let entry =
            crate::ledger::events::entry(crate::ledger::receipt::EntryKind::Prune, event, None);
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
        tell_erased(&mut tx, handoff_to, &stored, &subjects, now).await?;
        tx.commit().await?;
        Ok(Some(stored))
    }

    async fn take_limit(
        &self,
        key: &str,
        window: limits::Window,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        // No limit: no counter, and no write transaction to wait for (on
        // SQLite it queues behind the log's batch commits).
        if window.limit == 0 {
            return Ok(true);
        }
        let _writer = self.sqlite_write_guard().await;
        let mut tx = self.begin_bookkeeping().await?;
        let taken = limits::take(&mut tx, key, window, now.timestamp()).await?;
        tx.commit().await?;
        Ok(taken)
    }

    async fn give_back_limit(
        &self,
        key: &str,
        window: limits::Window,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        if window.limit == 0 {
            return Ok(());
        }
        let _writer = self.sqlite_write_guard().await;
        let mut tx = self.begin_bookkeeping().await?;
        limits::give_back(&mut tx, key, window, now.timestamp()).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Erases a subject's entries in `tx`: their tokens, waiting mail and content
/// go; hashes, receipts and chain values stay, so the chain still verifies
/// and shows where erased entries were. The seqs erased.
/// Queues the erasure of each of `subjects`, recorded by `stored`, for the
/// connectors `handoff_to`, and deletes their finished hand-offs (which
/// hold the address), in the erasure's transaction.
async fn tell_erased(
    tx: &mut sqlx::AnyConnection,
    handoff_to: &[String],
    stored: &StoredEntry,
    subjects: &[String],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    for (i, subject) in subjects.iter().enumerate() {
        crate::connectors::queue::Queue::forget_subject(&mut *tx, subject).await?;
        let change = crate::connectors::Change::erased(
            subject,
            &stored.received_at,
            stored.seq,
            &stored.receipt,
        );
        crate::connectors::queue::enqueue_keyed(&mut *tx, handoff_to, stored.seq, &i.to_string(), &change, now)
            .await?;
    }
    Ok(())
}

async fn erase_rows(
    tx: &mut sqlx::AnyConnection,
    subject: &str,
) -> Result<Vec<i64>, StoreError> {
    let seqs = sqlx::query("SELECT seq FROM entries WHERE subject = $1")
        .bind(subject)
        .fetch_all(&mut *tx)
        .await?;
    let mut erased = Vec::new();
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
    sqlx::query("UPDATE entries SET subject = NULL, jws_header = NULL, jws_signature = NULL, body = NULL WHERE subject = $1")
        .bind(subject)
        .execute(&mut *tx)
        .await?;
    Ok(erased)
}
