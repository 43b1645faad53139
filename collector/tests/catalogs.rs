//! The collector's catalog files, collector/catalogs/<locale>.json: one per
//! locale of the widget's (a new language is one file per side), each with
//! English's keys in English's order and no other, English's placeholders,
//! no empty text, and the glossary's words (docs/glossary.md).

use std::collections::BTreeSet;

use consent_collector::i18n::catalog::{catalog, FALLBACK, FILES};
use consent_form::i18n::LOCALES;

/// The `{name}` placeholders of a text, each once.
fn placeholders(text: &str) -> BTreeSet<&str> {
    text.match_indices('{')
        .filter_map(|(at, _)| text[at..].find('}').map(|end| &text[at..=at + end]))
        .collect()
}

/// A catalog file's keys, in file order (serde_json keeps it: preserve_order is off,
/// so the order is read from the text itself).
fn file_keys(text: &str) -> Vec<String> {
    let object: serde_json::Map<String, serde_json::Value> = serde_json::from_str(text).expect("a JSON object");
    let mut keys: Vec<(usize, String)> = object
        .keys()
        .map(|k| (text.find(&format!("\n \"{k}\":")).unwrap_or_else(|| panic!("{k}: one key a line")), k.clone()))
        .collect();
    keys.sort();
    keys.into_iter().map(|(_, k)| k).collect()
}

#[test]
fn there_is_one_file_per_locale_of_the_widget() {
    assert_eq!(FILES.map(|(tag, _)| tag), LOCALES, "the collector speaks the widget's languages");
    let on_disk: Vec<String> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/catalogs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter_map(|n| n.strip_suffix(".json").map(String::from))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(on_disk, LOCALES, "collector/catalogs/ holds exactly these locales");
    for tag in LOCALES {
        assert!(catalog(tag).is_some(), "{tag}: not a catalog");
    }
}

#[test]
fn every_catalog_has_englishs_keys_in_its_order_and_no_other() {
    let en = file_keys(FILES.iter().find(|(t, _)| *t == FALLBACK).unwrap().1);
    assert!(en.len() > 90, "English defines every key: {}", en.len());
    for (tag, text) in FILES {
        let keys = file_keys(text);
        let missing: Vec<&String> = en.iter().filter(|k| !keys.contains(k)).collect();
        let stray: Vec<&String> = keys.iter().filter(|k| !en.contains(k)).collect();
        assert!(missing.is_empty() && stray.is_empty(), "{tag}: missing {missing:?}, stray {stray:?}");
        assert_eq!(keys, en, "{tag}: the keys in English's order");
    }
}

#[test]
fn every_translation_keeps_the_english_placeholders_and_no_text_is_empty() {
    let en = catalog(FALLBACK).unwrap();
    for tag in LOCALES {
        for (key, text) in catalog(tag).unwrap() {
            assert!(!text.trim().is_empty(), "{tag}: {key} is empty");
            assert_eq!(placeholders(text), placeholders(&en[key]), "{tag}: {key} = {text:?}");
        }
    }
}

/// A locale's row of docs/glossary.md's table, cell by cell after the tag.
fn glossary_row(glossary: &str, tag: &str) -> Vec<String> {
    let row = glossary.lines().find_map(|l| l.strip_prefix(&format!("| {tag} |")));
    let row = row.unwrap_or_else(|| panic!("{tag}: no glossary row"));
    row.trim_end_matches(['|', ' ']).split('|').map(|c| c.trim().to_string()).collect()
}

#[test]
fn every_catalog_uses_the_glossary_words() {
    let glossary = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/glossary.md")).unwrap();
    for tag in LOCALES {
        // consent, withdraw, controller, personal data, privacy policy, stem
        let [_, _, _, _, policy, stem] = &glossary_row(&glossary, tag)[..] else { panic!("{tag}: not six cells") };
        let catalog = catalog(tag).unwrap();
        assert_eq!(&catalog["access.policy"], policy, "{tag}: the privacy policy");
        for key in ["prefs.legend", "prefs.none_ticked", "access.rights"] {
            let text = catalog[key].to_lowercase();
            assert!(text.contains(&stem.to_lowercase()), "{tag}: {key} = {text:?} lacks the glossary's {stem:?}");
        }
    }
}
