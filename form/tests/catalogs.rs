//! The catalog files, form/catalogs/<locale>.json: one per locale of
//! `LOCALES`, each with every key and no other, every placeholder of the
//! English text, no empty text, and the glossary's words (docs/glossary.md).

use consent_form::i18n::{builtin, Catalog, FILES, KEYS, LOCALES};
use consent_form::value::Value;

fn placeholders(text: &str) -> Vec<&str> {
    let mut out: Vec<&str> = text.match_indices('{').filter_map(|(at, _)| text[at..].find('}').map(|end| &text[at..=at + end])).collect();
    out.sort_unstable();
    out.dedup();
    out
}

#[test]
fn there_is_one_file_per_locale_and_it_is_a_catalog() {
    assert_eq!(FILES.map(|(tag, _)| tag), LOCALES);
    let on_disk: Vec<String> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/catalogs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".json"))
        .map(|n| n.trim_end_matches(".json").to_string())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(on_disk, LOCALES, "form/catalogs/ holds exactly the locales of LOCALES");
    for tag in LOCALES {
        assert!(builtin(tag).is_some(), "{tag}: not a catalog");
    }
}

/// A catalog file's keys, in file order.
fn file_keys(text: &str) -> Vec<String> {
    let Ok(Value::Obj(members)) = consent_form::json::parse(text) else { panic!("not a JSON object") };
    members.into_iter().map(|(k, _)| k).collect()
}

#[test]
fn every_catalog_has_every_key_and_no_other() {
    for (tag, text) in FILES {
        let keys = file_keys(text);
        let missing: Vec<&&str> = KEYS.iter().filter(|k| !keys.iter().any(|g| g == *k)).collect();
        let extra: Vec<&String> = keys.iter().filter(|k| !KEYS.contains(&k.as_str())).collect();
        assert!(missing.is_empty() && extra.is_empty(), "{tag}: missing {missing:?}, not text keys {extra:?}");
        assert_eq!(keys.len(), KEYS.len(), "{tag}: a key given twice");
    }
    // The build sends the texts in the English file's key order, which the
    // core reads as KEYS order (scripts/catalogs.mjs).
    assert_eq!(file_keys(FILES[5].1), KEYS, "en.json lists the keys in KEYS order");
}

#[test]
fn every_translation_keeps_the_english_placeholders_and_no_text_is_empty() {
    let en = builtin("en").unwrap();
    for tag in LOCALES {
        let catalog = builtin(tag).unwrap();
        for (key, text) in catalog.entries() {
            assert!(!text.trim().is_empty(), "{tag}: {key} is empty");
            let want = placeholders(en.get(key).unwrap());
            assert_eq!(placeholders(text), want, "{tag}: {key} = {text:?}");
        }
    }
}

#[test]
fn the_page_hands_in_the_texts_in_keys_order_and_nothing_else_is_a_catalog() {
    let texts: Vec<String> = KEYS.iter().map(|k| format!("\"de:{k}\"")).collect();
    let wire = format!("[{}]", texts.join(","));
    let catalog = Catalog::parse(&wire).unwrap();
    assert_eq!(catalog.get("title"), Some("de:title"));
    assert_eq!(catalog.get("unavailable"), Some("de:unavailable"));
    assert_eq!(catalog.get("nope"), None);
    let short = format!("[{}]", texts[1..].join(","));
    for bad in ["", "[]", "null", r#"{"title": "x"}"#, &short, &wire.replacen("\"de:title\"", "1", 1)] {
        assert!(Catalog::parse(bad).is_none(), "{bad:?}");
    }
    assert!(Catalog::from_file(r#"{"title": "Hallo"}"#).is_none(), "a file must give every key");
}

/// docs/glossary.md's table: `(tag, privacy policy, stem of consent)`.
fn glossary() -> Vec<(String, String, String)> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/glossary.md")).unwrap();
    text.lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.trim().trim_matches('|').split('|').map(str::trim).collect();
            (cells.len() == 7 && LOCALES.contains(&cells[0])).then(|| (cells[0].into(), cells[5].into(), cells[6].into()))
        })
        .collect()
}

#[test]
fn every_catalog_uses_the_glossary_words() {
    let rows = glossary();
    assert_eq!(rows.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(), LOCALES, "one glossary row per locale, in order");
    for (tag, policy, stem) in rows {
        let catalog = builtin(&tag).unwrap();
        assert_eq!(catalog.get("privacy.link"), Some(policy.as_str()), "{tag}: the privacy link");
        for key in ["manage.legend", "manage.submit"] {
            let text = catalog.get(key).unwrap().to_lowercase();
            assert!(text.contains(&stem.to_lowercase()), "{tag}: {key} = {text:?} lacks the glossary's {stem:?}");
        }
    }
}
