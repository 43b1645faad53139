//! What a verified proof does on arrival: refused, held, or counted, and
//! whether a confirmation mail goes out. The registry and the subject's
//! stored history decide; the proof's content only claims.

use std::collections::HashSet;

use consent_proof::{DoubleOptIn, Kind, Proof};

use super::consent_state::{check_link, ConsentFacts, Event, LinkError, Named};
use super::replay::Replay;
use crate::registry::matching::{standing, Standing};
use crate::registry::FormVersion;
use crate::store::StoredEntry;

/// What to do with proofs of no registered form version (`--unknown-forms`).
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    clap::ValueEnum,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum UnknownForms {
    /// Store them as evidence, held: no mail, no state change, until approved.
    #[default]
    Hold,
    /// Refuse them: 422, nothing stored.
    Refuse,
}

/// The answer to a proof, when it is stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision<'a> {
    /// Stored as evidence; changes nothing until its version is approved.
    Held {
        /// Why, for `forms held`: `unknown form version`, or the field that differs.
        reason: String,
    },
    /// Stored, and it counts under this registered version.
    Counts {
        /// The version it matches: mail and pages speak from it.
        version: &'a FormVersion,
        /// Whether a confirmation mail goes out.
        mail: bool,
        /// The pending consent whose confirmation a repeated sign-up
        /// re-sends, when no new mail goes out (see [`super::consent_state::Effect::resend`]).
        resend: Option<i64>,
    },
}

/// A proof refused on arrival, nothing stored: always 422.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Refusal {
    /// The stable error code.
    pub code: &'static str,
    /// What is wrong, lowercase.
    pub message: String,
}

impl From<LinkError> for Refusal {
    fn from(e: LinkError) -> Refusal {
        Refusal {
            code: e.code(),
            message: e.to_string(),
        }
    }
}

/// The subject's stored history: its entries in seq order, and which of
/// its proofs were held on arrival.
pub struct History<'a> {
    /// The subject's entries (proofs and events), in seq order.
    pub entries: &'a [StoredEntry],
    /// Seqs of the held proofs among them.
    pub held: HashSet<i64>,
}

/// Decides what `proof`, signed by `kid` for `subject`, does.
pub fn decide<'a>(
    versions: &'a [FormVersion],
    unknown: UnknownForms,
    history: History,
    proof: &Proof,
    kid: &str,
    subject: &str,
) -> Result<Decision<'a>, Refusal> {
    let mut replay = Replay::new(history.held);
    for entry in history.entries {
        replay.apply(entry);
    }
    if proof.kind == Kind::Withdrawal {
        // Linked to a stored consent of the same key, or refused: held or
        // not, an unlinked withdrawal is no evidence of anything.
        let prev = proof.prev.as_deref().unwrap_or_default();
        let named = history
            .entries
            .iter()
            .find(|e| e.kind == "proof" && e.proof_sha256 == prev)
            .and_then(|e| replay.proof_key(e.seq))
            .map(|(subject, kid, is_consent)| Named {
                subject,
                kid,
                is_consent,
            });
        check_link(named, subject, kid)?;
    }
    let version = match standing(versions, proof) {
        Standing::Registered(version) => version,
        Standing::Unknown if unknown == UnknownForms::Refuse => {
            return Err(Refusal {
                code: "unknown_form",
                message: format!(
                    "form {} version {} is not registered",
                    proof.form.id, proof.form.version
                ),
            })
        }
        Standing::Differs(mismatch) if unknown == UnknownForms::Refuse => {
            return Err(Refusal {
                code: "form_mismatch",
                message: mismatch.to_string(),
            })
        }
        Standing::Unknown => {
            return Ok(Decision::Held {
                reason: "unknown form version".into(),
            })
        }
        Standing::Differs(mismatch) => {
            return Ok(Decision::Held {
                reason: mismatch.to_string(),
            })
        }
    };
    let (mail, resend) = match proof.kind {
        Kind::Withdrawal => (false, None),
        Kind::Consent => {
            let facts = ConsentFacts {
                seq: i64::MAX,
                kid: kid.to_string(),
                at: String::new(),
                record_id: None,
                phone: None,
                double_opt_in: proof.double_opt_in == DoubleOptIn::Requested,
                purposes: proof
                    .purposes
                    .iter()
                    .map(|p| (p.id.clone(), p.channel, p.choice))
                    .collect(),
            };
            let mut state = replay.subject(subject).cloned().unwrap_or_default();
            let effect = state.apply(&Event::Consent(&facts));
            (effect.mail, effect.resend)
        }
    };
    Ok(Decision::Counts { version, mail, resend })
}
