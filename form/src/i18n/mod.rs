//! Text catalogs (one file per locale) and locale lookup.
//!
//! Every user-visible string lives in a catalog and can be overridden per
//! locale through the configuration's `texts`. Lookup goes exact tag, then
//! language, then the default locale.

use crate::prelude::*;

mod en;
mod fr;

use crate::config::Config;

/// The locale used when neither the configuration nor the page names one.
pub const DEFAULT_LOCALE: &str = "fr";

/// Every text key. Each built-in catalog has exactly these keys.
pub const KEYS: &[&str] = &[
    "title",
    "intro",
    "email.label",
    "required",
    "email.error.missing",
    "email.error.invalid",
    "phone.label",
    "phone.notice",
    "phone.error.invalid",
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
    "privacy.link",
    "newtab",
    "submit",
    "status.pending",
    "status.sent",
    "status.sent.doi",
    "status.invalid",
    "status.queued",
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

/// A catalog: `(key, text)` pairs.
pub type Catalog = &'static [(&'static str, &'static str)];

/// The built-in catalogs by language.
pub const CATALOGS: [(&str, Catalog); 2] = [("fr", fr::CATALOG), ("en", en::CATALOG)];

/// Whether `key` is a text key.
pub fn is_key(key: &str) -> bool {
    KEYS.contains(&key)
}

/// The language subtag of a BCP 47 tag (`fr-CA` → `fr`).
fn language(tag: &str) -> &str {
    tag.split(['-', '_']).next().unwrap_or(tag)
}

/// Whether `available` serves `wanted`: the same tag, or the same language.
pub fn matches(available: &str, wanted: &str) -> bool {
    available.eq_ignore_ascii_case(wanted) || available.eq_ignore_ascii_case(language(wanted))
}

/// Picks the entry for `locale` from `(tag, value)` pairs: exact tag, then language.
pub fn pick<'a>(entries: impl Iterator<Item = (&'a str, &'a str)> + Clone, locale: &str) -> Option<&'a str> {
    let lang = language(locale);
    let mut by_lang = None;
    for (tag, value) in entries {
        if tag.eq_ignore_ascii_case(locale) {
            return Some(value);
        }
        if by_lang.is_none() && tag.eq_ignore_ascii_case(lang) {
            by_lang = Some(value);
        }
    }
    by_lang
}

/// The built-in catalog serving `locale`, if any.
pub fn catalog_for(locale: &str) -> Option<Catalog> {
    CATALOGS.iter().find(|(l, _)| matches(l, locale)).map(|(_, c)| *c)
}

/// The texts of one configuration in one locale.
#[derive(Debug, Clone)]
pub struct Texts<'a> {
    config: &'a Config,
    locale: String,
    catalog: Catalog,
}

impl<'a> Texts<'a> {
    /// Resolves the locale: the configured one, then the page's, then the
    /// default; the first that a catalog or the configuration's texts serve.
    pub fn resolve(config: &'a Config, page_lang: Option<&str>) -> Texts<'a> {
        let candidates = [config.locale.as_deref(), page_lang, Some(DEFAULT_LOCALE)];
        for tag in candidates.into_iter().flatten() {
            let tag = tag.trim();
            let catalog = catalog_for(tag);
            let given = config.texts.iter().any(|(l, _)| matches(l, tag));
            if catalog.is_some() || given {
                // A locale served only by `texts` is complete there; the
                // default catalog is never shown through it.
                let catalog = catalog.unwrap_or(fr::CATALOG);
                // Pages write `fr_FR` too; the proof records BCP 47 (`fr-FR`).
                return Texts { config, locale: tag.replace('_', "-"), catalog };
            }
        }
        Texts { config, locale: DEFAULT_LOCALE.into(), catalog: fr::CATALOG }
    }

    /// The locale tag in use.
    pub fn locale(&self) -> &str {
        &self.locale
    }

    /// The override of `key`: exact tag, then language.
    fn override_of(&self, key: &str) -> Option<&'a str> {
        let tables = self.config.texts.iter().map(|(l, t)| (l.as_str(), t));
        let lang = language(&self.locale);
        let exact = tables.clone().find(|(l, _)| l.eq_ignore_ascii_case(&self.locale));
        let by_lang = tables.clone().find(|(l, _)| l.eq_ignore_ascii_case(lang));
        [exact, by_lang]
            .into_iter()
            .flatten()
            .find_map(|(_, t)| t.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str()))
    }

    /// The text for `key`: the merchant's override, else the catalog's.
    pub fn get(&self, key: &str) -> &'a str {
        if let Some(text) = self.override_of(key) {
            return text;
        }
        self.catalog.iter().find(|(k, _)| *k == key).map(|(_, v)| *v).unwrap_or("")
    }

    /// `text` with the controller's `{controller}` and `{contact}` filled in.
    pub fn with_controller(&self, text: &str) -> String {
        let c = &self.config.controller;
        crate::text::fill(text, &[("controller", &c.name), ("contact", &c.contact)])
    }

    /// The text for `key`, with the controller filled in.
    pub fn say(&self, key: &str) -> String {
        self.with_controller(self.get(key))
    }

    /// An optional override of a purpose-specific key (`purpose.<id>.label`).
    pub fn get_override(&self, key: &str) -> Option<&'a str> {
        self.override_of(key)
    }
}
