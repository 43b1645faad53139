//! Unsubscribe links for the merchant's own marketing mail (`unsubscribe-link`).

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

/// Mints a one-click unsubscribe URL for the subject's latest consent that granted an e-mail purpose.
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
    let consent = proofs.into_iter().find_map(|entry| {
        let body = stored::body_json(entry.body.as_deref()?)?;
        let grants_email = body["kind"] == "consent"
            && body["purposes"]
                .as_array()?
                .iter()
                .any(|p| p["channel"] == "email" && p["choice"] == "granted");
        grants_email.then(|| {
            (
                entry.seq,
                body["locale"].as_str().unwrap_or("en").to_string(),
            )
        })
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
            },
        )
        .await?;
    Ok(format!(
        "{}/v1/unsubscribe?token={token}",
        public_url.trim_end_matches('/')
    ))
}
