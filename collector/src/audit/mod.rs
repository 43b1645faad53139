//! Reading the log back, for the merchant, the DPO and an auditor.

pub mod access; // what the collector holds on one person, as JSON and a page
pub mod bundle; // audit bundles: proofs, receipts, texts, keys, a signed manifest
pub mod columns; // stored columns against the signed content
pub mod erase; // erasure on request, recorded without personal data
pub mod export; // current state per subject and purpose, as JSONL or CSV
pub mod history; // one subject's entries, as text or JSON
pub mod iso27560; // ISO/IEC TS 27560 consent records in DPV JSON-LD
pub mod publish; // signed checkpoints at an endpoint and in a file
pub mod standing; // whether each stored proof counts: its held mark against the registry
pub mod stats; // counts per form, purpose and day, for the dashboard
pub mod timeline; // the log's entries read once, for all of the above
pub mod verify_bundle; // offline check of an audit bundle
pub mod verify_log; // offline re-verification of the whole log
