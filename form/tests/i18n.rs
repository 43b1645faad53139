//! i18n completeness and lookup order.



use consent_form::fixture::{config, valid, with};
use consent_form::i18n::{Texts, CATALOGS, KEYS};
use consent_form::value::build::{obj, s};

#[test]
fn every_catalog_has_exactly_the_keys() {
    for (locale, catalog) in CATALOGS {
        for key in KEYS {
            let count = catalog.iter().filter(|(k, _)| k == key).count();
            assert_eq!(count, 1, "{locale} has {count} entries for {key}");
        }
        for (key, text) in catalog {
            assert!(KEYS.contains(key), "{locale} has unknown key {key}");
            assert!(!text.trim().is_empty(), "{locale}.{key} is empty");
        }
    }
}

#[test]
fn catalogs_keep_their_placeholders() {
    let (_, fr) = CATALOGS[0];
    for (locale, catalog) in CATALOGS {
        for (key, text) in catalog {
            let other = fr.iter().find(|(k, _)| k == key).unwrap().1;
            for var in ["{label}", "{controller}", "{contact}"] {
                assert_eq!(text.contains(var), other.contains(var), "{locale}.{key} and fr disagree on {var}");
            }
        }
    }
}

#[test]
fn lookup_goes_exact_then_language_then_default() {
    let c = config(with(
        valid(),
        "texts",
        obj([("fr-CA", obj([("submit", s("M'abonner"))])), ("fr", obj([("submit", s("Je m'inscris"))]))]),
    ));
    assert_eq!(Texts::resolve(&c, Some("fr-CA")).get("submit"), "M'abonner");
    assert_eq!(Texts::resolve(&c, Some("fr-BE")).get("submit"), "Je m'inscris");
    assert_eq!(Texts::resolve(&c, Some("en-US")).get("submit"), "Subscribe");
    assert_eq!(Texts::resolve(&c, Some("de")).locale(), "fr");
    assert_eq!(Texts::resolve(&c, None).locale(), "fr");
    assert_eq!(Texts::resolve(&c, Some("fr_FR")).locale(), "fr-FR", "recorded as BCP 47");
    let en = config(with(valid(), "locale", s("en")));
    assert_eq!(Texts::resolve(&en, Some("fr")).get("submit"), "Subscribe");
}
