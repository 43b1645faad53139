//! The proof payload the widget fills: a consent record from a submission,
//! or a withdrawal record. Hashes and the clock come in as parameters (the
//! browser computes SHA-256 with WebCrypto), so the bytes are testable here.

use crate::prelude::*;

use consent_proof::{
    Controller, DoubleOptIn, Form, Kind, PrivacyPolicy, Proof, Purpose, Schema, ShownTexts, Site, Subject, Texts,
};

use crate::config::Config;
use crate::form::Submission;
use crate::rules::{self, Choice};
use crate::text::cat;

/// The widget build recorded in `form.widget`: the version, then the build
/// id that `scripts/build` passes in `CONSENT_WIDGET_BUILD`.
pub fn widget_build() -> String {
    cat(&["consent-widget ", env!("CARGO_PKG_VERSION"), "+", option_env!("CONSENT_WIDGET_BUILD").unwrap_or("dev")])
}

/// Where and when the record is made, and its links.
#[derive(Debug, Clone)]
pub struct Context {
    /// The page's origin, e.g. `https://boutique.example`.
    pub origin: String,
    /// The page: origin and path, without query or fragment (they can carry
    /// personal data the proof does not need).
    pub page: String,
    /// `issuedAt`, in milliseconds since the Unix epoch.
    pub now_ms: i64,
    /// The record id (a lowercase UUID; see [`uuid_v4`]).
    pub id: String,
    /// SHA-256 (hex) of the previous proof JWS from this browser.
    pub prev: Option<String>,
    /// `form.widget`.
    pub widget: String,
}

// Where shown texts are keyed, and what of them is hashed: the text plan's
// business, shared with the collector, which registers the same hashes.
pub use crate::view::{box_key, hash_inputs};

/// A lowercase UUID version 4 from 16 random bytes.
pub fn uuid_v4(mut random: [u8; 16]) -> String {
    random[6] = (random[6] & 0x0f) | 0x40;
    random[8] = (random[8] & 0x3f) | 0x80;
    let mut out = String::with_capacity(36);
    for (i, b) in random.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        push_hex(&mut out, *b);
    }
    out
}

fn push_hex(out: &mut String, b: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(HEX[(b >> 4) as usize] as char);
    out.push(HEX[(b & 15) as usize] as char);
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        push_hex(&mut out, *b);
    }
    out
}

/// `url` made absolute against `origin` when it is a root-relative path.
pub fn absolute(url: &str, origin: &str) -> String {
    if url.starts_with("/") && !url.starts_with("//") {
        cat(&[origin, url])
    } else {
        url.into()
    }
}

fn envelope(config: &Config, kind: Kind, locale: &str, subject: Subject, ctx: Context, texts: Texts) -> Proof {
    Proof {
        schema: Schema::V1,
        id: ctx.id,
        kind,
        issued_at: consent_proof::timestamp::format_millis(ctx.now_ms).unwrap_or_default(),
        site: Site { origin: ctx.origin.clone(), page: ctx.page },
        controller: Controller { name: config.controller.name.clone(), contact: config.controller.contact.clone() },
        jurisdiction: config.jurisdiction.clone(),
        regime: config.regime,
        subject,
        locale: locale.into(),
        privacy_policy: PrivacyPolicy {
            url: absolute(&config.privacy_policy_url, &ctx.origin),
            version: config.privacy_policy_version.clone(),
        },
        form: Form { id: config.form_id.clone(), version: config.form_version.clone(), widget: ctx.widget },
        texts,
        purposes: Vec::new(),
        mechanism: String::new(),
        double_opt_in: if config.double_opt_in { DoubleOptIn::Requested } else { DoubleOptIn::NotRequested },
        prev: ctx.prev,
    }
}

/// Purpose `i` of a record; its text's hash is `hashes[i + 1]`. One loop
/// per record kind calls it (no iterator chains: each costs the wasm a copy).
fn purpose(id: &str, channel: consent_proof::Channel, basis: consent_proof::Basis, choice: Choice, hashes: &[String], i: usize) -> Purpose {
    Purpose { id: id.into(), channel, basis, choice, text_sha256: hashes.get(i + 1).cloned().unwrap_or_default() }
}

/// A consent record: every purpose with its choice, refusals included.
/// `hashes` are the SHA-256 (hex) of [`hash_inputs`], in that order.
pub fn consent(config: &Config, locale: &str, sub: &Submission, shown: ShownTexts, hashes: &[String], ctx: Context) -> Proof {
    let ask = rules::ask(config.regime);
    let texts = Texts { sha256: hashes.first().cloned().unwrap_or_default(), shown };
    let subject = Subject { email: sub.email.clone(), phone: sub.phone.clone() };
    let mut proof = envelope(config, Kind::Consent, locale, subject, ctx, texts);
    proof.mechanism = ask.mechanism.into();
    // Nothing to confirm when every purpose was objected to.
    if !asks_confirmation(config, sub) {
        proof.double_opt_in = DoubleOptIn::NotRequested;
    }
    for (i, o) in sub.outcomes.iter().enumerate() {
        proof.purposes.push(purpose(&o.id, o.channel, ask.basis, o.choice, hashes, i));
    }
    proof
}

/// Whether this consent asks the collector for a confirmation e-mail: double
/// opt-in is configured and some purpose allows sending.
pub fn asks_confirmation(config: &Config, sub: &Submission) -> bool {
    config.double_opt_in && sub.outcomes.iter().any(|o| rules::allows_sending(o.choice))
}

/// A withdrawal record for `purpose_ids` of an earlier consent, whose JWS
/// hash is `ctx.prev`. `shown` holds the withdrawal view's texts.
pub fn withdrawal(
    config: &Config,
    locale: &str,
    subject: Subject,
    purposes: &[(String, consent_proof::Channel)],
    shown: ShownTexts,
    hashes: &[String],
    ctx: Context,
) -> Proof {
    let ask = rules::ask(config.regime);
    let texts = Texts { sha256: hashes.first().cloned().unwrap_or_default(), shown };
    let mut proof = envelope(config, Kind::Withdrawal, locale, subject, ctx, texts);
    proof.mechanism = "withdrawal-box-ticked".into();
    for (i, (id, channel)) in purposes.iter().enumerate() {
        proof.purposes.push(purpose(id, *channel, ask.basis, Choice::Withdrawn, hashes, i));
    }
    proof
}

/// What this browser last consented to with one form: enough to sign a
/// withdrawal linked to it later, kept in the browser's storage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consented {
    /// SHA-256 (hex) of the consent JWS.
    pub proof_hash: String,
    /// The subject's e-mail.
    pub email: String,
    /// The subject's phone, if given.
    pub phone: Option<String>,
    /// The purposes messages may be sent for, with their channels.
    pub purposes: Vec<(String, consent_proof::Channel)>,
}

const CONSENTED_VERSION: &str = "cw1";

impl Consented {
    /// The stored form: one field per line, then `id channel` per purpose.
    pub fn encode(&self) -> String {
        let phone = self.phone.as_deref().unwrap_or_default();
        let mut out = crate::text::join(&[CONSENTED_VERSION, &self.proof_hash, &self.email, phone], "\n");
        for (id, ch) in &self.purposes {
            out.push_str(&cat(&["\n", id, " ", ch.as_str()]));
        }
        out
    }

    /// Reads a stored summary; `None` for anything else.
    pub fn decode(stored: &str) -> Option<Consented> {
        let all = crate::text::parts(stored, b'\n');
        let mut lines = all.iter();
        if *lines.next()? != CONSENTED_VERSION {
            return None;
        }
        let proof_hash = lines.next()?.to_string();
        let email = lines.next()?.to_string();
        let phone = Some(lines.next()?.to_string()).filter(|p| !p.is_empty());
        let mut purposes = Vec::new();
        for line in lines {
            let (id, channel) = crate::text::split_first(line, b' ')?;
            let channel = crate::config::CHANNELS.iter().find(|c| c.as_str() == channel)?;
            purposes.push((id.to_string(), *channel));
        }
        Some(Consented { proof_hash, email, phone, purposes })
    }
}
