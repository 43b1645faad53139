//! consent-collector: the reference backend for consent-widget.
//!
//! It verifies signed consent proofs, stores them in a hash-chained log
//! (SQLite or PostgreSQL), answers each with a receipt signed by its own
//! Ed25519 key, runs double opt-in over SMTP, records withdrawals, and can
//! export and re-verify the whole log offline.

pub mod appender; // group commit: many requests, one transaction
pub mod chain; // the hash chain's link function and genesis value
pub mod cli; // the command line
pub mod config; // settings from flags, environment and file
pub mod events; // entries the collector writes itself
pub mod export; // current state per subject and purpose, as JSONL or CSV
pub mod granted; // the purposes a proof granted, as shown, and its phone, masked
pub mod hash; // SHA-256 as hex
pub mod http; // routes, handlers and startup
pub mod ip; // IP truncation
pub mod jws; // compact JWS helpers for receipts
pub mod keys; // collector keys, JWKS, receipt signatures
pub mod mail; // SMTP and outbox delivery
pub mod mail_queue; // confirmation mail after the commit, retried from the database
pub mod messages; // French and English texts for mail and pages
pub mod proof_check; // the seam to consent-proof: verification of incoming proofs
pub mod rate_limit; // per-key fixed-window limits
pub mod receipt; // the receipt payload
pub mod store; // the storage trait and its SQL implementation
pub mod stored_proof; // proofs split for storage, rebuilt byte for byte
pub mod tokens; // confirm and unsubscribe tokens
pub mod unsubscribe_link;
pub mod verify_log; // offline re-verification of the whole log // one-click unsubscribe links for marketing mail
