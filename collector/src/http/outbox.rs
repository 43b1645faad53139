//! `GET /outbox`: the demo's mailbox, listing each message with its links.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use super::AppState;
use crate::config::MailConfig;
use super::pages::branded_page;
use crate::i18n::html::escape;
use crate::i18n::lang::Lang;

/// Lists the outbox, newest first, each mail's text as the subscriber reads
/// it (decoded, escaped), marked with the language it was written in.
pub async fn page(State(state): State<Arc<AppState>>) -> Response {
    let brand = crate::i18n::brand::Brand::default();
    let MailConfig::Outbox { dir, .. } = &state.config.mail else {
        let body = "<p>Mail goes to an SMTP server, not to the outbox.</p>";
        return branded_page(StatusCode::OK, Lang::EN, "Outbox", body, &brand);
    };
    let items = crate::mail::outbox_items(dir).unwrap_or_default();
    let mut body = String::from("<p>Mail the collector would have sent, newest first.</p><ul class=\"outbox\">");
    for item in &items {
        let link = |url: &str, label: &str| {
            if url.is_empty() {
                String::new()
            } else {
                format!(" · <a href=\"{}\">{label}</a>", escape(url))
            }
        };
        body.push_str(&format!(
            "<li><h2>{}</h2><p>to {}{}{}{} · <a href=\"/outbox/{}\"><code>{}</code></a></p>",
            escape(&item.subject),
            escape(&item.to),
            link(&item.confirm_url, "confirm"),
            link(&item.unsubscribe_url, "unsubscribe"),
            link(item.preferences_url.as_deref().unwrap_or_default(), "preferences"),
            escape(&item.file),
            escape(&item.file),
        ));
        if let Some(text) = &item.text {
            let lang = item.lang.as_deref().unwrap_or("en");
            body.push_str(&format!("<article lang=\"{}\"><pre>{}</pre></article>", escape(lang), escape(text)));
        }
        body.push_str("</li>");
    }
    if items.is_empty() {
        body.push_str("<li>No mail yet.</li>");
    }
    body.push_str("</ul>");
    branded_page(StatusCode::OK, Lang::EN, "Outbox", &body, &brand)
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
