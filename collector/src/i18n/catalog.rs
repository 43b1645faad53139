//! The collector's texts: one catalog per locale, `collector/catalogs/<tag>.json`
//! (one object, key to text), embedded in the binary.
//!
//! Looked up as the widget's are (`consent_form::i18n`): the exact tag, then
//! its language, then [`FALLBACK`], English; a key a catalog lacks is read
//! from English too. Placeholders (`{who}`, `{sender}`, ...) are filled in
//! one pass, by the widget's own `fill`: a value put in is never read again.

use std::collections::HashMap;
use std::sync::OnceLock;

/// The locale every other falls back to, and the one that defines the keys.
pub const FALLBACK: &str = "en";

/// `(tag, its file's JSON text)` for each tag given, from `collector/catalogs/`.
macro_rules! catalog_files {
    ($($tag:literal),*) => { [$(($tag, include_str!(concat!("../../catalogs/", $tag, ".json")))),*] };
}

/// Every catalog file's JSON text, by locale: the 24 official EU languages
/// and Norwegian Bokmål, as the widget's catalogs (`form/catalogs/`).
pub const FILES: [(&str, &str); 25] = catalog_files!(
    "bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "ga", "hr", "hu", "it", "lt", "lv", "mt", "nb", "nl", "pl",
    "pt", "ro", "sk", "sl", "sv"
);

/// The parsed catalogs, in [`FILES`] order.
fn parsed() -> &'static [HashMap<String, String>] {
    static PARSED: OnceLock<Vec<HashMap<String, String>>> = OnceLock::new();
    PARSED.get_or_init(|| {
        FILES
            .iter()
            .map(|(tag, text)| {
                serde_json::from_str(text)
                    .unwrap_or_else(|e| panic!("collector/catalogs/{tag}.json is not a catalog: {e}"))
            })
            .collect()
    })
}

/// The catalog of `tag`, a tag of [`FILES`].
pub fn catalog(tag: &str) -> Option<&'static HashMap<String, String>> {
    FILES.iter().position(|(t, _)| *t == tag).map(|i| &parsed()[i])
}

/// The tag of the catalog that serves `locale`: its exact tag, then its
/// language (`de-AT` → `de`, `pt_BR` → `pt`); `None` when none does.
pub fn serving(locale: &str) -> Option<&'static str> {
    let locale = consent_form::i18n::normalize(locale);
    let tags = FILES.iter().map(|(t, _)| (*t, *t));
    consent_form::i18n::pick(tags, &locale).filter(|_| !locale.is_empty())
}

/// The text of `key` in the catalog `tag`, else in English's; the key
/// itself if no catalog has it (a typo shows on the page, never a blank).
pub fn text(tag: &str, key: &'static str) -> &'static str {
    [tag, FALLBACK]
        .into_iter()
        .find_map(|t| catalog(t)?.get(key))
        .map_or(key, String::as_str)
}

/// `template` with each `{name}` of `vars` filled in, in one pass.
pub fn fill(template: &str, vars: &[(&str, &str)]) -> String {
    consent_form::text::fill(template, vars)
}
