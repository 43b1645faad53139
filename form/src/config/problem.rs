//! A configuration problem: what is wrong, and in which field.

use crate::prelude::*;

use crate::text::cat;

/// What kind of problem a configuration field has. The code is stable; the
/// message is for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// A required field is absent.
    Required,
    /// A field has the wrong type.
    Type,
    /// A field's value is not one of those allowed.
    Invalid,
    /// A field that the configuration does not know.
    Unknown,
    /// A purpose asks to be pre-checked, which is not free consent.
    PreChecked,
    /// A URL that is not http(s).
    NotHttp,
    /// Two purposes share an id.
    Duplicate,
    /// An SMS or phone purpose while the phone field is off.
    NeedsPhone,
    /// The purpose list is empty.
    Empty,
    /// A locale with no catalog and no texts.
    UnknownLocale,
}

impl Code {
    /// The code as the JS API reports it.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Required => "required",
            Code::Type => "type",
            Code::Invalid => "invalid",
            Code::Unknown => "unknown-field",
            Code::PreChecked => "pre-checked",
            Code::NotHttp => "not-http",
            Code::Duplicate => "duplicate",
            Code::NeedsPhone => "needs-phone",
            Code::Empty => "empty",
            Code::UnknownLocale => "unknown-locale",
        }
    }
}

/// One problem in a configuration, naming its field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The field's path, e.g. `purposes[1].channel`.
    pub field: String,
    /// What kind of problem it is.
    pub code: Code,
    /// A lowercase sentence saying what is wrong.
    pub message: String,
}

impl Problem {
    /// A problem in `field`.
    pub fn new(field: &str, code: Code, message: &str) -> Problem {
        Problem { field: field.into(), code, message: message.into() }
    }

    /// `field: message`, as the console prints it.
    pub fn line(&self) -> String {
        cat(&[&self.field, ": ", &self.message])
    }
}
