//! Every configuration rule: each problem is reported, naming its field.



use consent_form::fixture::{config, problems, valid, with, without};
use consent_form::config::{Channel, PhoneMode, Regime};
use consent_form::value::build::{arr, obj, s};
use consent_form::value::Value;

fn purposes(items: Vec<Value>) -> Value {
    Value::Arr(items)
}

#[test]
fn a_valid_configuration_has_documented_defaults() {
    let c = config(valid());
    assert_eq!(c.regime, Regime::B2c);
    assert_eq!(c.phone, PhoneMode::Optional);
    assert_eq!(c.default_country.iso, "FR");
    assert!(c.double_opt_in);
    assert_eq!(c.form_id, "signup");
    assert_eq!(c.form_version, "1");
    assert_eq!(c.jurisdiction, "FR");
    assert_eq!(c.locale, None);
    assert_eq!(c.purposes[1].channel, Channel::Sms);
    let off = config(with(without(valid(), "phone"), "purposes", arr([obj([("id", s("n")), ("channel", s("email"))])])));
    assert_eq!(off.phone, PhoneMode::Off);
}

#[test]
fn a_pre_checked_purpose_is_refused() {
    let p = purposes(vec![obj([("id", s("newsletter")), ("channel", s("email")), ("checked", Value::Bool(true))])]);
    assert_eq!(problems(with(without(valid(), "phone"), "purposes", p)), [("purposes[0].checked".to_string(), "pre-checked")]);
}

#[test]
fn an_explicitly_unchecked_purpose_is_fine() {
    let p = purposes(vec![obj([("id", s("newsletter")), ("channel", s("email")), ("checked", Value::Bool(false))])]);
    config(with(without(valid(), "phone"), "purposes", p));
}

#[test]
fn the_privacy_url_is_required_and_http() {
    assert_eq!(problems(without(valid(), "privacyPolicyUrl")), [("privacyPolicyUrl".to_string(), "required")]);
    for bad in ["javascript:alert(1)", "mailto:dpo@x.fr", "ftp://x.fr/p", "//x.fr/p", "/\\evil.example/p", "https://x.fr\\@evil.example/", "https://", "https:// x.fr"] {
        let got = problems(with(valid(), "privacyPolicyUrl", s(bad)));
        assert_eq!(got.len(), 1, "{bad}");
        assert_eq!(got[0].0, "privacyPolicyUrl", "{bad}");
    }
    for good in ["https://x.fr/p", "http://127.0.0.1:8080/privacy", "/policies/privacy-policy", "https://[::1]:8443/p"] {
        config(with(valid(), "privacyPolicyUrl", s(good)));
    }
}

#[test]
fn duplicate_purpose_ids_are_refused() {
    let p = purposes(vec![
        obj([("id", s("news")), ("channel", s("email"))]),
        obj([("id", s("news")), ("channel", s("post"))]),
    ]);
    assert_eq!(problems(with(without(valid(), "phone"), "purposes", p)), [("purposes[1].id".to_string(), "duplicate")]);
}

#[test]
fn an_sms_purpose_needs_the_phone_field() {
    assert_eq!(problems(with(valid(), "phone", s("off"))), [("purposes[1].channel".to_string(), "needs-phone")]);
    assert_eq!(problems(without(valid(), "phone")), [("purposes[1].channel".to_string(), "needs-phone")]);
}

#[test]
fn a_malformed_endpoint_is_refused() {
    for bad in ["collector.example/v1", "htp://x", "", "https://x y"] {
        let got = problems(with(valid(), "endpoint", s(bad)));
        assert_eq!(got[0].0, "endpoint", "{bad}");
    }
    assert_eq!(problems(without(valid(), "endpoint")), [("endpoint".to_string(), "required")]);
    config(with(valid(), "endpoint", s("/v1/proofs")));
}

#[test]
fn an_unknown_locale_needs_texts() {
    assert_eq!(problems(with(valid(), "locale", s("ja"))), [("locale".to_string(), "unknown-locale")]);
    config(with(valid(), "locale", s("fr-CA")));
    config(with(valid(), "locale", s("EN-gb")));
}

#[test]
fn texts_for_a_new_locale_must_be_complete() {
    let partial = obj([("ja", obj([("submit", s("登録"))]))]);
    let got = problems(with(with(valid(), "locale", s("ja")), "texts", partial));
    assert_eq!(got, [("texts.ja".to_string(), "unknown-locale")]);
    let full = Value::Obj(vec![(
        "ja".into(),
        Value::Obj(consent_form::i18n::KEYS.iter().map(|k| ((*k).into(), s("x"))).collect()),
    )]);
    config(with(with(valid(), "locale", s("ja")), "texts", full));
}

#[test]
fn texts_keys_are_checked() {
    let t = obj([("fr", obj([("submitt", s("Go")), ("purpose.newsletter.label", s("la lettre"))]))]);
    assert_eq!(problems(with(valid(), "texts", t)), [("texts.fr.submitt".to_string(), "unknown-field")]);
}

#[test]
fn an_empty_purpose_list_is_refused() {
    assert_eq!(problems(with(valid(), "purposes", arr([]))), [("purposes".to_string(), "empty")]);
    assert_eq!(problems(without(valid(), "purposes")), [("purposes".to_string(), "required")]);
}

#[test]
fn every_problem_is_reported_at_once() {
    let bad = obj([
        ("endpoint", s("nope")),
        ("controller", obj([("name", s("X"))])),
        ("privacyPolicyUrl", s("javascript:void 0")),
        ("regime", s("b2x")),
        ("locale", s("xx")),
        ("phone", s("required")),
        ("defaultCountry", s("ZZ")),
        ("doubleOptIn", s("yes")),
        ("colour", s("red")),
        ("theme", obj([("accent", s("red; display:none")), ("glow", s("1"))])),
        (
            "purposes",
            arr([
                obj([("id", s("a b")), ("channel", s("fax")), ("checked", Value::Bool(true))]),
                obj([("channel", s("sms"))]),
            ]),
        ),
    ]);
    let fields: Vec<String> = problems(bad).into_iter().map(|(f, _)| f).collect();
    for expected in [
        "colour",
        "endpoint",
        "controller.contact",
        "privacyPolicyUrl",
        "regime",
        "purposes[0].id",
        "purposes[0].channel",
        "purposes[0].checked",
        "purposes[1].id",
        "phone",
        "defaultCountry",
        "doubleOptIn",
        "theme.accent",
        "theme.glow",
        "locale",
    ] {
        assert!(fields.iter().any(|f| f == expected), "{expected} missing from {fields:?}");
    }
}

#[test]
fn types_are_checked_and_named() {
    let got = problems(with(valid(), "controller", s("Boutique")));
    assert_eq!(got, [("controller".to_string(), "type")]);
    let got = problems(with(valid(), "purposes", obj([])));
    assert_eq!(got, [("purposes".to_string(), "type")]);
    let problem = consent_form::config::Config::from_value(&s("{}")).unwrap_err();
    assert_eq!(problem[0].message, "expected an object, got a string");
}

#[test]
fn regimes_headers_theme_and_labels_are_read() {
    let v = with(without(valid(), "phone"), "regime", s("softOptIn"));
    let v = with(v, "headers", obj([("X-Shop", s("demo"))]));
    let v = with(v, "theme", obj([("accent", s("#0a7"))]));
    let v = with(
        v,
        "purposes",
        arr([obj([("id", s("n")), ("channel", s("email")), ("label", obj([("fr", s("la lettre")), ("en", s("the letter"))]))])]),
    );
    let c = config(v);
    assert_eq!(c.regime, Regime::SoftOptIn);
    assert_eq!(c.headers, [("X-Shop".to_string(), "demo".to_string())]);
    assert_eq!(c.theme, [("--cw-accent".to_string(), "#0a7".to_string())]);
    assert_eq!(c.purposes[0].label.get("en-GB"), Some("the letter"));
    let bad = problems(with(valid(), "headers", obj([("Bad Header", s("x"))])));
    assert_eq!(bad, [("headers.Bad Header".to_string(), "invalid")]);
    let bad = problems(with(valid(), "headers", obj([("X-Token", s("a\r\nX-Evil: 1")), ("X-Name", s("Été"))])));
    assert_eq!(bad, [("headers.X-Token".to_string(), "invalid"), ("headers.X-Name".to_string(), "invalid")]);
}

#[test]
fn a_phone_field_needs_a_phone_purpose() {
    let p = arr([obj([("id", s("newsletter")), ("channel", s("email"))])]);
    assert_eq!(problems(with(valid(), "purposes", p)), [("phone".to_string(), "invalid")]);
}
