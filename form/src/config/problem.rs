//! A configuration problem: in which field, of which kind, and which
//! sentence says what is wrong.
//!
//! The sentences are a data file, `form/problems.json`: one object whose
//! members are the [`Says`] variants, named so and in their order. The
//! widget's wasm holds none of them: it reports a problem by its field, its
//! code and its sentence's number (and the few values the sentence names),
//! and the page fetches the sentences only where someone reads them. Native
//! users (the collector, the tests) read them embedded (feature `embedded`,
//! [`Problem::message`]).

use crate::prelude::*;

/// What kind of problem a configuration field has. The code is stable; the
/// sentence ([`Says`]) is for people.
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

/// Declares [`Says`] once: each sentence's name (its key in
/// `form/problems.json`, where its words are) and its problem's [`Code`].
macro_rules! sentences {
    ($($name:ident: $code:ident,)*) => {
        /// Which sentence of `form/problems.json` says what is wrong: the
        /// file's members are these, named so and in this order, and the
        /// page finds a sentence by its number (`says as usize`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Says {
            $(#[doc = concat!("The sentence `", stringify!($name), "` of `form/problems.json`.")] $name,)*
        }

        impl Says {
            /// Every sentence, in the file's order.
            pub const ALL: &'static [Says] = &[$(Says::$name,)*];

            /// The kind of problem the sentence tells.
            pub fn code(self) -> Code {
                match self {
                    $(Says::$name => Code::$code,)*
                }
            }
        }
    };
}

sentences! {
    Required: Required,
    RequiredEmpty: Required,
    RequiredController: Required,
    RequiredPurposes: Required,
    TypeString: Type,
    TypeBoolean: Type,
    TypeObject: Type,
    TypeArray: Type,
    TypeLocalized: Type,
    TypeTexts: Type,
    TypeStrings: Type,
    TypeJson: Type,
    Unknown: Unknown,
    UnknownText: Unknown,
    UnknownTheme: Unknown,
    InvalidId: Invalid,
    InvalidChoice: Invalid,
    InvalidHeaderName: Invalid,
    InvalidHeaderValue: Invalid,
    InvalidJurisdiction: Invalid,
    InvalidCountry: Invalid,
    InvalidPhoneUnused: Invalid,
    InvalidControl: Invalid,
    InvalidCss: Invalid,
    PreChecked: PreChecked,
    NotHttpSpace: NotHttp,
    NotHttpBackslash: NotHttp,
    NotHttpScheme: NotHttp,
    NotHttpPort: NotHttp,
    NotHttpHost: NotHttp,
    DuplicateId: Duplicate,
    DuplicateLabel: Duplicate,
    NeedsPhone: NeedsPhone,
    Empty: Empty,
    UnknownLocaleTexts: UnknownLocale,
    UnknownLocale: UnknownLocale,
}

/// One problem in a configuration, naming its field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The field's path, e.g. `purposes[1].channel`.
    pub field: String,
    /// The sentence saying what is wrong.
    pub says: Says,
    /// The values its `{placeholders}` stand for, by name (the one pair
    /// type the configuration already uses: no list type more in the wasm).
    pub args: Vec<(String, String)>,
}

impl Problem {
    /// A problem in `field`, told by `says` with `args` filled in.
    pub fn new(field: &str, says: Says, args: &[(&str, &str)]) -> Problem {
        // A loop of pushes: the pair list's own code, no collect of its own in the wasm.
        let mut pairs = Vec::new();
        for (k, v) in args {
            pairs.push((String::from(*k), String::from(*v)));
        }
        Problem { field: field.into(), says, args: pairs }
    }

    /// What kind of problem it is.
    pub fn code(&self) -> Code {
        self.says.code()
    }
}

#[cfg(feature = "embedded")]
impl Problem {
    /// The lowercase sentence saying what is wrong, its values filled in.
    pub fn message(&self) -> String {
        let args: Vec<(&str, &str)> = self.args.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        crate::text::fill(sentence(self.says), &args)
    }

    /// `field: message`, as a merchant reads it.
    pub fn line(&self) -> String {
        crate::text::cat(&[&self.field, ": ", &self.message()])
    }
}

/// The text of `form/problems.json`, the one source of the sentences.
#[cfg(feature = "embedded")]
pub const FILE: &str = include_str!("../../problems.json");

/// The words of `says`, read from [`FILE`] once per process.
///
/// # Panics
/// If the file's members are not [`Says::ALL`], named so and in that order.
#[cfg(feature = "embedded")]
pub fn sentence(says: Says) -> &'static str {
    static PARSED: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    let all = PARSED.get_or_init(|| {
        let Ok(crate::value::Value::Obj(members)) = crate::json::parse(FILE) else { panic!("form/problems.json is not a JSON object") };
        assert_eq!(members.len(), Says::ALL.len(), "form/problems.json: one sentence per Says variant");
        let named = |(says, (key, text)): (&Says, (String, crate::value::Value))| match text {
            crate::value::Value::Str(text) if std::format!("{says:?}") == key => text,
            _ => panic!("form/problems.json: member {key} should be the sentence {says:?}"),
        };
        Says::ALL.iter().zip(members).map(named).collect()
    });
    &all[says as usize]
}
