//! A log entry: what is appended, and what is stored.

use super::receipt::EntryKind;

/// What a new entry holds.
#[derive(Clone, Debug)]
pub enum NewBody {
    /// A verified proof, split for storage.
    Proof(crate::proof::stored::ProofParts),
    /// An event the collector writes itself: canonical JSON.
    Event(String),
}

/// An entry to append.
#[derive(Clone, Debug)]
pub struct NewEntry {
    /// What it records.
    pub kind: EntryKind,
    /// SHA-256 (hex) of the proof JWS or of the event JSON.
    pub proof_sha256: String,
    /// The content.
    pub body: NewBody,
    /// Record id of a proof: a second proof with the same id is a replay.
    pub record_id: Option<String>,
    /// Lowercased e-mail of the subject, so that prune can find their entries.
    pub subject: Option<String>,
}

/// A log entry as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredEntry {
    /// Position in the log, from 1.
    pub seq: i64,
    /// Stored kind name.
    pub kind: String,
    /// RFC 3339 receive time.
    pub received_at: String,
    /// SHA-256 (hex) of the proof JWS or event JSON.
    pub proof_sha256: String,
    /// Chain value before this entry.
    pub prev_chain: String,
    /// Chain value after this entry.
    pub chain: String,
    /// The collector's receipt JWS.
    pub receipt: String,
    /// Proof record id.
    pub record_id: Option<String>,
    /// Subject key (lowercased e-mail); `None` once pruned.
    pub subject: Option<String>,
    /// Proof header (base64url); `None` for events and once pruned.
    pub jws_header: Option<String>,
    /// Proof signature (base64url); `None` for events and once pruned.
    pub jws_signature: Option<String>,
    /// Stripped proof payload or event JSON; `None` once pruned.
    pub body: Option<String>,
    /// Key of the proof's shown texts in the text store.
    pub texts_sha256: Option<String>,
}
