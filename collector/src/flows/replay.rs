//! The log, replayed through the state table: where every subject stands
//! (for `export`), or one subject (to decide what a new request does).

use std::collections::{HashMap, HashSet};

use consent_proof::{Channel, Choice, DoubleOptIn, Kind};
use serde::Deserialize;

use super::consent_state::{ConsentFacts, Effect, Event, Subject};
use crate::ledger::receipt::EntryKind;
use crate::store::StoredEntry;

/// What the replay needs of a stored proof, read once from its stored body.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProofBody {
    kind: Kind,
    double_opt_in: DoubleOptIn,
    subject: SubjectBody,
    purposes: Vec<PurposeBody>,
}

#[derive(Deserialize)]
struct SubjectBody {
    phone: Option<String>,
}

#[derive(Deserialize)]
struct PurposeBody {
    id: String,
    channel: Channel,
    choice: Choice,
}

/// What the replay needs of an event the collector wrote.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EventBody {
    proof_seq: i64,
    #[serde(default)]
    purposes: Vec<String>,
}

/// A proof seen so far.
struct Seen {
    subject: String,
    kid: String,
    kind: Kind,
    facts: ConsentFacts,
}

/// The `kid` of a stored proof's protected header (base64url).
pub fn kid_of(header_b64: &str) -> Option<String> {
    let bytes = consent_proof::base64url::decode(header_b64)?;
    consent_proof::verify::parse_header(&bytes)
        .ok()
        .map(|h| h.kid)
}

/// The log replayed so far.
pub struct Replay {
    held: HashSet<i64>,
    proofs: HashMap<i64, Seen>,
    subjects: HashMap<String, Subject>,
}

impl Replay {
    /// An empty replay; `held` are the seqs of the proofs that were held on
    /// arrival (a `release` entry applies those that were approved since).
    pub fn new(held: HashSet<i64>) -> Replay {
        Replay {
            held,
            proofs: HashMap::new(),
            subjects: HashMap::new(),
        }
    }

    /// Applies the next entry, in seq order; what it did to its subject.
    pub fn apply(&mut self, entry: &StoredEntry) -> Effect {
        // Erased entries carry nothing to replay.
        let (Some(body), Some(subject)) = (entry.body.as_deref(), entry.subject.clone()) else {
            return Effect::default();
        };
        let Some(kind) = EntryKind::parse(&entry.kind) else {
            return Effect::default();
        };
        match kind {
            EntryKind::Proof => self.proof(entry, body, subject),
            EntryKind::Prune | EntryKind::Erasure => Effect::default(),
            EntryKind::Confirmation | EntryKind::Withdrawal | EntryKind::Release => {
                let Ok(event) = serde_json::from_str::<EventBody>(body) else {
                    return Effect::default();
                };
                self.event(kind, entry, &event)
            }
        }
    }

    fn proof(&mut self, entry: &StoredEntry, body: &str, subject: String) -> Effect {
        let Ok(proof) = serde_json::from_str::<ProofBody>(body) else {
            return Effect::default();
        };
        let kid = entry
            .jws_header
            .as_deref()
            .and_then(kid_of)
            .unwrap_or_default();
        let facts = ConsentFacts {
            seq: entry.seq,
            kid: kid.clone(),
            at: entry.received_at.clone(),
            record_id: entry.record_id.clone(),
            phone: proof.subject.phone,
            double_opt_in: proof.double_opt_in == DoubleOptIn::Requested,
            purposes: proof
                .purposes
                .into_iter()
                .map(|p| (p.id, p.channel, p.choice))
                .collect(),
        };
        let held = self.held.contains(&entry.seq);
        let seen = Seen {
            subject: subject.clone(),
            kid,
            kind: proof.kind,
            facts,
        };
        let effect = {
            let state = self.subjects.entry(subject).or_default();
            match (held, seen.kind) {
                (true, _) => state.apply(&Event::Held),
                (false, Kind::Consent) => state.apply(&Event::Consent(&seen.facts)),
                (false, Kind::Withdrawal) => {
                    let purposes: Vec<String> =
                        seen.facts.purposes.iter().map(|p| p.0.clone()).collect();
                    state.apply(&Event::WidgetWithdrawal {
                        seq: entry.seq,
                        at: &entry.received_at,
                        record_id: entry.record_id.clone(),
                        kid: &seen.kid,
                        purposes: &purposes,
                    })
                }
            }
        };
        self.proofs.insert(entry.seq, seen);
        effect
    }

    fn event(&mut self, kind: EntryKind, entry: &StoredEntry, event: &EventBody) -> Effect {
        let Some(proof) = self.proofs.get(&event.proof_seq) else {
            return Effect::default();
        };
        let state = self.subjects.entry(proof.subject.clone()).or_default();
        let at = entry.received_at.as_str();
        match kind {
            EntryKind::Confirmation => state.apply(&Event::Confirmation {
                seq: entry.seq,
                at,
                proof_seq: event.proof_seq,
            }),
            EntryKind::Withdrawal => state.apply(&Event::Unsubscribe {
                seq: entry.seq,
                at,
                record_id: proof.facts.record_id.clone(),
                purposes: &event.purposes,
            }),
            // An approved held proof counts from the moment it was released.
            EntryKind::Release if proof.kind == Kind::Consent => {
                let facts = ConsentFacts {
                    at: at.to_string(),
                    ..proof.facts.clone()
                };
                state.apply(&Event::Consent(&facts))
            }
            EntryKind::Release => {
                let purposes: Vec<String> =
                    proof.facts.purposes.iter().map(|p| p.0.clone()).collect();
                state.apply(&Event::WidgetWithdrawal {
                    seq: entry.seq,
                    at,
                    record_id: proof.facts.record_id.clone(),
                    kid: &proof.kid,
                    purposes: &purposes,
                })
            }
            EntryKind::Proof | EntryKind::Prune | EntryKind::Erasure => Effect::default(),
        }
    }

    /// Where `subject` stands.
    pub fn subject(&self, subject: &str) -> Option<&Subject> {
        self.subjects.get(subject)
    }

    /// Every subject, by subject key.
    pub fn subjects(&self) -> impl Iterator<Item = (&String, &Subject)> {
        self.subjects.iter()
    }

    /// The subject, browser key, and whether it is a consent, of the proof at `seq`.
    pub fn proof_key(&self, seq: i64) -> Option<(&str, &str, bool)> {
        self.proofs
            .get(&seq)
            .map(|p| (p.subject.as_str(), p.kid.as_str(), p.kind == Kind::Consent))
    }
}
