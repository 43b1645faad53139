//! The confirmation mail of a proof, as received or as stored.

use chrono::{DateTime, Utc};
use consent_proof::Channel;

use super::phone::mask_phone;
use super::ConfirmationMail;
use crate::i18n::lang::Lang;
use crate::proof::stored;
use crate::proof::view::ProofView;
use crate::store::PendingMail;

/// The confirmation mail for a proof and its two tokens, with links under `public_url`.
pub fn confirmation_mail(
    proof: &ProofView,
    public_url: &str,
    confirm_token: &str,
    unsubscribe_token: &str,
    ttl_hours: i64,
) -> ConfirmationMail {
    ConfirmationMail {
        sms: proof.sending().any(|p| p.channel == Channel::Sms),
        to: proof.email.clone(),
        lang: Lang::from_locale(&proof.locale),
        // One line: no field can add a line to the subject or the body.
        sender_name: crate::registry::voice::one_line(&proof.controller),
        confirm_url: format!("{public_url}/v1/confirm?token={confirm_token}"),
        unsubscribe_url: format!("{public_url}/v1/unsubscribe?token={unsubscribe_token}"),
        ttl_hours,
        purposes: proof.sending().map(|p| p.label.clone()).collect(),
        informed: proof
            .sending()
            .any(|p| p.choice == consent_proof::Choice::NotObjected),
        phone: proof.phone.as_deref().and_then(mask_phone),
    }
}

/// The mail of a stored row, saying how long its link still works (whole
/// hours, rounded, at least one); `None` when its proof is erased.
pub fn confirmation(
    mail: &PendingMail,
    public_url: &str,
    now: DateTime<Utc>,
) -> Option<ConfirmationMail> {
    // The stored body keeps the shown texts apart; the mail quotes them.
    let proof = stored::read(
        mail.proof_header.as_deref()?,
        mail.proof_body.as_deref()?,
        mail.proof_shown.as_deref(),
    )?;
    let minutes = (mail.expires_at - now).num_minutes();
    Some(confirmation_mail(
        &proof,
        public_url,
        &mail.confirm_token,
        &mail.unsubscribe_token,
        ((minutes + 30) / 60).max(1),
    ))
}
