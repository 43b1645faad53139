//! Facts about the page: its language, origin and address, and the record
//! context built from them.

use crate::prelude::*;

use crate::record::{self, Context};
use crate::text::cat;

use super::crypto;

/// The page's `<html lang>`, if set.
pub fn lang() -> Option<String> {
    let lang = web_sys::window()?.document()?.document_element()?.get_attribute("lang")?;
    (!lang.trim().is_empty()).then_some(lang)
}

/// The page's origin, e.g. `https://boutique.example`.
pub fn origin() -> String {
    web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default()
}

/// `url` made absolute against the page's origin.
pub fn absolute(url: &str) -> String {
    record::absolute(url, &origin())
}

/// The record context: origin, page (without query and fragment, which may
/// carry personal data), time, a fresh record id, and `prev`.
pub fn context(prev: Option<String>) -> Context {
    let origin = origin();
    let path = web_sys::window().and_then(|w| w.location().pathname().ok()).unwrap_or_default();
    Context {
        page: cat(&[&origin, &path]),
        origin,
        now_ms: js_sys::Date::now() as i64,
        id: record::uuid_v4(crypto::random16()),
        prev,
        widget: record::widget_build(),
    }
}
