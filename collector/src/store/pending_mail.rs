//! Confirmation mail waiting to be sent, in the same database as the log.
//!
//! A row is written in the transaction that stores its proof, so that a 201
//! means the mail goes out eventually: after an SMTP outage, or after a
//! restart if the process stopped first. It is deleted once the mail is sent,
//! given up, or its confirm link has expired, used, or cancelled by a
//! withdrawal of its consent (see [`super::Withdraws`]).
//!
//! The row holds the confirm and unsubscribe tokens in the clear, although
//! the tokens table keeps only their hashes: a mail cannot be rebuilt from a
//! hash, and a pending mail must survive a restart. The exposure is bounded:
//! the row lives until the mail is sent (normally under a second, at most the
//! confirm link's lifetime during an outage), and whoever reads the database
//! at that moment gets working links for those few subscribers only.
//! Recipient, language and sender are not copied: they are read from the
//! proof's entry, which keeps this row, written with every proof, small.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::Row;

use super::inserts::Inserts;
use super::rows::{placeholders, ROWS_PER_STATEMENT};
use super::sql::SqlStore;
use super::{timestamp, StoreError};

/// A confirmation mail to store with its proof (see [`super::Append::mail`]).
#[derive(Clone, Debug)]
pub struct NewMail {
    /// The confirm link's token.
    pub confirm_token: String,
    /// The unsubscribe link's token.
    pub unsubscribe_token: String,
    /// When the confirm link stops working: past it, the mail is not sent.
    pub expires_at: DateTime<Utc>,
    /// When any collector may try it again: the lease of the attempt the
    /// committing process makes at once (see [`crate::mail::queue::Attempt`]).
    /// A failed attempt schedules its own retry; this is the retry should
    /// that attempt never end.
    pub retry_at: DateTime<Utc>,
}

/// A stored mail not yet sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingMail {
    /// Seq of the proof entry it confirms.
    pub entry_seq: i64,
    /// The confirm link's token.
    pub confirm_token: String,
    /// The unsubscribe link's token.
    pub unsubscribe_token: String,
    /// When the confirm link stops working.
    pub expires_at: DateTime<Utc>,
    /// Attempts taken so far, the one right after the commit included.
    pub attempts: i64,
    /// Permanent (5xx) answers so far.
    pub rejections: i64,
    /// When the next attempt is due, as stored: a claim compares it.
    pub next_attempt_at: String,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// The proof's stored payload (without its shown texts), which names the
    /// recipient, the language and the sender.
    pub proof_body: Option<String>,
    /// The proof's shown texts (canonical JSON), which the mail quotes.
    pub proof_shown: Option<String>,
    /// The proof's protected header (base64url), which names its key.
    pub proof_header: Option<String>,
}

/// A failed attempt, to record (see [`MailOutbox::mail_failed`]).
#[derive(Clone, Debug)]
pub struct MailFailure {
    /// Seq of the proof entry the mail confirms.
    pub seq: i64,
    /// The attempt that failed, as counted when it was taken: the failure
    /// is recorded only while the mail is still at that attempt.
    pub attempt: i64,
    /// Why it failed.
    pub error: String,
    /// A permanent (5xx) answer.
    pub rejected: bool,
    /// When the mail may be tried again.
    pub retry_at: DateTime<Utc>,
}

/// Where confirmation mail waits until it is sent.
#[async_trait]
pub trait MailOutbox {
    /// Up to `limit` mails whose next attempt is due at `now`, earliest first.
    async fn due_mail(
        &self,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<PendingMail>, StoreError>;
    /// Takes each mail for one attempt, holding it until the time given (the
    /// attempt's lease: no other collector takes it before), unless another
    /// collector took it since it was read: one answer per mail, `true` when
    /// taken. A collector that dies mid-attempt leaves the mail due again
    /// once its lease ends, not lost.
    async fn claim_mail(
        &self,
        claims: &[(PendingMail, DateTime<Utc>)],
    ) -> Result<Vec<bool>, StoreError>;
    /// Deletes mails that were sent, given up, or have expired.
    async fn forget_mail(&self, seqs: &[i64]) -> Result<(), StoreError>;
    /// Records why attempts failed and when each mail is due again. One
    /// answer per failure: the permanent answers counted so far, this one
    /// included (by every collector: the count as stored, not as read before
    /// the attempt), or `None` when the mail is no longer stored or another
    /// collector has taken it for a later attempt since (its lease ran out):
    /// that attempt is the other collector's to record.
    async fn mail_failed(
        &self,
        failures: &[MailFailure],
    ) -> Result<Vec<Option<i64>>, StoreError>;
    /// When the earliest waiting mail is due, if any is waiting.
    async fn next_mail_due(&self) -> Result<Option<DateTime<Utc>>, StoreError>;
}

const COLUMNS: &str = "p.entry_seq, p.confirm_token, p.unsubscribe_token, p.expires_at, p.attempts, p.rejections, p.next_attempt_at, p.last_error, e.body, t.shown, e.jws_header";

/// Writes the inserts of a batch's mails, each under its entry's seq.
pub(super) fn insert<'q>(inserts: &mut Inserts<'q>, mails: &'q [(i64, NewMail)]) {
    for chunk in mails.chunks(ROWS_PER_STATEMENT) {
        // attempts and rejections take their defaults: the attempt right
        // after the commit is the committing process's.
        inserts.insert("INSERT INTO pending_mail (entry_seq, confirm_token, unsubscribe_token, expires_at, next_attempt_at) VALUES ");
        for (seq, mail) in chunk {
            inserts
                .row()
                .bind(*seq)
                .bind(mail.confirm_token.as_str())
                .bind(mail.unsubscribe_token.as_str())
                .bind(timestamp(mail.expires_at))
                .bind(timestamp(mail.retry_at));
        }
        inserts.end("");
    }
}

fn parse_time(text: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| StoreError::Corrupt(format!("stored time {text:?} is not rfc 3339")))
}

fn pending_from(row: &AnyRow) -> Result<PendingMail, StoreError> {
    Ok(PendingMail {
        entry_seq: row.try_get("entry_seq")?,
        confirm_token: row.try_get("confirm_token")?,
        unsubscribe_token: row.try_get("unsubscribe_token")?,
        expires_at: parse_time(&row.try_get::<String, _>("expires_at")?)?,
        attempts: row.try_get("attempts")?,
        rejections: row.try_get("rejections")?,
        next_attempt_at: row.try_get("next_attempt_at")?,
        last_error: row.try_get("last_error")?,
        proof_body: row.try_get("body")?,
        proof_shown: row.try_get("shown")?,
        proof_header: row.try_get("jws_header")?,
    })
}

#[async_trait]
impl MailOutbox for SqlStore {
    async fn due_mail(
        &self,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<PendingMail>, StoreError> {
        // Stored times share one fixed-width format, so text order is time order.
        let sql = format!("SELECT {COLUMNS} FROM pending_mail p LEFT JOIN entries e ON e.seq = p.entry_seq LEFT JOIN texts t ON t.sha256 = e.texts_sha256 WHERE p.next_attempt_at <= $1 ORDER BY p.next_attempt_at LIMIT $2");
        let rows = sqlx::query(&sql)
            .bind(timestamp(now))
            .bind(limit)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(pending_from).collect()
    }

    async fn claim_mail(
        &self,
        claims: &[(PendingMail, DateTime<Utc>)],
    ) -> Result<Vec<bool>, StoreError> {
        let _guard = self.sqlite_write_guard().await;
        let mut tx = self.begin_bookkeeping().await?;
        let mut taken = Vec::with_capacity(claims.len());
        for (mail, next) in claims {
            // On PostgreSQL a concurrent claim waits for this row's lock, then
            // sees the new time and matches nothing: each attempt has one taker.
            let updated = sqlx::query("UPDATE pending_mail SET attempts = attempts + 1, next_attempt_at = $1 WHERE entry_seq = $2 AND next_attempt_at = $3")
                .bind(timestamp(*next))
                .bind(mail.entry_seq)
                .bind(mail.next_attempt_at.as_str())
                .execute(&mut *tx)
                .await?;
            taken.push(updated.rows_affected() == 1);
        }
        tx.commit().await?;
        Ok(taken)
    }

    async fn forget_mail(&self, seqs: &[i64]) -> Result<(), StoreError> {
        if seqs.is_empty() {
            return Ok(());
        }
        let _guard = self.sqlite_write_guard().await;
        let mut tx = self.begin_bookkeeping().await?;
        for chunk in seqs.chunks(ROWS_PER_STATEMENT * 4) {
            let sql = format!(
                "DELETE FROM pending_mail WHERE entry_seq IN {}",
                placeholders(self.backend(), 1, chunk.len())
            );
            let mut query = sqlx::query(&sql);
            for seq in chunk {
                query = query.bind(*seq);
            }
            query.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn mail_failed(
        &self,
        failures: &[MailFailure],
    ) -> Result<Vec<Option<i64>>, StoreError> {
        if failures.is_empty() {
            return Ok(Vec::new());
        }
        let _guard = self.sqlite_write_guard().await;
        let mut tx = self.begin_bookkeeping().await?;
        let mut counts = Vec::with_capacity(failures.len());
        for failure in failures {
            // RETURNING (SQLite 3.35+, PostgreSQL): the count after this
            // update, which other collectors' failures may have raised too.
            let row = sqlx::query("UPDATE pending_mail SET last_error = $1, rejections = rejections + $2, next_attempt_at = $3 WHERE entry_seq = $4 AND attempts = $5 RETURNING rejections")
                .bind(failure.error.as_str())
                .bind(i64::from(failure.rejected))
                .bind(timestamp(failure.retry_at))
                .bind(failure.seq)
                .bind(failure.attempt)
                .fetch_optional(&mut *tx)
                .await?;
            counts.push(row.map(|r| r.try_get("rejections")).transpose()?);
        }
        tx.commit().await?;
        Ok(counts)
    }

    async fn next_mail_due(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let next: Option<String> =
            sqlx::query("SELECT MIN(next_attempt_at) AS due FROM pending_mail")
                .fetch_one(self.pool())
                .await?
                .try_get("due")?;
        next.as_deref().map(parse_time).transpose()
    }
}
