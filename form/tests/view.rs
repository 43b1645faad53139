//! The form's HTML for each regime, read back by an HTML5 parser (as a
//! browser reads it): what it shows, how it is labelled, and that no text
//! from outside becomes markup.

use consent_form::config::Channel;
use consent_form::fixture::{config, valid, with, without};
use consent_form::i18n::Texts;
use consent_form::value::build::{arr, obj, s};
use consent_form::value::Value;
use consent_form::view::{ids, manage, plan, Plan};
use scraper::{ElementRef, Html, Selector};

/// The HTML parsed: a parse error (a stray end tag, a duplicate attribute,
/// an unquoted value) fails the test.
fn parse(html: &str) -> Html {
    let doc = Html::parse_fragment(html);
    assert!(doc.errors.is_empty(), "parse errors {:?} in {html}", doc.errors);
    doc
}

/// The form in `lang`, and its HTML parsed.
fn render(v: Value, lang: &str) -> (Plan, Html) {
    let c = config(v);
    let t = Texts::resolve(&c, Some(lang));
    let p = plan(&c, &t);
    let doc = parse(&p.html);
    (p, doc)
}

fn all<'a>(doc: &'a Html, css: &str) -> Vec<ElementRef<'a>> {
    doc.select(&Selector::parse(css).unwrap()).collect()
}

fn by_id<'a>(doc: &'a Html, id: &str) -> Option<ElementRef<'a>> {
    all(doc, "[id]").into_iter().find(|e| e.attr("id") == Some(id))
}

fn text(e: ElementRef) -> String {
    e.text().collect()
}

fn text_of(doc: &Html, id: &str) -> String {
    text(by_id(doc, id).unwrap_or_else(|| panic!("no element {id}")))
}

/// All the text of the fragment.
fn all_text(doc: &Html) -> String {
    doc.root_element().text().collect()
}

fn label_for(doc: &Html, id: &str) -> String {
    let labels: Vec<ElementRef> = all(doc, "label").into_iter().filter(|l| l.attr("for") == Some(id)).collect();
    assert_eq!(labels.len(), 1, "one label for {id}");
    text(labels[0])
}

/// Ids are unique, and every `for`, `aria-describedby`, `aria-controls` and
/// `aria-labelledby` names one.
fn references_resolve(doc: &Html) {
    let ids: Vec<&str> = all(doc, "[id]").iter().map(|e| e.attr("id").unwrap()).collect();
    for id in &ids {
        assert_eq!(ids.iter().filter(|i| *i == id).count(), 1, "id {id} twice");
    }
    for e in all(doc, "*") {
        for name in ["for", "aria-describedby", "aria-controls", "aria-labelledby"] {
            for target in e.attr(name).unwrap_or("").split_whitespace() {
                assert!(ids.contains(&target), "{name}={target} names no element");
            }
        }
    }
}

#[test]
fn b2c_has_one_unchecked_labelled_described_box_per_purpose() {
    let (_, doc) = render(valid(), "en");
    let boxes = all(&doc, "input[type=checkbox]");
    assert_eq!(boxes.len(), 2);
    for b in &boxes {
        assert_eq!(b.attr("checked"), None);
        let id = b.attr("id").unwrap();
        assert!(label_for(&doc, id).starts_with("I agree to receive "), "{id}");
        for described in b.attr("aria-describedby").unwrap().split(' ') {
            assert!(!text_of(&doc, described).is_empty());
        }
    }
    assert_eq!(label_for(&doc, "cw-p-newsletter"), "I agree to receive news and offers from Boutique Exemple by e-mail.");
    let (_, fr) = render(valid(), "fr");
    assert_eq!(label_for(&fr, "cw-p-sms"), "J’accepte de recevoir les offres de Boutique Exemple par SMS.");
    assert_eq!(all(&doc, "fieldset").len(), 1);
    assert_eq!(all(&doc, "fieldset > legend").len(), 1);
    assert_eq!(all(&doc, "fieldset input[type=checkbox]").len(), 2, "the boxes are inside the fieldset");
    references_resolve(&doc);
    references_resolve(&fr);
}

#[test]
fn b2b_and_soft_opt_in_inform_and_offer_an_objection_box() {
    for (regime, inform) in [("b2b", "professional activity"), ("softOptIn", "As a customer")] {
        let (_, doc) = render(with(valid(), "regime", s(regime)), "en");
        let boxes = all(&doc, "input[type=checkbox]");
        assert_eq!(boxes.len(), 2);
        for b in boxes {
            let id = b.attr("id").unwrap();
            assert!(label_for(&doc, id).starts_with("I do not want to receive "), "{regime}");
            let inform_id = [id, "-inform"].concat();
            let text = text_of(&doc, &inform_id);
            assert!(text.contains(inform) && text.contains("unsubscribe at any time"), "{regime}: {text}");
            assert!(b.attr("aria-describedby").unwrap().contains(&inform_id));
            assert_eq!(b.attr("checked"), None);
        }
        references_resolve(&doc);
    }
}

#[test]
fn email_phone_privacy_submit_and_status_are_present() {
    let (_, doc) = render(valid(), "fr");
    let form = all(&doc, "form");
    assert_eq!(form.len(), 1);
    assert_eq!(form[0].attr("id"), Some(ids::FORM));
    assert_eq!(form[0].attr("method"), Some("dialog"), "an unhandled submission goes nowhere");
    assert_eq!(form[0].attr("novalidate"), Some(""));
    assert_eq!(form[0].attr("lang"), Some("fr"));
    let email = by_id(&doc, ids::EMAIL).unwrap();
    assert_eq!(email.value().name(), "input");
    assert_eq!(email.attr("autocomplete"), Some("email"));
    // A text field with the e-mail keyboard and autofill (see view.rs for why not type=email).
    assert_eq!(email.attr("type"), Some("text"));
    assert_eq!(email.attr("inputmode"), Some("email"));
    assert!(email.attr("required").is_some());
    assert_eq!(label_for(&doc, ids::EMAIL), "Adresse e-mail (obligatoire)");
    let phone = by_id(&doc, ids::PHONE).unwrap();
    assert_eq!(phone.attr("type"), Some("tel"));
    assert_eq!(phone.attr("aria-describedby"), Some(ids::PHONE_NOTICE));
    assert_eq!(phone.attr("required"), None);
    // "Facultatif" is said once, by the label: the notice says what the number is for.
    let notice = text_of(&doc, ids::PHONE_NOTICE);
    assert!(notice.starts_with("Votre numéro sert uniquement"), "{notice}");
    assert_eq!(all_text(&doc).to_lowercase().matches("facultatif").count(), 1);
    let link = all(&doc, "a");
    assert_eq!(link.len(), 1);
    assert_eq!(link[0].attr("href"), Some("https://boutique.example/confidentialite"));
    assert_eq!(link[0].attr("target"), Some("_blank"));
    assert_eq!(link[0].attr("rel"), Some("noopener noreferrer"));
    assert!(text(link[0]).ends_with(" (s’ouvre dans un nouvel onglet)"), "{}", text(link[0]));
    let status = by_id(&doc, ids::STATUS).unwrap();
    assert_eq!(status.attr("role"), Some("status"));
    assert_eq!(status.attr("tabindex"), Some("-1"));
    assert_eq!(by_id(&doc, ids::SUBMIT).unwrap().attr("type"), Some("submit"));
    for id in [ids::EMAIL_ERROR, ids::PHONE_ERROR, ids::PURPOSES_ERROR] {
        let e = by_id(&doc, id).unwrap();
        assert!(e.attr("hidden").is_some() && text(e).is_empty(), "{id} hidden and empty until an error");
    }
    references_resolve(&doc);
}

#[test]
fn no_phone_field_unless_configured() {
    let v = with(without(valid(), "phone"), "purposes", arr([obj([("id", s("n")), ("channel", s("email"))])]));
    let (_, doc) = render(v, "en");
    assert!(by_id(&doc, ids::PHONE).is_none());
    assert!(by_id(&doc, ids::PHONE_NOTICE).is_none());
    assert_eq!(all(&doc, "input").len(), 2, "the address and one box");
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
    let (_, doc) = render(v, "fr");
    assert_eq!(label_for(&doc, "cw-p-news"), "J’accepte de recevoir la lettre du jeudi.");
    assert_eq!(label_for(&doc, "cw-p-sms"), "J’accepte de recevoir nos alertes SMS.");
    assert_eq!(text_of(&doc, "cw-p-news-desc"), "Une fois par semaine.");
    assert_eq!(text_of(&doc, ids::SUBMIT), "Je m’abonne");
    let news = by_id(&doc, "cw-p-news").unwrap();
    assert_eq!((news.attr("name"), news.attr("value"), news.attr("data-channel")), (Some("purpose"), Some("news"), Some("email")));
}

#[test]
fn the_plan_lists_every_string_shown_in_order() {
    let (p, doc) = render(valid(), "en");
    let keys: Vec<&str> = p.shown.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys.first(), Some(&"title"));
    assert_eq!(keys.last(), Some(&"submit"));
    for key in ["email.label", "phone.notice", "purposes.legend", "purpose.newsletter", "purpose.sms.description", "privacy.text", "privacy.link"] {
        assert!(keys.contains(&key), "{key}");
    }
    // In the order the page shows them: each found after the one before.
    let all_text = all_text(&doc);
    let mut from = 0;
    for (key, text) in &p.shown {
        let at = all_text[from..].find(text.trim()).unwrap_or_else(|| panic!("{key} not rendered after the one before"));
        from += at;
    }
}

#[test]
fn the_phone_notice_speaks_of_stop_only_when_an_sms_purpose_is_shown() {
    let calls = with(valid(), "purposes", arr([
        obj([("id", s("newsletter")), ("channel", s("email"))]),
        obj([("id", s("calls")), ("channel", s("phone"))]),
    ]));
    for lang in ["fr", "en"] {
        let notice = text_of(&render(calls.clone(), lang).1, ids::PHONE_NOTICE);
        assert!(!notice.contains("STOP") && !notice.contains("SMS"), "{lang}: {notice}");
        let with_sms = text_of(&render(valid(), lang).1, ids::PHONE_NOTICE);
        assert!(with_sms.contains("STOP"), "{lang}: {with_sms}");
    }
}

#[test]
fn the_first_layer_states_the_rights_and_whom_to_write_to() {
    let (p, doc) = render(valid(), "en");
    let rights = text(all(&doc, "p.cw-privacy.cw-rights")[0]);
    assert_eq!(rights, "You can access your data, have it erased, and complain to the data protection authority. Write to dpo@boutique.example.");
    assert!(p.shown.iter().any(|(k, v)| k == "privacy.rights" && *v == rights), "recorded as shown, for the proof");
    // Overridable like every string.
    let own = with(valid(), "texts", obj([("en", obj([("privacy.rights", s("Rights: {contact}."))]))]));
    let (_, doc) = render(own, "en");
    assert!(all_text(&doc).contains("Rights: dpo@boutique.example."));
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
    let (_, doc) = render(odd, "en");
    let text = all_text(&doc);
    assert!(text.contains("Shop {contact} may send me news from Shop {contact}."), "{text}");
    assert!(text.contains("Join Shop {contact}"), "{text}");
    assert!(!text.contains("{controller}") && !text.contains("{label}"), "{text}");
}

/// Markup in every place text from outside reaches: the controller, the
/// overridden texts, a purpose label, the privacy URL.
fn hostile() -> Value {
    let v = with(valid(), "controller", obj([("name", s("<b>Shop</b> & \"co\"")), ("contact", s("<script>alert(1)</script>@x.fr"))]));
    let v = with(v, "privacyPolicyUrl", s("https://boutique.example/p?a=1&b=\"2\"><img/src=x>"));
    with(v, "texts", obj([("en", obj([
        ("title", s("\"><svg onload=alert(1)>")),
        ("submit", s("<img src=x onerror=alert(1)>")),
        ("purpose.newsletter.label", s("news & <i>more</i>")),
        ("manage.legend", s("\" onclick=\"alert(1)")),
    ]))]))
}

#[test]
fn text_from_outside_stays_text() {
    let (p, doc) = render(hostile(), "en");
    for tag in ["b", "i", "svg", "img", "script"] {
        assert!(all(&doc, tag).is_empty(), "a <{tag}> element came from a text");
    }
    assert_eq!(all(&doc, "[onload], [onerror], [onclick]").len(), 0);
    assert_eq!(text_of(&doc, "cw-title"), "\"><svg onload=alert(1)>");
    assert_eq!(text_of(&doc, ids::SUBMIT), "<img src=x onerror=alert(1)>");
    assert_eq!(label_for(&doc, "cw-p-newsletter"), "I agree to receive news & <i>more</i>.");
    assert!(label_for(&doc, "cw-p-sms").contains("<b>Shop</b> & \"co\""));
    assert_eq!(all(&doc, "a")[0].attr("href"), Some("https://boutique.example/p?a=1&b=\"2\"><img/src=x>"));
    // What the page shows is what the proof records.
    for (key, text) in &p.shown {
        assert!(all_text(&doc).contains(text.as_str()), "{key}: {text}");
    }
}

#[test]
fn the_manage_section_offers_one_unchecked_box_per_consented_purpose() {
    let c = config(hostile());
    let t = Texts::resolve(&c, Some("en"));
    let consented = [("newsletter".into(), Channel::Email), ("sms".into(), Channel::Sms), ("gone".into(), Channel::Email)];
    let m = manage(&c, &t, "marie<x>@exa\"mple.org", &consented);
    let doc = parse(&m.html);
    let toggle = by_id(&doc, ids::MANAGE_TOGGLE).unwrap();
    assert_eq!((toggle.attr("type"), toggle.attr("aria-expanded"), toggle.attr("aria-controls")), (Some("button"), Some("false"), Some(ids::MANAGE)));
    let form = by_id(&doc, ids::MANAGE).unwrap();
    assert!(form.attr("hidden").is_some());
    assert_eq!(form.attr("aria-label"), Some("\" onclick=\"alert(1)"), "the name stays one attribute");
    assert_eq!(all(&doc, "[onclick]").len(), 0);
    let boxes = all(&doc, "input[type=checkbox]");
    assert_eq!(boxes.iter().map(|b| b.attr("value").unwrap()).collect::<Vec<_>>(), ["newsletter", "sms"], "a purpose no longer configured is not offered");
    for b in &boxes {
        assert_eq!(b.attr("checked"), None);
        assert!(label_for(&doc, b.attr("id").unwrap()).starts_with("I no longer want to receive "));
    }
    assert_eq!(label_for(&doc, "cw-w-newsletter"), "I no longer want to receive news & <i>more</i>.");
    // Whose consent it is, masked, as text.
    assert!(text_of(&doc, "cw-manage-hint").contains("m•••@exa\"mple.org"));
    let keys: Vec<&str> = m.shown.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["manage.hint", "manage.legend", "purpose.newsletter", "purpose.sms", "manage.submit"]);
    references_resolve(&doc);
}
