//! Durable storage of the hash-chained log, behind one trait.
//!
//! One SQL implementation serves SQLite (embedded default) and PostgreSQL;
//! the statements are written in the dialect both accept, and the few places
//! that differ (locking, connection setup) branch on [`Backend`].

pub mod appender; // group commit: many requests, one transaction
mod held; // held proofs, marked in their append's transaction
mod inserts; // multi-row inserts, their values bound as they are written
pub mod limits; // rate-limit counters shared through the database
mod log; // the Store methods over SQL: appends, reads, prune
mod migrations; // versioned schema
mod pending_mail; // confirmation mail waiting beside the log
mod rows; // entry rows: linked, signed, inserted in batches, read back
mod sql; // connections, transactions, locks
mod tokens; // token rows: stored, used up, cancelled

/// The query behind [`Store::chain_values`] (`$1`: after, `$2`: limit),
/// public for the test that checks SQLite answers it from its index.
pub const CHAIN_VALUES_SQL: &str = "SELECT seq, chain FROM entries WHERE seq > $1 ORDER BY seq LIMIT $2";

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::ledger::keys::Keyring;

pub use crate::ledger::entry::{NewBody, NewEntry, StoredEntry};
pub use pending_mail::{MailFailure, MailOutbox, NewMail, PendingMail};
pub use sql::{Backend, SqlStore};

/// A storage failure: always a server-side error.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database refused or failed.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// The database URL names no supported backend.
    #[error("unsupported database url {0:?}: use sqlite://path or postgres://...")]
    Url(String),
    /// The batch this append was part of failed (see [`appender`]).
    #[error("append failed: {0}")]
    Batch(String),
    /// The stored log cannot be appended to (its head is unreadable).
    #[error("corrupt log head: {0}")]
    Corrupt(String),
}

/// A confirm or unsubscribe token to store with an entry (its hash only).
#[derive(Clone, Debug)]
pub struct NewToken {
    /// SHA-256 (hex) of the token.
    pub hash: String,
    /// What it does.
    pub purpose: TokenPurpose,
    /// Language of the pages it leads to.
    pub locale: String,
    /// When it stops working; `None` for unsubscribe links, which must keep working.
    pub expires_at: Option<DateTime<Utc>>,
    /// The client network (truncated address) of the sign-up it was made
    /// for, when it came over HTTP: evidence for the merchant's tools.
    pub network: Option<String>,
}

/// What a token is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenPurpose {
    /// Double opt-in confirmation.
    Confirm,
    /// One-click unsubscribe.
    Unsubscribe,
    /// The preference page: every purpose of the subject, each withdrawable;
    /// it expires (see `--preferences-ttl`) and can be renewed by mail.
    Preferences,
}

impl TokenPurpose {
    fn as_str(self) -> &'static str {
        match self {
            TokenPurpose::Confirm => "confirm",
            TokenPurpose::Unsubscribe => "unsubscribe",
            TokenPurpose::Preferences => "preferences",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "confirm" => TokenPurpose::Confirm,
            "preferences" => TokenPurpose::Preferences,
            _ => TokenPurpose::Unsubscribe,
        }
    }
}

/// A stored token.
#[derive(Clone, Debug)]
pub struct TokenRow {
    /// Seq of the proof entry it belongs to.
    pub entry_seq: i64,
    /// What it does.
    pub purpose: TokenPurpose,
    /// Language of its pages.
    pub locale: String,
    /// When it stops working.
    pub expires_at: Option<String>,
    /// When it was used, if it was.
    pub used_at: Option<String>,
    /// For a confirm link: when a withdrawal of its consent cancelled it.
    pub withdrawn_at: Option<String>,
    /// The sign-up's client network (see [`NewToken::network`]).
    pub network: Option<String>,
}

/// One unit of work for [`Store::append`].
#[derive(Clone, Debug)]
pub struct Append {
    /// The entry.
    pub entry: NewEntry,
    /// Tokens created with it.
    pub tokens: Vec<NewToken>,
    /// A token this entry uses up: the append happens only if it is unused and unexpired.
    pub consume: Option<String>,
    /// The confirmation mail to send once this entry is committed, stored in
    /// the same transaction (see [`MailOutbox`]).
    pub mail: Option<NewMail>,
    /// The consent this entry withdraws from: its confirm link is cancelled
    /// and its waiting mail deleted in the same transaction, so that no
    /// confirmation follows a withdrawal.
    pub withdraws: Option<Withdraws>,
    /// What this entry does to the held proofs of the forms registry.
    pub held: Option<HeldMark>,
    /// The change to hand to the merchant's tools, queued in the same
    /// transaction (see [`crate::connectors`]); its evidence gets the
    /// entry's seq and receipt there.
    pub handoff: Option<HandOff>,
    /// Rate windows this entry counts against, taken in its transaction
    /// (the interval a new confirmation mail starts: see
    /// [`crate::flows::limits::take_new`]); a replay takes none.
    pub starts: Vec<(String, limits::Window)>,
}

/// A change and the connectors it goes to.
#[derive(Clone, Debug)]
pub struct HandOff {
    /// The change.
    pub change: crate::connectors::Change,
    /// The configured connector names.
    pub to: std::sync::Arc<Vec<String>>,
}

/// What an entry does to the proofs held for want of a registered form version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HeldMark {
    /// This proof is held: it matches no registered form version.
    Hold {
        /// The form id it claims.
        form_id: String,
        /// The form version it claims.
        version: String,
        /// Why: no such version, or the field that differs.
        reason: String,
    },
    /// This `release` entry makes the held proof at `proof_seq` count; the
    /// entry's tokens and mail are that proof's.
    Release {
        /// The held proof.
        proof_seq: i64,
    },
}

/// Which consent a withdrawal cancels the confirmation of.
#[derive(Clone, Debug)]
pub enum Withdraws {
    /// The proof entry at this seq (an unsubscribe link's): its e-mail
    /// purposes are withdrawn.
    Seq(i64),
    /// The subject's proof whose JWS has this SHA-256 (a withdrawal proof's
    /// `prev`), when `purposes` covers all its e-mail purposes, or all it
    /// granted: withdrawing only part leaves the rest to confirm.
    Proof {
        /// SHA-256 (hex) of the consent's JWS.
        sha256: String,
        /// The withdrawal's subject key; a proof of another subject is left alone.
        subject: String,
        /// The purpose ids withdrawn.
        purposes: Vec<String>,
    },
}

/// Why a token could not be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenProblem {
    /// No such token (or its subject was pruned).
    Unknown,
    /// Past its expiry.
    Expired,
    /// Already used.
    Used,
    /// A confirm link whose consent was withdrawn since it was sent.
    Withdrawn,
}

/// The outcome of one [`Append`].
#[derive(Clone, Debug)]
pub enum Appended {
    /// Appended and committed.
    New(StoredEntry),
    /// A proof with this record id was already stored: here it is, nothing new stored.
    Replay(StoredEntry),
    /// The token could not be used: nothing stored.
    Token(TokenProblem),
}

/// The log store, and the confirmation mail waiting beside it.
#[async_trait]
pub trait Store: MailOutbox + Send + Sync {
    /// Appends a batch in one transaction, serialized against every other
    /// writer, and commits before returning: one outcome per item, in order.
    /// Receipts are signed with `keys` inside the transaction.
    async fn append(
        &self,
        batch: Vec<Append>,
        keys: &Keyring,
        now: DateTime<Utc>,
    ) -> Result<Vec<Appended>, StoreError>;
    /// Up to `limit` entries with `seq > after`, in order.
    async fn entries(&self, after: i64, limit: i64) -> Result<Vec<StoredEntry>, StoreError>;
    /// The chain values of up to `limit` entries with `seq > after`, in
    /// order, as `(seq, chain)`: what a checkpoint needs, without reading
    /// each entry's proof (several KiB each; a minute of sign-ups read
    /// whole stalled the appends beside it).
    async fn chain_values(&self, after: i64, limit: i64) -> Result<Vec<(i64, String)>, StoreError>;
    /// The entry at `seq`.
    async fn entry(&self, seq: i64) -> Result<Option<StoredEntry>, StoreError>;
    /// The proof stored under this record id.
    async fn by_record_id(&self, id: &str) -> Result<Option<StoredEntry>, StoreError>;
    /// The token with this hash.
    async fn token(&self, hash: &str) -> Result<Option<TokenRow>, StoreError>;
    /// The proof entries of a subject that still hold their content, newest first.
    async fn subject_proofs(&self, subject: &str) -> Result<Vec<StoredEntry>, StoreError>;
    /// The pool, for the forms registry's tables (`crate::registry::sql`).
    fn sql_pool(&self) -> &sqlx::AnyPool;
    /// Every entry of a subject (proofs and events), in seq order, and the
    /// seqs of its proofs that were held on arrival.
    async fn subject_history(
        &self,
        subject: &str,
    ) -> Result<(Vec<StoredEntry>, Vec<i64>), StoreError>;
    /// Stores a token for the entry at `entry_seq` (no log entry: a token is not an event).
    async fn add_token(&self, entry_seq: i64, token: NewToken) -> Result<(), StoreError>;
    /// A shown-texts set by its SHA-256.
    async fn text(&self, sha256: &str) -> Result<Option<String>, StoreError>;
    /// Erases one subject's entries on request and appends the erasure entry
    /// `record` makes from the erased seqs, in one transaction; `None` when
    /// the subject has no entry with content left. The erasure is queued for
    /// the connectors `handoff_to`, as a prune's is.
    async fn erase_subject(
        &self,
        subject: &str,
        record: &(dyn Fn(Vec<i64>) -> NewEntry + Send + Sync),
        keys: &Keyring,
        now: DateTime<Utc>,
        handoff_to: &[String],
    ) -> Result<Option<StoredEntry>, StoreError>;
    /// Erases subjects whose last entry is older than `cutoff` and appends
    /// a prune entry listing the erased entries; `None` when nobody was
    /// inactive. Each erased subject's erasure is queued for the connectors
    /// `handoff_to`, and its finished hand-offs are deleted.
    async fn prune(
        &self,
        cutoff: DateTime<Utc>,
        keys: &Keyring,
        now: DateTime<Utc>,
        handoff_to: &[String],
    ) -> Result<Option<StoredEntry>, StoreError>;
    /// Counts one event for `key` against a limit every collector on this
    /// database shares; `false` when its window is full.
    async fn take_limit(
        &self,
        key: &str,
        window: limits::Window,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// Gives back an event [`Store::take_limit`] counted that did not happen after all.
    async fn give_back_limit(
        &self,
        key: &str,
        window: limits::Window,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
}

/// Reads the whole log in seq order, one page at a time.
pub struct Pages<'a> {
    store: &'a dyn Store,
    after: i64,
}

impl<'a> Pages<'a> {
    /// Starts at seq 1.
    pub fn new(store: &'a dyn Store) -> Self {
        Pages { store, after: 0 }
    }

    /// The next page, or `None` past the last entry.
    pub async fn next(&mut self) -> Result<Option<Vec<StoredEntry>>, StoreError> {
        let page = self.store.entries(self.after, 500).await?;
        Ok(page.last().map(|last| last.seq).map(|seq| {
            self.after = seq;
            page
        }))
    }
}

/// RFC 3339 UTC with milliseconds: the one time format stored and signed.
pub fn timestamp(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Opens the store a URL names and brings its schema up to date.
pub async fn open(url: &str) -> Result<std::sync::Arc<dyn Store>, StoreError> {
    Ok(std::sync::Arc::new(SqlStore::open(url).await?))
}
