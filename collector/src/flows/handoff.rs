//! The change a state transition hands to the merchant's tools, built from
//! the log's own entries (the stored proof), never from what a request claims.

use std::sync::Arc;

use crate::connectors::{Change, Channel, Evidence, OptIn, Purpose, Source, State};
use crate::proof::stored;
use crate::proof::view::ProofView;
use crate::store::{HandOff, StoredEntry};

fn channel(channel: consent_proof::Channel) -> Channel {
    match channel {
        consent_proof::Channel::Email => Channel::Email,
        consent_proof::Channel::Sms => Channel::Sms,
        consent_proof::Channel::Phone => Channel::Phone,
        consent_proof::Channel::Post => Channel::Post,
    }
}

/// The purposes of a proof: those that allow sending, or, with `only`,
/// those ids.
fn purposes(view: &ProofView, only: Option<&[String]>) -> Vec<Purpose> {
    view.purposes
        .iter()
        .filter(|p| match only {
            Some(ids) => ids.contains(&p.id),
            None => p.allows_sending(),
        })
        .map(|p| Purpose {
            id: p.id.clone(),
            channel: channel(p.channel),
        })
        .collect()
}

/// A change about the consent stored at `proof` (its entry, with its body).
pub struct About<'a> {
    /// The consent proof's entry.
    pub proof: &'a StoredEntry,
    /// Its shown texts, to rebuild the JWS for the evidence.
    pub shown: Option<&'a str>,
}

impl About<'_> {
    /// The stored proof's view; `None` when it is erased.
    fn view(&self) -> Option<ProofView> {
        stored::read(self.proof.jws_header.as_deref()?, self.proof.body.as_deref()?, self.shown)
    }

    fn change(
        &self,
        state: State,
        opt_in: Option<OptIn>,
        source: Source,
        at: &str,
    ) -> Option<Change> {
        let view = self.view()?;
        let jws = match (
            &self.proof.jws_header,
            &self.proof.jws_signature,
            &self.proof.body,
        ) {
            (Some(h), Some(s), Some(b)) => stored::rebuild(h, b, s, self.shown),
            _ => None,
        };
        let email = self.proof.subject.clone()?;
        Some(Change {
            opt_in,
            phone: view.phone.clone(),
            purposes: purposes(&view, None),
            locale: Some(view.locale.clone()),
            consented_at: Some(self.proof.received_at.clone()),
            // The seq and receipt are filled in the append's transaction.
            evidence: Evidence {
                record_id: self.proof.record_id.clone(),
                proof_sha256: Some(self.proof.proof_sha256.clone()),
                proof: jws,
                ..Evidence::default()
            },
            ..Change::new(state, source, &email, at)
        })
    }

    /// The subscriber confirmed by the mailed link.
    pub fn confirmed(&self, at: &str, ip: Option<String>) -> Option<Change> {
        let mut change = self.change(
            State::Confirmed,
            Some(OptIn::Confirmed),
            Source::ConfirmLink,
            at,
        )?;
        change.confirmed_at = Some(at.to_string());
        change.confirm_ip = ip;
        Some(change)
    }

    /// The purposes `ids` were withdrawn, from `source`.
    pub fn withdrawn(&self, ids: &[String], source: Source, at: &str) -> Option<Change> {
        let view = self.view()?;
        let mut change = self.change(State::Withdrawn, None, source, at)?;
        change.purposes = purposes(&view, Some(ids));
        Some(change)
    }
}

/// Wraps a change for [`crate::store::Append::handoff`]; `None` when no
/// connector is configured (nothing is queued).
pub fn to(change: Option<Change>, connectors: &Arc<Vec<String>>) -> Option<HandOff> {
    if connectors.is_empty() {
        return None;
    }
    change.map(|change| HandOff {
        change,
        to: connectors.clone(),
    })
}

/// A change carried by a proof from the widget itself, with its evidence.
fn from_widget(
    proof: &crate::proof::verify::VerifiedProof,
    state: State,
    purposes: Vec<Purpose>,
    at: &str,
) -> Change {
    Change {
        phone: proof.view.phone.clone(),
        purposes,
        locale: Some(proof.view.locale.clone()),
        evidence: Evidence {
            record_id: Some(proof.record.id.clone()),
            proof_sha256: Some(proof.sha256.clone()),
            proof: Some(proof.jws.clone()),
            ..Evidence::default()
        },
        ..Change::new(state, Source::Widget, &proof.subject_key(), at)
    }
}

/// A withdrawal proof from the widget: the purposes it lists, by its subject.
/// The times and receipt are the log's (set when the batch commits).
pub fn widget_withdrawal(proof: &crate::proof::verify::VerifiedProof, at: &str) -> Option<Change> {
    if proof.view.kind != consent_proof::Kind::Withdrawal {
        return None;
    }
    // A withdrawal lists exactly the purposes it withdraws.
    let all: Vec<String> = proof.view.purposes.iter().map(|p| p.id.clone()).collect();
    Some(from_widget(
        proof,
        State::Withdrawn,
        purposes(&proof.view, Some(&all)),
        at,
    ))
}

/// A consent the registered form takes without a confirmation (single
/// opt-in): the purposes granted or not objected to, at the proof's time.
/// `None` for a withdrawal or a consent that grants nothing.
pub fn single_opt_in(proof: &crate::proof::verify::VerifiedProof, at: &str) -> Option<Change> {
    if proof.view.kind != consent_proof::Kind::Consent {
        return None;
    }
    let granted = purposes(&proof.view, None);
    if granted.is_empty() {
        return None;
    }
    let mut change = from_widget(proof, State::Confirmed, granted, at);
    change.opt_in = Some(OptIn::Single);
    change.consented_at = Some(at.to_string());
    Some(change)
}
