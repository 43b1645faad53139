//! Offline re-verification of the whole log with only the collector's public keys.

use std::collections::BTreeSet;

use crate::crypto::hash::sha256_hex;
use crate::ledger::chain;
use crate::ledger::events::{self, PruneEvent};
use crate::ledger::keys::PublicKeys;
use crate::ledger::merkle::Frontier;
use crate::ledger::receipt::{EntryKind, RECEIPT_SCHEMA};
use crate::ledger::witness::{Witness, Witnesses};
use crate::proof::stored;
use crate::proof::verify;
use crate::store::{Pages, Store, StoreError, StoredEntry};

/// The first broken link found.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("seq {seq}: {reason}")]
pub struct Broken {
    /// The entry at fault.
    pub seq: i64,
    /// What is wrong with it.
    pub reason: String,
}

/// A clean log's counts.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// Entries checked.
    pub entries: u64,
    /// Proof signatures re-verified.
    pub proofs: u64,
    /// Entries whose content a prune erased (chain and receipt still checked).
    pub erased: u64,
    /// Checkpoints and receipts seen earlier that the log agrees with.
    pub witnesses: u64,
}

/// Why `verify-log` could not finish.
#[derive(Debug, thiserror::Error)]
pub enum VerifyLogError {
    /// The log is broken at this entry.
    #[error("{0}")]
    Broken(#[from] Broken),
    /// The store could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Re-checks every receipt, every proof signature, every column and every chain link, in order.
pub async fn verify_log(store: &dyn Store, keys: &PublicKeys) -> Result<Report, VerifyLogError> {
    verify_log_against(store, keys, Vec::new()).await
}

/// [`verify_log`], and the log must pass through every checkpoint and receipt in `witnesses`.
pub async fn verify_log_against(
    store: &dyn Store,
    keys: &PublicKeys,
    witnesses: Vec<Witness>,
) -> Result<Report, VerifyLogError> {
    let mut report = Report {
        witnesses: witnesses.len() as u64,
        ..Report::default()
    };
    let mut witnesses = Witnesses::new(witnesses);
    let mut tree = Frontier::new();
    witnesses
        .at(&tree, chain::GENESIS)
        .map_err(|reason| Broken { seq: 0, reason })?;
    let mut prev_chain = chain::GENESIS.to_string();
    let mut erased_by_prune = BTreeSet::new();
    let mut erased_seen = Vec::new();
    let mut pages = Pages::new(store);
    while let Some(page) = pages.next().await? {
        for entry in &page {
            let broken = |reason: String| Broken {
                seq: entry.seq,
                reason,
            };
            if entry.seq != report.entries as i64 + 1 {
                return Err(Broken {
                    seq: report.entries as i64 + 1,
                    reason: format!("missing: the next entry is seq {}", entry.seq),
                }
                .into());
            }
            check_links(entry, &prev_chain, keys).map_err(broken)?;
            match &entry.body {
                None => erased_seen.push(entry.seq),
                Some(body) => {
                    check_content(store, entry, body, &mut report, &mut erased_by_prune)
                        .await?
                        .map_err(broken)?;
                }
            }
            prev_chain = entry.chain.clone();
            report.entries += 1;
            // check_links made sure the chain value is 32 bytes of hex.
            tree.push(&hex::decode(&entry.chain).unwrap_or_default());
            witnesses.at(&tree, &entry.chain).map_err(broken)?;
        }
    }
    witnesses.at_end(report.entries).map_err(|reason| Broken {
        seq: report.entries as i64 + 1,
        reason,
    })?;
    // An erased body is only legitimate where a later prune entry says so.
    if let Some(seq) = erased_seen.iter().find(|s| !erased_by_prune.contains(*s)) {
        return Err(Broken {
            seq: *seq,
            reason: "content missing and no prune entry records its erasure".into(),
        }
        .into());
    }
    report.erased = erased_seen.len() as u64;
    Ok(report)
}

/// Receipt signature and claims, and the chain link, for one entry.
fn check_links(entry: &StoredEntry, prev_chain: &str, keys: &PublicKeys) -> Result<(), String> {
    let receipt = keys
        .verify_receipt(&entry.receipt)
        .ok_or("receipt signature does not verify with any collector key")?;
    let kind = EntryKind::parse(&entry.kind)
        .ok_or_else(|| format!("unknown entry kind {:?}", entry.kind))?;
    if receipt.schema != RECEIPT_SCHEMA
        || receipt.entry != kind
        || receipt.seq != entry.seq as u64
        || receipt.proof != entry.proof_sha256
        || receipt.prev_chain != entry.prev_chain
        || receipt.chain != entry.chain
        || receipt.received_at != entry.received_at
    {
        return Err("stored row differs from its signed receipt".into());
    }
    if entry.prev_chain != prev_chain {
        return Err("prevChain is not the chain value of the previous entry".into());
    }
    let expected = chain::link(
        prev_chain,
        &entry.proof_sha256,
        entry.seq as u64,
        &entry.received_at,
    )
    .ok_or("proof hash is not a sha-256")?;
    if expected != entry.chain {
        return Err(
            "chain value does not match sha-256(prevChain || proof || seq || receivedAt)".into(),
        );
    }
    Ok(())
}

/// The content behind the hash: the proof's signature, or the event's JSON.
async fn check_content(
    store: &dyn Store,
    entry: &StoredEntry,
    body: &str,
    report: &mut Report,
    erased_by_prune: &mut BTreeSet<i64>,
) -> Result<Result<(), String>, StoreError> {
    if entry.kind != EntryKind::Proof.as_str() {
        if sha256_hex(body) != entry.proof_sha256 {
            return Ok(Err("event content does not match its hash".into()));
        }
        if let Err(e) = super::columns::check_event(store, entry, body).await? {
            return Ok(Err(e));
        }
        // Prunes and erasures on request both list the entries they erased.
        if entry.kind == EntryKind::Prune.as_str() || entry.kind == EntryKind::Erasure.as_str() {
            if let Some(prune) = events::read::<PruneEvent>(body) {
                erased_by_prune.extend(prune.erased);
            }
        }
        return Ok(Ok(()));
    }
    let shown = match &entry.texts_sha256 {
        None => None,
        Some(sha) => match store.text(sha).await? {
            Some(shown) if sha256_hex(&shown) == *sha => Some(shown),
            Some(_) => return Ok(Err(format!("stored texts {sha} do not match their hash"))),
            None => return Ok(Err(format!("stored texts {sha} are missing"))),
        },
    };
    let (Some(header), Some(signature)) = (&entry.jws_header, &entry.jws_signature) else {
        return Ok(Err("proof header or signature missing".into()));
    };
    let Some(jws) = stored::rebuild(header, body, signature, shown.as_deref()) else {
        return Ok(Err("stored proof cannot be reassembled".into()));
    };
    if sha256_hex(&jws) != entry.proof_sha256 {
        return Ok(Err("stored proof does not match its hash".into()));
    }
    let proof = match verify::verify_stored(&jws) {
        Ok(proof) => proof,
        Err(e) => return Ok(Err(format!("proof does not verify: {e}"))),
    };
    if let Err(e) = super::columns::check_proof(entry, &proof) {
        return Ok(Err(e));
    }
    if let Err(e) = super::standing::check(store, entry.seq, &entry.proof_sha256, &proof.record).await? {
        return Ok(Err(e));
    }
    report.proofs += 1;
    Ok(Ok(()))
}
