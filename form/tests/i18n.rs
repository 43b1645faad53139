//! Locale lookup: exact tag, then language, then `fallbackLocale` (English
//! by default) with a warning; `de_DE` read as `de-DE`. The catalogs
//! themselves are checked in catalogs.rs.

use consent_form::fixture::{config, problems, valid, with};
use consent_form::i18n::{builtin, choose, Texts, KEYS};
use consent_form::value::build::{obj, s};
use consent_form::value::Value;

const WARNING_XX: &str = "consent-widget: no texts for locale \"xx\" (no catalog, none in the configuration's texts): the form is shown in \"en\", the fallbackLocale";

#[test]
fn lookup_goes_exact_then_language_then_fallback() {
    let c = config(with(
        valid(),
        "texts",
        obj([("fr-CA", obj([("submit", s("M'abonner"))])), ("fr", obj([("submit", s("Je m'inscris"))]))]),
    ));
    assert_eq!(Texts::resolve(&c, Some("fr-CA")).get("submit"), "M'abonner");
    assert_eq!(Texts::resolve(&c, Some("fr-BE")).get("submit"), "Je m'inscris");
    assert_eq!(Texts::resolve(&c, Some("en-US")).get("submit"), "Subscribe");
    assert_eq!(Texts::resolve(&c, Some("de")).get("submit"), "Anmelden");
    assert_eq!(Texts::resolve(&c, Some("pt-BR")).locale(), "pt-BR", "a region takes its language's catalog");
    assert_eq!(Texts::resolve(&c, Some("pt-BR")).get("submit"), "Inscrever-me");
    assert_eq!(Texts::resolve(&c, Some("fr_FR")).locale(), "fr-FR", "recorded as BCP 47");
    let en = config(with(valid(), "locale", s("en")));
    assert_eq!(Texts::resolve(&en, Some("fr")).get("submit"), "Subscribe", "the configured locale wins over the page's");
}

#[test]
fn a_page_in_a_language_without_texts_gets_the_fallback_and_a_warning() {
    let c = config(valid());
    let choice = choose(&c, Some("xx"));
    assert_eq!((choice.locale.as_str(), choice.catalog), ("en", Some("en")));
    assert_eq!(choice.warning.as_deref(), Some(WARNING_XX));
    assert_eq!(Texts::resolve(&c, Some("xx")).get("submit"), "Subscribe");
    // No locale asked for at all is no surprise: English, silently.
    assert_eq!(choose(&c, None), consent_form::i18n::Choice { locale: "en".into(), catalog: Some("en"), warning: None });
    assert_eq!(choose(&c, Some("  ")).warning, None);
}

#[test]
fn the_configured_fallback_locale_is_used_and_named_in_the_warning() {
    let c = config(with(valid(), "fallbackLocale", s("fr")));
    let choice = choose(&c, Some("ja-JP"));
    assert_eq!((choice.locale.as_str(), choice.catalog), ("fr", Some("fr")));
    assert_eq!(
        choice.warning.as_deref(),
        Some("consent-widget: no texts for locale \"ja-JP\" (no catalog, none in the configuration's texts): the form is shown in \"fr\", the fallbackLocale")
    );
    assert_eq!(Texts::resolve(&c, Some("ja-JP")).get("submit"), "S’inscrire");
    assert_eq!(choose(&c, Some("de-AT")).warning, None, "a language with a catalog needs no fallback");
}

#[test]
fn an_unknown_locale_or_fallback_in_the_configuration_is_a_problem() {
    assert_eq!(problems(with(valid(), "locale", s("xx"))), [("locale".to_string(), "unknown-locale")]);
    assert_eq!(problems(with(valid(), "fallbackLocale", s("tlh"))), [("fallbackLocale".to_string(), "unknown-locale")]);
    assert_eq!(config(with(valid(), "locale", s("lv"))).locale.as_deref(), Some("lv"));
    assert_eq!(config(with(valid(), "fallbackLocale", s("nb-NO"))).fallback_locale.as_deref(), Some("nb-NO"));
}

#[test]
fn de_underscore_de_with_texts_under_it_shows_german_and_records_de_dash_de() {
    let c = config(with(with(valid(), "locale", s("de_DE")), "texts", obj([("de_DE", obj([("submit", s("Jetzt anmelden"))]))])));
    let choice = choose(&c, Some("fr"));
    assert_eq!((choice.locale.as_str(), choice.catalog, choice.warning), ("de-DE", Some("de"), None));
    let t = Texts::resolve(&c, None);
    assert_eq!(t.locale(), "de-DE");
    assert_eq!(t.get("submit"), "Jetzt anmelden", "the texts given under de_DE");
    assert_eq!(t.get("title"), builtin("de").unwrap().get("title").unwrap(), "the rest from the German catalog");
}

#[test]
fn a_locale_given_whole_in_texts_needs_no_catalog() {
    let all = Value::Obj(KEYS.iter().map(|k| ((*k).to_string(), s(&format!("ja:{k}")))).collect());
    let c = config(with(valid(), "texts", obj([("ja", all)])));
    let choice = choose(&c, Some("ja"));
    assert_eq!((choice.locale.as_str(), choice.catalog, choice.warning), ("ja", None, None));
    assert_eq!(Texts::resolve(&c, Some("ja")).get("submit"), "ja:submit");
}
