//! Checking a submission: the fields people typed and the boxes they ticked.

use crate::prelude::*;

use crate::config::{Channel, Config, PhoneMode};
use crate::rules::{self, Choice};
use crate::view::ids;
use crate::{phone, validate};

/// What the subscriber entered.
#[derive(Debug, Clone, Default)]
pub struct Input<'a> {
    /// The e-mail field.
    pub email: &'a str,
    /// The phone field ("" if absent).
    pub phone: &'a str,
    /// The ids of the ticked boxes.
    pub ticked: Vec<&'a str>,
}

/// A part of the form that can be invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// The e-mail input.
    Email,
    /// The phone input.
    Phone,
    /// The purpose checkboxes, as a group.
    Purposes,
}

impl Field {
    /// Every field, in the order of the form.
    pub const ALL: [Field; 3] = [Field::Email, Field::Phone, Field::Purposes];

    /// The id of the element that shows this field's message.
    pub fn message_id(self) -> &'static str {
        match self {
            Field::Email => ids::EMAIL_ERROR,
            Field::Phone => ids::PHONE_ERROR,
            Field::Purposes => ids::PURPOSES_ERROR,
        }
    }
}

/// A field with a problem, and the catalog key of its message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldError {
    /// The field that gets `aria-invalid`; the first one gets focus.
    pub field: Field,
    /// The catalog key of the message.
    pub key: &'static str,
}

/// One purpose's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The purpose id.
    pub id: String,
    /// Its channel.
    pub channel: Channel,
    /// What was chosen.
    pub choice: Choice,
}

/// A submission that may leave the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    /// The e-mail address, trimmed.
    pub email: String,
    /// The phone number in E.164, if given.
    pub phone: Option<String>,
    /// Every purpose, refusals included, in display order.
    pub outcomes: Vec<Outcome>,
}

/// Checks what was entered. Errors come in the order of the fields on the
/// form, so the first one is where focus goes.
///
/// # Errors
/// Every field with a problem.
pub fn check(config: &Config, input: &Input) -> Result<Submission, Vec<FieldError>> {
    let mut errors = Vec::new();
    let email = input.email.trim();
    if email.is_empty() {
        errors.push(FieldError { field: Field::Email, key: "email.error.missing" });
    } else if !validate::email(email) {
        errors.push(FieldError { field: Field::Email, key: "email.error.invalid" });
    }
    let mut outcomes = Vec::new();
    for p in &config.purposes {
        let choice = rules::choice(config.regime, input.ticked.contains(&p.id.as_str()));
        outcomes.push(Outcome { id: p.id.clone(), channel: p.channel, choice });
    }
    let phone_text = input.phone.trim();
    let mut phone = None;
    if config.phone == PhoneMode::Optional {
        let phone_error = |key| FieldError { field: Field::Phone, key };
        if !phone_text.is_empty() {
            match phone::to_e164(phone_text, config.default_country) {
                // A landline ticked for SMS would receive nothing: where the
                // country's mobile ranges are known, it is refused for SMS.
                Some(e164)
                    if phone::can_receive_sms(&e164) == Some(false)
                        && outcomes.iter().any(|o| o.channel == Channel::Sms && rules::allows_sending(o.choice)) =>
                {
                    errors.push(phone_error("phone.error.mobile"))
                }
                Some(e164) => phone = Some(e164),
                None => errors.push(phone_error("phone.error.invalid")),
            }
        } else if outcomes.iter().any(|o| rules::needs_phone(o.channel) && o.choice == Choice::Granted) {
            errors.push(phone_error("phone.error.needed"));
        }
    }
    // In b2c nothing leaves the page without a ticked box. In b2b and soft
    // opt-in the objections themselves are the record the controller needs.
    if config.regime == crate::config::Regime::B2c && !outcomes.iter().any(|o| o.choice == Choice::Granted) {
        errors.push(FieldError { field: Field::Purposes, key: "purposes.error.none" });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    // The number serves only phone purposes the subscriber allows: without
    // one, it stays on the page.
    if !outcomes.iter().any(|o| rules::needs_phone(o.channel) && rules::allows_sending(o.choice)) {
        phone = None;
    }
    Ok(Submission { email: email.into(), phone, outcomes })
}
