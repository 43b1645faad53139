//! The forms registry: what the merchant published, and the only thing the
//! collector believes.
//!
//! Anyone can make a key and sign a proof, so a valid signature says only
//! that the payload was not altered. A registered form version fixes
//! everything a proof may claim about the form (controller, origins, regime,
//! purposes and channels, double opt-in, privacy policy, and the exact texts
//! each locale shows, with their hashes); a proof matches one registered
//! version field for field, or it is not that form ([`matching`]). The
//! versions are derived from the widget's own configuration by the widget's
//! own code ([`derive`]), so nobody copies texts by hand.

pub mod cache; // the versions the service has read
pub mod derive; // a form version from the widget configuration, or from a held proof
pub mod matching; // does a proof match a registered version, and if not, why
pub mod sql; // the registry's tables
pub mod voice; // what mail and pages may say: the registry's words only

use consent_proof::{Channel, Regime};
use serde::{Deserialize, Serialize};

/// One registered form version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FormVersion {
    /// `form.id` of the proofs.
    pub form_id: String,
    /// `form.version` of the proofs.
    pub version: String,
    /// The data controller, as the form names it.
    pub controller: RegisteredController,
    /// The page origins (`scheme://host[:port]`) the form runs on.
    pub origins: Vec<String>,
    /// ISO 3166 country whose law applies.
    pub jurisdiction: String,
    /// The marketing regime.
    pub regime: Regime,
    /// The purposes, in display order.
    pub purposes: Vec<RegisteredPurpose>,
    /// Whether the form asks for a confirmation e-mail.
    pub double_opt_in: bool,
    /// Whether the form shows the (optional) phone field.
    pub phone: bool,
    /// The privacy policy as configured: an absolute URL, or a root-relative
    /// path made absolute against the page's origin.
    pub privacy_policy: RegisteredPolicy,
    /// The texts each locale shows.
    pub locales: Vec<LocaleTexts>,
    /// The widget configuration it was derived from, as given (JSON text);
    /// `None` for a version approved from a held proof.
    pub config: Option<String>,
}

/// The controller of a registered form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisteredController {
    /// Legal or trading name.
    pub name: String,
    /// A contact for data-protection requests.
    pub contact: String,
}

/// One purpose of a registered form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisteredPurpose {
    /// Purpose id.
    pub id: String,
    /// Its channel.
    pub channel: Channel,
}

/// The privacy policy of a registered form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisteredPolicy {
    /// URL or root-relative path.
    pub url: String,
    /// Its version, if the form records one.
    pub version: Option<String>,
}

/// Every string one locale shows, and the hashes a proof carries for them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LocaleTexts {
    /// The locale tag the widget records (`fr`, `en`, `fr-CA`).
    pub locale: String,
    /// `(key, text)` of every string shown, in display order.
    pub shown: Vec<(String, String)>,
    /// `texts.sha256`: SHA-256 (hex) of the canonical JSON of `shown`.
    pub sha256: String,
    /// Each purpose's `textSha256`: SHA-256 (hex) of its box text, in purpose order.
    pub purpose_sha256: Vec<String>,
}

impl FormVersion {
    /// The texts a proof in `locale` was shown: the exact tag, else its
    /// language, as the widget picks them.
    pub fn texts_for(&self, locale: &str) -> Option<&LocaleTexts> {
        let language = locale.split(['-', '_']).next().unwrap_or(locale);
        let find = |tag: &str| {
            self.locales
                .iter()
                .find(|l| l.locale.eq_ignore_ascii_case(tag))
        };
        find(locale).or_else(|| find(language))
    }

    /// The registered purpose `id`.
    pub fn purpose(&self, id: &str) -> Option<&RegisteredPurpose> {
        self.purposes.iter().find(|p| p.id == id)
    }

    /// The definition as stored: JSON with a fixed field order, so that
    /// the same configuration always gives the same bytes.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a form version serializes")
    }

    /// SHA-256 (hex) of [`FormVersion::to_json`]: what `forms list` shows,
    /// so that two collectors can tell they hold the same version.
    pub fn sha256(&self) -> String {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(self.to_json().as_bytes()))
    }
}

/// SHA-256 (lowercase hex) of a string, as the widget hashes texts.
pub(crate) fn sha256_hex(text: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(text.as_bytes()))
}
