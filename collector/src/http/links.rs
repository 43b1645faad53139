//! `GET /v1/confirm` and `GET|POST /v1/unsubscribe`: the links in the mail.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use chrono::Utc;

use super::{client_ip, AppState};
use crate::events;
use crate::messages::{self, Lang, Page};
use crate::store::{timestamp, Append, Appended, StoredEntry, TokenProblem, TokenPurpose, TokenRow};
use crate::stored_proof;

/// The `token` query parameter.
#[derive(serde::Deserialize)]
pub struct TokenQuery {
    token: Option<String>,
}

/// Records the double opt-in confirmation.
pub async fn confirm(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Query(query): Query<TokenQuery>,
) -> Response {
    let ip = client_network(&state, peer, &headers);
    follow(&state, query.token, TokenPurpose::Confirm, |row, proof, at| {
        events::confirmation(row.entry_seq, &proof.proof_sha256, at, Some(ip), subject_of(proof))
    })
    .await
}

/// Records a withdrawal of the proof's e-mail purposes (RFC 8058 one-click on POST).
pub async fn unsubscribe(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Query(query): Query<TokenQuery>,
) -> Response {
    let ip = client_network(&state, peer, &headers);
    follow(&state, query.token, TokenPurpose::Unsubscribe, |row, proof, at| {
        let purposes = email_purposes(proof);
        events::withdrawal(row.entry_seq, &proof.proof_sha256, &purposes, at, Some(ip), subject_of(proof))
    })
    .await
}

/// Looks the token up, appends the event it triggers, and renders the page.
async fn follow(
    state: &AppState,
    token: Option<String>,
    purpose: TokenPurpose,
    event: impl FnOnce(&TokenRow, &StoredEntry, &str) -> crate::store::NewEntry,
) -> Response {
    let Some(token) = token else { return page(Lang::En, Page::Unknown) };
    let hash = crate::tokens::hash(&token);
    let row = match state.store.token(&hash).await {
        Ok(Some(row)) if row.purpose == purpose => row,
        Ok(_) => return page(Lang::En, Page::Unknown),
        Err(e) => return unavailable(e),
    };
    let lang = Lang::from_locale(&row.locale);
    let proof = match state.store.entry(row.entry_seq).await {
        Ok(Some(proof)) if proof.body.is_some() => proof,
        Ok(_) => return page(lang, Page::Unknown),
        Err(e) => return unavailable(e),
    };
    let now = Utc::now();
    let append = Append { entry: event(&row, &proof, &timestamp(now)), tokens: Vec::new(), consume: Some(hash) };
    let outcome = match state.store.append(vec![append], &state.keys, now).await {
        Ok(mut outcomes) => outcomes.pop().expect("one outcome per append"),
        Err(e) => return unavailable(e),
    };
    match (purpose, outcome) {
        (TokenPurpose::Confirm, Appended::New(_)) => page(lang, Page::Confirmed),
        (TokenPurpose::Unsubscribe, Appended::New(_)) => page(lang, Page::Unsubscribed),
        // Unsubscribing twice is not an error: the first click did it.
        (TokenPurpose::Unsubscribe, Appended::Token(TokenProblem::Used)) => page(lang, Page::AlreadyUnsubscribed),
        (_, Appended::Token(TokenProblem::Used)) => page(lang, Page::Used),
        (_, Appended::Token(TokenProblem::Expired)) => page(lang, Page::Expired),
        (_, Appended::Token(TokenProblem::Unknown) | Appended::Replay(_)) => page(lang, Page::Unknown),
    }
}

fn page(lang: Lang, which: Page) -> Response {
    let status = match which {
        Page::Confirmed | Page::Unsubscribed | Page::AlreadyUnsubscribed => StatusCode::OK,
        Page::Expired | Page::Used => StatusCode::GONE,
        Page::Unknown => StatusCode::NOT_FOUND,
    };
    let (title, text) = messages::page(lang, which);
    (status, Html(messages::html(lang, title, &format!("<p>{}</p>", messages::escape(text))))).into_response()
}

fn unavailable(e: crate::store::StoreError) -> Response {
    tracing::error!(error = %e, "storage failed");
    (StatusCode::SERVICE_UNAVAILABLE, Html(messages::html(Lang::En, "Unavailable", "<p>Please retry in a moment.</p>"))).into_response()
}

fn client_network(state: &AppState, peer: SocketAddr, headers: &HeaderMap) -> String {
    crate::ip::truncate(client_ip(state, peer, headers), state.config.ipv4_prefix, state.config.ipv6_prefix)
}

fn subject_of(proof: &StoredEntry) -> String {
    proof.subject.clone().unwrap_or_default()
}

/// The purposes an e-mail unsubscribe link withdraws: those granted on the e-mail channel.
fn email_purposes(proof: &StoredEntry) -> Vec<String> {
    let body = proof.body.as_deref().and_then(stored_proof::body_json).unwrap_or_default();
    body["purposes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["channel"] == "email" && p["choice"] == "granted")
        .filter_map(|p| p["id"].as_str().map(String::from))
        .collect()
}
