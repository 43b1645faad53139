//! The rendering plan for each regime.



use consent_form::fixture::{config, valid, with, without};
use consent_form::i18n::Texts;
use consent_form::value::build::{arr, obj, s};
use consent_form::view::{ids, plan, Node, Plan};

fn render(v: consent_form::value::Value, lang: &str) -> Plan {
    let c = config(v);
    let t = Texts::resolve(&c, Some(lang));
    plan(&c, &t)
}

fn checkboxes(root: &Node) -> Vec<&Node> {
    root.descendants().into_iter().filter(|n| n.get("type") == Some("checkbox")).collect()
}

fn label_for(root: &Node, id: &str) -> String {
    let labels: Vec<&Node> = root.descendants().into_iter().filter(|n| n.tag == "label" && n.get("for") == Some(id)).collect();
    assert_eq!(labels.len(), 1, "one label for {id}");
    labels[0].text_content()
}

#[test]
fn b2c_has_one_unchecked_labelled_described_box_per_purpose() {
    let p = render(valid(), "en");
    let boxes = checkboxes(&p.root);
    assert_eq!(boxes.len(), 2);
    for b in &boxes {
        assert_eq!(b.get("checked"), None);
        let id = b.get("id").unwrap();
        assert!(label_for(&p.root, id).starts_with("I agree to receive "), "{id}");
        for described in b.get("aria-describedby").unwrap().split(' ') {
            assert!(!p.root.by_id(described).unwrap().text_content().is_empty());
        }
    }
    assert_eq!(label_for(&p.root, "cw-p-newsletter"), "I agree to receive news and offers from Boutique Exemple by e-mail.");
    let fr = render(valid(), "fr");
    assert_eq!(label_for(&fr.root, "cw-p-sms"), "J’accepte de recevoir les offres de Boutique Exemple par SMS.");
    let fieldsets: Vec<&Node> = p.root.descendants().into_iter().filter(|n| n.tag == "fieldset").collect();
    assert_eq!(fieldsets.len(), 1);
    assert_eq!(fieldsets[0].descendants().iter().filter(|n| n.tag == "legend").count(), 1);
}

#[test]
fn b2b_and_soft_opt_in_inform_and_offer_an_objection_box() {
    for (regime, inform) in [("b2b", "professional activity"), ("softOptIn", "As a customer")] {
        let p = render(with(valid(), "regime", s(regime)), "en");
        for b in checkboxes(&p.root) {
            let id = b.get("id").unwrap();
            assert!(label_for(&p.root, id).starts_with("I do not want to receive "), "{regime}");
            let inform_id = [id, "-inform"].concat();
            let text = p.root.by_id(&inform_id).unwrap().text_content();
            assert!(text.contains(inform) && text.contains("unsubscribe at any time"), "{regime}: {text}");
            assert!(b.get("aria-describedby").unwrap().contains(&inform_id));
            assert_eq!(b.get("checked"), None);
        }
    }
}

#[test]
fn email_phone_privacy_submit_and_status_are_present() {
    let p = render(valid(), "fr");
    let email = p.root.by_id(ids::EMAIL).unwrap();
    assert_eq!(email.get("autocomplete"), Some("email"));
    // A text field with the e-mail keyboard and autofill (see view.rs for why not type=email).
    assert_eq!(email.get("type"), Some("text"));
    assert_eq!(email.get("inputmode"), Some("email"));
    assert!(email.get("required").is_some());
    let phone = p.root.by_id(ids::PHONE).unwrap();
    assert_eq!(phone.get("aria-describedby"), Some(ids::PHONE_NOTICE));
    assert_eq!(phone.get("required"), None);
    // "Facultatif" is said once, by the label: the notice says what the number is for.
    let notice = p.root.by_id(ids::PHONE_NOTICE).unwrap().text_content();
    assert!(notice.starts_with("Votre numéro sert uniquement"), "{notice}");
    assert_eq!(p.root.text_content().to_lowercase().matches("facultatif").count(), 1);
    let link = p.root.descendants().into_iter().find(|n| n.tag == "a").unwrap();
    assert_eq!(link.get("href"), Some("https://boutique.example/confidentialite"));
    assert_eq!(link.get("target"), Some("_blank"));
    assert_eq!(link.get("rel"), Some("noopener noreferrer"));
    assert_eq!(p.root.by_id(ids::STATUS).unwrap().get("role"), Some("status"));
    assert_eq!(p.root.by_id(ids::SUBMIT).unwrap().get("type"), Some("submit"));
}

#[test]
fn no_phone_field_unless_configured() {
    let v = with(without(valid(), "phone"), "purposes", arr([obj([("id", s("n")), ("channel", s("email"))])]));
    let p = render(v, "en");
    assert!(p.root.by_id(ids::PHONE).is_none());
    assert!(p.root.by_id(ids::PHONE_NOTICE).is_none());
}

#[test]
fn merchant_labels_and_overrides_win() {
    let v = with(
        valid(),
        "purposes",
        arr([
            obj([("id", s("news")), ("channel", s("email")), ("label", s("la lettre du jeudi")), ("description", s("Une fois par semaine."))]),
            obj([("id", s("sms")), ("channel", s("sms"))]),
        ]),
    );
    let v = with(v, "texts", obj([("fr", obj([("submit", s("Je m’abonne")), ("purpose.sms.label", s("nos alertes SMS"))]))]));
    let p = render(v, "fr");
    assert_eq!(label_for(&p.root, "cw-p-news"), "J’accepte de recevoir la lettre du jeudi.");
    assert_eq!(label_for(&p.root, "cw-p-sms"), "J’accepte de recevoir nos alertes SMS.");
    assert_eq!(p.root.by_id("cw-p-news-desc").unwrap().text_content(), "Une fois par semaine.");
    assert_eq!(p.root.by_id(ids::SUBMIT).unwrap().text_content(), "Je m’abonne");
}

#[test]
fn the_plan_lists_every_string_shown_in_order() {
    let p = render(valid(), "en");
    let keys: Vec<&str> = p.shown.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys.first(), Some(&"title"));
    assert_eq!(keys.last(), Some(&"submit"));
    for key in ["email.label", "phone.notice", "purposes.legend", "purpose.newsletter", "purpose.sms.description", "privacy.text", "privacy.link"] {
        assert!(keys.contains(&key), "{key}");
    }
    let all_text = p.root.text_content();
    for (key, text) in &p.shown {
        assert!(all_text.contains(text.trim()), "{key} not rendered");
    }
}

#[test]
fn the_phone_notice_speaks_of_stop_only_when_an_sms_purpose_is_shown() {
    let calls = with(valid(), "purposes", arr([
        obj([("id", s("newsletter")), ("channel", s("email"))]),
        obj([("id", s("calls")), ("channel", s("phone"))]),
    ]));
    for lang in ["fr", "en"] {
        let notice = render(calls.clone(), lang).root.by_id(ids::PHONE_NOTICE).unwrap().text_content();
        assert!(!notice.contains("STOP") && !notice.contains("SMS"), "{lang}: {notice}");
        let with_sms = render(valid(), lang).root.by_id(ids::PHONE_NOTICE).unwrap().text_content();
        assert!(with_sms.contains("STOP"), "{lang}: {with_sms}");
    }
}

#[test]
fn the_first_layer_states_the_rights_and_whom_to_write_to() {
    let p = render(valid(), "en");
    let rights = p.root.descendants().into_iter().find(|n| n.get("class") == Some("cw-privacy cw-rights")).unwrap().text_content();
    assert_eq!(rights, "You can access your data, have it erased, and complain to the data protection authority. Write to dpo@boutique.example.");
    assert!(p.shown.iter().any(|(k, v)| k == "privacy.rights" && *v == rights), "recorded as shown, for the proof");
    // Overridable like every string.
    let own = with(valid(), "texts", obj([("en", obj([("privacy.rights", s("Rights: {contact}."))]))]));
    let p = render(own, "en");
    assert!(p.root.text_content().contains("Rights: dpo@boutique.example."));
}

#[test]
fn placeholders_are_filled_everywhere_and_once() {
    // A controller whose name holds a placeholder: it is shown as written, never expanded again.
    let odd = with(valid(), "controller", obj([("name", s("Shop {contact}")), ("contact", s("dpo@shop.example"))]));
    let odd = with(odd, "texts", obj([("en", obj([
        ("purpose.consent", s("{controller} may send me {label}.")),
        ("submit", s("Join {controller}")),
        ("purpose.newsletter.label", s("news from {controller}")),
    ]))]));
    let p = render(odd, "en");
    let text = p.root.text_content();
    assert!(text.contains("Shop {contact} may send me news from Shop {contact}."), "{text}");
    assert!(text.contains("Join Shop {contact}"), "{text}");
    assert!(!text.contains("{controller}") && !text.contains("{label}"), "{text}");
}
