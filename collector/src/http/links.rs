//! `/v1/confirm` and `/v1/unsubscribe`, the links in the mail. A GET only
//! shows what the link would do, with a button; the button's POST does it.
//! Mail scanners fetch links to inspect them: were a GET to act, they would
//! confirm sign-ups nobody clicked, which would make the confirmation prove
//! nothing, and unsubscribe people who did not ask. RFC 8058 one-click
//! unsubscribe is a POST, so it acts at once.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, MatchedPath, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::Utc;

use super::link_pages::{page, unavailable};
use super::{client_network, AppState};
use crate::events;
use crate::granted::granted;
use crate::messages::{Lang, Page, Signup};
use crate::store::{
    timestamp, Append, Appended, StoredEntry, TokenProblem, TokenPurpose, TokenRow, Withdraws,
};
use crate::stored_proof;

/// The `token` query parameter.
#[derive(serde::Deserialize)]
pub struct TokenQuery {
    token: Option<String>,
}

fn purpose_of(path: &MatchedPath) -> TokenPurpose {
    if path.as_str() == "/v1/confirm" {
        TokenPurpose::Confirm
    } else {
        TokenPurpose::Unsubscribe
    }
}

/// The reader's language where no token tells it: from `Accept-Language`.
fn reader_lang(headers: &HeaderMap) -> Lang {
    Lang::from_accept_language(
        headers
            .get(axum::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default(),
    )
}

/// A token found, with the proof it belongs to.
struct Link {
    hash: String,
    row: TokenRow,
    lang: Lang,
    proof: StoredEntry,
    signup: Signup,
}

/// Looks the token up without using it; `Err` is the page to show instead.
async fn find(
    state: &AppState,
    headers: &HeaderMap,
    token: Option<String>,
    purpose: TokenPurpose,
) -> Result<Link, Response> {
    let reader = reader_lang(headers);
    let unknown = || page(reader, Page::Unknown, &Signup::default());
    let Some(token) = token else {
        return Err(unknown());
    };
    let hash = crate::tokens::hash(&token);
    let row = match state.store.token(&hash).await {
        Ok(Some(row)) if row.purpose == purpose => row,
        Ok(_) => return Err(unknown()),
        Err(e) => return Err(failed(reader, e)),
    };
    let lang = Lang::from_locale(&row.locale);
    let proof = match state.store.entry(row.entry_seq).await {
        Ok(Some(proof)) if proof.body.is_some() => proof,
        // Erased by prune: the link leads nowhere any more.
        Ok(_) => return Err(page(lang, Page::Unknown, &Signup::default())),
        Err(e) => return Err(failed(lang, e)),
    };
    let signup = match signup(state, &proof).await {
        Ok(signup) => signup,
        Err(e) => return Err(failed(lang, e)),
    };
    Ok(Link {
        hash,
        row,
        lang,
        proof,
        signup,
    })
}

/// What the pages say about the proof behind a link.
async fn signup(state: &AppState, proof: &StoredEntry) -> Result<Signup, crate::store::StoreError> {
    let body = proof
        .body
        .as_deref()
        .and_then(stored_proof::body_json)
        .unwrap_or_default();
    let shown = match &proof.texts_sha256 {
        Some(sha) => state
            .store
            .text(sha)
            .await?
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok()),
        None => None,
    };
    let granted = granted(&body, shown.as_ref());
    let controller = body["controller"]["name"]
        .as_str()
        .or_else(|| body["site"]["origin"].as_str())
        .filter(|c| !c.trim().is_empty())
        .map(String::from);
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

/// `GET`: shows what the link does and a button that does it; changes nothing.
pub async fn show_link(
    State(state): State<Arc<AppState>>,
    path: MatchedPath,
    headers: HeaderMap,
    Query(query): Query<TokenQuery>,
) -> Response {
    let purpose = purpose_of(&path);
    let link = match find(&state, &headers, query.token, purpose).await {
        Ok(link) => link,
        Err(page) => return page,
    };
    let expired = link
        .row
        .expires_at
        .as_deref()
        .is_some_and(|e| e <= timestamp(Utc::now()).as_str());
    let which = match (purpose, link.row.used_at.is_some()) {
        // Withdrawn since: confirming would contradict the withdrawal.
        _ if link.row.withdrawn_at.is_some() => Page::Withdrawn,
        (TokenPurpose::Confirm, true) => Page::AlreadyConfirmed,
        (TokenPurpose::Unsubscribe, true) => Page::AlreadyUnsubscribed,
        _ if expired => Page::Expired,
        (TokenPurpose::Confirm, false) => Page::ConfirmAsk,
        (TokenPurpose::Unsubscribe, false) => Page::UnsubscribeAsk,
    };
    page(link.lang, which, &link.signup)
}

/// `POST`: the button on the page, or a mail client's RFC 8058 one-click
/// unsubscribe (body `List-Unsubscribe=One-Click`): records the confirmation,
/// or the withdrawal of the proof's e-mail purposes, and shows the result.
pub async fn follow_link(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    path: MatchedPath,
    headers: HeaderMap,
    Query(query): Query<TokenQuery>,
) -> Response {
    let purpose = purpose_of(&path);
    let link = match find(&state, &headers, query.token, purpose).await {
        Ok(link) => link,
        Err(page) => return page,
    };
    follow(&state, peer, &headers, link, purpose).await
}

/// The event a token's use records.
fn event(
    purpose: TokenPurpose,
    row: &TokenRow,
    proof: &StoredEntry,
    at: &str,
    ip: String,
) -> crate::store::NewEntry {
    let subject = proof.subject.clone().unwrap_or_default();
    match purpose {
        TokenPurpose::Confirm => {
            events::confirmation(row.entry_seq, &proof.proof_sha256, at, Some(ip), subject)
        }
        TokenPurpose::Unsubscribe => events::withdrawal(
            row.entry_seq,
            &proof.proof_sha256,
            &email_purposes(proof),
            at,
            Some(ip),
            subject,
        ),
    }
}

/// Appends the event the link triggers, using its token up, and renders the result.
async fn follow(
    state: &AppState,
    peer: SocketAddr,
    headers: &HeaderMap,
    link: Link,
    purpose: TokenPurpose,
) -> Response {
    let Link {
        hash,
        row,
        lang,
        proof,
        signup,
    } = link;
    let ip = client_network(state, peer, headers);
    let append = Append {
        entry: event(purpose, &row, &proof, &timestamp(Utc::now()), ip),
        tokens: Vec::new(),
        consume: Some(hash),
        mail: None,
        // An unsubscribe also cancels the confirmation still waiting, and its mail.
        withdraws: (purpose == TokenPurpose::Unsubscribe).then_some(Withdraws::Seq(row.entry_seq)),
    };
    let outcome = match state.appender.append(append).await {
        Ok(outcome) => outcome,
        Err(e) => return failed(lang, e),
    };
    let which = match (purpose, outcome) {
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
    };
    page(lang, which, &signup)
}

fn failed(lang: Lang, e: crate::store::StoreError) -> Response {
    tracing::error!(error = %e, "storage failed");
    unavailable(lang)
}

/// The purposes an e-mail unsubscribe link withdraws: those granted on the e-mail channel.
fn email_purposes(proof: &StoredEntry) -> Vec<String> {
    let body = proof
        .body
        .as_deref()
        .and_then(stored_proof::body_json)
        .unwrap_or_default();
    body["purposes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["channel"] == "email" && p["choice"] == "granted")
        .filter_map(|p| p["id"].as_str().map(String::from))
        .collect()
}
