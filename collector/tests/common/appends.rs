//! Appends made straight to a store, as the HTTP layer makes them after verifying.

use consent_collector::ledger::receipt::EntryKind;
use consent_collector::proof::{stored, verify};
use consent_collector::store::{Append, Appended, NewBody, NewEntry, StoredEntry};

/// A sign-up of `email` signed by a fresh browser key, verified, with nothing beside its entry.
pub fn proof_append(email: &str) -> Append {
    let jws = super::sign(&super::browser_key(), &super::consent(email, "fr"));
    let proof = verify::verify_stored(&jws).unwrap();
    Append {
        entry: NewEntry {
            kind: EntryKind::Proof,
            proof_sha256: proof.sha256.clone(),
            body: NewBody::Proof(stored::split(&proof)),
            record_id: Some(proof.view.id.clone()),
            subject: Some(proof.subject_key()),
        },
        tokens: Vec::new(),
        consume: None,
        mail: None,
        withdraws: None,
        held: None,
        starts: Vec::new(),
        handoff: None,
    }
}

/// The entry a new append stored; panics on any other outcome.
pub fn new(outcome: Appended) -> StoredEntry {
    match outcome {
        Appended::New(entry) => entry,
        other => panic!("expected a new entry, got {other:?}"),
    }
}
