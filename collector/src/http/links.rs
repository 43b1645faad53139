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

use super::client::client_network;
use super::pages::{page, unavailable};
use super::AppState;
use crate::connectors::Source;
use crate::flows::handoff::{self, About};
use crate::flows::links;
use crate::i18n::lang::Lang;
use crate::i18n::pages::{Page, Signup};
use crate::proof::view::ProofView;
use crate::store::{timestamp, Append, StoredEntry, TokenPurpose, TokenRow, Withdraws};

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
    view: ProofView,
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
    let unknown = || page(reader, Page::Unknown, &Signup::default(), &state.config.brand);
    let Some(token) = token else {
        return Err(unknown());
    };
    let hash = crate::crypto::tokens::hash(&token);
    let row = match state.store.token(&hash).await {
        Ok(Some(row)) if row.purpose == purpose => row,
        Ok(_) => return Err(unknown()),
        Err(e) => return Err(failed(reader, e)),
    };
    let lang = Lang::from_locale(&row.locale);
    let proof = match state.store.entry(row.entry_seq).await {
        Ok(Some(proof)) => proof,
        Ok(None) => return Err(page(lang, Page::Unknown, &Signup::default(), &state.config.brand)),
        Err(e) => return Err(failed(lang, e)),
    };
    let view = match links::proof_view(state.store.as_ref(), &proof).await {
        Ok(Some(view)) => view,
        // Erased by prune: the link leads nowhere any more.
        Ok(None) => return Err(page(lang, Page::Unknown, &Signup::default(), &state.config.brand)),
        Err(e) => return Err(failed(lang, e)),
    };
    Ok(Link {
        hash,
        row,
        lang,
        signup: match links::signup(state.store.as_ref(), &view).await {
            // Who the subscriber signed up with, as the mail and the
            // preference page name them: the shop's name when configured.
            Ok(mut signup) => {
                if let Some(name) = &state.config.brand.name {
                    signup.controller = Some(name.clone());
                }
                signup
            }
            Err(e) => return Err(failed(lang, e)),
        },
        proof,
        view,
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
    let which = links::ask_page(purpose, &link.row, Utc::now());
    page(link.lang, which, &link.signup, &state.config.brand)
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
        view,
        signup,
    } = link;
    let ip = client_network(state, peer, headers);
    let at = timestamp(Utc::now());
    let handoff = if state.handoff_to.is_empty() {
        None
    } else {
        let shown = match &proof.texts_sha256 {
            Some(sha) => match state.store.text(sha).await {
                Ok(shown) => shown,
                Err(e) => return failed(lang, e),
            },
            None => None,
        };
        let about = About {
            proof: &proof,
            shown: shown.as_deref(),
        };
        let change = match purpose {
            TokenPurpose::Confirm => about.confirmed(&at, Some(ip.clone())).map(|mut change| {
                // The sign-up's network, which its links remember.
                change.consent_ip = row.network.clone();
                change
            }),
            TokenPurpose::Unsubscribe => {
                about.withdrawn(&view.email_sending_ids(), Source::UnsubscribeLink, &at)
            }
            // The preference page records its withdrawals itself.
            TokenPurpose::Preferences => None,
        };
        handoff::to(change, &state.handoff_to)
    };
    let append = Append {
        entry: links::event(purpose, &row, &proof, &view, &at, ip),
        tokens: Vec::new(),
        consume: Some(hash),
        mail: None,
        // An unsubscribe also cancels the confirmation still waiting, and its mail.
        withdraws: (purpose == TokenPurpose::Unsubscribe).then_some(Withdraws::Seq(row.entry_seq)),
        held: None,
        starts: Vec::new(),
        handoff,
    };
    let outcome = match state.appender.append(append).await {
        Ok(outcome) => outcome,
        Err(e) => return failed(lang, e),
    };
    state.handed_off();
    page(lang, links::result_page(purpose, &outcome), &signup, &state.config.brand)
}

fn failed(lang: Lang, e: crate::store::StoreError) -> Response {
    tracing::error!(error = %e, "storage failed");
    unavailable(lang)
}
