//! `GET /v1/confirm` and `GET|POST /v1/unsubscribe`: the links in the mail.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, MatchedPath, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use chrono::Utc;

use super::{client_network, AppState};
use crate::events;
use crate::messages::{self, Lang, Page};
use crate::store::{
    timestamp, Append, Appended, StoredEntry, TokenProblem, TokenPurpose, TokenRow,
};
use crate::stored_proof;

/// The `token` query parameter.
#[derive(serde::Deserialize)]
pub struct TokenQuery {
    token: Option<String>,
}

/// Follows a mailed link: `/v1/confirm` records the double opt-in confirmation,
/// `/v1/unsubscribe` a withdrawal of the proof's e-mail purposes (RFC 8058 one-click on POST).
pub async fn follow_link(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    path: MatchedPath,
    headers: HeaderMap,
    Query(query): Query<TokenQuery>,
) -> Response {
    let purpose = if path.as_str() == "/v1/confirm" {
        TokenPurpose::Confirm
    } else {
        TokenPurpose::Unsubscribe
    };
    follow(&state, peer, &headers, query.token, purpose).await
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

/// Looks the token up, appends the event it triggers, and renders the page.
async fn follow(
    state: &AppState,
    peer: SocketAddr,
    headers: &HeaderMap,
    token: Option<String>,
    purpose: TokenPurpose,
) -> Response {
    let Some(token) = token else {
        return page(Lang::En, Page::Unknown);
    };
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
    let ip = client_network(state, peer, headers);
    let append = Append {
        entry: event(purpose, &row, &proof, &timestamp(now), ip),
        tokens: Vec::new(),
        consume: Some(hash),
        mail: None,
    };
    let outcome = match state.appender.append(append).await {
        Ok(outcome) => outcome,
        Err(e) => return unavailable(e),
    };
    match (purpose, outcome) {
        (TokenPurpose::Confirm, Appended::New(_)) => page(lang, Page::Confirmed),
        (TokenPurpose::Unsubscribe, Appended::New(_)) => page(lang, Page::Unsubscribed),
        // Unsubscribing twice is not an error: the first click did it.
        (TokenPurpose::Unsubscribe, Appended::Token(TokenProblem::Used)) => {
            page(lang, Page::AlreadyUnsubscribed)
        }
        (_, Appended::Token(TokenProblem::Used)) => page(lang, Page::Used),
        (_, Appended::Token(TokenProblem::Expired)) => page(lang, Page::Expired),
        (_, Appended::Token(TokenProblem::Unknown) | Appended::Replay(_)) => {
            page(lang, Page::Unknown)
        }
    }
}

fn page(lang: Lang, which: Page) -> Response {
    let status = match which {
        Page::Confirmed | Page::Unsubscribed | Page::AlreadyUnsubscribed => StatusCode::OK,
        Page::Expired | Page::Used => StatusCode::GONE,
        Page::Unknown => StatusCode::NOT_FOUND,
    };
    let (title, text) = messages::page(lang, which);
    (
        status,
        Html(messages::html(
            lang,
            title,
            &format!("<p>{}</p>", messages::escape(text)),
        )),
    )
        .into_response()
}

fn unavailable(e: crate::store::StoreError) -> Response {
    tracing::error!(error = %e, "storage failed");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Html(messages::html(
            Lang::En,
            "Unavailable",
            "<p>Please retry in a moment.</p>",
        )),
    )
        .into_response()
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
