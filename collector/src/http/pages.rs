//! The HTML pages the mailed links lead to, and the headers they are served with.

use std::sync::LazyLock;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::i18n::brand::Brand;
use crate::i18n::html::{branded, escape, html, style, PAGE_STYLE};
use crate::i18n::lang::Lang;
use crate::i18n::pages::{self, Page, Signup};

/// Nothing loads but the inline style (by its hash) and `data:` images (the
/// icon, the shop's logo); forms post only back here; no one may frame the
/// page (a framed button could be clicked by a trick).
pub fn csp(style: &str) -> HeaderValue {
    let style = consent_proof::base64::encode(&Sha256::digest(style.as_bytes()));
    HeaderValue::from_str(&format!(
        "default-src 'none'; style-src 'sha256-{style}'; img-src data:; form-action 'self'; \
         frame-ancestors 'none'; base-uri 'none'"
    ))
    .expect("csp is a header value")
}

/// The CSP of the unbranded pages.
static CSP: LazyLock<HeaderValue> = LazyLock::new(|| csp(PAGE_STYLE));

/// "Back to the shop", in `lang`.
pub fn back_label(lang: Lang, brand: &Brand) -> String {
    match &brand.name {
        Some(name) => lang.say("page.back.named", &[("shop", name)]),
        None => lang.text("page.back.shop").into(),
    }
}

/// A page carrying the shop's name, logo, accent and link back, with its status and headers.
pub fn branded_page(status: StatusCode, lang: Lang, title: &str, body: &str, brand: &Brand) -> Response {
    let html = branded(lang, title, body, brand, &back_label(lang, brand));
    let mut response = with_headers(status, lang, html);
    response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, csp(&style(brand)));
    response
}

/// A page, with its status and headers.
pub fn page(lang: Lang, which: Page, signup: &Signup, brand: &Brand) -> Response {
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
    branded_page(status, lang, &text.title, &body, brand)
}

/// The storage failed: a page saying to retry, in the reader's language.
pub fn unavailable(lang: Lang) -> Response {
    let (title, text) = (lang.text("page.unavailable.title"), lang.text("page.unavailable.intro"));
    with_headers(
        StatusCode::SERVICE_UNAVAILABLE,
        lang,
        html(lang, title, &format!("<p>{}</p>", escape(text))),
    )
}

fn with_headers(status: StatusCode, lang: Lang, html: String) -> Response {
    let mut response = (status, Html(html)).into_response();
    let headers = response.headers_mut();
    // The catalog's tag, as the page's `lang` attribute says.
    headers.insert(header::CONTENT_LANGUAGE, HeaderValue::from_static(lang.tag()));
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
