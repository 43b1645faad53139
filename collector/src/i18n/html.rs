//! The pages' HTML shell: one inline style, escaped text.

use super::lang::Lang;

/// Escapes text for HTML.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// The pages' only style sheet, inline; the CSP allows it by its hash.
pub const PAGE_STYLE: &str =
    "body{font:1.1rem/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}\
button{font:inherit;padding:.6rem 1.2rem;min-height:44px;cursor:pointer}";

/// A minimal, self-contained HTML page.
pub fn html(lang: Lang, title: &str, body_html: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <link rel=\"icon\" href=\"data:,\"><title>{t}</title>\
         <style>{PAGE_STYLE}</style></head>\
         <body><main><h1>{t}</h1>{body_html}</main></body></html>\n",
        lang.tag(),
        t = escape(title),
    )
}
