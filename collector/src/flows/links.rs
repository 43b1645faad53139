//! What a confirm or unsubscribe link shows and records: the signup behind
//! it, the page for each state of its token, and the event its use appends.

use chrono::{DateTime, Utc};
use consent_proof::{Channel, Choice};

use crate::i18n::pages::{Page, Signup};
use crate::ledger::events;
use crate::proof::stored;
use crate::proof::view::ProofView;
use crate::registry::voice::speak;
use crate::store::{
    timestamp, Appended, NewEntry, Store, StoreError, StoredEntry, TokenProblem, TokenPurpose,
    TokenRow,
};

/// The proof behind a link, with the texts its subscriber saw; `None`
/// when it is erased (by prune) or does not parse.
pub async fn proof_view(
    store: &dyn Store,
    entry: &StoredEntry,
) -> Result<Option<ProofView>, StoreError> {
    Ok(spoken_view(store, entry).await?.map(|(view, _)| view))
}

/// The view of a stored proof in the registered voice, or `None` when its
/// form version is not registered (a held proof of an unknown form, whose
/// strings are only its signer's) or it is erased.
pub async fn registered_view(
    store: &dyn Store,
    entry: &StoredEntry,
) -> Result<Option<ProofView>, StoreError> {
    Ok(spoken_view(store, entry).await?.filter(|(_, spoken)| *spoken).map(|(view, _)| view))
}

/// The stored proof's view and whether its form version is registered (it
/// then speaks in the registered controller and texts: a link exists only
/// for a proof that matched them, or was released).
async fn spoken_view(
    store: &dyn Store,
    entry: &StoredEntry,
) -> Result<Option<(ProofView, bool)>, StoreError> {
    let (Some(header), Some(body)) = (&entry.jws_header, &entry.body) else {
        return Ok(None);
    };
    let shown = match &entry.texts_sha256 {
        Some(sha) => store.text(sha).await?,
        None => None,
    };
    let Some(mut view) = stored::read(header, body, shown.as_deref()) else {
        return Ok(None);
    };
    let version =
        crate::registry::sql::version(store.sql_pool(), &view.form_id, &view.form_version).await?;
    if let Some(version) = &version {
        speak(&mut view, version);
    }
    Ok(Some((view, version.is_some())))
}

/// What the pages say about the proof behind a link: what holds now, so a
/// purpose withdrawn since (by any link, the preference page or the widget)
/// is no longer listed.
pub async fn signup(store: &dyn Store, proof: &ProofView) -> Result<Signup, StoreError> {
    let now = crate::audit::export::subject_states(store, &proof.subject_key()).await?;
    let holds = |id: &str| {
        now.iter().any(|r| {
            r.purpose == id
                && matches!(r.state.as_str(), "granted" | "pending" | "confirmed" | "not-objected")
        })
    };
    let current = || proof.sending().filter(|p| holds(&p.id));
    Ok(Signup {
        controller: Some(proof.controller.clone()),
        granted: current().map(|p| p.label.clone()).collect(),
        email: current()
            .filter(|p| p.channel == Channel::Email)
            .map(|p| p.label.clone())
            .collect(),
        sms: current().any(|p| p.channel == Channel::Sms),
        informed: current().any(|p| p.choice == Choice::NotObjected),
    })
}

/// The page a link's GET shows for its token as stored at `now`.
pub fn ask_page(purpose: TokenPurpose, row: &TokenRow, now: DateTime<Utc>) -> Page {
    let expired = row
        .expires_at
        .as_deref()
        .is_some_and(|e| e <= timestamp(now).as_str());
    match (purpose, row.used_at.is_some()) {
        // A preference link has its own pages (flows::preferences).
        (TokenPurpose::Preferences, _) => Page::Unknown,
        // Withdrawn since: confirming would contradict the withdrawal.
        _ if row.withdrawn_at.is_some() => Page::Withdrawn,
        (TokenPurpose::Confirm, true) => Page::AlreadyConfirmed,
        (TokenPurpose::Unsubscribe, true) => Page::AlreadyUnsubscribed,
        _ if expired => Page::Expired,
        (TokenPurpose::Confirm, false) => Page::ConfirmAsk,
        (TokenPurpose::Unsubscribe, false) => Page::UnsubscribeAsk,
    }
}

/// The page a link's POST shows for the outcome of its append.
pub fn result_page(purpose: TokenPurpose, outcome: &Appended) -> Page {
    match (purpose, outcome) {
        (TokenPurpose::Preferences, _) => Page::Unknown,
        (TokenPurpose::Confirm, Appended::New(_)) => Page::Confirmed,
        (TokenPurpose::Unsubscribe, Appended::New(_)) => Page::Unsubscribed,
        // A confirm token is used only by the confirmation: used means confirmed.
        (TokenPurpose::Confirm, Appended::Token(TokenProblem::Used)) => Page::AlreadyConfirmed,
        // Unsubscribing twice is not an error: the first click did it.
        (TokenPurpose::Unsubscribe, Appended::Token(TokenProblem::Used)) => {
            Page::AlreadyUnsubscribed
        }
        (_, Appended::Token(TokenProblem::Withdrawn)) => Page::Withdrawn,
        (_, Appended::Token(TokenProblem::Expired)) => Page::Expired,
        (_, Appended::Token(TokenProblem::Unknown) | Appended::Replay(_)) => Page::Unknown,
    }
}

/// The event a token's use records.
pub fn event(
    purpose: TokenPurpose,
    row: &TokenRow,
    proof: &StoredEntry,
    view: &ProofView,
    at: &str,
    ip: String,
) -> NewEntry {
    let subject = proof.subject.clone().unwrap_or_default();
    match purpose {
        TokenPurpose::Confirm => {
            events::confirmation(row.entry_seq, &proof.proof_sha256, at, Some(ip), subject)
        }
        // A preference link never comes here: it records its own events.
        TokenPurpose::Unsubscribe | TokenPurpose::Preferences => events::withdrawal(
            row.entry_seq,
            &proof.proof_sha256,
            &view.email_sending_ids(),
            at,
            Some(ip),
            subject,
        ),
    }
}
