//! Unsubscribe links for the merchant's own marketing mail (`unsubscribe-link`).

use consent_proof::Kind;

use crate::proof::stored;
use crate::store::{NewToken, Store, StoreError, TokenPurpose};

/// Why no link could be made.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    /// Nothing to unsubscribe from.
    #[error("no e-mail consent recorded for {0}")]
    NoConsent(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Mints a one-click unsubscribe URL for the subject's latest consent that allows sending e-mail
/// (granted, or not objected to under b2b and soft opt-in).
///
/// Each call makes a new token (only its hash is stored), so each mailing can
/// carry its own; any of them withdraws, once.
pub async fn unsubscribe_link(
    store: &dyn Store,
    subject: &str,
    public_url: &str,
) -> Result<String, LinkError> {
    let subject = subject.trim().to_lowercase();
    let proofs = store.subject_proofs(&subject).await?;
    // The labels are not needed: no texts are read.
    let consent = proofs.into_iter().find_map(|entry| {
        let view = stored::read(entry.jws_header.as_deref()?, entry.body.as_deref()?, None)?;
        let sends_email = view.kind == Kind::Consent && !view.email_sending_ids().is_empty();
        sends_email.then_some((entry.seq, view.locale))
    });
    let (seq, locale) = consent.ok_or_else(|| LinkError::NoConsent(subject.clone()))?;
    let (token, hash) = crate::crypto::tokens::new_token();
    store
        .add_token(
            seq,
            NewToken {
                hash,
                purpose: TokenPurpose::Unsubscribe,
                locale,
                expires_at: None,
                network: None,
            },
        )
        .await?;
    Ok(format!(
        "{}/v1/unsubscribe?token={token}",
        public_url.trim_end_matches('/')
    ))
}
