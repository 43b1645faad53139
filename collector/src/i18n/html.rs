//! The pages' HTML shell: one inline style, escaped text.

use super::brand::Brand;
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

/// How the shop's header and the link back sit on a branded page.
const BRAND_STYLE: &str = ".shop{padding:.75rem 1rem;border-radius:.5rem;font-weight:600}\
.shop a{display:flex;align-items:center;gap:.75rem;text-decoration:none}\
.shop img{max-height:48px;width:auto}footer{margin-top:2.5rem}\
ul.state{padding-left:1.2rem}.state em{font-style:normal;font-weight:600}\
fieldset{border:1px solid #767676;border-radius:.5rem;margin:1rem 0}\
label{display:block;margin:.5rem 0}input[type=checkbox]{width:1.2rem;height:1.2rem;margin-right:.5rem}\
.error{color:#b00020;font-weight:600}\
article pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f4f4f4;padding:1rem;border-radius:.5rem}";

/// The one style sheet of a branded page (its CSP allows it by its hash).
pub fn style(brand: &Brand) -> String {
    format!("{PAGE_STYLE}{BRAND_STYLE}{}", brand.style())
}

/// A self-contained page that carries the shop's header (name, logo, accent)
/// and, at its foot, the link back to the shop labelled `back`.
pub fn branded(lang: Lang, title: &str, body_html: &str, brand: &Brand, back: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <link rel=\"icon\" href=\"data:,\"><title>{t}</title>\
         <style>{style}</style></head>\
         <body>{header}<main><h1>{t}</h1>{body_html}</main>{footer}</body></html>\n",
        lang.tag(),
        t = escape(title),
        style = style(brand),
        header = brand.header_html(),
        footer = brand.footer_html(back),
    )
}

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
