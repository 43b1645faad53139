//! What a confirm or unsubscribe link shows and records: the signup behind
//! it, the page for each state of its token, and the event its use appends.

use chrono::{DateTime, Utc};

use crate::i18n::pages::{Page, Signup};
use crate::ledger::events;
use crate::proof::granted::granted;
use crate::proof::stored;
use crate::registry::voice::{named, Voice};
use crate::store::{
    timestamp, Appended, NewEntry, Store, StoreError, StoredEntry, TokenProblem, TokenPurpose,
    TokenRow,
};

/// What the pages say about the proof behind a link.
pub async fn signup(store: &dyn Store, proof: &StoredEntry) -> Result<Signup, StoreError> {
    let body = proof
        .body
        .as_deref()
        .and_then(stored::body_json)
        .unwrap_or_default();
    let shown = match &proof.texts_sha256 {
        Some(sha) => store
            .text(sha)
            .await?
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok()),
        None => None,
    };
    let mut granted = granted(&body, shown.as_ref());
    let mut controller = body["controller"]["name"]
        .as_str()
        .or_else(|| body["site"]["origin"].as_str())
        .filter(|c| !c.trim().is_empty())
        .map(crate::registry::voice::one_line);
    // The collector's own voice: the registered controller and box texts
    // (a link exists only for a proof that matched them, or was released).
    let form = (body["form"]["id"].as_str(), body["form"]["version"].as_str());
    if let (Some(id), Some(version)) = form {
        if let Some(version) = crate::registry::sql::version(store.sql_pool(), id, version).await? {
            let locale = body["locale"].as_str().unwrap_or_default();
            controller = Some(Voice::of(&version, locale).controller);
            let ids: Vec<&str> = granted.iter().map(|g| g.id.as_str()).collect();
            let named = named(&version, locale, &ids);
            for g in &mut granted {
                if let Some(n) = named.iter().find(|n| n.id == g.id) {
                    g.label = n.label.clone();
                }
            }
        }
    }
    // What the pages list is what holds now: a purpose withdrawn since (by
    // any link, the preference page or the widget) is no longer listed.
    let subject = proof.subject.as_deref().unwrap_or_default();
    let now = crate::audit::export::subject_states(store, subject).await?;
    granted.retain(|g| {
        now.iter()
            .any(|r| r.purpose == g.id && matches!(r.state.as_str(), "granted" | "pending" | "confirmed" | "not-objected"))
    });
    Ok(Signup {
        controller,
        email: granted
            .iter()
            .filter(|g| g.channel == "email")
            .map(|g| g.label.clone())
            .collect(),
        sms: granted.iter().any(|g| g.channel == "sms"),
        granted: granted.into_iter().map(|g| g.label).collect(),
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
            &email_purposes(proof),
            at,
            Some(ip),
            subject,
        ),
    }
}

/// The purposes an e-mail unsubscribe link withdraws: those granted on the e-mail channel.
pub fn email_purposes(proof: &StoredEntry) -> Vec<String> {
    let body = proof
        .body
        .as_deref()
        .and_then(stored::body_json)
        .unwrap_or_default();
    body["purposes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["channel"] == "email" && p["choice"] == "granted")
        .filter_map(|p| p["id"].as_str().map(String::from))
        .collect()
}
