//! Does a verified proof match a registered form version? Field for field,
//! or it is not that form.

use consent_proof::{Choice, DoubleOptIn, Kind, Proof, Regime, ShownTexts};

use super::derive::{box_key, withdrawal_shown};
use super::FormVersion;

/// The first field in which a proof differs from the registered version.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field} differs from the registered form version")]
pub struct Mismatch {
    /// The payload field, as the proof names it (`controller.name`, `texts.shown`).
    pub field: &'static str,
}

fn differs(field: &'static str) -> Mismatch {
    Mismatch { field }
}

fn require(ok: bool, field: &'static str) -> Result<(), Mismatch> {
    ok.then_some(()).ok_or(differs(field))
}

/// The proof's `privacyPolicy.url` the widget writes for `configured` on
/// a page of `origin`: a root-relative path made absolute.
fn policy_url(configured: &str, origin: &str) -> String {
    if configured.starts_with('/') && !configured.starts_with("//") {
        format!("{origin}{configured}")
    } else {
        configured.to_string()
    }
}

/// The basis and mechanism a regime's form records.
fn asks(regime: Regime) -> (consent_proof::Basis, &'static str) {
    let ask = consent_form::rules::ask(regime);
    (ask.basis, ask.mechanism)
}

/// Checks `proof` against `version`, which has its form id and version.
pub fn check(version: &FormVersion, proof: &Proof) -> Result<(), Mismatch> {
    require(proof.form.id == version.form_id, "form.id")?;
    require(proof.form.version == version.version, "form.version")?;
    require(
        proof.controller.name == version.controller.name,
        "controller.name",
    )?;
    require(
        proof.controller.contact == version.controller.contact,
        "controller.contact",
    )?;
    require(version.origins.contains(&proof.site.origin), "site.origin")?;
    require(proof.jurisdiction == version.jurisdiction, "jurisdiction")?;
    require(proof.regime == version.regime, "regime")?;
    let url = policy_url(&version.privacy_policy.url, &proof.site.origin);
    require(proof.privacy_policy.url == url, "privacyPolicy.url")?;
    require(
        proof.privacy_policy.version == version.privacy_policy.version,
        "privacyPolicy.version",
    )?;
    require(
        proof.subject.phone.is_none() || version.phone,
        "subject.phone",
    )?;
    let (basis, mechanism) = asks(version.regime);
    require(
        proof.purposes.iter().all(|p| p.basis == basis),
        "purposes.basis",
    )?;
    match proof.kind {
        Kind::Consent => check_consent(version, proof, mechanism),
        Kind::Withdrawal => check_withdrawal(version, proof),
    }
}

fn check_consent(version: &FormVersion, proof: &Proof, mechanism: &str) -> Result<(), Mismatch> {
    require(proof.mechanism == mechanism, "mechanism")?;
    // Every registered purpose, in order, each with its channel: the widget
    // records refusals too, so a proof never leaves one out.
    let same_purposes = proof.purposes.len() == version.purposes.len()
        && proof
            .purposes
            .iter()
            .zip(&version.purposes)
            .all(|(p, r)| p.id == r.id && p.channel == r.channel);
    require(same_purposes, "purposes")?;
    require(
        proof.purposes.iter().all(|p| p.choice != Choice::Withdrawn),
        "purposes.choice",
    )?;
    // The widget asks for the click whenever the form does and something
    // allows sending; a form with double opt-in never yields a proof without.
    let sends = proof
        .purposes
        .iter()
        .any(|p| consent_form::rules::allows_sending(p.choice));
    let wanted = if version.double_opt_in && sends {
        DoubleOptIn::Requested
    } else {
        DoubleOptIn::NotRequested
    };
    require(proof.double_opt_in == wanted, "doubleOptIn")?;
    let texts = version.texts_for(&proof.locale).ok_or(differs("locale"))?;
    require(
        proof.texts.shown == ShownTexts(texts.shown.clone()),
        "texts.shown",
    )?;
    require(proof.texts.sha256 == texts.sha256, "texts.sha256")?;
    let hashes_match = proof
        .purposes
        .iter()
        .zip(&texts.purpose_sha256)
        .all(|(p, h)| &p.text_sha256 == h);
    require(hashes_match, "purposes.textSha256")
}

fn check_withdrawal(version: &FormVersion, proof: &Proof) -> Result<(), Mismatch> {
    require(proof.mechanism == "withdrawal-box-ticked", "mechanism")?;
    // The widget writes the form's setting into a withdrawal as it is.
    let setting = if version.double_opt_in {
        DoubleOptIn::Requested
    } else {
        DoubleOptIn::NotRequested
    };
    require(proof.double_opt_in == setting, "doubleOptIn")?;
    let mut chosen = Vec::new();
    for p in &proof.purposes {
        let registered = version.purpose(&p.id).ok_or(differs("purposes"))?;
        require(
            registered.channel == p.channel && p.choice == Choice::Withdrawn,
            "purposes",
        )?;
        chosen.push((p.id.clone(), p.channel));
    }
    // The withdrawal form names the subscriber (masked): its texts are
    // planned for this proof, from the registered configuration.
    if let Some(shown) = withdrawal_shown(version, &proof.locale, &proof.subject.email, &chosen) {
        let shown = ShownTexts(shown);
        require(proof.texts.shown == shown, "texts.shown")?;
        let sha = super::sha256_hex(&consent_proof::Texts::digest_input(&shown));
        require(proof.texts.sha256 == sha, "texts.sha256")?;
        let hashes_match = proof.purposes.iter().all(|p| {
            p.text_sha256 == super::sha256_hex(shown.get(&box_key(&p.id)).unwrap_or_default())
        });
        require(hashes_match, "purposes.textSha256")?;
    }
    Ok(())
}

/// How a proof stands against the registry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Standing<'a> {
    /// It matches this registered version.
    Registered(&'a FormVersion),
    /// Its form id and version are registered, but it differs: it is not that form.
    Differs(Mismatch),
    /// Its form id and version are not registered.
    Unknown,
}

/// Where `proof` stands among `versions`.
pub fn standing<'a>(versions: &'a [FormVersion], proof: &Proof) -> Standing<'a> {
    match versions
        .iter()
        .find(|v| v.form_id == proof.form.id && v.version == proof.form.version)
    {
        None => Standing::Unknown,
        Some(version) => match check(version, proof) {
            Ok(()) => Standing::Registered(version),
            Err(mismatch) => Standing::Differs(mismatch),
        },
    }
}
