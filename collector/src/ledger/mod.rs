//! What the log holds: entries, the hash chain, receipts, the collector's
//! keys, and the events the collector writes itself.

pub mod chain; // the hash chain's link function and genesis value
pub mod entry; // an entry to append, and an entry as stored
pub mod events; // entries the collector writes itself
pub mod keys; // collector keys, JWKS, receipt signatures
pub mod receipt; // the receipt payload
