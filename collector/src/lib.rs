//! consent-collector: the reference backend for consent-widget.
//!
//! It verifies signed consent proofs, stores them in a hash-chained log
//! (SQLite or PostgreSQL), answers each with a receipt signed by its own
//! Ed25519 key, runs double opt-in over SMTP, records withdrawals, and can
//! export and re-verify the whole log offline.
//!
//! The folders, from the bottom layer up (each uses only those above it in
//! this list, never one below):
//! - [`crypto`]: hashes, compact JWS, random tokens;
//! - [`proof`]: incoming proofs verified, split for storage, read back;
//! - [`ledger`]: what the log holds: entries, the chain, receipts, the
//!   collector's keys, the events it writes itself;
//! - [`store`]: the log in SQLite or PostgreSQL, and group commit;
//! - [`registry`]: the form versions the merchant registered, and the only
//!   words the collector believes;
//! - [`i18n`]: what the subscriber reads on the pages;
//! - [`mail`]: the confirmation mail, its transports and its queue;
//! - [`flows`]: what each request does, apart from HTTP;
//! - [`audit`]: export and offline re-verification of the log;
//! - [`config`], [`http`], [`cli`]: settings, the service, the command line.

pub mod audit;
pub mod cli;
pub mod config;
pub mod crypto;
pub mod flows;
pub mod http;
pub mod i18n;
pub mod ledger;
pub mod mail;
pub mod proof;
pub mod registry;
pub mod store;
