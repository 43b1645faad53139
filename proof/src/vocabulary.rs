//! The closed vocabularies of the payload: each enum is written as one fixed string.

use crate::canonical::Canonical;
#[allow(unused_imports)]
use crate::prelude::*;

/// Declares a string enum: variants, their wire spelling, `as_str`, canonical form and serde names.
macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $wire:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
        pub enum $name {
            $($(#[$vmeta])* #[cfg_attr(feature = "serde", serde(rename = $wire))] $variant,)+
        }

        impl $name {
            /// The exact string this value is written as in the payload.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $wire,)+
                }
            }
        }

        impl Canonical for $name {
            fn write_canonical(&self, out: &mut String) {
                crate::canonical::write_string(out, self.as_str());
            }
        }
    };
}

wire_enum! {
    /// The payload schema version (`schema`). Only one exists so far.
    Schema {
        /// `"consent-proof/1"`: the schema this crate documents.
        V1 = "consent-proof/1",
    }
}

wire_enum! {
    /// What the record is (`kind`).
    Kind {
        /// `"consent"`: choices made on a form (refusals included).
        Consent = "consent",
        /// `"withdrawal"`: consent taken back; `prev` names the proof withdrawn from.
        Withdrawal = "withdrawal",
    }
}

wire_enum! {
    /// The legal regime the form was built for (`regime`).
    Regime {
        /// `"b2c"`: consumers; active opt-in, one unchecked box per purpose.
        B2c = "b2c",
        /// `"b2b"`: professionals, about their activity; opt-out offered at collection.
        B2b = "b2b",
        /// `"softOptIn"`: existing customers, similar products; objection offered at collection.
        SoftOptIn = "softOptIn",
    }
}

wire_enum! {
    /// The channel a purpose reaches the subject through (`purposes[].channel`).
    Channel {
        /// `"email"`.
        Email = "email",
        /// `"sms"` (distinct from e-mail consent).
        Sms = "sms",
        /// `"phone"`: voice calls.
        Phone = "phone",
        /// `"post"`: postal mail.
        Post = "post",
    }
}

wire_enum! {
    /// The legal basis a purpose relies on (`purposes[].basis`).
    Basis {
        /// `"consent"`: GDPR art. 6(1)(a); the choice is `granted` or `refused`.
        Consent = "consent",
        /// `"legitimate-interest"`: B2B opt-out; the choice is `objected` or `not-objected`.
        LegitimateInterest = "legitimate-interest",
        /// `"soft-opt-in"`: CPCE L34-5 existing-customer exception; `objected` or `not-objected`.
        SoftOptIn = "soft-opt-in",
    }
}

wire_enum! {
    /// What the subject chose for one purpose (`purposes[].choice`). Refusals are recorded too.
    Choice {
        /// `"granted"`: the box was actively ticked.
        Granted = "granted",
        /// `"refused"`: the box was left unticked.
        Refused = "refused",
        /// `"objected"`: the objection box was ticked (opt-out regimes).
        Objected = "objected",
        /// `"not-objected"`: the objection box was offered and left unticked.
        NotObjected = "not-objected",
        /// `"withdrawn"`: only in a withdrawal record.
        Withdrawn = "withdrawn",
    }
}

wire_enum! {
    /// Whether a confirmation e-mail was asked for (`doubleOptIn`).
    DoubleOptIn {
        /// `"requested"`: consent stays pending until the subject confirms by e-mail.
        Requested = "requested",
        /// `"not-requested"`.
        NotRequested = "not-requested",
    }
}

impl Basis {
    /// Whether `choice` is one this basis can record in a consent (not withdrawal) record.
    pub fn allows(self, choice: Choice) -> bool {
        match self {
            Basis::Consent => matches!(choice, Choice::Granted | Choice::Refused),
            Basis::LegitimateInterest | Basis::SoftOptIn => {
                matches!(choice, Choice::Objected | Choice::NotObjected)
            }
        }
    }
}

impl Choice {
    /// Whether messages may be sent for a purpose with this choice: a box
    /// ticked under consent (`granted`), or an objection offered and not
    /// made under the opt-out regimes (`not-objected`). The one rule the
    /// widget and the collector both apply.
    pub const fn allows_sending(self) -> bool {
        matches!(self, Choice::Granted | Choice::NotObjected)
    }
}

/// Whether a record asks for a confirmation e-mail: a consent with double
/// opt-in requested and some purpose whose choice allows sending (nothing
/// is confirmed when every purpose was refused or objected to).
pub fn asks_confirmation(
    kind: Kind,
    double_opt_in: DoubleOptIn,
    choices: impl IntoIterator<Item = Choice>,
) -> bool {
    kind == Kind::Consent
        && double_opt_in == DoubleOptIn::Requested
        && choices.into_iter().any(Choice::allows_sending)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn granted_and_not_objected_allow_sending_and_nothing_else_does() {
        let allowed: Vec<Choice> = [
            Choice::Granted,
            Choice::Refused,
            Choice::Objected,
            Choice::NotObjected,
            Choice::Withdrawn,
        ]
        .into_iter()
        .filter(|c| c.allows_sending())
        .collect();
        assert_eq!(allowed, [Choice::Granted, Choice::NotObjected]);
    }

    #[test]
    fn a_consent_asks_for_confirmation_when_requested_and_something_may_be_sent() {
        use Choice::*;
        let requested = DoubleOptIn::Requested;
        assert!(asks_confirmation(
            Kind::Consent,
            requested,
            [Refused, Granted]
        ));
        // B2B and soft opt-in: nothing objected to is something to confirm.
        assert!(asks_confirmation(
            Kind::Consent,
            requested,
            [Objected, NotObjected]
        ));
        assert!(!asks_confirmation(
            Kind::Consent,
            requested,
            [Refused, Objected]
        ));
        assert!(!asks_confirmation(
            Kind::Consent,
            DoubleOptIn::NotRequested,
            [Granted]
        ));
        assert!(!asks_confirmation(Kind::Withdrawal, requested, [Withdrawn]));
    }
}
