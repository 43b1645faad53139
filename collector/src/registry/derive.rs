//! A form version from the widget's own configuration, through the widget's
//! own code: the same parser and validator, the same catalogs, the same text
//! plan that records every string shown. Or, for `forms approve`, from the
//! held proofs the merchant has read.

use consent_form::config::Config;
use consent_form::i18n::{self, Texts};
use consent_form::view;
use consent_proof::{Channel, Choice, DoubleOptIn, Proof, ShownTexts};

use super::{
    sha256_hex, FormVersion, LocaleTexts, RegisteredController, RegisteredPolicy, RegisteredPurpose,
};

/// Why a configuration or a held proof cannot be registered.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DeriveError {
    /// The widget would render no form for it: each problem names its field.
    #[error("the widget refuses this configuration: {}", .0.join("; "))]
    Config(Vec<String>),
    /// A field that mail and pages name holds a control character (a line break, say).
    #[error("{0} holds a control character (a line break?): mail and pages name it on one line")]
    ControlCharacter(&'static str),
    /// No origin was given.
    #[error("no origin: name the page origins the form runs on (--origin https://shop.example)")]
    NoOrigin,
    /// An origin is not `scheme://host[:port]`.
    #[error("origin {0:?} is not scheme://host[:port] (no path, no trailing slash)")]
    BadOrigin(String),
    /// The held proofs of one version disagree on a field.
    #[error("the held proofs of this version disagree on {0}: approve by `forms add CONFIG.json` instead")]
    Disagree(&'static str),
    /// There was nothing to approve.
    #[error("no held proof of this form version")]
    NothingHeld,
}

/// The version the widget configuration `json` describes, running on `origins`.
pub fn from_config(json: &str, origins: &[String]) -> Result<FormVersion, DeriveError> {
    let config = parse(json)?;
    check_origins(origins)?;
    let one_line = [
        ("controller.name", config.controller.name.as_str()),
        ("controller.contact", config.controller.contact.as_str()),
        ("formId", config.form_id.as_str()),
        ("formVersion", config.form_version.as_str()),
    ];
    for (field, value) in one_line {
        if value.chars().any(char::is_control) {
            return Err(DeriveError::ControlCharacter(field));
        }
    }
    Ok(FormVersion {
        form_id: config.form_id.clone(),
        version: config.form_version.clone(),
        controller: RegisteredController {
            name: config.controller.name.clone(),
            contact: config.controller.contact.clone(),
        },
        origins: origins.to_vec(),
        jurisdiction: config.jurisdiction.clone(),
        regime: config.regime,
        purposes: config
            .purposes
            .iter()
            .map(|p| RegisteredPurpose {
                id: p.id.clone(),
                channel: p.channel,
            })
            .collect(),
        double_opt_in: config.double_opt_in,
        phone: config.phone == consent_form::config::PhoneMode::Optional,
        privacy_policy: RegisteredPolicy {
            url: config.privacy_policy_url.clone(),
            version: config.privacy_policy_version.clone(),
        },
        locales: locales(&config),
        config: Some(json.to_string()),
    })
}

/// Reads a configuration exactly as the widget's `open` does.
pub fn parse(json: &str) -> Result<Config, DeriveError> {
    Config::from_json(json)
        .map_err(|problems| DeriveError::Config(problems.iter().map(|p| p.line()).collect()))
}

/// The texts of every locale the form can show: the configured locale if
/// it fixes one, else each built-in catalog and each locale given in `texts`.
fn locales(config: &Config) -> Vec<LocaleTexts> {
    let tags: Vec<String> = match &config.locale {
        Some(tag) => vec![tag.clone()],
        None => i18n::LOCALES
            .iter()
            .map(|tag| tag.to_string())
            .chain(config.texts.iter().map(|(tag, _)| tag.clone()))
            .collect(),
    };
    let mut out: Vec<LocaleTexts> = Vec::new();
    for tag in tags {
        let texts = Texts::resolve(config, Some(&tag));
        if out
            .iter()
            .any(|l| l.locale.eq_ignore_ascii_case(texts.locale()))
        {
            continue;
        }
        let shown = view::plan(config, &texts).shown;
        let ids: Vec<&str> = config.purposes.iter().map(|p| p.id.as_str()).collect();
        out.push(locale_texts(texts.locale(), shown, &ids));
    }
    out
}

/// One locale's texts and the hashes the widget computes for them: the
/// SHA-256 of each of `view::hash_inputs` (the canonical JSON of `shown`,
/// then each box text), hashed here natively as the browser does with WebCrypto.
fn locale_texts(locale: &str, shown: Vec<(String, String)>, purpose_ids: &[&str]) -> LocaleTexts {
    let shown = ShownTexts(shown);
    let mut hashes = view::hash_inputs(&shown, purpose_ids)
        .into_iter()
        .map(|input| sha256_hex(&input));
    let sha256 = hashes.next().unwrap_or_default();
    LocaleTexts {
        locale: locale.to_string(),
        shown: shown.0,
        sha256,
        purpose_sha256: hashes.collect(),
    }
}

/// The key under which the widget records a purpose's box text.
pub use consent_form::view::box_key;

/// The texts the widget's "manage my choices" form shows `email` when it
/// withdraws `purposes` in `locale`; `None` when the version keeps no
/// configuration (approved from a held proof) to plan it from.
pub fn withdrawal_shown(
    version: &FormVersion,
    locale: &str,
    email: &str,
    purposes: &[(String, Channel)],
) -> Option<Vec<(String, String)>> {
    let config = parse(version.config.as_deref()?).ok()?;
    let texts = Texts::resolve(&config, Some(locale));
    Some(view::manage(&config, &texts, email, purposes).shown)
}

fn check_origins(origins: &[String]) -> Result<(), DeriveError> {
    if origins.is_empty() {
        return Err(DeriveError::NoOrigin);
    }
    for origin in origins {
        let rest = origin
            .strip_prefix("https://")
            .or_else(|| origin.strip_prefix("http://"));
        let host_ok = rest.is_some_and(|host| {
            !host.is_empty()
                && !host.contains(['/', '?', '#', '@'])
                && !host.chars().any(|c| c.is_whitespace() || c.is_control())
        });
        if !host_ok {
            return Err(DeriveError::BadOrigin(origin.clone()));
        }
    }
    Ok(())
}

/// The version that held proofs (all of one form id and version) describe,
/// for `forms approve` once the merchant has read them: their fields, and
/// the texts of each locale they were shown in.
pub fn from_held(proofs: &[Proof]) -> Result<FormVersion, DeriveError> {
    let first = proofs.first().ok_or(DeriveError::NothingHeld)?;
    let consents: Vec<&Proof> = proofs
        .iter()
        .filter(|p| p.kind == consent_proof::Kind::Consent)
        .collect();
    let base = consents.first().copied().unwrap_or(first);
    let mut version = FormVersion {
        form_id: base.form.id.clone(),
        version: base.form.version.clone(),
        controller: RegisteredController {
            name: base.controller.name.clone(),
            contact: base.controller.contact.clone(),
        },
        origins: Vec::new(),
        jurisdiction: base.jurisdiction.clone(),
        regime: base.regime,
        purposes: base
            .purposes
            .iter()
            .map(|p| RegisteredPurpose {
                id: p.id.clone(),
                channel: p.channel,
            })
            .collect(),
        // Single opt-in only if a held proof granted without asking for the
        // mailbox click: `forms held` says so in capitals before approval.
        double_opt_in: !consents.iter().any(|p| {
            p.double_opt_in == DoubleOptIn::NotRequested
                && p.purposes
                    .iter()
                    .any(|q| matches!(q.choice, Choice::Granted | Choice::NotObjected))
        }),
        // The field was shown if its label was, or if someone typed a number in it.
        phone: base.texts.shown.get("phone.label").is_some()
            || proofs.iter().any(|p| p.subject.phone.is_some()),
        privacy_policy: RegisteredPolicy {
            url: base.privacy_policy.url.clone(),
            version: base.privacy_policy.version.clone(),
        },
        locales: Vec::new(),
        config: None,
    };
    for field in [
        version.controller.name.as_str(),
        version.controller.contact.as_str(),
    ] {
        if field.chars().any(char::is_control) {
            return Err(DeriveError::ControlCharacter("controller"));
        }
    }
    for proof in proofs {
        let same = proof.controller.name == version.controller.name
            && proof.controller.contact == version.controller.contact
            && proof.regime == version.regime
            && proof.jurisdiction == version.jurisdiction
            && proof.privacy_policy.url == version.privacy_policy.url
            && proof.privacy_policy.version == version.privacy_policy.version;
        if !same || proof.form.id != version.form_id || proof.form.version != version.version {
            return Err(DeriveError::Disagree(
                "the controller, regime or privacy policy",
            ));
        }
        if !version.origins.contains(&proof.site.origin) {
            version.origins.push(proof.site.origin.clone());
        }
        if proof.kind != consent_proof::Kind::Consent {
            continue;
        }
        let purposes: Vec<RegisteredPurpose> = proof
            .purposes
            .iter()
            .map(|p| RegisteredPurpose {
                id: p.id.clone(),
                channel: p.channel,
            })
            .collect();
        if purposes != version.purposes {
            return Err(DeriveError::Disagree("the purposes"));
        }
        let texts = LocaleTexts {
            locale: proof.locale.clone(),
            shown: proof.texts.shown.0.clone(),
            sha256: proof.texts.sha256.clone(),
            purpose_sha256: proof
                .purposes
                .iter()
                .map(|p| p.text_sha256.clone())
                .collect(),
        };
        match version.locales.iter().find(|l| l.locale == texts.locale) {
            Some(known) if ShownTexts(known.shown.clone()) != ShownTexts(texts.shown.clone()) => {
                return Err(DeriveError::Disagree("the texts shown"))
            }
            Some(_) => {}
            None => version.locales.push(texts),
        }
    }
    Ok(version)
}

/// The text of the `<script type="application/json" id="ID">` element of a
/// page: where a storefront (and the demo's `www/index.html`) gives the
/// widget its configuration.
pub fn config_in_page<'a>(html: &'a str, id: &str) -> Option<&'a str> {
    let marker = format!("id=\"{id}\"");
    let at = html.find(&marker)?;
    let open = html[..at].rfind("<script")?;
    let body = open + html[open..].find('>')? + 1;
    let end = body + html[body..].find("</script>")?;
    Some(html[body..end].trim())
}

#[cfg(test)]
#[path = "derive_tests.rs"]
mod tests;
