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

/// Every catalog file's JSON text, by locale: the 24 official EU languages
/// and Norwegian Bokmål, as the widget's catalogs (`form/catalogs/`).
pub const FILES: [(&str, &str); 25] = [
    ("bg", include_str!("../../catalogs/bg.json")),
    ("cs", include_str!("../../catalogs/cs.json")),
    ("da", include_str!("../../catalogs/da.json")),
    ("de", include_str!("../../catalogs/de.json")),
    ("el", include_str!("../../catalogs/el.json")),
    ("en", include_str!("../../catalogs/en.json")),
    ("es", include_str!("../../catalogs/es.json")),
    ("et", include_str!("../../catalogs/et.json")),
    ("fi", include_str!("../../catalogs/fi.json")),
    ("fr", include_str!("../../catalogs/fr.json")),
    ("ga", include_str!("../../catalogs/ga.json")),
    ("hr", include_str!("../../catalogs/hr.json")),
    ("hu", include_str!("../../catalogs/hu.json")),
    ("it", include_str!("../../catalogs/it.json")),
    ("lt", include_str!("../../catalogs/lt.json")),
    ("lv", include_str!("../../catalogs/lv.json")),
    ("mt", include_str!("../../catalogs/mt.json")),
    ("nb", include_str!("../../catalogs/nb.json")),
    ("nl", include_str!("../../catalogs/nl.json")),
    ("pl", include_str!("../../catalogs/pl.json")),
    ("pt", include_str!("../../catalogs/pt.json")),
    ("ro", include_str!("../../catalogs/ro.json")),
    ("sk", include_str!("../../catalogs/sk.json")),
    ("sl", include_str!("../../catalogs/sl.json")),
    ("sv", include_str!("../../catalogs/sv.json")),
];

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
