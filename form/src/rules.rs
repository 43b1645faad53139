//! The compliance rules per regime: how each purpose is asked, what a ticked
//! box means, and when a submission may leave the page.

use crate::config::{Channel, Regime};
use consent_proof::Basis;

/// How a regime asks for each purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ask {
    /// Catalog key of the fieldset legend.
    pub legend: &'static str,
    /// Catalog key of the hint under the legend.
    pub hint: &'static str,
    /// Catalog key of each box's text, with `{label}`.
    pub boxed: &'static str,
    /// Catalog key of the sentence that states what will be sent, if the
    /// regime sends without prior consent.
    pub inform: Option<&'static str>,
    /// The lawful basis recorded in the proof.
    pub basis: Basis,
    /// The mechanism recorded in the proof.
    pub mechanism: &'static str,
}

/// The way `regime` asks.
pub fn ask(regime: Regime) -> Ask {
    match regime {
        Regime::B2c => Ask {
            legend: "purposes.legend",
            hint: "purposes.hint",
            boxed: "purpose.consent",
            inform: None,
            basis: Basis::Consent,
            mechanism: "unchecked-box-ticked",
        },
        Regime::B2b => Ask {
            legend: "purposes.legend.optout",
            hint: "purposes.hint.optout",
            boxed: "purpose.object",
            inform: Some("purpose.inform.b2b"),
            basis: Basis::LegitimateInterest,
            mechanism: "informed-with-unchecked-objection-box",
        },
        Regime::SoftOptIn => Ask {
            legend: "purposes.legend.optout",
            hint: "purposes.hint.optout",
            boxed: "purpose.object",
            inform: Some("purpose.inform.softOptIn"),
            basis: Basis::SoftOptIn,
            mechanism: "informed-with-unchecked-objection-box",
        },
    }
}

/// What the subscriber chose for one purpose: the proof's own vocabulary.
pub use consent_proof::Choice;

/// Whether messages may be sent for a purpose with this choice.
pub fn allows_sending(choice: Choice) -> bool {
    choice.allows_sending()
}

/// Whether messages on this channel need a phone number.
pub fn needs_phone(channel: Channel) -> bool {
    matches!(channel, Channel::Sms | Channel::Phone)
}

/// What a box's state means under `regime`.
pub fn choice(regime: Regime, ticked: bool) -> Choice {
    match (regime, ticked) {
        (Regime::B2c, true) => Choice::Granted,
        (Regime::B2c, false) => Choice::Refused,
        (_, true) => Choice::Objected,
        (_, false) => Choice::NotObjected,
    }
}
