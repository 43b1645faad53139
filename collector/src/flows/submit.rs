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
use crate::store::{Append, NewBody, NewEntry, NewMail, NewToken, TokenPurpose, Withdraws};

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
        handoff: None,
    };
    if !wants_mail {
        return append;
    }
    let (confirm, confirm_hash) = tokens::new_token();
    let (unsubscribe, unsubscribe_hash) = tokens::new_token();
    let locale = proof.view.locale.clone();
    let expires_at = now + config.token_ttl;
    append.tokens = vec![
        NewToken {
            hash: confirm_hash,
            purpose: TokenPurpose::Confirm,
            locale: locale.clone(),
            expires_at: Some(expires_at),
        },
        NewToken {
            hash: unsubscribe_hash,
            purpose: TokenPurpose::Unsubscribe,
            locale: locale.clone(),
            expires_at: None,
        },
        // The preference page's link, mailed beside the others: it expires,
        // and a new one can be asked for by mail.
        NewToken {
            hash: tokens::hash(&tokens::preferences_token(&unsubscribe)),
            purpose: TokenPurpose::Preferences,
            locale,
            expires_at: Some(now + config.preferences_ttl),
        },
    ];
    // The tokens go into the database in the clear until the mail is sent:
    // see crate::store::MailOutbox for why.
    append.mail = Some(NewMail {
        confirm_token: confirm,
        unsubscribe_token: unsubscribe,
        expires_at,
        retry_at: Retry::from_first(config.mail_retry).next_attempt(1, now),
    });
    append
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
    );
}
