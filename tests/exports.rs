//! What the JS shell gets from the core: the JSON replies of `src/web/`,
//! from configuration to a signed record, run natively here and by the
//! page tests (e2e/widget.test.mjs) in Chromium.
#![cfg(not(target_arch = "wasm32"))]

use consent_proof::sign::SigningKey;
use consent_proof::verify::sha256_hex;
use consent_proof::{fixture, jws, verify, Choice, Jwk, Kind, VerifyOptions};
use consent_widget::config::{sentence, Says};
use consent_widget::web;
use serde_json::{json, Value};

const CONFIG: &str = r##"{
  "endpoint": "/v1/proofs",
  "headers": {"X-Shop": "demo"},
  "controller": {"name": "Boutique <Exemple>", "contact": "dpo@boutique.example"},
  "privacyPolicyUrl": "/confidentialite",
  "locale": "en",
  "phone": "optional",
  "formId": "footer",
  "theme": {"accent": "#0a7"},
  "purposes": [
    {"id": "newsletter", "channel": "email", "label": "our <b>news</b> & offers"},
    {"id": "sms", "channel": "sms"}
  ]
}"##;

/// The problems `open` reports for a configuration.
fn problems(config: &str) -> Value {
    parse(&web::open(config, "https://shop.example"))["problems"].clone()
}

/// Opens a widget; its handle.
fn open(config: &str) -> u32 {
    parse(&web::open(config, "https://shop.example"))["h"].as_u64().unwrap() as u32
}

/// Renders as the shell does: asks the core which catalog the page needs,
/// then hands that catalog in as the build ships it (its texts in key order).
fn render(h: u32, lang: &str) -> String {
    let pick = web::locale(h, lang);
    let tag = if pick.is_empty() { String::new() } else { parse(&pick)["catalog"].as_str().unwrap().to_string() };
    let wire = consent_form::i18n::builtin(&tag).map_or(String::new(), |c| json!(c.entries().map(|(_, t)| t).collect::<Vec<_>>()).to_string());
    web::render(h, lang, &wire)
}

fn parse(reply: &str) -> Value {
    serde_json::from_str(reply).unwrap_or_else(|e| panic!("{e}: {reply}"))
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect()
}

/// Hashes, seals and signs the pending record as the shell does; returns the JWS.
fn sign_pending(h: u32, reply: &Value, prev: &str, key: &SigningKey) -> (String, String) {
    let hashes: Vec<String> = strings(&reply["hash"]).iter().map(|s| sha256_hex(s.as_bytes())).collect();
    let ticket = reply["ticket"].as_u64().unwrap() as u32;
    let Jwk::Ed25519 { x } = key.jwk() else { unreachable!() };
    let kid = consent_proof::base64url::encode(&sha256_bytes(&web::thumbprint(&x, "")));
    let lines = [&["https://shop.example", "/p/mug", prev, &x, "", &kid][..], &hashes.iter().map(String::as_str).collect::<Vec<_>>()].concat().join("\n");
    let sealed = parse(&web::seal(h, ticket, fixture::ISSUED_AT_MS as f64, &[7; 16], &lines));
    let input = sealed["input"].as_str().unwrap();
    (sealed["id"].as_str().unwrap().into(), jws::compact(input, &key.sign_raw(input.as_bytes())))
}

fn sha256_bytes(input: &str) -> Vec<u8> {
    (0..32).map(|i| u8::from_str_radix(&sha256_hex(input.as_bytes())[i * 2..i * 2 + 2], 16).unwrap()).collect()
}

#[test]
fn problems_name_every_field_and_bad_json() {
    assert_eq!(problems(CONFIG), Value::Null, "none for a valid configuration");
    let list = problems(r#"{"purposes": [{"id": "a", "channel": "email", "checked": true}]}"#);
    let fields: Vec<&str> = list.as_array().unwrap().iter().map(|p| p["field"].as_str().unwrap()).collect();
    for f in ["endpoint", "controller", "privacyPolicyUrl", "purposes[0].checked"] {
        assert!(fields.contains(&f), "{f} in {fields:?}");
    }
    let bad = problems("{\"endpoint\": ");
    assert_eq!(bad, json!([{"field": "(config)", "code": "type", "says": Says::TypeJson as u8, "args": {"at": "13"}}]));
}

#[test]
fn problems_name_their_sentence_by_its_number_in_the_file() {
    // The shell fills sentence `says` of the shipped array (form/problems.json's
    // values in order) with `args`: the same line the native API writes.
    let config = r#"{"regime": "b2x", "purposes": [{"id": "a", "channel": "email", "checked": true}]}"#;
    let expected = consent_widget::config::Config::from_json(config).unwrap_err();
    let wire = problems(config);
    assert_eq!(wire.as_array().unwrap().len(), expected.len());
    for (p, want) in wire.as_array().unwrap().iter().zip(&expected) {
        let says = Says::ALL[p["says"].as_u64().unwrap() as usize];
        let mut text = sentence(says).to_string();
        for (name, value) in p["args"].as_object().into_iter().flatten() {
            text = text.replace(&format!("{{{name}}}"), value.as_str().unwrap());
        }
        assert_eq!(format!("{}: {text}", p["field"].as_str().unwrap()), want.line());
        assert_eq!(p["code"], want.code().as_str());
    }
    assert!(expected.iter().any(|p| p.line() == "regime: must be one of b2c, b2b, softOptIn"), "{expected:?}");
}

#[test]
fn facts_and_render_give_escaped_html_and_the_status_texts() {
    let facts = parse(&web::open(CONFIG, "https://shop.example"));
    let h = facts["h"].as_u64().unwrap() as u32;
    assert_eq!(facts, json!({"h": h, "endpoint": "https://shop.example/v1/proofs", "headers": {"X-Shop": "demo"}, "form": "footer", "theme": [["--cw-accent", "#0a7"]]}));
    let r = parse(&render(h, "fr"));
    let html = r["html"].as_str().unwrap();
    assert!(html.starts_with("<form id=\"cw-form\""), "{html}");
    assert!(html.contains("our &lt;b&gt;news&lt;/b&gt; &amp; offers"), "merchant text stays text");
    assert!(html.contains("Boutique &lt;Exemple&gt;"));
    assert!(!html.contains("checked"), "no box is pre-checked");
    assert_eq!(html.matches("type=\"checkbox\"").count(), 2);
    assert!(r["say"]["status.sent.doi"].as_str().unwrap().contains("e-mail"), "english, as configured");
    web::close(h);
    assert_eq!(render(h, "fr"), "", "a closed widget renders nothing");
}

#[test]
fn an_invalid_configuration_gets_the_neutral_message_only() {
    let facts = parse(&web::open("{}", "https://shop.example"));
    let h = facts["h"].as_u64().unwrap() as u32;
    assert_eq!(facts["problems"][0], json!({"field": "endpoint", "code": "required", "says": Says::Required as u8}));
    assert!(facts["problems"].as_array().unwrap().len() >= 4);
    assert!(facts.get("message").is_none(), "the sentences are not in the wasm: the shell writes the console's line");
    let html = parse(&render(h, "en"))["html"].as_str().unwrap().to_string();
    assert!(html.starts_with("<p class=\"cw-unavailable\">") && !html.contains("<form"), "{html}");
    assert_eq!(parse(&web::withdrawing(h, "", ""))["error"], "the configuration is invalid");
}

#[test]
fn check_marks_each_field_and_nothing_is_pending_on_error() {
    let h = open(CONFIG);
    render(h, "");
    let r = parse(&web::check(h, "marie@", "", "sms"));
    assert_eq!(r["ok"], false);
    let fields = r["fields"].as_array().unwrap();
    assert_eq!(fields.len(), 3);
    assert_eq!(fields[0]["msg"], "cw-email-error");
    assert!(fields[0]["text"].is_string());
    assert_eq!(fields[1]["inputs"], json!(["cw-phone"]));
    assert!(fields[1]["text"].is_string(), "sms ticked without a phone");
    assert_eq!(fields[2]["text"], Value::Null);
    assert_eq!(fields[2]["inputs"], json!(["cw-p-newsletter", "cw-p-sms"]));
    assert_eq!(web::seal(h, 1, 0.0, &[0; 16], "o\n/\n\nx\n\nk"), "", "nothing to seal");
}

#[test]
fn a_consent_then_a_withdrawal_sign_chain_and_verify() {
    let key = SigningKey::ed25519_from_seed(&[9; 32]);
    let h = open(CONFIG);
    render(h, "");
    let r = parse(&web::check(h, " marie@example.org ", "06 12 34 56 78", "newsletter"));
    assert_eq!(r["ok"], true, "{r}");
    assert_eq!(r["detail"]["phone"], Value::Null, "no sms purpose granted: the number stays on the page");
    assert_eq!(r["detail"]["purposes"][1]["choice"], "refused");
    assert_eq!(r["doi"], true);
    let (id, consent) = sign_pending(h, &r, "", &key);
    let verified = verify(&consent, &VerifyOptions::new(fixture::ISSUED_AT_MS)).expect("the consent verifies");
    assert_eq!(verified.proof.id, id);
    assert_eq!(verified.proof.site.page, "https://shop.example/p/mug");
    assert_eq!(verified.proof.locale, "en");
    assert_eq!(verified.proof.prev, None);
    let consent_hash = sha256_hex(consent.as_bytes());
    let summary = web::finish(h, r["ticket"].as_u64().unwrap() as u32, &consent_hash);
    assert!(summary.starts_with("cw1\n"), "{summary}");
    let manage = web::manage(h, &summary);
    assert!(manage.contains("id=\"cw-w-newsletter\"") && !manage.contains("cw-w-sms"), "only what was granted");

    assert_eq!(parse(&web::withdrawing(h, "sms", &summary))["error"], "no consent to withdraw for purpose sms");
    assert_eq!(parse(&web::withdrawing(h, "", &summary))["error"], "name at least one purpose to withdraw");
    let w = parse(&web::withdrawing(h, "newsletter\nnewsletter", &summary));
    assert_eq!(w["purposes"], json!(["newsletter"]));
    let (_, withdrawal) = sign_pending(h, &w, "ignored: a withdrawal chains to its consent", &key);
    let verified = verify(&withdrawal, &VerifyOptions::new(fixture::ISSUED_AT_MS)).expect("the withdrawal verifies");
    assert_eq!(verified.proof.kind, Kind::Withdrawal);
    assert_eq!(verified.proof.prev.as_deref(), Some(consent_hash.as_str()));
    assert_eq!(verified.proof.purposes.len(), 1);
    assert_eq!(verified.proof.purposes[0].choice, Choice::Withdrawn);
    let left = web::finish(h, w["ticket"].as_u64().unwrap() as u32, &sha256_hex(withdrawal.as_bytes()));
    assert_eq!(web::manage(h, &left), "", "nothing left to withdraw");
    assert_eq!(web::finish(h, w["ticket"].as_u64().unwrap() as u32, "x"), "", "a ticket ends once");
}

#[test]
fn locales_switch_only_to_served_ones() {
    let h = open(CONFIG);
    assert_eq!(web::set_locale(h, "xx"), "unknown locale: no catalog and no texts for it");
    assert_eq!(web::set_locale(h, "fr-FR"), "");
    assert!(parse(&render(h, "en"))["html"].as_str().unwrap().contains("lang=\"fr-FR\""));
    web::close(h);
    assert_eq!(web::set_locale(h, "fr"), "the widget is destroyed");
}

#[test]
fn delivery_verdicts_and_waits() {
    assert_eq!([200, 201, 0, 503, 429, 400, 409].map(web::verdict), [0, 0, 1, 1, 1, 2, 2]);
    assert_eq!(web::backoff(1, 0.0), 500);
    assert_eq!(web::thumbprint(fixture::ED25519_PUBLIC_X, ""), fixture::THUMBPRINT_INPUT);
    assert_eq!(web::b64u(&[0xfb, 0xff]), "-_8");
}

#[test]
fn records_in_flight_keep_their_own_data_and_locale() {
    let key = SigningKey::ed25519_from_seed(&[3; 32]);
    let h = open(CONFIG);
    render(h, "");
    let first = parse(&web::check(h, "a@example.org", "", "newsletter"));
    assert_eq!(web::set_locale(h, "fr"), "");
    render(h, "");
    let second = parse(&web::check(h, "b@example.org", "", "newsletter"));
    assert_ne!(first["ticket"], second["ticket"]);
    // Sealed in the other order: each is still its own subscriber, in the locale shown then.
    let (_, b) = sign_pending(h, &second, "", &key);
    let (_, a) = sign_pending(h, &first, "", &key);
    let a = verify(&a, &VerifyOptions::new(fixture::ISSUED_AT_MS)).unwrap().proof;
    let b = verify(&b, &VerifyOptions::new(fixture::ISSUED_AT_MS)).unwrap().proof;
    assert_eq!((a.subject.email.as_str(), a.locale.as_str()), ("a@example.org", "en"));
    assert_eq!((b.subject.email.as_str(), b.locale.as_str()), ("b@example.org", "fr"));
    assert_eq!(web::finish(h, first["ticket"].as_u64().unwrap() as u32, ""), "", "a failed record is dropped");
}

#[test]
fn handles_are_never_reused() {
    let a = open(CONFIG);
    web::close(a);
    let b = open(CONFIG);
    assert_ne!(a, b);
    assert_eq!(web::set_locale(a, "fr"), "the widget is destroyed", "the old handle reaches nothing");
    assert_eq!(web::set_locale(b, "fr"), "");
}
