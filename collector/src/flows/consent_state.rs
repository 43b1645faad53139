//! The server-side rules: where each purpose of one subject stands, and what
//! each event does to it. One table, applied the same way when a request
//! arrives (to decide the answer and the mail) and when `export` replays the
//! log (to say where everyone stands); `collector/README.md` prints it.
//!
//! Consent grows only through the mailbox (the confirmation click) or
//! through a single opt-in the registered form allows. It shrinks only
//! through a withdrawal linked to it: the unsubscribe link mailed for it, or
//! a widget withdrawal signed by the same browser key. A new proof never
//! lowers anything, whoever signed it.

use std::collections::BTreeMap;

use consent_proof::{Channel, Choice};

/// Where one purpose of one subject stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// Granted on a form with double opt-in; awaiting the mailbox click.
    Pending,
    /// Granted on a form registered without double opt-in.
    Granted,
    /// Not objected to (b2b, soft opt-in) on a form without double opt-in.
    NotObjected,
    /// Granted, and the confirmation link was used.
    Confirmed,
    /// The box was left unticked.
    Refused,
    /// The objection box was ticked (b2b, soft opt-in).
    Objected,
    /// Withdrawn by a linked withdrawal.
    Withdrawn,
}

impl State {
    /// The name `export` writes.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Pending => "pending",
            State::Granted => "granted",
            State::NotObjected => "not-objected",
            State::Confirmed => "confirmed",
            State::Refused => "refused",
            State::Objected => "objected",
            State::Withdrawn => "withdrawn",
        }
    }

    /// Whether messages may be sent: the one rule, from the widget's rules.
    pub fn allows_sending(self) -> bool {
        matches!(self, State::Granted | State::NotObjected | State::Confirmed)
    }

    /// Whether there is a consent here, confirmed or not: what a withdrawal withdraws.
    pub fn is_consent(self) -> bool {
        self == State::Pending || self.allows_sending()
    }
}

/// One purpose's row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// Purpose id.
    pub purpose: String,
    /// Its channel.
    pub channel: Channel,
    /// Where it stands.
    pub state: State,
    /// Seq of the proof whose consent or refusal this is.
    pub proof_seq: i64,
    /// That proof's browser key (`kid`, the RFC 7638 thumbprint).
    pub kid: String,
    /// Seq of the entry that set the state.
    pub seq: i64,
    /// When (receive time of that entry).
    pub since: String,
    /// Record id of the proof behind the state (the consent, or the withdrawal).
    pub record_id: Option<String>,
    /// The phone number of the consent's proof, if it gave one.
    pub phone: Option<String>,
}

/// A consent proof that counts: it matched a registered form version on
/// arrival, or the merchant approved its version since.
#[derive(Clone, Debug)]
pub struct ConsentFacts {
    /// Its seq.
    pub seq: i64,
    /// Its browser key.
    pub kid: String,
    /// Receive time of the entry that makes it count.
    pub at: String,
    /// Its record id.
    pub record_id: Option<String>,
    /// Its phone number.
    pub phone: Option<String>,
    /// Whether the registered form asks for the mailbox click.
    pub double_opt_in: bool,
    /// Each purpose with its channel and choice.
    pub purposes: Vec<(String, Channel, Choice)>,
}

/// Something that happens to a subject.
#[derive(Clone, Debug)]
pub enum Event<'a> {
    /// A consent proof that counts (see [`ConsentFacts`]).
    Consent(&'a ConsentFacts),
    /// A verified proof of no registered form version: kept, changes nothing.
    Held,
    /// The confirmation link of the proof at `proof_seq` was used.
    Confirmation {
        /// Seq of the confirmation entry.
        seq: i64,
        /// Its time.
        at: &'a str,
        /// The proof it confirms.
        proof_seq: i64,
    },
    /// A widget withdrawal, already checked to name (by `prev`) a stored
    /// consent of this subject signed by the same key.
    WidgetWithdrawal {
        /// Its seq.
        seq: i64,
        /// Its time.
        at: &'a str,
        /// Its record id.
        record_id: Option<String>,
        /// Its browser key.
        kid: &'a str,
        /// The purposes it withdraws.
        purposes: &'a [String],
    },
    /// The unsubscribe link mailed for the proof at `proof_seq` was used.
    Unsubscribe {
        /// Seq of the withdrawal entry.
        seq: i64,
        /// Its time.
        at: &'a str,
        /// Record id of the consent the link was mailed for.
        record_id: Option<String>,
        /// The (e-mail) purposes it withdraws.
        purposes: &'a [String],
    },
}

/// What an event did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Effect {
    /// The rows it changed, as they now stand.
    pub changed: Vec<Row>,
    /// Whether a confirmation mail goes out: some purpose became pending.
    pub mail: bool,
    /// When nothing became pending but the proof grants again a purpose
    /// still pending: the seq of that pending consent (the newest), whose
    /// confirmation a repeated sign-up re-sends (within the mail limits).
    pub resend: Option<i64>,
}

/// Every purpose of one subject.
#[derive(Clone, Debug, Default)]
pub struct Subject {
    rows: BTreeMap<String, Row>,
}

impl Subject {
    /// Nothing recorded yet.
    pub fn new() -> Subject {
        Subject::default()
    }

    /// The row of `purpose`.
    pub fn get(&self, purpose: &str) -> Option<&Row> {
        self.rows.get(purpose)
    }

    /// Every row, by purpose id.
    pub fn rows(&self) -> impl Iterator<Item = &Row> {
        self.rows.values()
    }

    /// Applies `event`: the table in `collector/README.md`.
    pub fn apply(&mut self, event: &Event) -> Effect {
        let mut effect = Effect::default();
        match event {
            Event::Held => {}
            Event::Consent(facts) => {
                for (id, channel, choice) in &facts.purposes {
                    let current = self.rows.get(id);
                    if let Some(row) = current.filter(|r| r.state == State::Pending && choice.allows_sending()) {
                        effect.resend = effect.resend.max(Some(row.proof_seq));
                    }
                    let Some(state) = on_consent(current.map(|r| r.state), *choice, facts.double_opt_in) else {
                        continue;
                    };
                    effect.mail |= state == State::Pending;
                    let row = Row {
                        purpose: id.clone(),
                        channel: *channel,
                        state,
                        proof_seq: facts.seq,
                        kid: facts.kid.clone(),
                        seq: facts.seq,
                        since: facts.at.clone(),
                        record_id: facts.record_id.clone(),
                        phone: facts.phone.clone(),
                    };
                    self.set(row, &mut effect);
                }
                // A new confirmation covers what is pending too.
                if effect.mail {
                    effect.resend = None;
                }
            }
            Event::Confirmation { seq, at, proof_seq } => {
                let ids = self.ids(|r| r.state == State::Pending && r.proof_seq == *proof_seq);
                for id in ids {
                    self.change(&id, State::Confirmed, *seq, at, None, &mut effect);
                }
            }
            Event::WidgetWithdrawal {
                seq,
                at,
                record_id,
                kid,
                purposes,
            } => {
                // Only what that browser key consented to: a proof from
                // another key never lowers a consent.
                let ids = self.ids(|r| {
                    purposes.contains(&r.purpose) && r.state.is_consent() && r.kid == *kid
                });
                for id in ids {
                    self.change(
                        &id,
                        State::Withdrawn,
                        *seq,
                        at,
                        Some(record_id.clone()),
                        &mut effect,
                    );
                }
            }
            Event::Unsubscribe {
                seq,
                at,
                record_id,
                purposes,
            } => {
                // The mailed link proves control of the mailbox, whatever key signed.
                let ids = self.ids(|r| purposes.contains(&r.purpose) && r.state.is_consent());
                for id in ids {
                    self.change(
                        &id,
                        State::Withdrawn,
                        *seq,
                        at,
                        Some(record_id.clone()),
                        &mut effect,
                    );
                }
            }
        }
        effect
    }

    fn ids(&self, wanted: impl Fn(&Row) -> bool) -> Vec<String> {
        self.rows
            .values()
            .filter(|r| wanted(r))
            .map(|r| r.purpose.clone())
            .collect()
    }

    fn change(
        &mut self,
        id: &str,
        state: State,
        seq: i64,
        at: &str,
        record_id: Option<Option<String>>,
        effect: &mut Effect,
    ) {
        let Some(mut row) = self.rows.get(id).cloned() else {
            return;
        };
        row.state = state;
        row.seq = seq;
        row.since = at.to_string();
        if let Some(record_id) = record_id {
            row.record_id = record_id;
        }
        self.set(row, effect);
    }

    fn set(&mut self, row: Row, effect: &mut Effect) {
        effect.changed.push(row.clone());
        self.rows.insert(row.purpose.clone(), row);
    }
}

/// A new consent proof's choice for a purpose that stands at `current`:
/// the new state, or `None` for no change.
///
/// A choice that allows sending starts a consent where there is none
/// (pending when the form asks for the click); it never touches a consent
/// that exists, so a second sign-up neither turns `confirmed` back into
/// `pending` nor mails again. A refusal is recorded where nothing is, and
/// never lowers anything: withdrawal is the way down.
pub fn on_consent(current: Option<State>, choice: Choice, double_opt_in: bool) -> Option<State> {
    let starts = match choice {
        Choice::Granted | Choice::NotObjected => true,
        Choice::Refused | Choice::Objected => false,
        // A consent record never carries it (the proof crate refuses one).
        Choice::Withdrawn => return None,
    };
    match (current, starts) {
        (Some(state), true) if state.is_consent() => None,
        (_, true) if double_opt_in => Some(State::Pending),
        (_, true) if choice == Choice::Granted => Some(State::Granted),
        (_, true) => Some(State::NotObjected),
        (None, false) if choice == Choice::Refused => Some(State::Refused),
        (None, false) => Some(State::Objected),
        (Some(_), false) => None,
    }
}

/// Why a widget withdrawal is refused, nothing stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    /// `prev` names no stored consent of this subject.
    #[error("the withdrawal's prev names no stored consent of this subject")]
    Unlinked,
    /// The consent `prev` names was signed by another browser key.
    #[error("the withdrawal is signed by another browser key than the consent it names")]
    OtherKey,
}

impl LinkError {
    /// The stable error code the HTTP API returns (422).
    pub fn code(self) -> &'static str {
        match self {
            LinkError::Unlinked => "withdrawal_unlinked",
            LinkError::OtherKey => "withdrawal_key_mismatch",
        }
    }
}

/// The consent a withdrawal's `prev` names, as stored.
#[derive(Clone, Debug)]
pub struct Named<'a> {
    /// Its subject key.
    pub subject: &'a str,
    /// Its browser key.
    pub kid: &'a str,
    /// Whether it is a consent (not another withdrawal).
    pub is_consent: bool,
}

/// Whether a withdrawal by `kid` for `subject` may count: its `prev` names
/// (`named`, looked up by that hash) a stored consent of the same subject,
/// signed by the same browser key.
pub fn check_link(named: Option<Named>, subject: &str, kid: &str) -> Result<(), LinkError> {
    let named = named
        .filter(|n| n.is_consent && n.subject == subject)
        .ok_or(LinkError::Unlinked)?;
    if named.kid != kid {
        return Err(LinkError::OtherKey);
    }
    Ok(())
}

#[cfg(test)]
#[path = "consent_state_tests.rs"]
mod tests;
