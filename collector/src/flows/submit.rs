//! What a verified proof stores (its entry, and for double opt-in its tokens
//! and mail, in one transaction) and the mail queued once it is committed.

use chrono::Utc;

use crate::config::Config;
use crate::crypto::tokens;
use crate::ledger::receipt::EntryKind;
use crate::mail::compose::confirmation_mail;
use crate::mail::queue::{MailQueue, Retry};
use crate::proof::stored;
use crate::proof::verify::VerifiedProof;
use crate::registry::voice::speak;
use crate::registry::FormVersion;
use crate::store::{Append, NewBody, NewEntry, NewMail, NewToken, Store, TokenPurpose, Withdraws};

/// How long a confirm link works, and when a failed mail is first tried again.
#[derive(Clone, Copy, Debug)]
pub struct MailTiming {
    /// The confirm link's lifetime.
    pub token_ttl: chrono::Duration,
    /// The first retry delay.
    pub mail_retry: std::time::Duration,
    /// The preference-page link's lifetime.
    pub preferences_ttl: chrono::Duration,
}

impl From<&Config> for MailTiming {
    fn from(config: &Config) -> MailTiming {
        MailTiming { token_ttl: config.token_ttl, mail_retry: config.mail_retry, preferences_ttl: config.preferences_ttl }
    }
}

/// The log entry for a proof and, when it asks for double opt-in, its tokens
/// and confirmation mail, all stored in one transaction.
pub fn to_append(
    config: MailTiming,
    proof: &VerifiedProof,
    wants_mail: bool,
    now: chrono::DateTime<Utc>,
) -> Append {
    let entry = NewEntry {
        kind: EntryKind::Proof,
        proof_sha256: proof.sha256.clone(),
        body: NewBody::Proof(stored::split(proof)),
        record_id: Some(proof.view.id.clone()),
        subject: Some(proof.subject_key()),
    };
    let mut append = Append {
        entry,
        tokens: Vec::new(),
        consume: None,
        mail: None,
        withdraws: withdraws(proof),
        held: None,
        starts: Vec::new(),
        handoff: None,
    };
    if !wants_mail {
        return append;
    }
    let expires_at = now + config.token_ttl;
    let (confirm, unsubscribe, tokens) = link_tokens(config, &proof.view.locale, now);
    append.tokens = tokens;
    // The tokens go into the database in the clear until the mail is sent:
    // see crate::store::MailOutbox for why.
    append.mail = Some(NewMail {
        confirm_token: confirm,
        unsubscribe_token: unsubscribe,
        expires_at,
        retry_at: Retry::from_first(config.mail_retry).lease_end(now, expires_at),
    });
    append
}

/// A confirmation mail's three links for a proof in `locale`: the confirm
/// and unsubscribe tokens (in the clear, for the mail) and the rows to
/// store (their hashes). The preference page's link is mailed beside the
/// others: it expires, and a new one can be asked for by mail.
fn link_tokens(
    config: MailTiming,
    locale: &str,
    now: chrono::DateTime<Utc>,
) -> (String, String, Vec<NewToken>) {
    let (confirm, confirm_hash) = tokens::new_token();
    let (unsubscribe, unsubscribe_hash) = tokens::new_token();
    let rows = vec![
        NewToken {
            hash: confirm_hash,
            purpose: TokenPurpose::Confirm,
            locale: locale.to_string(),
            expires_at: Some(now + config.token_ttl),
            network: None,
        },
        NewToken {
            hash: unsubscribe_hash,
            purpose: TokenPurpose::Unsubscribe,
            locale: locale.to_string(),
            expires_at: None,
            network: None,
        },
        NewToken {
            hash: tokens::hash(&tokens::preferences_token(&unsubscribe)),
            purpose: TokenPurpose::Preferences,
            locale: locale.to_string(),
            expires_at: Some(now + config.preferences_ttl),
            network: None,
        },
    ];
    (confirm, unsubscribe, rows)
}

/// Re-sends the confirmation of the consent still pending at `pending_seq`
/// (a repeated sign-up asked for it; the limits allowed it): fresh links
/// for that same proof, the earlier ones still working, in the registered
/// voice. `key` (the repeated sign-up's seq) names it in the mail queue.
/// Unlike a first confirmation it is not stored for retries: signing up
/// again asks for it again.
pub async fn resend_confirmation(
    store: &dyn Store,
    queue: &MailQueue,
    links: &crate::mail::compose::MailLinks,
    timing: MailTiming,
    pending_seq: i64,
    key: i64,
) {
    let mail = async {
        let Some(entry) = store.entry(pending_seq).await? else {
            return Ok(None);
        };
        let Some(view) = super::links::proof_view(store, &entry).await? else {
            return Ok(None);
        };
        let (confirm, unsubscribe, rows) = link_tokens(timing, &view.locale, Utc::now());
        for row in rows {
            store.add_token(pending_seq, row).await?;
        }
        let hours = timing.token_ttl.num_hours();
        Ok::<_, crate::store::StoreError>(Some(confirmation_mail(&view, links, &confirm, &unsubscribe, hours)))
    };
    match mail.await {
        // Not a stored mail's seq: the queue has no row of it to delete.
        Ok(Some(mail)) => queue.send(-key, mail, None),
        Ok(None) => tracing::warn!(pending_seq, "confirmation not re-sent: its proof is erased"),
        Err(e) => tracing::error!(pending_seq, error = %e, "confirmation not re-sent: storage failed"),
    }
}

/// The consent a withdrawal proof withdraws from (its `prev`): its
/// confirmation is cancelled in the withdrawal's transaction.
pub fn withdraws(proof: &VerifiedProof) -> Option<Withdraws> {
    if proof.view.kind != consent_proof::Kind::Withdrawal {
        return None;
    }
    Some(Withdraws::Proof {
        sha256: proof.view.prev.clone()?,
        subject: proof.subject_key(),
        purposes: proof.view.purposes.iter().map(|p| p.id.clone()).collect(),
    })
}

/// Queues the double opt-in mail after the commit; the mail queue sends it off
/// the request path, and its stored copy is retried should that fail.
pub fn send_confirmation(
    queue: &MailQueue,
    links: &crate::mail::compose::MailLinks,
    token_ttl: chrono::Duration,
    proof: &VerifiedProof,
    version: &FormVersion,
    seq: i64,
    mail: NewMail,
) {
    // The collector's own voice: the registered controller and texts,
    // never the proof's strings.
    let mut view = proof.view.clone();
    speak(&mut view, version);
    queue.send(
        seq,
        confirmation_mail(
            &view,
            links,
            &mail.confirm_token,
            &mail.unsubscribe_token,
            token_ttl.num_hours(),
        ),
        Some(queue.first_attempt(&mail)),
    );
}
