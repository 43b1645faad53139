//! The HTML pages the mailed links lead to, and the headers they are served with.

use std::sync::LazyLock;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use base64::Engine;
use sha2::{Digest, Sha256};

use crate::i18n::html::{escape, html, PAGE_STYLE};
use crate::i18n::lang::Lang;
use crate::i18n::pages::{self, Page, Signup};

/// Nothing loads but the inline style (by its hash) and the `data:` icon; the
/// form posts only back here; no one may frame the page (a framed button
/// could be clicked by a trick).
static CSP: LazyLock<HeaderValue> = LazyLock::new(|| {
    let style =
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(PAGE_STYLE.as_bytes()));
    HeaderValue::from_str(&format!(
        "default-src 'none'; style-src 'sha256-{style}'; img-src data:; form-action 'self'; \
         frame-ancestors 'none'; base-uri 'none'"
    ))
    .expect("csp is a header value")
});

/// A page, with its status and headers.
pub fn page(lang: Lang, which: Page, signup: &Signup) -> Response {
    let status = match which {
        Page::ConfirmAsk
        | Page::Confirmed
        | Page::AlreadyConfirmed
        | Page::Withdrawn
        | Page::UnsubscribeAsk
        | Page::Unsubscribed
        | Page::AlreadyUnsubscribed => StatusCode::OK,
        Page::Expired => StatusCode::GONE,
        Page::Unknown => StatusCode::NOT_FOUND,
    };
    let text = pages::page(lang, which, signup);
    let mut body = format!("<p>{}</p>", escape(&text.intro));
    if !text.list.is_empty() {
        body.push_str("<ul>");
        for item in &text.list {
            body.push_str(&format!("<li>{}</li>", escape(item)));
        }
        body.push_str("</ul>");
    }
    if let Some(outro) = &text.outro {
        body.push_str(&format!("<p>{}</p>", escape(outro)));
    }
    if let Some(button) = &text.button {
        // No action: the form posts to this very URL, token included. A
        // prefetching scanner GETs; only a person presses the button.
        body.push_str(&format!(
            "<form method=\"post\"><button type=\"submit\">{}</button></form>",
            escape(button)
        ));
    }
    with_headers(status, html(lang, &text.title, &body))
}

/// The storage failed: a page saying to retry, in the reader's language.
pub fn unavailable(lang: Lang) -> Response {
    let (title, text) = match lang {
        Lang::Fr => ("Service indisponible", "Réessayez dans un instant."),
        Lang::En => ("Unavailable", "Please retry in a moment."),
    };
    with_headers(
        StatusCode::SERVICE_UNAVAILABLE,
        html(lang, title, &format!("<p>{text}</p>")),
    )
}

fn with_headers(status: StatusCode, html: String) -> Response {
    let mut response = (status, Html(html)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, CSP.clone());
    // The URL holds the token: never send it on, never keep the page.
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}
