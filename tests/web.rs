//! The widget in a real browser (headless Chromium through wasm-bindgen-test).
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;

use consent_widget::web::{mount, validate_config, Widget};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{CustomEvent, Document, Element, HtmlFormElement, HtmlInputElement, ShadowRoot};

wasm_bindgen_test_configure!(run_in_browser);

const CONFIG: &str = r#"{
  "endpoint": "https://collector.example/v1/proofs",
  "controller": {"name": "Boutique Exemple", "contact": "dpo@boutique.example"},
  "privacyPolicyUrl": "https://boutique.example/confidentialite",
  "locale": "en",
  "phone": "optional",
  "purposes": [
    {"id": "newsletter", "channel": "email"},
    {"id": "partners", "channel": "email", "label": "offers from our partners"},
    {"id": "sms", "channel": "sms"}
  ]
}"#;

fn doc() -> Document {
    web_sys::window().unwrap().document().unwrap()
}

/// A fresh host element in the page, with the events it fires recorded.
struct Host {
    el: Element,
    events: Rc<RefCell<Vec<(String, JsValue)>>>,
    _listeners: Vec<Closure<dyn FnMut(CustomEvent)>>,
}

impl Host {
    fn new() -> Host {
        let el = doc().create_element("div").unwrap();
        doc().body().unwrap().append_child(&el).unwrap();
        let events = Rc::new(RefCell::new(Vec::new()));
        let mut listeners = Vec::new();
        for name in ["consent:submit", "consent:error"] {
            let log = events.clone();
            let closure = Closure::<dyn FnMut(CustomEvent)>::new(move |e: CustomEvent| {
                log.borrow_mut().push((e.type_(), e.detail()));
            });
            // Listen on the document: events must bubble out of the shadow root.
            doc().add_event_listener_with_callback(name, closure.as_ref().unchecked_ref()).unwrap();
            listeners.push(closure);
        }
        Host { el, events, _listeners: listeners }
    }

    fn mount(&self, config: &str) -> Widget {
        let config = js_sys::JSON::parse(config).unwrap();
        mount(JsValue::from(self.el.clone()).unchecked_into(), config.unchecked_into()).unwrap()
    }

    fn root(&self) -> ShadowRoot {
        self.el.shadow_root().expect("an open shadow root")
    }

    fn q(&self, selector: &str) -> Option<Element> {
        self.root().query_selector(selector).unwrap()
    }

    fn input(&self, id: &str) -> HtmlInputElement {
        self.root().get_element_by_id(id).unwrap().dyn_into().unwrap()
    }

    fn submit(&self) {
        let form: HtmlFormElement = self.q("form").unwrap().dyn_into().unwrap();
        form.request_submit().unwrap();
    }

    fn fired(&self, name: &str) -> Vec<JsValue> {
        self.events.borrow().iter().filter(|(n, _)| n == name).map(|(_, d)| d.clone()).collect()
    }

    fn active_id(&self) -> String {
        self.root().active_element().map(|e| e.id()).unwrap_or_default()
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        for (closure, name) in self._listeners.iter().zip(["consent:submit", "consent:error"]) {
            let _ = doc().remove_event_listener_with_callback(name, closure.as_ref().unchecked_ref());
        }
        self.el.remove();
    }
}

fn get(v: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(v, &key.into()).unwrap()
}

#[wasm_bindgen_test]
fn mounts_with_every_box_unchecked_and_labelled() {
    let host = Host::new();
    let _w = host.mount(CONFIG);
    let boxes = host.root().query_selector_all("input[type=checkbox]").unwrap();
    assert_eq!(boxes.length(), 3);
    for i in 0..boxes.length() {
        let b: HtmlInputElement = boxes.get(i).unwrap().dyn_into().unwrap();
        assert!(!b.checked(), "{} is checked", b.id());
        let labels = b.labels().unwrap();
        assert_eq!(labels.length(), 1);
        let text = labels.get(0).unwrap().text_content().unwrap();
        assert!(text.starts_with("I agree to receive "), "{text}");
        let desc = b.get_attribute("aria-describedby").unwrap();
        assert!(!host.root().get_element_by_id(&desc).unwrap().text_content().unwrap().is_empty());
    }
    assert!(host.q("fieldset > legend").is_some());
    let link = host.q("a").unwrap();
    assert_eq!(link.get_attribute("rel").as_deref(), Some("noopener noreferrer"));
    assert_eq!(link.get_attribute("target").as_deref(), Some("_blank"));
    assert_eq!(host.input("cw-email").get_attribute("autocomplete").as_deref(), Some("email"));
    assert!(host.q("[role=status]").is_some());
}

#[wasm_bindgen_test]
fn the_phone_notice_is_tied_to_the_field() {
    let host = Host::new();
    let _w = host.mount(CONFIG);
    let phone = host.input("cw-phone");
    let notice_id = phone.get_attribute("aria-describedby").unwrap();
    let notice = host.root().get_element_by_id(&notice_id).unwrap().text_content().unwrap();
    assert!(notice.starts_with("Optional."), "{notice}");
    assert!(!phone.required());
}

#[wasm_bindgen_test]
fn inline_errors_mark_the_field_and_take_focus() {
    let host = Host::new();
    let _w = host.mount(CONFIG);
    host.input("cw-email").set_value("marie@");
    host.input("cw-p-newsletter").set_checked(true);
    host.submit();
    let email = host.input("cw-email");
    assert_eq!(email.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert!(email.get_attribute("aria-describedby").unwrap().split(' ').any(|t| t == "cw-email-error"));
    let error = host.root().get_element_by_id("cw-email-error").unwrap();
    assert!(!error.has_attribute("hidden"));
    assert!(error.text_content().unwrap().contains("not valid"));
    assert_eq!(host.active_id(), "cw-email");
    assert!(host.fired("consent:submit").is_empty());
    // Fixing it clears the marks.
    email.set_value("marie@example.org");
    host.submit();
    assert_eq!(email.get_attribute("aria-invalid"), None);
    assert!(error.has_attribute("hidden"));
    assert_eq!(host.fired("consent:submit").len(), 1);
}

#[wasm_bindgen_test]
fn sms_without_a_phone_is_an_error_on_the_phone_field() {
    let host = Host::new();
    let _w = host.mount(CONFIG);
    host.input("cw-email").set_value("marie@example.org");
    host.input("cw-p-sms").set_checked(true);
    host.submit();
    assert_eq!(host.input("cw-phone").get_attribute("aria-invalid").as_deref(), Some("true"));
    assert_eq!(host.active_id(), "cw-phone");
    host.input("cw-phone").set_value("06 12 34 56 78");
    host.submit();
    let detail = host.fired("consent:submit").pop().expect("submitted");
    assert_eq!(get(&detail, "phone").as_string().as_deref(), Some("+33612345678"));
}

#[wasm_bindgen_test]
fn nothing_leaves_the_page_with_no_box_ticked() {
    let host = Host::new();
    let _w = host.mount(CONFIG);
    host.input("cw-email").set_value("marie@example.org");
    host.submit();
    assert!(host.fired("consent:submit").is_empty());
    let error = host.root().get_element_by_id("cw-purposes-error").unwrap();
    assert!(error.text_content().unwrap().contains("Tick at least one box"));
    assert_eq!(host.active_id(), "cw-p-newsletter");
    let status = host.q("[role=status]").unwrap().text_content().unwrap();
    assert!(!status.is_empty());
}

#[wasm_bindgen_test]
fn submit_fires_with_every_choice_refusals_included() {
    let host = Host::new();
    let _w = host.mount(CONFIG);
    host.input("cw-email").set_value(" marie@example.org ");
    host.input("cw-p-partners").set_checked(true);
    host.submit();
    let detail = host.fired("consent:submit").pop().expect("consent:submit fired");
    assert_eq!(get(&detail, "email").as_string().as_deref(), Some("marie@example.org"));
    let purposes: js_sys::Array = get(&detail, "purposes").dyn_into().unwrap();
    let choices: Vec<(String, String)> = purposes
        .iter()
        .map(|p| (get(&p, "id").as_string().unwrap(), get(&p, "choice").as_string().unwrap()))
        .collect();
    assert_eq!(
        choices,
        [("newsletter".into(), "refused".into()), ("partners".into(), "granted".into()), ("sms".into(), "refused".into())]
    );
    let texts = get(&detail, "texts");
    assert_eq!(
        get(&texts, "purpose.partners").as_string().as_deref(),
        Some("I agree to receive offers from our partners.")
    );
    let status = host.q("[role=status]").unwrap().text_content().unwrap();
    assert!(status.starts_with("Thank you"), "{status}");
}

#[wasm_bindgen_test]
fn an_invalid_configuration_renders_no_form() {
    let host = Host::new();
    let bad = CONFIG.replace("\"channel\": \"email\"}", "\"channel\": \"email\", \"checked\": true}");
    let w = host.mount(&bad);
    assert!(host.q("form").is_none());
    assert!(host.q("input").is_none());
    assert!(!host.q(".cw-unavailable").unwrap().text_content().unwrap().is_empty());
    let errors = host.fired("consent:error");
    assert_eq!(errors.len(), 1);
    let problems: js_sys::Array = get(&errors[0], "problems").dyn_into().unwrap();
    assert_eq!(problems.length(), 1);
    assert_eq!(get(&problems.get(0), "code").as_string().as_deref(), Some("pre-checked"));
    assert_eq!(w.problems().length(), 1);
}

#[wasm_bindgen_test]
fn validate_config_lists_problems() {
    let ok: js_sys::Array = JsValue::from(validate_config(js_sys::JSON::parse(CONFIG).unwrap().unchecked_into())).dyn_into().unwrap();
    assert_eq!(ok.length(), 0);
    let bad: js_sys::Array = JsValue::from(validate_config(JsValue::from_str("{\"purposes\": []}").unchecked_into())).dyn_into().unwrap();
    let fields: Vec<String> = bad.iter().map(|p| get(&p, "field").as_string().unwrap()).collect();
    for f in ["endpoint", "controller", "privacyPolicyUrl", "purposes"] {
        assert!(fields.contains(&f.to_string()), "{f} in {fields:?}");
    }
}

#[wasm_bindgen_test]
fn set_locale_keeps_what_was_typed_and_destroy_cleans_up() {
    let host = Host::new();
    let w = host.mount(CONFIG);
    host.input("cw-email").set_value("marie@example.org");
    host.input("cw-p-sms").set_checked(true);
    w.set_locale("fr").unwrap();
    assert_eq!(host.q("button").unwrap().text_content().as_deref(), Some("S’inscrire"));
    assert_eq!(host.input("cw-email").value(), "marie@example.org");
    assert!(host.input("cw-p-sms").checked());
    assert!(w.set_locale("xx").is_err());
    w.destroy();
    assert!(host.q("form").is_none());
}
