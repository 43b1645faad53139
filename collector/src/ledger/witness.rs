//! What a reader saw of the log earlier (checkpoints and receipts) held against the log now.
//!
//! The log checks itself entry by entry, but a log cut after its last good
//! entry, or rewritten and re-signed by someone holding the key, is still a
//! consistent log. What was published before is what shows it: a
//! checkpoint of size N fixes the root and the chain value at N, a receipt
//! fixes the chain value at its seq. The log now must reach each of them and
//! agree with each.

use std::path::Path;

use chrono::{DateTime, Utc};
use ed25519_dalek::VerifyingKey;

use super::checkpoint::{Checkpoint, Record};
use super::merkle::{Frontier, Hash};
use super::tsa_verify::Authority;

/// One point the log must pass through.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Witness {
    /// The log size (or receipt seq) it fixes.
    pub size: u64,
    /// The RFC 6962 root at that size (checkpoints only).
    pub root: Option<Hash>,
    /// The chain value of entry `size`.
    pub chain: String,
    /// Where it was read, for messages: `FILE line N`.
    pub source: String,
    /// When it was made, or stamped by the timestamp authority.
    pub time: Option<DateTime<Utc>>,
}

/// Why a file of checkpoints could not be used.
#[derive(Debug, thiserror::Error)]
#[error("{source_name}: {message}")]
pub struct WitnessError {
    /// `FILE` or `FILE line N`.
    pub source_name: String,
    /// What is wrong.
    pub message: String,
}

/// Reads a checkpoint file: JSON lines of [`Record`] (the collector's file),
/// or one signed note as `GET /v1/checkpoint` serves it. Every checkpoint
/// must open with `keys`; with an `authority`, every one must carry a token
/// of that authority over its signed note.
pub fn read_checkpoints(
    path: &Path,
    keys: &[VerifyingKey],
    authority: Option<&Authority>,
) -> Result<Vec<Witness>, WitnessError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| WitnessError {
        source_name: name.clone(),
        message: e.to_string(),
    })?;
    let records: Vec<(String, Record)> = if text.trim_start().starts_with('{') {
        let mut records = Vec::new();
        for (i, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let at = format!("{name} line {}", i + 1);
            let record = serde_json::from_str(line).map_err(|e| WitnessError {
                source_name: at.clone(),
                message: format!("not a checkpoint record: {e}"),
            })?;
            records.push((at, record));
        }
        records
    } else {
        let record = Record {
            checkpoint: text,
            timestamp: None,
        };
        vec![(name.clone(), record)]
    };
    records
        .into_iter()
        .map(|(at, record)| witness(&at, &record, keys, authority))
        .collect()
}

fn witness(
    at: &str,
    record: &Record,
    keys: &[VerifyingKey],
    authority: Option<&Authority>,
) -> Result<Witness, WitnessError> {
    let fail = |message: String| WitnessError {
        source_name: at.to_string(),
        message,
    };
    let checkpoint = Checkpoint::open(&record.checkpoint, keys).map_err(|e| fail(e.to_string()))?;
    let mut time = Some(checkpoint.time);
    if let Some(authority) = authority {
        let token = record
            .token()
            .ok_or_else(|| fail("the checkpoint has no timestamp token".into()))?
            .map_err(|e| fail(e.to_string()))?;
        let stamp = authority
            .verify(&token, record.checkpoint.as_bytes())
            .map_err(|e| fail(format!("timestamp: {e}")))?;
        time = Some(stamp.time);
    }
    Ok(Witness {
        size: checkpoint.size,
        root: Some(checkpoint.root),
        chain: checkpoint.chain,
        source: format!("checkpoint of size {} at {at}", checkpoint.size),
        time,
    })
}

/// Reads receipts, one compact JWS a line, as the widget or a subscriber kept them.
pub fn read_receipts(
    path: &Path,
    keys: &super::keys::PublicKeys,
) -> Result<Vec<Witness>, WitnessError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| WitnessError {
        source_name: name.clone(),
        message: e.to_string(),
    })?;
    let mut witnesses = Vec::new();
    for (i, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let at = format!("{name} line {}", i + 1);
        let receipt = keys
            .verify_receipt(line.trim())
            .ok_or_else(|| WitnessError {
                source_name: at.clone(),
                message: "the receipt does not verify with any collector key".into(),
            })?;
        witnesses.push(Witness {
            size: receipt.seq,
            root: None,
            chain: receipt.chain,
            source: format!("receipt of seq {} at {at}", receipt.seq),
            time: DateTime::parse_from_rfc3339(&receipt.received_at)
                .ok()
                .map(|t| t.with_timezone(&Utc)),
        });
    }
    Ok(witnesses)
}

/// The witnesses, in log order, checked as the log is walked.
pub struct Witnesses {
    pending: Vec<Witness>,
    last_agreed: Option<String>,
}

impl Witnesses {
    /// Sorts them by size.
    pub fn new(mut witnesses: Vec<Witness>) -> Self {
        witnesses.sort_by_key(|w| std::cmp::Reverse(w.size));
        Witnesses {
            pending: witnesses,
            last_agreed: None,
        }
    }

    /// Checks the witnesses of size `frontier.size()`, whose last chain value is `chain`.
    pub fn at(&mut self, frontier: &Frontier, chain: &str) -> Result<(), String> {
        while let Some(w) = self.pending.last().filter(|w| w.size <= frontier.size()) {
            let root_differs = w.root.is_some_and(|r| r != frontier.root());
            if w.chain != chain || root_differs {
                let since = match &self.last_agreed {
                    Some(agreed) => format!("; it last agreed with the {agreed}"),
                    None => String::new(),
                };
                return Err(format!(
                    "the log forks from the {}: its chain value at seq {} is {chain}, the {} says {}{since}",
                    w.source,
                    w.size,
                    if w.root.is_some() { "checkpoint" } else { "receipt" },
                    w.chain,
                ));
            }
            self.last_agreed = Some(w.source.clone());
            self.pending.pop();
        }
        Ok(())
    }

    /// After the last entry: a witness beyond the log means the log was cut.
    pub fn at_end(&self, size: u64) -> Result<(), String> {
        match self.pending.iter().max_by_key(|w| w.size) {
            Some(w) => Err(format!(
                "the log is shorter than the {}: it ends at seq {size}, so entries {} to {} are missing",
                w.source,
                size + 1,
                w.size
            )),
            None => Ok(()),
        }
    }
}
