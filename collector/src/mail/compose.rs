//! The confirmation mail of a proof, from its payload as received or as stored.

use chrono::{DateTime, Utc};

use super::ConfirmationMail;
use crate::i18n::lang::Lang;
use crate::proof::granted::{granted, mask_phone};
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

/// The confirmation mail for a proof's payload (canonical JSON, as stored or
/// received) and its two tokens, with links under `links.public_url`; the
/// preference-page link is derived from the unsubscribe token.
pub fn confirmation_mail(
    payload: &serde_json::Value,
    links: &MailLinks,
    confirm_token: &str,
    unsubscribe_token: &str,
    ttl_hours: i64,
) -> Option<ConfirmationMail> {
    let public_url = &links.public_url;
    let sender_name = match &links.shop_name {
        Some(name) => name.as_str(),
        None => payload["controller"]["name"]
            .as_str()
            .or_else(|| payload["site"]["origin"].as_str())?,
    };
    let granted = granted(payload, None);
    Some(ConfirmationMail {
        sms: granted.iter().any(|g| g.channel == "sms"),
        to: payload["subject"]["email"].as_str()?.trim().to_string(),
        lang: Lang::from_locale(payload["locale"].as_str().unwrap_or_default()),
        // One line: no field can add a line to the subject or the body.
        sender_name: crate::registry::voice::one_line(sender_name),
        confirm_url: format!("{public_url}/v1/confirm?token={confirm_token}"),
        unsubscribe_url: format!("{public_url}/v1/unsubscribe?token={unsubscribe_token}"),
        ttl_hours,
        purposes: granted.into_iter().map(|g| g.label).collect(),
        phone: payload["subject"]["phone"].as_str().and_then(mask_phone),
        preferences_url: Some(format!(
            "{public_url}/v1/preferences?token={}",
            crate::crypto::tokens::preferences_token(unsubscribe_token)
        )),
        preferences_days: links.preferences_days,
        renewal: false,
    })
}

/// The mail of a stored row, saying how long its link still works (whole
/// hours, rounded, at least one); `None` when its proof is erased.
pub fn confirmation(
    mail: &PendingMail,
    links: impl Into<MailLinks>,
    now: DateTime<Utc>,
) -> Option<ConfirmationMail> {
    let links = links.into();
    let mut payload: serde_json::Value = serde_json::from_str(mail.proof_body.as_deref()?).ok()?;
    // The stored body keeps the shown texts apart; the mail quotes them.
    let shown = mail
        .proof_shown
        .as_deref()
        .and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok());
    if let (Some(shown), Some(texts)) = (
        shown,
        payload.get_mut("texts").and_then(|t| t.as_object_mut()),
    ) {
        texts.insert("shown".into(), shown);
    }
    let minutes = (mail.expires_at - now).num_minutes();
    confirmation_mail(
        &payload,
        &links,
        &mail.confirm_token,
        &mail.unsubscribe_token,
        ((minutes + 30) / 60).max(1),
    )
}
