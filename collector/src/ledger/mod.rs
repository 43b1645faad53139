//! What the log holds: entries, the hash chain, receipts, the collector's
//! keys, and the events the collector writes itself.

pub mod chain; // the hash chain's link function and genesis value
pub mod checkpoint; // signed checkpoints of the log (c2sp.org/tlog-checkpoint)
pub mod entry; // an entry to append, and an entry as stored
pub mod events; // entries the collector writes itself
pub mod keys; // collector keys, JWKS, receipt signatures
pub mod merkle; // the RFC 6962 tree hash a checkpoint carries
pub mod note; // signed notes (c2sp.org/signed-note)
pub mod receipt; // the receipt payload
pub mod tsa; // asking an RFC 3161 timestamp authority
pub mod tsa_verify; // checking its tokens against its certificate
pub mod witness; // checkpoints and receipts seen earlier, held against the log
