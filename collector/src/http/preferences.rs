//! `/v1/preferences`, the preference page a link in every mail leads to. A
//! GET shows each purpose's state now and a form; only the form's POST
//! changes anything (a mail scanner's GET withdraws nothing). The POST
//! withdraws what was ticked (`action=withdraw`, `purpose=<id>` each), or
//! mails a new link (`action=renew`), and says what changed.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Form;
use chrono::Utc;

use super::client::client_network;
use super::pages::{branded_page, page, unavailable};
use super::AppState;
use crate::flows::preferences::{self, Item};
use crate::i18n::html::escape;
use crate::i18n::lang::Lang;
use crate::i18n::pages::{Page, Signup};
use crate::i18n::preferences::state as state_words;
use crate::store::{timestamp, StoredEntry, TokenPurpose, TokenRow};

/// The `token` query parameter.
#[derive(serde::Deserialize)]
pub struct TokenQuery {
    token: Option<String>,
}

/// A preference token found, with its proof and subject.
struct Link {
    row: TokenRow,
    lang: Lang,
    proof: StoredEntry,
    subject: String,
    /// Who the subscriber signed up with: the registered controller.
    controller: String,
    expired: bool,
}

async fn find(state: &AppState, headers: &HeaderMap, token: Option<String>) -> Result<Link, Response> {
    let reader = Lang::from_accept_language(
        headers.get(axum::http::header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or_default(),
    );
    let unknown = |lang| page(lang, Page::Unknown, &Signup::default(), &state.config.brand);
    let Some(token) = token else { return Err(unknown(reader)) };
    let row = match state.store.token(&crate::crypto::tokens::hash(&token)).await {
        Ok(Some(row)) if row.purpose == TokenPurpose::Preferences => row,
        Ok(_) => return Err(unknown(reader)),
        Err(e) => return Err(failed(reader, e)),
    };
    let lang = Lang::from_locale(&row.locale);
    let proof = match state.store.entry(row.entry_seq).await {
        Ok(Some(proof)) if proof.body.is_some() && proof.subject.is_some() => proof,
        Ok(_) => return Err(unknown(lang)),
        Err(e) => return Err(failed(lang, e)),
    };
    let view = match crate::flows::links::proof_view(state.store.as_ref(), &proof).await {
        Ok(Some(view)) => view,
        Ok(None) => return Err(unknown(lang)),
        Err(e) => return Err(failed(lang, e)),
    };
    let expired = row.expires_at.as_deref().is_some_and(|e| e <= timestamp(Utc::now()).as_str());
    let subject = proof.subject.clone().unwrap_or_default();
    Ok(Link { row, lang, proof, subject, controller: view.controller, expired })
}

fn failed(lang: Lang, e: crate::store::StoreError) -> Response {
    tracing::error!(error = %e, "storage failed");
    unavailable(lang)
}

/// `m•••@example.org`: enough to recognise one's own address.
fn masked(email: &str) -> String {
    match email.rsplit_once('@') {
        Some((local, domain)) => format!("{}•••@{domain}", local.chars().next().unwrap_or('•')),
        None => "•••".into(),
    }
}

/// Who the subscriber signed up with: the shop's configured name, else the
/// registered controller.
fn who(state: &AppState, link: &Link) -> String {
    state.config.brand.name.clone().unwrap_or_else(|| link.controller.clone())
}

/// The page: what changed (if anything), each purpose now, and the form.
fn choices_page(state: &AppState, link: &Link, items: &[Item], status: StatusCode, notice: &str) -> Response {
    let lang = link.lang;
    let who = who(state, link);
    let mut body = notice.to_string();
    body.push_str(&format!(
        "<p>{}</p><h2>{}</h2><ul class=\"state\">",
        escape(&lang.say("prefs.intro", &[("who", &who), ("email", &masked(&link.subject))])),
        escape(lang.text("prefs.now"))
    ));
    for item in items {
        body.push_str(&format!(
            "<li id=\"state-{id}\" data-state=\"{state}\">{} — <em>{}</em></li>",
            escape(&item.label),
            escape(state_words(lang, &item.state)),
            id = escape(&item.id),
            state = escape(&item.state),
        ));
    }
    body.push_str("</ul>");
    let active: Vec<&Item> = items.iter().filter(|i| i.active()).collect();
    if active.is_empty() {
        body.push_str(&format!("<p>{}</p>", escape(&lang.say("prefs.nothing", &[("who", &who)]))));
    } else {
        // No action: the form posts to this very URL, token included.
        body.push_str(&format!(
            "<form method=\"post\"><input type=\"hidden\" name=\"action\" value=\"withdraw\">\
             <fieldset aria-describedby=\"hint\"><legend>{}</legend><p id=\"hint\">{}</p>",
            escape(lang.text("prefs.legend")),
            escape(lang.text("prefs.hint"))
        ));
        for item in active {
            body.push_str(&format!(
                "<label><input type=\"checkbox\" name=\"purpose\" value=\"{id}\" id=\"w-{id}\">{}</label>",
                escape(&item.label),
                id = escape(&item.id)
            ));
        }
        body.push_str(&format!("</fieldset><button type=\"submit\">{}</button></form>", escape(lang.text("prefs.submit"))));
    }
    if let Some(until) = link.row.expires_at.as_deref() {
        body.push_str(&format!("<p>{}</p>", escape(&lang.say("prefs.until", &[("date", until.get(..10).unwrap_or(until))]))));
    }
    branded_page(status, lang, lang.text("prefs.title"), &body, &state.config.brand)
}

/// The expired link's page, with the button that mails a new one.
fn expired_page(state: &AppState, link: &Link) -> Response {
    let lang = link.lang;
    let days = state.mail_links.preferences_days.to_string();
    let body = format!(
        "<p>{}</p><form method=\"post\"><input type=\"hidden\" name=\"action\" value=\"renew\">\
         <button type=\"submit\">{}</button></form>",
        escape(&lang.say("prefs.expired.intro", &[("days", &days)])),
        escape(lang.text("prefs.renew"))
    );
    branded_page(StatusCode::GONE, lang, lang.text("prefs.expired.title"), &body, &state.config.brand)
}

/// `GET`: each purpose now, and the form; changes nothing.
pub async fn show(State(state): State<Arc<AppState>>, headers: HeaderMap, Query(query): Query<TokenQuery>) -> Response {
    let link = match find(&state, &headers, query.token).await {
        Ok(link) => link,
        Err(page) => return page,
    };
    if link.expired {
        return expired_page(&state, &link);
    }
    match preferences::items(state.store.as_ref(), &link.subject).await {
        Ok(items) => choices_page(&state, &link, &items, StatusCode::OK, ""),
        Err(e) => failed(link.lang, e),
    }
}

/// `POST`: withdraws what was ticked, or mails a new link; says what changed.
pub async fn change(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Query(query): Query<TokenQuery>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let link = match find(&state, &headers, query.token).await {
        Ok(link) => link,
        Err(page) => return page,
    };
    let action = fields.iter().find(|(k, _)| k == "action").map(|(_, v)| v.as_str());
    if action == Some("renew") {
        return renew(&state, &link).await;
    }
    if link.expired {
        return expired_page(&state, &link);
    }
    let lang = link.lang;
    let ticked: Vec<String> = fields.into_iter().filter(|(k, _)| k == "purpose").map(|(_, v)| v).collect();
    if ticked.is_empty() {
        let notice = format!("<p class=\"error\" role=\"alert\">{}</p>", escape(lang.text("prefs.none_ticked")));
        return match preferences::items(state.store.as_ref(), &link.subject).await {
            Ok(items) => choices_page(&state, &link, &items, StatusCode::UNPROCESSABLE_ENTITY, &notice),
            Err(e) => failed(link.lang, e),
        };
    }
    let ip = client_network(&state, peer, &headers);
    let store = state.store.as_ref();
    let done = match preferences::withdraw(store, &state.appender, &link.subject, &ticked, Utc::now(), ip, &state.handoff_to).await {
        Ok(done) => done,
        Err(e) => return failed(link.lang, e),
    };
    state.handed_off();
    // What changed, then the state as it is after the change.
    let mut notice = format!("<div role=\"status\"><p>{}{}</p><ul>", escape(lang.text("prefs.done")), escape(lang.text("punct.colon")));
    for item in &done {
        notice.push_str(&format!("<li>{}</li>", escape(&item.label)));
    }
    notice.push_str("</ul></div>");
    if done.is_empty() {
        notice = String::new();
    }
    match preferences::items(store, &link.subject).await {
        Ok(items) => choices_page(&state, &link, &items, StatusCode::OK, &notice),
        Err(e) => failed(link.lang, e),
    }
}

/// Mails a new link to the subscriber of this link's proof, within the per-address limit.
async fn renew(state: &AppState, link: &Link) -> Response {
    let lang = link.lang;
    let say = |status, title: &str, text: &str| {
        branded_page(status, link.lang, title, &format!("<p>{}</p>", escape(text)), &state.config.brand)
    };
    let store = state.store.as_ref();
    // The hourly per-address mail limit, counted in the database.
    match crate::flows::limits::take_other(store, &state.config, &link.subject, Utc::now()).await {
        Ok(crate::flows::limits::Mail::Queued) => {}
        Ok(_) => return say(StatusCode::TOO_MANY_REQUESTS, lang.text("prefs.expired.title"), lang.text("prefs.limited")),
        Err(e) => return failed(link.lang, e),
    }
    let ttl = state.config.preferences_ttl;
    match preferences::renewal(store, &link.row, &link.proof, &state.mail_links, ttl, Utc::now()).await {
        // Not the proof's seq: the queue deletes the waiting row of the seq
        // it sent, and the proof's own confirmation may still be waiting.
        Ok(Some(mail)) => state.mail.send(-link.row.entry_seq, mail, None),
        Ok(None) => return page(link.lang, Page::Unknown, &Signup::default(), &state.config.brand),
        Err(e) => return failed(link.lang, e),
    }
    say(StatusCode::OK, lang.text("prefs.sent.title"), &lang.say("prefs.sent.intro", &[("email", &masked(&link.subject))]))
}
