//! The columns `export` and the flows read, held against the signed content.
//!
//! A proof entry's `record_id` and `subject` columns are copies of what its
//! signed payload says; a confirmation's or a withdrawal's `subject` is that
//! of the proof it names (whose entry and hash its event JSON records). An
//! edited copy would make `export` report another subject, or none, while
//! the hashes still match: each is compared with its source.

use crate::ledger::receipt::EntryKind;
use crate::proof::verify::VerifiedProof;
use crate::store::{Store, StoreError, StoredEntry};

/// A proof entry's columns against its verified payload.
pub fn check_proof(entry: &StoredEntry, proof: &VerifiedProof) -> Result<(), String> {
    if entry.record_id.as_deref() != Some(proof.record.id.as_str()) {
        return Err(format!(
            "the record_id column {:?} differs from the proof's record id {:?}",
            entry.record_id, proof.record.id
        ));
    }
    let subject = proof.subject_key();
    if entry.subject.as_deref() != Some(subject.as_str()) {
        return Err(format!(
            "the subject column {:?} differs from the proof's subject {subject:?}",
            entry.subject
        ));
    }
    Ok(())
}

/// An event entry's columns against its JSON (`body`, already matched to its hash).
pub async fn check_event(
    store: &dyn Store,
    entry: &StoredEntry,
    body: &str,
) -> Result<Result<(), String>, StoreError> {
    if entry.record_id.is_some() {
        return Ok(Err("the record_id column is set on an event".into()));
    }
    // Prunes and erasures on request keep no subject: they erase one.
    if entry.kind == EntryKind::Prune.as_str() || entry.kind == EntryKind::Erasure.as_str() {
        return Ok(match &entry.subject {
            Some(_) => Err(format!("the subject column is set on a {} entry", entry.kind)),
            None => Ok(()),
        });
    }
    let event: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    let (Some(proof_seq), Some(proof_hash)) = (event["proofSeq"].as_i64(), event["proof"].as_str())
    else {
        return Ok(Err("the event names no proof (proofSeq and proof)".into()));
    };
    if proof_seq >= entry.seq {
        return Ok(Err(format!(
            "the event names proof seq {proof_seq}, not an earlier entry"
        )));
    }
    let Some(proof) = store.entry(proof_seq).await? else {
        return Ok(Err(format!(
            "the event names proof seq {proof_seq}, which is missing"
        )));
    };
    if proof.kind != EntryKind::Proof.as_str() || proof.proof_sha256 != proof_hash {
        return Ok(Err(format!(
            "the event's proof hash is not that of entry {proof_seq}"
        )));
    }
    // Both erased by a prune, or both the proof's (checked against it at its own seq).
    if entry.subject != proof.subject {
        return Ok(Err(format!(
            "the subject column {:?} differs from that of proof seq {proof_seq}",
            entry.subject
        )));
    }
    Ok(Ok(()))
}
