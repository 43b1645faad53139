//! `GET /outbox`: the demo's mailbox, listing each message with its links.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};

use super::AppState;
use crate::config::MailConfig;
use crate::i18n::html::{escape, html};
use crate::i18n::lang::Lang;

/// Lists the outbox, newest first.
pub async fn page(State(state): State<Arc<AppState>>) -> Html<String> {
    let MailConfig::Outbox { dir, .. } = &state.config.mail else {
        return Html(html(
            Lang::En,
            "Outbox",
            "<p>Mail goes to an SMTP server, not to the outbox.</p>",
        ));
    };
    let items = crate::mail::outbox_items(dir).unwrap_or_default();
    let mut body = String::from("<p>Mail the collector would have sent, newest first.</p><ul>");
    for item in &items {
        body.push_str(&format!(
            "<li><strong>{}</strong> to {} — <a href=\"{}\">confirm</a> · <a href=\"{}\">unsubscribe</a> · <a href=\"/outbox/{}\"><code>{}</code></a></li>",
            escape(&item.subject),
            escape(&item.to),
            escape(&item.confirm_url),
            escape(&item.unsubscribe_url),
            escape(&item.file),
            escape(&item.file),
        ));
    }
    if items.is_empty() {
        body.push_str("<li>No mail yet.</li>");
    }
    body.push_str("</ul>");
    Html(html(Lang::En, "Outbox", &body))
}

/// `GET /outbox/{file}`: one message as a mail client would read it.
pub async fn message(State(state): State<Arc<AppState>>, Path(file): Path<String>) -> Response {
    let MailConfig::Outbox { dir, .. } = &state.config.mail else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let dir = dir.clone();
    match tokio::task::spawn_blocking(move || crate::mail::outbox_message(&dir, &file)).await {
        Ok(Some(message)) => ([(header::CONTENT_TYPE, "message/rfc822")], message).into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}
