//! The consent proof payload: what was shown, what was chosen, when, where.
//!
//! Field names are the JSON member names (camelCase) and are stable for
//! schema `consent-proof/1`. Optional members follow one rule so that every
//! record has exactly one canonical form:
//!
//! - `subject.phone` and `privacyPolicy.version` are **absent** when unknown
//!   (never `null`, never `""`);
//! - `prev` is **always present**: a SHA-256 in lowercase hex, or `null` for
//!   the first proof of a browser. A chain link is worth stating even when it
//!   is empty.
//!
//! Hashes (`texts.sha256`, `purposes[].textSha256`, `prev`) are lowercase hex
//! SHA-256, 64 characters.

use crate::canonical::{Canonical, ObjectWriter};
#[allow(unused_imports)]
use crate::prelude::*;
pub use crate::texts::{ShownTexts, Texts};
pub use crate::vocabulary::{Basis, Channel, Choice, DoubleOptIn, Kind, Regime, Schema};

/// One consent (or withdrawal) record: the JWS payload.
///
/// Build it, then [`Canonical::to_canonical_json`] gives the exact bytes to sign.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(rename_all = "camelCase", deny_unknown_fields)
)]
pub struct Proof {
    /// `schema`: always `"consent-proof/1"`.
    pub schema: Schema,
    /// `id`: the record id and idempotency key, a lowercase UUID
    /// (`8-4-4-4-12` hex digits, e.g. from `crypto.randomUUID()`).
    pub id: String,
    /// `kind`: `"consent"` or `"withdrawal"`.
    pub kind: Kind,
    /// `issuedAt`: when the subject submitted, RFC 3339 UTC with milliseconds,
    /// exactly `YYYY-MM-DDTHH:MM:SS.mmmZ` (see [`crate::timestamp`]).
    pub issued_at: String,
    /// `site`: where the form was shown.
    pub site: Site,
    /// `controller`: who is responsible for the processing (GDPR art. 4(7)).
    pub controller: Controller,
    /// `jurisdiction`: ISO 3166-1 alpha-2 country whose rules the form follows, e.g. `"FR"`.
    pub jurisdiction: String,
    /// `regime`: `"b2c"`, `"b2b"` or `"softOptIn"`.
    pub regime: Regime,
    /// `subject`: the person the consent is about.
    pub subject: Subject,
    /// `locale`: BCP 47 language tag of the texts shown, e.g. `"fr"` or `"fr-BE"`.
    pub locale: String,
    /// `privacyPolicy`: the policy linked from the form.
    pub privacy_policy: PrivacyPolicy,
    /// `form`: which form, in which version, rendered by which widget build.
    pub form: Form,
    /// `texts`: every string the subject saw, and their hash.
    pub texts: Texts,
    /// `purposes`: one entry per purpose offered (refusals included), in display order.
    /// In a withdrawal: the purposes withdrawn, each with choice `"withdrawn"`.
    pub purposes: Vec<Purpose>,
    /// `mechanism`: how the choice was expressed, as the widget writes it:
    /// `"unchecked-box-ticked"` (b2c), `"informed-with-unchecked-objection-box"`
    /// (b2b, soft opt-in), `"withdrawal-box-ticked"` (a withdrawal).
    pub mechanism: String,
    /// `doubleOptIn`: whether a confirmation e-mail was requested.
    pub double_opt_in: DoubleOptIn,
    /// `prev`: lowercase hex SHA-256 of the previous proof JWS (its exact
    /// compact text, ASCII) signed by this browser key, or `None` (`null`).
    /// In a withdrawal: the proof it withdraws from.
    pub prev: Option<String>,
}

/// `site`: the page the form was on.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Site {
    /// `origin`: scheme, host and port, as `location.origin`.
    pub origin: String,
    /// `page`: the page URL without query or fragment.
    pub page: String,
}

/// `controller`: the data controller.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Controller {
    /// `name`: legal name.
    pub name: String,
    /// `contact`: where data-protection requests go (e-mail or URL).
    pub contact: String,
}

/// `subject`: the person whose consent this is.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Subject {
    /// `email`: as typed, trimmed.
    pub email: String,
    /// `phone`: E.164 (`+` then 2 to 15 digits), absent when not given.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub phone: Option<String>,
}

/// `privacyPolicy`: the policy the form linked to.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct PrivacyPolicy {
    /// `url`: absolute URL of the policy.
    pub url: String,
    /// `version`: the merchant's label for the policy version, absent when not configured.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub version: Option<String>,
}

/// `form`: which form produced the record.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Form {
    /// `id`: the merchant's form id, e.g. `"footer-signup"`.
    pub id: String,
    /// `version`: the merchant's form configuration version.
    pub version: String,
    /// `widget`: the widget build, e.g. `"consent-widget 0.1.0+abc123"`.
    pub widget: String,
}

/// One purpose offered on the form, and the subject's choice.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(rename_all = "camelCase", deny_unknown_fields)
)]
pub struct Purpose {
    /// `id`: the purpose id, e.g. `"newsletter"`; unique within a record.
    pub id: String,
    /// `channel`: `"email"`, `"sms"`, `"phone"` or `"post"`.
    pub channel: Channel,
    /// `basis`: `"consent"`, `"legitimate-interest"` or `"soft-opt-in"`.
    pub basis: Basis,
    /// `choice`: `"granted"`, `"refused"`, `"objected"`, `"not-objected"` or `"withdrawn"`.
    pub choice: Choice,
    /// `textSha256`: lowercase hex SHA-256 of the UTF-8 label shown next to the
    /// box; the same text appears among `texts.shown`.
    pub text_sha256: String,
}

// Members below are written in RFC 8785 order. All keys are ASCII, so this is
// plain byte order; the object writer checks it in debug builds.

impl Canonical for Proof {
    fn write_canonical(&self, out: &mut String) {
        ObjectWriter::new(out)
            .value("controller", &self.controller)
            .value("doubleOptIn", &self.double_opt_in)
            .value("form", &self.form)
            .string("id", &self.id)
            .string("issuedAt", &self.issued_at)
            .string("jurisdiction", &self.jurisdiction)
            .value("kind", &self.kind)
            .string("locale", &self.locale)
            .string("mechanism", &self.mechanism)
            .nullable_string("prev", self.prev.as_deref())
            .value("privacyPolicy", &self.privacy_policy)
            .value("purposes", &self.purposes)
            .value("regime", &self.regime)
            .value("schema", &self.schema)
            .value("site", &self.site)
            .value("subject", &self.subject)
            .value("texts", &self.texts)
            .finish();
    }
}

impl Canonical for Site {
    fn write_canonical(&self, out: &mut String) {
        ObjectWriter::new(out)
            .string("origin", &self.origin)
            .string("page", &self.page)
            .finish();
    }
}

impl Canonical for Controller {
    fn write_canonical(&self, out: &mut String) {
        ObjectWriter::new(out)
            .string("contact", &self.contact)
            .string("name", &self.name)
            .finish();
    }
}

impl Canonical for Subject {
    fn write_canonical(&self, out: &mut String) {
        ObjectWriter::new(out)
            .string("email", &self.email)
            .optional_string("phone", self.phone.as_deref())
            .finish();
    }
}

impl Canonical for PrivacyPolicy {
    fn write_canonical(&self, out: &mut String) {
        ObjectWriter::new(out)
            .string("url", &self.url)
            .optional_string("version", self.version.as_deref())
            .finish();
    }
}

impl Canonical for Form {
    fn write_canonical(&self, out: &mut String) {
        ObjectWriter::new(out)
            .string("id", &self.id)
            .string("version", &self.version)
            .string("widget", &self.widget)
            .finish();
    }
}

impl Canonical for Purpose {
    fn write_canonical(&self, out: &mut String) {
        ObjectWriter::new(out)
            .value("basis", &self.basis)
            .value("channel", &self.channel)
            .value("choice", &self.choice)
            .string("id", &self.id)
            .string("textSha256", &self.text_sha256)
            .finish();
    }
}
