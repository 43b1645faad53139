//! The confirmation mail of a proof, as received or as stored.

use chrono::{DateTime, Utc};
use consent_proof::Channel;

use super::phone::mask_phone;
use super::ConfirmationMail;
use crate::i18n::lang::Lang;
use crate::proof::stored;
use crate::proof::view::ProofView;
use crate::store::PendingMail;

/// What the mail's links and sender name come from, beside the proof.
#[derive(Clone, Debug)]
pub struct MailLinks {
    /// The base of every link, without trailing slash.
    pub public_url: String,
    /// How many days the preference-page link works.
    pub preferences_days: i64,
    /// The shop's name, when the configuration gives it: the sender's name.
    pub shop_name: Option<String>,
}

impl From<&str> for MailLinks {
    fn from(public_url: &str) -> Self {
        MailLinks {
            public_url: public_url.into(),
            preferences_days: 30,
            shop_name: None,
        }
    }
}

impl From<String> for MailLinks {
    fn from(public_url: String) -> Self {
        public_url.as_str().into()
    }
}

/// The confirmation mail for a proof and its two tokens, with links under
/// `links.public_url`; the preference-page link is derived from the
/// unsubscribe token.
pub fn confirmation_mail(
    proof: &ProofView,
    links: &MailLinks,
    confirm_token: &str,
    unsubscribe_token: &str,
    ttl_hours: i64,
) -> ConfirmationMail {
    let public_url = &links.public_url;
    // The shop's name when configured, else the registered controller.
    let sender_name = links.shop_name.as_deref().unwrap_or(&proof.controller);
    ConfirmationMail {
        sms: proof.sending().any(|p| p.channel == Channel::Sms),
        to: proof.email.clone(),
        lang: Lang::from_locale(&proof.locale),
        // One line: no field can add a line to the subject or the body.
        sender_name: crate::registry::voice::one_line(sender_name),
        confirm_url: format!("{public_url}/v1/confirm?token={confirm_token}"),
        unsubscribe_url: format!("{public_url}/v1/unsubscribe?token={unsubscribe_token}"),
        ttl_hours,
        purposes: proof.sending().map(|p| p.label.clone()).collect(),
        informed: proof
            .sending()
            .any(|p| p.choice == consent_proof::Choice::NotObjected),
        phone: proof.phone.as_deref().and_then(mask_phone),
        preferences_url: Some(format!(
            "{public_url}/v1/preferences?token={}",
            crate::crypto::tokens::preferences_token(unsubscribe_token)
        )),
        preferences_days: links.preferences_days,
        renewal: false,
    }
}

/// The view of a stored row's proof, with the texts stored apart from its
/// body (the mail quotes them); `None` when the proof is erased.
pub fn stored_view(mail: &PendingMail) -> Option<ProofView> {
    stored::read(
        mail.proof_header.as_deref()?,
        mail.proof_body.as_deref()?,
        mail.proof_shown.as_deref(),
    )
}

/// The mail of a stored row whose proof is `proof` (see [`stored_view`]),
/// saying how long its link still works (whole hours, rounded, at least
/// one), in the `registered` form version's voice.
pub fn confirmation(
    mail: &PendingMail,
    mut proof: ProofView,
    links: impl Into<MailLinks>,
    now: DateTime<Utc>,
    registered: Option<&crate::registry::FormVersion>,
) -> ConfirmationMail {
    let links = links.into();
    // The registered form's words, as on the first attempt.
    if let Some(version) = registered {
        crate::registry::voice::speak(&mut proof, version);
    }
    let minutes = (mail.expires_at - now).num_minutes();
    confirmation_mail(
        &proof,
        &links,
        &mail.confirm_token,
        &mail.unsubscribe_token,
        ((minutes + 30) / 60).max(1),
    )
}
