//! The configuration: the public contract between a merchant and the widget.
//!
//! It arrives as a JS object in `mount`, or as JSON for the script tag, with
//! camelCase keys. [`Config::from_value`] reads and validates it in one pass
//! and reports *every* problem, each naming its field; a configuration that
//! has any problem renders no form. Each problem names its sentence
//! ([`Says`]); the words are `form/problems.json`, outside the wasm. The
//! TypeScript types in `src/web/js/index.d.ts` document every field with its
//! default.

use crate::prelude::*;

mod distinct;
mod parse;
mod problem;

pub use problem::{Code, Problem, Says};
#[cfg(feature = "embedded")]
pub use problem::{sentence, FILE as PROBLEMS_FILE};

/// The marketing regime (`b2c`, `b2b`, `softOptIn`) and the channel of a
/// purpose (`email`, `sms`, `phone`, `post`) are the proof's own vocabulary.
pub use consent_proof::{Channel, Regime};

/// Every channel, in the order the docs list them.
pub const CHANNELS: [Channel; 4] = [Channel::Email, Channel::Sms, Channel::Phone, Channel::Post];

/// Whether the form shows a phone field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneMode {
    /// No phone field (the default).
    Off,
    /// An optional phone field with a usage notice.
    Optional,
}

/// A merchant string: one text for every locale, or one per locale.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Localized {
    /// Not given: the catalog's default applies.
    #[default]
    Absent,
    /// The same text in every locale.
    Plain(String),
    /// One text per locale tag.
    PerLocale(Vec<(String, String)>),
}

impl Localized {
    /// The text for `locale`, falling back from the exact tag to its language.
    pub fn get(&self, locale: &str) -> Option<&str> {
        match self {
            Localized::Absent => None,
            Localized::Plain(s) => Some(s),
            Localized::PerLocale(map) => crate::i18n::pick(map.iter().map(|(k, v)| (k.as_str(), v.as_str())), locale),
        }
    }
}

/// One purpose: one box, one channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purpose {
    /// Stable id, recorded in the proof.
    pub id: String,
    /// The channel the messages use.
    pub channel: Channel,
    /// What is sent, as the object of "I agree to receive ...".
    pub label: Localized,
    /// A sentence describing the messages (frequency, content).
    pub description: Localized,
}

/// The data controller, named on the form and in the proof.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Controller {
    /// Legal or trading name.
    pub name: String,
    /// A contact for data-protection requests (e-mail or URL).
    pub contact: String,
}

/// A validated configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Where proofs are posted: an http(s) URL or a root-relative path.
    pub endpoint: String,
    /// Extra request headers for the endpoint.
    pub headers: Vec<(String, String)>,
    /// The data controller.
    pub controller: Controller,
    /// The privacy policy: an http(s) URL or a root-relative path.
    pub privacy_policy_url: String,
    /// The privacy policy's version, recorded in the proof.
    pub privacy_policy_version: Option<String>,
    /// The requested locale; `None` means the page's `<html lang>`.
    pub locale: Option<String>,
    /// The locale shown when neither `locale` nor the page's names one that
    /// a catalog or `texts` serves; `None` means English.
    pub fallback_locale: Option<String>,
    /// ISO 3166 country whose law applies (default `FR`).
    pub jurisdiction: String,
    /// The marketing regime (default `b2c`).
    pub regime: Regime,
    /// The purposes, in display order; at least one.
    pub purposes: Vec<Purpose>,
    /// Whether the phone field is shown (default off).
    pub phone: PhoneMode,
    /// Country used to read national phone numbers (default `FR`).
    pub default_country: &'static crate::phone::Country,
    /// Whether the collector sends a confirmation e-mail (default true).
    pub double_opt_in: bool,
    /// The form's id, recorded in the proof (default `signup`).
    pub form_id: String,
    /// The form's version, recorded in the proof (default `1`).
    pub form_version: String,
    /// Per-locale overrides of catalog strings.
    pub texts: Vec<(String, Vec<(String, String)>)>,
    /// CSS custom properties set on the host, as `(--cw-name, value)`.
    pub theme: Vec<(String, String)>,
}

impl Config {
    /// Reads and validates a configuration, reporting every problem.
    ///
    /// # Errors
    /// The list of all problems found, each naming its field.
    pub fn from_value(value: &crate::value::Value) -> Result<Config, Vec<Problem>> {
        parse::parse(value)
    }

    /// Reads and validates a configuration given as JSON text, as the
    /// widget's `open` does.
    ///
    /// # Errors
    /// The list of all problems found; one for text that is not JSON.
    pub fn from_json(text: &str) -> Result<Config, Vec<Problem>> {
        match crate::json::parse(text) {
            Ok(value) => parse::parse(&value),
            Err(at) => Err(vec![Problem::new("(config)", Says::TypeJson, &[("at", &crate::text::uint(at))])]),
        }
    }

    /// The locales this configuration can render: the catalogs plus any
    /// locale given whole in `texts`.
    pub fn has_texts_for(&self, locale: &str) -> bool {
        self.texts.iter().any(|(l, _)| l.eq_ignore_ascii_case(locale))
    }

    /// The override of `key` in `locale`, if the merchant gave one.
    pub fn text_override(&self, locale: &str, key: &str) -> Option<&str> {
        let table = self.texts.iter().find(|(l, _)| l.eq_ignore_ascii_case(locale))?;
        table.1.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

/// The path of purpose `i`'s field `tail` (`.label`, or "" for the purpose
/// itself), as problems name it: `purposes[1].label`.
fn purpose_field(i: usize, tail: &str) -> String {
    crate::text::cat(&["purposes[", &crate::text::uint(i), "]", tail])
}

/// The theme keys and the CSS custom property each sets on the host.
pub const THEME_KEYS: [(&str, &str); 8] = [
    ("accent", "--cw-accent"),
    ("accentText", "--cw-accent-text"),
    ("text", "--cw-text"),
    ("background", "--cw-background"),
    ("border", "--cw-border"),
    ("error", "--cw-error"),
    ("radius", "--cw-radius"),
    ("font", "--cw-font"),
];
