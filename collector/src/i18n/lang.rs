//! The language a page or a mail is in: the catalog chosen for a locale or an
//! `Accept-Language` header, and its texts.

use super::catalog;

/// The locale of a catalog (`de`, `el`, ...): what the collector speaks to
/// one reader. Chosen by [`Lang::from_locale`] or [`Lang::from_accept_language`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lang(&'static str);

impl Lang {
    /// English, the fallback.
    pub const EN: Lang = Lang(catalog::FALLBACK);
    /// French.
    pub const FR: Lang = Lang("fr");

    /// For a BCP 47 tag such as `de-AT` (or `de_AT`): its exact tag, then its
    /// language, then English.
    pub fn from_locale(locale: &str) -> Self {
        Lang(catalog::serving(locale).unwrap_or(catalog::FALLBACK))
    }

    /// The preferred served language of an `Accept-Language` header, by
    /// weight (the first of equal weights, as listed); English when it names
    /// none the collector has a catalog for.
    pub fn from_accept_language(header: &str) -> Self {
        let mut best: Option<(f32, &'static str)> = None;
        for item in header.split(',') {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or_default().trim();
            let weight = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let Some(served) = catalog::serving(tag) else { continue };
            if weight > 0.0 && best.map_or(true, |(w, _)| weight > w) {
                best = Some((weight, served));
            }
        }
        Lang(best.map_or(catalog::FALLBACK, |(_, tag)| tag))
    }

    /// The catalog's tag: the `lang` attribute and `Content-Language` value.
    pub fn tag(self) -> &'static str {
        self.0
    }

    /// The text of `key` in this language (English where the catalog lacks it).
    pub fn text(self, key: &'static str) -> &'static str {
        catalog::text(self.0, key)
    }

    /// The text of `key` with `vars` filled in, in one pass.
    pub fn say(self, key: &'static str, vars: &[(&str, &str)]) -> String {
        catalog::fill(self.text(key), vars)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_from_accept_language() {
        assert_eq!(Lang::from_accept_language("en-US,en;q=0.9"), Lang::EN);
        assert_eq!(Lang::from_accept_language("de-DE, en;q=0.5, fr;q=0.4").tag(), "de");
        assert_eq!(Lang::from_accept_language("en;q=0.3, fr-CA;q=0.8"), Lang::FR);
        // A language with no catalog is skipped for the next one served.
        assert_eq!(Lang::from_accept_language("ja, el;q=0.7, en;q=0.6").tag(), "el");
        // Equal weights: the first listed.
        assert_eq!(Lang::from_accept_language("pl, cs").tag(), "pl");
        // Nothing served, refused, or empty: the fallback.
        assert_eq!(Lang::from_accept_language("ja, zh;q=0.5"), Lang::EN);
        assert_eq!(Lang::from_accept_language("de;q=0"), Lang::EN);
        assert_eq!(Lang::from_accept_language(""), Lang::EN);
        assert_eq!(Lang::from_accept_language("*"), Lang::EN);
    }

    #[test]
    fn language_from_locale_exact_then_language_then_english() {
        assert_eq!(Lang::from_locale("fr"), Lang::FR);
        assert_eq!(Lang::from_locale("fr-BE"), Lang::FR);
        assert_eq!(Lang::from_locale("FR"), Lang::FR);
        assert_eq!(Lang::from_locale("de_AT").tag(), "de");
        assert_eq!(Lang::from_locale("nb-NO").tag(), "nb");
        assert_eq!(Lang::from_locale("el").tag(), "el");
        // Not a tag of ours, nor a language of one: English.
        assert_eq!(Lang::from_locale("fra"), Lang::EN);
        assert_eq!(Lang::from_locale("ja-JP"), Lang::EN);
        assert_eq!(Lang::from_locale(""), Lang::EN);
    }

    #[test]
    fn texts_come_from_the_language_then_english_and_fill_once() {
        assert_eq!(Lang::from_locale("de").text("page.unknown.title"), "Unbekannter Link");
        assert_eq!(Lang::from_locale("el-GR").text("page.unknown.title"), "Άγνωστος σύνδεσμος");
        assert_eq!(Lang::from_locale("ja").text("page.unknown.title"), "Unknown link");
        // A key no catalog has shows as itself, never as a blank.
        assert_eq!(Lang::FR.text("page.no.such.key"), "page.no.such.key");
        // One pass: a value that looks like a placeholder stays as given.
        assert_eq!(
            Lang::EN.say("page.back.named", &[("shop", "{shop} & co")]),
            "Back to {shop} & co"
        );
    }
}
