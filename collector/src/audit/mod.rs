//! Reading the whole log back: the state it records, and whether it is intact.

pub mod columns; // stored columns against the signed content
pub mod export; // current state per subject and purpose, as JSONL or CSV
pub mod publish; // signed checkpoints at an endpoint and in a file
pub mod verify_log; // offline re-verification of the whole log
