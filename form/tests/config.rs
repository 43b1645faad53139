//! Every configuration rule: each problem is reported, naming its field.



use consent_form::fixture::{config, problems, valid, with, without};
use consent_form::config::{Channel, Config, PhoneMode, Regime};
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
        Value::Obj(consent_form::i18n::KEYS.iter().map(|k| ((*k).into(), s(k))).collect()),
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
    assert_eq!(problem[0].message(), "expected an object, got a string");
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

#[test]
fn two_purposes_that_read_the_same_are_refused_naming_both() {
    let email = |id: &str| obj([("id", s(id)), ("channel", s("email"))]);
    // Two unlabelled e-mail purposes: both show the channel's default.
    let base = with(valid(), "phone", s("off"));
    let same = with(base.clone(), "purposes", arr([email("newsletter"), email("partners")]));
    let got = Config::from_value(&same).unwrap_err();
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!((got[0].field.as_str(), got[0].code().as_str()), ("purposes[1].label", "duplicate"));
    assert!(got[0].message().contains("purposes[0] (\"newsletter\")"), "{}", got[0].message());
    assert!(got[0].message().contains("the channel's default"), "{}", got[0].message());
    // A label copied from another purpose, in one locale only, is refused too.
    let labelled = |id: &str, fr: &str| {
        obj([("id", s(id)), ("channel", s("email")), ("label", obj([("fr", s(fr)), ("en", s(id))]))])
    };
    let copied = with(base.clone(), "purposes", arr([labelled("a", "la lettre"), labelled("b", " La lettre")]));
    let got = Config::from_value(&copied).unwrap_err();
    assert_eq!(got[0].field, "purposes[1].label");
    assert!(got[0].message().contains("purposes[0] (\"a\")"), "{}", got[0].message());
    // Each with its own label: accepted.
    config(with(base, "purposes", arr([email("newsletter"), labelled("partners", "les offres des partenaires")])));
}

/// Two e-mail purposes: the newsletter with the channel's default text, and
/// partners with `labels`.
fn two_email_boxes(labels: Value) -> Value {
    let p = purposes(vec![
        obj([("id", s("newsletter")), ("channel", s("email"))]),
        obj([("id", s("partners")), ("channel", s("email")), ("label", labels)]),
    ]);
    with(without(valid(), "phone"), "purposes", p)
}

#[test]
fn a_label_given_in_some_languages_shows_the_fallback_locales_text_in_the_others() {
    let c = config(two_email_boxes(obj([("fr", s("les offres de nos partenaires")), ("en", s("offers from our partners"))])));
    for lang in consent_form::i18n::LOCALES {
        let texts = consent_form::i18n::Texts::resolve(&c, Some(lang));
        let (newsletter, partners) = (texts.purpose_text(&c.purposes[0], "label"), texts.purpose_text(&c.purposes[1], "label"));
        assert_ne!(newsletter, partners, "{lang}: the two boxes read the same");
        let want = if lang == "fr" { "les offres de nos partenaires" } else { "offers from our partners" };
        assert_eq!(partners, want, "{lang}");
    }
}

#[test]
fn a_label_missing_the_fallback_locale_would_show_the_default_twice_and_is_refused() {
    // French only, fallback English: in every other language both boxes
    // would show the e-mail channel's default text.
    let v = two_email_boxes(obj([("fr", s("les offres de nos partenaires"))]));
    assert_eq!(problems(v.clone()), [("purposes[1].label".to_string(), "duplicate")]);
    // With French as the fallback locale, French shows everywhere: fine.
    config(with(v, "fallbackLocale", s("fr")));
}

#[test]
fn labels_that_meet_only_through_the_fallback_are_refused() {
    // In German, partners shows its English text, which is the German text of "events".
    let p = purposes(vec![
        obj([("id", s("partners")), ("channel", s("email")), ("label", obj([("fr", s("les partenaires")), ("en", s("our partners"))]))]),
        obj([("id", s("events")), ("channel", s("email")), ("label", obj([("de", s("Our Partners ")), ("en", s("our events"))]))]),
    ]);
    assert_eq!(problems(with(without(valid(), "phone"), "purposes", p)), [("purposes[1].label".to_string(), "duplicate")]);
}

#[test]
fn labels_distinct_in_every_language_pass() {
    let p = purposes(vec![
        obj([("id", s("newsletter")), ("channel", s("email")), ("label", s("our newsletter"))]),
        obj([("id", s("partners")), ("channel", s("email")), ("label", obj([("fr", s("les partenaires")), ("en", s("our partners"))]))]),
        obj([("id", s("events")), ("channel", s("email")), ("label", obj([("de", s("unsere Termine")), ("en", s("our events"))]))]),
    ]);
    config(with(without(valid(), "phone"), "purposes", p));
}
