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

const EVENTS: [&str; 6] = ["consent:submit", "consent:error", "consent:delivered", "consent:queued", "consent:rejected", "consent:withdraw"];

const CONFIG: &str = r#"{
  "endpoint": "/no-collector-here",
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

/// Waits one macrotask, so that promises and timers can run.
async fn tick(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window().unwrap().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms).unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

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
        for name in EVENTS {
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

    /// Waits until `name` has fired `count` times (at most about 5 s).
    async fn wait_for(&self, name: &str, count: usize) -> Vec<JsValue> {
        for _ in 0..250 {
            if self.fired(name).len() >= count {
                break;
            }
            tick(20).await;
        }
        self.fired(name)
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
        for (closure, name) in self._listeners.iter().zip(EVENTS) {
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
    let boxes = host.root().query_selector_all("#cw-form input[type=checkbox]").unwrap();
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
async fn inline_errors_mark_the_field_and_take_focus() {
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
    assert_eq!(host.wait_for("consent:submit", 1).await.len(), 1);
}

#[wasm_bindgen_test]
async fn sms_without_a_phone_is_an_error_on_the_phone_field() {
    let host = Host::new();
    let _w = host.mount(CONFIG);
    host.input("cw-email").set_value("marie@example.org");
    host.input("cw-p-sms").set_checked(true);
    host.submit();
    assert_eq!(host.input("cw-phone").get_attribute("aria-invalid").as_deref(), Some("true"));
    assert_eq!(host.active_id(), "cw-phone");
    host.input("cw-phone").set_value("06 12 34 56 78");
    host.submit();
    let detail = host.wait_for("consent:submit", 1).await.pop().expect("submitted");
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
async fn submit_fires_with_every_choice_refusals_included() {
    let host = Host::new();
    let _w = host.mount(CONFIG);
    host.input("cw-email").set_value(" marie@example.org ");
    host.input("cw-p-partners").set_checked(true);
    host.submit();
    let detail = host.wait_for("consent:submit", 1).await.pop().expect("consent:submit fired");
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
    // The test server has no collector: the backend refuses the proof, the
    // proof stays in the outbox, and the subscriber is told.
    let rejected = host.wait_for("consent:rejected", 1).await;
    assert_eq!(rejected.len(), 1);
    let status = host.q("[role=status]").unwrap().text_content().unwrap();
    assert!(status.contains("could not be recorded"), "{status}");
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

mod signing {
    use super::*;
    use consent_proof::{base64url, fixture, Canonical, Jwk};
    use consent_widget::web::{crypto, sign};
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{CryptoKey, SubtleCrypto};

    fn subtle() -> SubtleCrypto {
        web_sys::window().unwrap().crypto().unwrap().subtle()
    }

    fn decode_json(part: &str) -> JsValue {
        let bytes = base64url::decode(part).expect("base64url");
        js_sys::JSON::parse(std::str::from_utf8(&bytes).unwrap()).unwrap()
    }

    /// Verifies a compact JWS with WebCrypto, from the key in its own header.
    async fn webcrypto_verifies(jws: &str) -> bool {
        let parts: Vec<&str> = jws.split('.').collect();
        let header = decode_json(parts[0]);
        let jwk = get(&header, "jwk");
        let ed = get(&header, "alg").as_string().as_deref() == Some("EdDSA");
        let algo = js_sys::Object::new();
        let set = |k: &str, v: &str| js_sys::Reflect::set(&algo, &k.into(), &v.into()).unwrap();
        if ed {
            set("name", "Ed25519");
        } else {
            set("name", "ECDSA");
            set("namedCurve", "P-256");
            set("hash", "SHA-256");
        }
        let usages: js_sys::Array = [JsValue::from("verify")].into_iter().collect();
        let key: CryptoKey = JsFuture::from(subtle().import_key_with_object("jwk", jwk.unchecked_ref(), &algo, true, &usages).unwrap())
            .await
            .unwrap()
            .unchecked_into();
        let signature = base64url::decode(parts[2]).unwrap();
        let input = [parts[0], ".", parts[1]].concat();
        let ok = subtle()
            .verify_with_object_and_u8_array_and_u8_array(&algo, &key, &signature, input.as_bytes())
            .unwrap();
        JsFuture::from(ok).await.unwrap().as_bool().unwrap()
    }

    async fn submit_once(host: &Host, n: usize) -> String {
        host.input("cw-email").set_value("marie@example.org");
        host.input("cw-p-newsletter").set_checked(true);
        host.submit();
        let details = host.wait_for("consent:submit", n).await;
        assert_eq!(details.len(), n, "consent:submit fired");
        get(&details[n - 1], "proof").as_string().expect("a JWS")
    }

    #[wasm_bindgen_test]
    async fn a_submission_is_a_jws_that_webcrypto_verifies_and_chains() {
        let host = Host::new();
        let _w = host.mount(CONFIG);
        let first = submit_once(&host, 1).await;
        assert!(webcrypto_verifies(&first).await, "first proof verifies");
        host.wait_for("consent:rejected", 1).await;
        let second = submit_once(&host, 2).await;
        assert!(webcrypto_verifies(&second).await, "second proof verifies");
        let (h1, h2) = (decode_json(first.split('.').next().unwrap()), decode_json(second.split('.').next().unwrap()));
        assert_eq!(get(&h1, "kid").as_string(), get(&h2, "kid").as_string(), "the browser key is reused");
        assert_eq!(get(&h1, "typ").as_string().as_deref(), Some("consent-proof+jws"));
        let payload = decode_json(second.split('.').nth(1).unwrap());
        let expected_prev = crypto::sha256_hex(&first).await.unwrap();
        assert_eq!(get(&payload, "prev").as_string(), Some(expected_prev), "the second proof chains to the first");
        let purposes: js_sys::Array = get(&payload, "purposes").dyn_into().unwrap();
        assert_eq!(get(&purposes.get(1), "choice").as_string().as_deref(), Some("refused"));
    }

    #[wasm_bindgen_test]
    async fn the_private_key_cannot_be_exported() {
        let key = crypto::key().await.expect("a key");
        assert!(!key.private.extractable());
        let export = subtle().export_key("jwk", &key.private).unwrap();
        assert!(JsFuture::from(export).await.is_err(), "exportKey of the private key throws");
        let again = crypto::key().await.unwrap();
        assert_eq!(again.jwk, key.jwk, "the stored key is reused");
    }

    #[wasm_bindgen_test]
    async fn the_browser_makes_the_fixture_bytes_and_signature() {
        // The same record, hashed by WebCrypto and signed with the fixture's
        // RFC 8037 key, gives the native crate's bytes exactly.
        let mut proof = fixture::proof();
        let shown = proof.texts.shown.clone();
        let inputs = consent_widget::record::hash_inputs(&shown, &["newsletter", "partners", "sms"]);
        assert_eq!(inputs[0], fixture::TEXTS_DIGEST_INPUT);
        let hashes = sign::hashes(&inputs).await.unwrap();
        proof.texts.sha256 = hashes[0].clone();
        for (p, h) in proof.purposes.iter_mut().zip(&hashes[1..]) {
            p.text_sha256 = h.clone();
        }
        assert_eq!(proof.to_canonical_json(), fixture::CANONICAL_PROOF);
        let jwk = js_sys::JSON::parse(&format!(
            r#"{{"kty":"OKP","crv":"Ed25519","x":"{}","d":"{}"}}"#,
            fixture::ED25519_PUBLIC_X,
            fixture::ED25519_PRIVATE_D
        ))
        .unwrap();
        let algo = js_sys::Object::new();
        js_sys::Reflect::set(&algo, &"name".into(), &"Ed25519".into()).unwrap();
        let usages: js_sys::Array = [JsValue::from("sign")].into_iter().collect();
        let private: CryptoKey = JsFuture::from(subtle().import_key_with_object("jwk", jwk.unchecked_ref(), &algo, false, &usages).unwrap())
            .await
            .unwrap()
            .unchecked_into();
        let key = crypto::Key { private, jwk: Jwk::Ed25519 { x: fixture::ED25519_PUBLIC_X.into() } };
        let jws = sign::sign(&key, &proof).await.unwrap();
        assert_eq!(jws, fixture::JWS);
    }

    #[wasm_bindgen_test]
    async fn the_es256_fallback_signs_what_webcrypto_verifies() {
        // Where Ed25519 is missing the widget signs with ECDSA P-256: the same
        // path, with a P-256 key, gives an ES256 JWS (raw r||s signature).
        let algo = js_sys::Object::new();
        js_sys::Reflect::set(&algo, &"name".into(), &"ECDSA".into()).unwrap();
        js_sys::Reflect::set(&algo, &"namedCurve".into(), &"P-256".into()).unwrap();
        let usages: js_sys::Array = [JsValue::from("sign"), JsValue::from("verify")].into_iter().collect();
        let pair = JsFuture::from(subtle().generate_key_with_object(&algo, false, &usages).unwrap()).await.unwrap();
        let private: CryptoKey = get(&pair, "privateKey").unchecked_into();
        let public: CryptoKey = get(&pair, "publicKey").unchecked_into();
        let jwk = JsFuture::from(subtle().export_key("jwk", &public).unwrap()).await.unwrap();
        let coordinate = |k: &str| get(&jwk, k).as_string().unwrap();
        let key = crypto::Key { private, jwk: Jwk::P256 { x: coordinate("x"), y: coordinate("y") } };
        let jws = sign::sign(&key, &fixture::proof()).await.unwrap();
        let header = decode_json(jws.split('.').next().unwrap());
        assert_eq!(get(&header, "alg").as_string().as_deref(), Some("ES256"));
        assert_eq!(base64url::decode(jws.split('.').nth(2).unwrap()).unwrap().len(), 64, "raw r||s");
        assert!(webcrypto_verifies(&jws).await);
    }

    fn payload(jws: &str) -> JsValue {
        decode_json(jws.split('.').nth(1).unwrap())
    }

    #[wasm_bindgen_test]
    async fn withdrawals_name_only_consented_purposes_once() {
        let host = Host::new();
        let w = host.mount(CONFIG);
        submit_once(&host, 1).await; // newsletter granted
        let refused = |r: Result<JsValue, JsValue>| r.expect_err("refused before signing");
        refused(JsFuture::from(w.withdraw(vec![])).await);
        refused(JsFuture::from(w.withdraw(vec!["partners".into()])).await);
        let id = JsFuture::from(w.withdraw(vec!["newsletter".into(), "newsletter".into()])).await.expect("signed");
        let withdrawn = host.wait_for("consent:withdraw", 1).await.pop().unwrap();
        assert_eq!(get(&withdrawn, "id").as_string(), id.as_string());
        let record = payload(&get(&withdrawn, "proof").as_string().unwrap());
        assert_eq!(get(&record, "kind").as_string().as_deref(), Some("withdrawal"));
        let purposes: js_sys::Array = get(&record, "purposes").dyn_into().unwrap();
        assert_eq!(purposes.length(), 1, "the purpose is named once");
        // Nothing left to withdraw: the section is gone, focus went to the status.
        assert!(host.q("#cw-manage-toggle").is_none());
    }

    #[wasm_bindgen_test]
    async fn the_proof_records_the_locale_shown() {
        let host = Host::new();
        let config = CONFIG.replace("\"locale\": \"en\",", "");
        let html = doc().document_element().unwrap();
        html.set_attribute("lang", "fr").unwrap();
        let _w = host.mount(&config);
        html.set_attribute("lang", "en").unwrap(); // the page changes language, the form does not
        let proof = submit_once(&host, 1).await;
        html.remove_attribute("lang").unwrap();
        let record = payload(&proof);
        assert_eq!(get(&record, "locale").as_string().as_deref(), Some("fr"));
        let texts = get(&get(&record, "texts"), "shown");
        assert!(get(&texts, "submit").as_string().unwrap().starts_with("S’inscrire"));
    }

    #[wasm_bindgen_test]
    async fn each_widget_gets_its_own_delivery_events() {
        // Both widgets post to an endpoint that refuses connections, so the
        // proof stays pending; `online` then makes both couriers flush, and
        // whichever sends it, the events must reach widget b alone.
        let config = |form: &str| {
            CONFIG.replace("/no-collector-here", "http://127.0.0.1:9/v1/proofs").replace("\"locale\"", &format!("\"formId\": \"{form}\", \"locale\""))
        };
        let (a, b) = (Host::new(), Host::new());
        let _wa = a.mount(&config("form-a"));
        let _wb = b.mount(&config("form-b"));
        let seen: Rc<RefCell<Vec<String>>> = Rc::new(RefCell::new(Vec::new()));
        let log = seen.clone();
        let on_a = Closure::<dyn FnMut(CustomEvent)>::new(move |e: CustomEvent| log.borrow_mut().push(e.type_()));
        for name in EVENTS {
            a.el.add_event_listener_with_callback(name, on_a.as_ref().unchecked_ref()).unwrap();
        }
        submit_once(&b, 1).await;
        b.wait_for("consent:queued", 1).await;
        web_sys::window().unwrap().dispatch_event(&web_sys::Event::new("online").unwrap()).unwrap();
        assert_eq!(b.wait_for("consent:queued", 2).await.len(), 2, "the retry is reported to b");
        assert!(seen.borrow().is_empty(), "widget a heard {:?}", seen.borrow());
        // Leave no pending proof behind for the other tests.
        let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
        for i in (0..storage.length().unwrap()).rev() {
            if let Some(k) = storage.key(i).unwrap().filter(|k| k.contains("/outbox/")) {
                storage.remove_item(&k).unwrap();
            }
        }
    }
}
