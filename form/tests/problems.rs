//! The problems' sentences (`form/problems.json`): one per `Says`, in its
//! order, each reached by some configuration and filled with exactly the
//! values it names; the codes the JS types document are those the sentences
//! tell.

use std::collections::BTreeSet;

use consent_form::config::{sentence, Config, Problem, Says, PROBLEMS_FILE};
use consent_form::fixture::{valid, with, without};
use consent_form::value::build::{arr, obj, s};
use consent_form::value::Value;

/// The `{names}` a sentence fills in.
fn placeholders(text: &str) -> BTreeSet<String> {
    text.split('{').skip(1).filter_map(|rest| rest.split_once('}')).map(|(name, _)| name.to_string()).collect()
}

fn email(id: &str) -> Value {
    obj([("id", s(id)), ("channel", s("email"))])
}

/// `valid()` with its first purpose (the newsletter) given `member` too.
fn newsletter_with(member: (&str, Value)) -> Value {
    let mut first = email("newsletter");
    if let Value::Obj(m) = &mut first {
        m.push((member.0.into(), member.1));
    }
    with(valid(), "purposes", arr([first, obj([("id", s("sms")), ("channel", s("sms"))])]))
}

/// One configuration for each sentence, and the sentence it must get.
fn cases() -> Vec<(Says, Result<Config, Vec<Problem>>)> {
    let off = with(valid(), "phone", s("off"));
    let c = |v: Value| Config::from_value(&v);
    vec![
        (Says::Required, c(without(valid(), "endpoint"))),
        (Says::RequiredEmpty, c(with(valid(), "endpoint", s("  ")))),
        (Says::RequiredController, c(without(valid(), "controller"))),
        (Says::RequiredPurposes, c(without(valid(), "purposes"))),
        (Says::TypeString, c(with(valid(), "formId", Value::Bool(true)))),
        (Says::TypeBoolean, c(with(valid(), "doubleOptIn", s("yes")))),
        (Says::TypeObject, c(with(valid(), "controller", s("Boutique")))),
        (Says::TypeArray, c(with(valid(), "purposes", obj([])))),
        (Says::TypeLocalized, c(newsletter_with(("label", Value::Num)))),
        (Says::TypeTexts, c(with(valid(), "texts", s("fr")))),
        (Says::TypeStrings, c(with(valid(), "texts", obj([("fr", s("Go"))])))),
        (Says::TypeJson, Config::from_json("{\"endpoint\": ")),
        (Says::Unknown, c(with(valid(), "colour", s("red")))),
        (Says::UnknownText, c(with(valid(), "texts", obj([("fr", obj([("submitt", s("Go"))]))])))),
        (Says::UnknownTheme, c(with(valid(), "theme", obj([("glow", s("1"))])))),
        (Says::InvalidId, c(newsletter_with(("id", s("a b"))))),
        (Says::InvalidChoice, c(with(valid(), "regime", s("b2x")))),
        (Says::InvalidHeaderName, c(with(valid(), "headers", obj([("Bad Header", s("x"))])))),
        (Says::InvalidHeaderValue, c(with(valid(), "headers", obj([("X-Name", s("Été"))])))),
        (Says::InvalidJurisdiction, c(with(valid(), "jurisdiction", s("fr")))),
        (Says::InvalidCountry, c(with(valid(), "defaultCountry", s("ZZ")))),
        (Says::InvalidPhoneUnused, c(with(valid(), "purposes", arr([email("newsletter")])))),
        (Says::InvalidControl, c(with(valid(), "formVersion", s("1\u{7}")))),
        (Says::InvalidCss, c(with(valid(), "theme", obj([("accent", s("red; display:none"))])))),
        (Says::PreChecked, c(newsletter_with(("checked", Value::Bool(true))))),
        (Says::NotHttpSpace, c(with(valid(), "endpoint", s("https://x y")))),
        (Says::NotHttpBackslash, c(with(valid(), "endpoint", s("/\\evil.example/p")))),
        (Says::NotHttpScheme, c(with(valid(), "endpoint", s("ftp://x.fr/p")))),
        (Says::NotHttpPort, c(with(valid(), "endpoint", s("https://x.fr:8o/p")))),
        (Says::NotHttpHost, c(with(valid(), "endpoint", s("https://")))),
        (Says::DuplicateId, c(with(off.clone(), "purposes", arr([email("news"), obj([("id", s("news")), ("channel", s("post"))])])))),
        (Says::DuplicateLabel, c(with(off.clone(), "purposes", arr([email("newsletter"), email("partners")])))),
        (Says::NeedsPhone, c(off)),
        (Says::Empty, c(with(valid(), "purposes", arr([])))),
        (Says::UnknownLocaleTexts, c(with(with(valid(), "locale", s("ja")), "texts", obj([("ja", obj([("submit", s("登録"))]))])))),
        (Says::UnknownLocale, c(with(valid(), "locale", s("ja")))),
    ]
}

#[test]
fn the_file_has_one_sentence_per_variant_named_so_and_in_order() {
    let Ok(Value::Obj(members)) = consent_form::json::parse(PROBLEMS_FILE) else { panic!("form/problems.json is not an object") };
    let names: Vec<&str> = members.iter().map(|(k, _)| k.as_str()).collect();
    let variants: Vec<String> = Says::ALL.iter().map(|says| format!("{says:?}")).collect();
    assert_eq!(names, variants, "the build ships the sentences in the file's order; the wasm names them by that number");
    for (i, says) in Says::ALL.iter().enumerate() {
        assert_eq!(*says as usize, i, "{says:?}: the number the page looks it up by");
        let text = sentence(*says);
        assert!(!text.is_empty() && text.starts_with(|c: char| c.is_ascii_lowercase()), "{says:?}: a lowercase sentence, not {text:?}");
    }
}

#[test]
fn every_sentence_is_reached_and_filled_with_exactly_what_it_names() {
    let mut reached = BTreeSet::new();
    for (says, got) in cases() {
        let problems = got.expect_err(&format!("{says:?}: the configuration was accepted"));
        let p = problems.iter().find(|p| p.says == says).unwrap_or_else(|| panic!("{says:?} not among {problems:?}"));
        let named: BTreeSet<String> = p.args.iter().map(|(k, _)| k.to_string()).collect();
        assert_eq!(named, placeholders(sentence(says)), "{says:?}: the values given are those the sentence names");
        assert!(!p.message().contains('{'), "{says:?}: {}", p.message());
        reached.insert(format!("{says:?}"));
    }
    let all: BTreeSet<String> = Says::ALL.iter().map(|says| format!("{says:?}")).collect();
    assert_eq!(reached, all, "every sentence has a configuration that gets it");
}

#[test]
fn sentences_read_as_before_with_their_values() {
    let one = |says: Says| cases().into_iter().find(|(s, _)| *s == says).unwrap().1.unwrap_err();
    let first = |says: Says| one(says).into_iter().find(|p| p.says == says).unwrap();
    assert_eq!(first(Says::TypeJson).line(), "(config): is not valid JSON (at byte 13)");
    assert_eq!(first(Says::TypeLocalized).message(), "expected a non-empty string or an object of strings per locale, got a number");
    assert_eq!(first(Says::InvalidChoice).line(), "regime: must be one of b2c, b2b, softOptIn");
    let fax = Config::from_value(&newsletter_with(("channel", s("fax")))).unwrap_err();
    assert_eq!(fax.iter().map(Problem::line).collect::<Vec<_>>(), ["purposes[0].channel: must be one of email, sms, phone, post"]);
    let phone = Config::from_value(&with(valid(), "phone", s("required"))).unwrap_err();
    assert_eq!(phone[0].line(), "phone: must be one of off, optional");
    assert_eq!(first(Says::UnknownLocaleTexts).field, "texts.ja");
    let missing: Vec<&str> = consent_form::i18n::KEYS.iter().copied().filter(|k| *k != "submit").collect();
    assert!(first(Says::UnknownLocaleTexts).message().ends_with(&format!("so it must give every text; missing: {}", missing.join(", "))));
    assert!(first(Says::UnknownLocale).message().starts_with("has no catalog (bg, cs, da, de, el, en, "), "{}", first(Says::UnknownLocale).message());
    assert_eq!(
        first(Says::DuplicateLabel).line(),
        "purposes[1].label: reads the same as purposes[0] (\"newsletter\") in some language (the same text, or both the channel's default): give each purpose a label of its own"
    );
}

#[test]
fn the_codes_the_types_document_are_those_the_sentences_tell() {
    let dts = include_str!("../../src/web/js/index.d.ts");
    let line = dts.lines().find(|l| l.trim_start().starts_with("code: \"required\"")).expect("ConfigProblemCode's code union");
    let documented: BTreeSet<&str> = line.split('"').skip(1).step_by(2).collect();
    let told: BTreeSet<&str> = Says::ALL.iter().map(|says| says.code().as_str()).collect();
    assert_eq!(documented, told);
}
