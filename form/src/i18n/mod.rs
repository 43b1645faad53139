//! Text catalogs and locale lookup.
//!
//! Every user-visible string lives in a catalog and can be overridden per
//! locale through the configuration's `texts`. Each locale's catalog is a
//! data file, `form/catalogs/<tag>.json` (one object, key to text), so that
//! the widget need not carry any: the page fetches the one it shows and hands
//! its JSON text in ([`Catalog::parse`]). The collector and the tests read
//! them embedded (feature `embedded`, [`builtin`]).
//!
//! Lookup never surprises: the exact tag, then its language, then the
//! configuration's `fallbackLocale` (English by default), with a warning
//! saying so; `de_DE` is read as `de-DE`.

use crate::prelude::*;

use crate::config::Config;
use crate::text::cat;

/// The locales with a catalog: the 24 official EU languages and Norwegian
/// Bokmål, by their BCP 47 tags (the names of `form/catalogs/*.json`).
pub const LOCALES: [&str; 25] = [
    "bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "ga", "hr", "hu", "it", "lt", "lv", "mt", "nb", "nl", "pl",
    "pt", "ro", "sk", "sl", "sv",
];

/// The locale shown when the configuration names no `fallbackLocale` and
/// neither it nor the page names a locale something serves.
pub const FALLBACK_LOCALE: &str = "en";

/// Every text key. Each catalog has exactly these keys.
pub const KEYS: &[&str] = &[
    "title",
    "intro",
    "email.label",
    "required",
    "email.error.missing",
    "email.error.invalid",
    "phone.label",
    "phone.notice",
    "phone.notice.calls",
    "phone.error.invalid",
    "phone.error.mobile",
    "phone.error.needed",
    "purposes.legend",
    "purposes.legend.optout",
    "purposes.hint",
    "purposes.hint.optout",
    "purposes.error.none",
    "purpose.consent",
    "purpose.inform.b2b",
    "purpose.inform.softOptIn",
    "purpose.object",
    "channel.email.label",
    "channel.sms.label",
    "channel.phone.label",
    "channel.post.label",
    "channel.email.description",
    "channel.sms.description",
    "channel.phone.description",
    "channel.post.description",
    "doi.notice",
    "privacy.text",
    "privacy.rights",
    "privacy.link",
    "newtab",
    "submit",
    "status.pending",
    "status.sent",
    "status.sent.doi",
    "status.invalid",
    "status.queued",
    "status.later",
    "status.blocked",
    "status.rejected",
    "status.failed",
    "status.withdrawn",
    "manage.toggle",
    "manage.legend",
    "manage.hint",
    "purpose.withdraw",
    "manage.submit",
    "manage.error.none",
    "unavailable",
];

/// One locale's texts, one per [`KEYS`] entry, in that order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Catalog(Vec<String>);

impl Catalog {
    /// Reads a catalog as the page hands it in: a JSON array of strings,
    /// one per [`KEYS`] entry, in that order (the build writes it so from
    /// the catalog file: no key names on the wire). `None` for anything else.
    pub fn parse(text: &str) -> Option<Catalog> {
        let crate::value::Value::Arr(items) = crate::json::parse(text).ok()? else { return None };
        if items.len() != KEYS.len() {
            return None;
        }
        let mut out = Vec::with_capacity(items.len());
        // By reference, cloned: a consuming loop brings a drop of its own into the wasm.
        for item in &items {
            let crate::value::Value::Str(text) = item else { return None };
            out.push(text.clone());
        }
        Some(Catalog(out))
    }

    /// Reads a catalog file (`form/catalogs/<tag>.json`): one object with
    /// every key of [`KEYS`] as a string, and no other. `None` for anything else.
    pub fn from_file(text: &str) -> Option<Catalog> {
        let crate::value::Value::Obj(members) = crate::json::parse(text).ok()? else { return None };
        if members.len() != KEYS.len() {
            return None;
        }
        let mut out = Vec::with_capacity(KEYS.len());
        for key in KEYS {
            let (_, crate::value::Value::Str(text)) = members.iter().find(|(k, _)| k == key)? else { return None };
            out.push(text.clone());
        }
        Some(Catalog(out))
    }

    /// The text of `key`, if it is a text key.
    pub fn get(&self, key: &str) -> Option<&str> {
        KEYS.iter().position(|k| *k == key).and_then(|i| self.0.get(i)).map(String::as_str)
    }

    /// Every `(key, text)` pair, in [`KEYS`] order.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &str)> {
        KEYS.iter().copied().zip(self.0.iter().map(String::as_str))
    }
}

/// Every catalog file's JSON text, by locale (embedded in native builds only:
/// the widget fetches the one a page shows).
#[cfg(feature = "embedded")]
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

/// The catalog of a locale in [`LOCALES`], parsed once per process.
#[cfg(feature = "embedded")]
pub fn builtin(tag: &str) -> Option<&'static Catalog> {
    static PARSED: std::sync::OnceLock<Vec<Catalog>> = std::sync::OnceLock::new();
    let all = PARSED.get_or_init(|| {
        FILES.iter().map(|(tag, text)| Catalog::from_file(text).unwrap_or_else(|| panic!("form/catalogs/{tag}.json is not a catalog"))).collect()
    });
    FILES.iter().position(|(t, _)| *t == tag).map(|i| &all[i])
}

/// A tag as BCP 47 writes it: trimmed, `_` read as `-` (pages write `de_DE`).
pub fn normalize(tag: &str) -> String {
    // A split and a join, not `str::replace` (its pattern search) nor a
    // char map (its collection code): both cost the page bytes.
    crate::text::join(&crate::text::parts(tag.trim(), b'_'), "-")
}

/// Whether two tags are the same, whatever their case and separators.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).all(|(x, y)| x.eq_ignore_ascii_case(&y) || (x == b'_' && y == b'-') || (x == b'-' && y == b'_'))
}

/// Whether `key` is a text key.
pub fn is_key(key: &str) -> bool {
    KEYS.contains(&key)
}

/// The language subtag of a BCP 47 tag (`fr-CA` → `fr`).
fn language(tag: &str) -> &str {
    // A byte search, not a split on two chars: its searcher costs the wasm more.
    match crate::text::find_byte(tag, |b| b == b'-' || b == b'_', true) {
        Some(end) => tag.get(..end).unwrap_or(tag),
        None => tag,
    }
}

/// Whether `available` serves `wanted`: the same tag, or the same language.
pub fn matches(available: &str, wanted: &str) -> bool {
    same(available, wanted) || same(available, language(wanted))
}

/// Picks the entry for `locale` from `(tag, value)` pairs: exact tag, then language.
pub fn pick<'a>(entries: impl Iterator<Item = (&'a str, &'a str)> + Clone, locale: &str) -> Option<&'a str> {
    let lang = language(locale);
    let mut by_lang = None;
    for (tag, value) in entries {
        if same(tag, locale) {
            return Some(value);
        }
        if by_lang.is_none() && same(tag, lang) {
            by_lang = Some(value);
        }
    }
    by_lang
}

/// The locale of the catalog that serves `locale`, if any: its exact tag, or its language.
pub fn catalog_for(locale: &str) -> Option<&'static str> {
    let tag = locale.trim();
    for wanted in &[tag, language(tag)] {
        for l in &LOCALES {
            if same(l, wanted) {
                return Some(l);
            }
        }
    }
    None
}

/// The locale a form shows, and the catalog file it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// The BCP 47 tag shown, as the proof records it (`de-DE`).
    pub locale: String,
    /// The catalog to fetch, if a catalog serves it (a locale given whole in
    /// `texts` needs none).
    pub catalog: Option<&'static str>,
    /// Why the locale asked for is not the one shown, for the console and the
    /// merchant's eyes; `None` when it is.
    pub warning: Option<String>,
}

/// Whether `config` can show `tag`: a catalog or its own texts serve it.
pub fn serves(config: &Config, tag: &str) -> bool {
    catalog_for(tag).is_some() || config.texts.iter().any(|(l, _)| matches(l, tag))
}

/// The locale `config` shows on a page whose `<html lang>` is `page_lang`:
/// the configured locale, else the page's; the exact tag, then its
/// language; else the configuration's fallback, with a warning.
pub fn choose(config: &Config, page_lang: Option<&str>) -> Choice {
    let wanted = config.locale.as_deref().or(page_lang).map(normalize).filter(|t| !t.is_empty());
    let fallback = normalize(config.fallback_locale.as_deref().unwrap_or(FALLBACK_LOCALE));
    let warning = match wanted {
        Some(tag) if serves(config, &tag) => return Choice { catalog: catalog_for(&tag), locale: tag, warning: None },
        Some(tag) => Some(cat(&[
            "consent-widget: no texts for locale \"",
            &tag,
            "\" (no catalog, none in the configuration's texts): the form is shown in \"",
            &fallback,
            "\", the fallbackLocale",
        ])),
        None => None,
    };
    Choice { catalog: catalog_for(&fallback), locale: fallback, warning }
}

/// The override of `key` in `config.texts` for `locale`: exact tag, then language.
fn override_in<'a>(config: &'a Config, locale: &str, key: &str) -> Option<&'a str> {
    // The first table of the exact tag, then the first of the language.
    for wanted in &[locale, language(locale)] {
        if let Some((_, table)) = config.texts.iter().find(|(l, _)| same(l, wanted)) {
            if let Some((_, text)) = table.iter().find(|(k, _)| k == key) {
                return Some(text);
            }
        }
    }
    None
}

/// A purpose's own text in `locale` (`which`: `label` or `description`):
/// the `texts` override, then the purpose's configuration for the locale,
/// else for the fallback locale; `None` where the channel's default shows.
/// A text given for some languages thus never leaves another language to
/// the default, which another box may show too (see `config::distinct`).
pub fn own_text<'a>(config: &'a Config, p: &'a crate::config::Purpose, which: &str, locale: &str) -> Option<&'a str> {
    let given = if which == "label" { &p.label } else { &p.description };
    override_in(config, locale, &cat(&["purpose.", &p.id, ".", which]))
        .or_else(|| given.get(locale))
        .or_else(|| given.get(config.fallback_locale.as_deref().unwrap_or(FALLBACK_LOCALE)))
}

/// The texts of one configuration in one locale.
#[derive(Debug, Clone)]
pub struct Texts<'a> {
    config: &'a Config,
    locale: String,
    catalog: &'a Catalog,
}

impl<'a> Texts<'a> {
    /// The texts of `config` in `locale` (a [`Choice`]'s), from `catalog`,
    /// the file [`Choice::catalog`] named (empty for a locale given whole in
    /// `texts`).
    pub fn new(config: &'a Config, locale: &str, catalog: &'a Catalog) -> Texts<'a> {
        Texts { config, locale: normalize(locale), catalog }
    }

    /// The texts [`choose`] picks, from the embedded catalogs.
    #[cfg(feature = "embedded")]
    pub fn resolve(config: &'a Config, page_lang: Option<&str>) -> Texts<'a> {
        static EMPTY: Catalog = Catalog(Vec::new());
        let choice = choose(config, page_lang);
        let catalog = choice.catalog.and_then(builtin).unwrap_or(&EMPTY);
        Texts::new(config, &choice.locale, catalog)
    }

    /// The locale tag in use.
    pub fn locale(&self) -> &str {
        &self.locale
    }

    /// The override of `key`: exact tag, then language.
    fn override_of(&self, key: &str) -> Option<&'a str> {
        override_in(self.config, &self.locale, key)
    }

    /// The text for `key`: the merchant's override, else the catalog's.
    pub fn get(&self, key: &str) -> &'a str {
        if let Some(text) = self.override_of(key) {
            return text;
        }
        self.catalog.get(key).unwrap_or("")
    }

    /// `text` with the controller's `{controller}` and `{contact}` filled
    /// in, and `vars` too, in one pass: a value put in is never read again
    /// for placeholders (a shop named "{contact}" stays so named).
    pub fn fill(&self, text: &str, vars: &[(&str, &str)]) -> String {
        let c = &self.config.controller;
        let mut all = vec![("controller", c.name.as_str()), ("contact", c.contact.as_str())];
        all.extend_from_slice(vars);
        crate::text::fill(text, &all)
    }

    /// The text for `key`, with the controller filled in.
    pub fn say(&self, key: &str) -> String {
        self.fill(self.get(key), &[])
    }

    /// The text for `key`, with the controller and `vars` filled in, in one pass.
    pub fn say_with(&self, key: &str, vars: &[(&str, &str)]) -> String {
        self.fill(self.get(key), vars)
    }

    /// A purpose's own text (`which`: `label` or `description`, see
    /// [`own_text`]), else the channel's default; the controller filled in.
    pub fn purpose_text(&self, p: &crate::config::Purpose, which: &str) -> String {
        let text = match own_text(self.config, p, which, &self.locale) {
            Some(t) => t,
            None => self.get(&crate::text::cat(&["channel.", p.channel.as_str(), ".", which])),
        };
        self.say_raw(text)
    }

    /// `text` (not a key) with the controller filled in.
    fn say_raw(&self, text: &str) -> String {
        self.fill(text, &[])
    }


    /// An optional override of a purpose-specific key (`purpose.<id>.label`).
    pub fn get_override(&self, key: &str) -> Option<&'a str> {
        self.override_of(key)
    }
}
