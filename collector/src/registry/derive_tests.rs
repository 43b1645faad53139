//! The registry against proofs made exactly as the widget makes them.

use super::*;
use crate::registry::matching::{standing, Mismatch, Standing};
use crate::registry::voice::{named, one_line, Voice};

#[path = "../../tests/common/widget.rs"]
mod widget;

const ORIGIN: &str = "https://boutique.example";

fn registered() -> FormVersion {
    from_config(&widget::demo_config(), &[ORIGIN.to_string()]).unwrap()
}

fn differs(version: &FormVersion, proof: &Proof) -> &'static str {
    match standing(std::slice::from_ref(version), proof) {
        Standing::Differs(Mismatch { field }) => field,
        other => panic!("expected a mismatch, got {other:?}"),
    }
}

#[test]
fn the_demo_configuration_gives_every_catalog_locale_with_the_widgets_hashes() {
    let version = registered();
    assert_eq!((version.form_id.as_str(), version.version.as_str()), ("footer-signup", "1"));
    // The demo fixes no locale: every catalog's, in the catalogs' order.
    assert_eq!(version.locales.iter().map(|l| l.locale.as_str()).collect::<Vec<_>>(), consent_form::i18n::LOCALES);
    assert!(version.double_opt_in && version.phone);
    for lang in ["fr", "en", "fr-FR", "en-GB"] {
        let proof = widget::Page::demo(ORIGIN, lang).consent(
            "marie@example.org",
            "06 12 34 56 78",
            &["newsletter", "sms"],
            None,
        );
        let texts = version.texts_for(&proof.locale).unwrap();
        assert_eq!(proof.texts.sha256, texts.sha256, "{lang}");
        assert_eq!(
            standing(std::slice::from_ref(&version), &proof),
            Standing::Registered(&version),
            "{lang}"
        );
    }
    // Derived twice, the same bytes: two collectors can compare hashes.
    assert_eq!(registered().sha256(), version.sha256());
}

#[test]
fn a_proof_differing_in_any_fixed_field_is_not_that_form() {
    let version = registered();
    let page = widget::Page::demo(ORIGIN, "fr");
    let base = page.consent("marie@example.org", "", &["newsletter"], None);
    type Edit = Box<dyn Fn(&mut Proof)>;
    let cases: Vec<(&str, Edit)> = vec![
        ("controller.name", Box::new(|p| p.controller.name = "SECURITY ALERT\nhttps://evil.example/restore".into())),
        ("doubleOptIn", Box::new(|p| p.double_opt_in = consent_proof::DoubleOptIn::NotRequested)),
        ("site.origin", Box::new(|p| p.site.origin = "https://evil.example".into())),
        ("regime", Box::new(|p| p.regime = consent_proof::Regime::B2b)),
        ("privacyPolicy.url", Box::new(|p| p.privacy_policy.url = "https://evil.example/p".into())),
        ("purposes", Box::new(|p| p.purposes[2].channel = consent_proof::Channel::Email)),
        ("texts.shown", Box::new(|p| p.texts.shown.0[0].1 = "Click https://evil.example".into())),
        ("texts.sha256", Box::new(|p| p.texts.sha256 = "0".repeat(64))),
        ("purposes.textSha256", Box::new(|p| p.purposes[0].text_sha256 = "0".repeat(64))),
        // A locale the form cannot show (German it can, with other texts).
        ("locale", Box::new(|p| p.locale = "ja".into())),
        ("mechanism", Box::new(|p| p.mechanism = "pre-checked".into())),
    ];
    for (field, tamper) in cases {
        let mut proof = base.clone();
        tamper(&mut proof);
        assert_eq!(differs(&version, &proof), field);
    }
    let mut other_version = base.clone();
    other_version.form.version = "2".into();
    assert_eq!(
        standing(std::slice::from_ref(&version), &other_version),
        Standing::Unknown
    );
}

#[test]
fn a_widget_withdrawal_matches_with_the_texts_planned_for_its_subject() {
    let version = registered();
    let page = widget::Page::demo(ORIGIN, "en");
    let consent = page.consent("marie@example.org", "", &["newsletter", "partners"], None);
    let withdrawal = page.withdrawal(&consent, "header.payload.signature", &["partners"]);
    assert_eq!(
        standing(std::slice::from_ref(&version), &withdrawal),
        Standing::Registered(&version)
    );
    let mut forged = withdrawal.clone();
    forged.subject.email = "paul@example.org".into(); // the form showed Marie's masked address
    assert_eq!(differs(&version, &forged), "texts.shown");
    let mut unknown = withdrawal;
    unknown.purposes[0].id = "lottery".into();
    assert_eq!(differs(&version, &unknown), "purposes");
}

#[test]
fn what_the_widget_refuses_or_a_line_break_is_not_registered() {
    let origins = [ORIGIN.to_string()];
    let Err(DeriveError::Config(problems)) = from_config(r#"{"purposes": []}"#, &origins) else {
        panic!()
    };
    assert!(
        problems.iter().any(|p| p.contains("privacyPolicyUrl")),
        "{problems:?}"
    );
    let broken = widget::demo_config().replace("Boutique Exemple SAS", "Boutique\\nSECURITY ALERT");
    assert_eq!(
        from_config(&broken, &origins),
        Err(DeriveError::ControlCharacter("controller.name"))
    );
    assert_eq!(
        from_config(&widget::demo_config(), &[]),
        Err(DeriveError::NoOrigin)
    );
    let bad = ["https://shop.example/".to_string()];
    assert_eq!(
        from_config(&widget::demo_config(), &bad),
        Err(DeriveError::BadOrigin(bad[0].clone()))
    );
}

#[test]
fn held_proofs_approved_give_a_version_they_match() {
    let page = widget::Page::demo(ORIGIN, "fr");
    let held = [
        page.consent("a@example.org", "", &["newsletter"], None),
        widget::Page::demo(ORIGIN, "en").consent("b@example.org", "", &["partners"], None),
    ];
    let version = from_held(&held).unwrap();
    assert!(version.double_opt_in && version.config.is_none());
    assert_eq!(version.locales.len(), 2);
    for proof in &held {
        assert_eq!(
            standing(std::slice::from_ref(&version), proof),
            Standing::Registered(&version)
        );
    }
    let mut other = held[1].clone();
    other.controller.name = "Someone else".into();
    assert_eq!(
        from_held(&[held[0].clone(), other]),
        Err(DeriveError::Disagree(
            "the controller, regime or privacy policy"
        ))
    );
    assert_eq!(from_held(&[]), Err(DeriveError::NothingHeld));
}

#[test]
fn mail_and_pages_say_the_registered_words_on_one_line() {
    let version = registered();
    let voice = Voice::of(&version, "fr-FR");
    assert_eq!(
        (voice.controller.as_str(), voice.locale.as_str()),
        ("Boutique Exemple SAS", "fr")
    );
    let labels = named(&version, "fr-FR", &["sms", "lottery", "newsletter"]);
    assert_eq!(
        labels.iter().map(|n| n.id.as_str()).collect::<Vec<_>>(),
        ["newsletter", "sms"]
    );
    assert!(
        labels
            .iter()
            .all(|n| !n.label.contains('\n') && n.label.starts_with("J")),
        "{labels:?}"
    );
    assert_eq!(one_line("A\r\nB\u{2028}C\t\tD "), "A B C D");
}

#[test]
fn the_config_in_a_page() {
    let html = "<p><script type=\"application/json\" id=\"signup-config\">\n {\"a\": 1}\n</script>";
    assert_eq!(config_in_page(html, "signup-config"), Some("{\"a\": 1}"));
    assert_eq!(config_in_page(html, "other"), None);
}
