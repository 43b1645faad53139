//! The core's wasm build in a real browser (headless Chromium through
//! wasm-bindgen-test), with WebCrypto doing the hashing and signing as the
//! shell does: the bytes match the native crate's exactly. The page-level
//! behaviour (DOM, events, storage, delivery) is tested through the public
//! API in e2e/widget.test.mjs.
#![cfg(target_arch = "wasm32")]

use consent_proof::{base64url, fixture, jws, Canonical};
use consent_widget::{record, web};
use js_sys::{Array, Object, Reflect, Uint8Array, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{CryptoKey, SubtleCrypto};

wasm_bindgen_test_configure!(run_in_browser);

fn subtle() -> SubtleCrypto {
    web_sys::window().unwrap().crypto().unwrap().subtle()
}

async fn sha256(text: &str) -> Vec<u8> {
    let digest = JsFuture::from(subtle().digest_with_str_and_u8_array("SHA-256", text.as_bytes()).unwrap()).await.unwrap();
    Uint8Array::new(&digest).to_vec()
}

async fn sha256_hex(text: &str) -> String {
    record::hex(&sha256(text).await)
}

fn ed25519() -> Object {
    let algo = Object::new();
    Reflect::set(&algo, &"name".into(), &"Ed25519".into()).unwrap();
    algo
}

/// The fixture's RFC 8037 key, imported into WebCrypto.
async fn fixture_key(usage: &str, private: bool) -> CryptoKey {
    let d = if private { format!(r#","d":"{}""#, fixture::ED25519_PRIVATE_D) } else { String::new() };
    let jwk = JSON::parse(&format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{}"{d}}}"#, fixture::ED25519_PUBLIC_X)).unwrap();
    let usages: Array = [JsValue::from(usage)].into_iter().collect();
    let key = subtle().import_key_with_object("jwk", jwk.unchecked_ref(), &ed25519(), false, &usages).unwrap();
    JsFuture::from(key).await.unwrap().unchecked_into()
}

async fn sign(input: &str) -> Vec<u8> {
    let key = fixture_key("sign", true).await;
    let signature = subtle().sign_with_object_and_u8_array(&ed25519(), &key, input.as_bytes()).unwrap();
    Uint8Array::new(&JsFuture::from(signature).await.unwrap()).to_vec()
}

#[wasm_bindgen_test]
async fn the_browser_makes_the_fixture_bytes_and_signature() {
    let mut proof = fixture::proof();
    let inputs = record::hash_inputs(&proof.texts.shown, &["newsletter", "partners", "sms"]);
    assert_eq!(inputs[0], fixture::TEXTS_DIGEST_INPUT);
    let mut hashes = Vec::new();
    for input in &inputs {
        hashes.push(sha256_hex(input).await);
    }
    proof.texts.sha256 = hashes[0].clone();
    for (p, h) in proof.purposes.iter_mut().zip(&hashes[1..]) {
        p.text_sha256 = h.clone();
    }
    assert_eq!(proof.to_canonical_json(), fixture::CANONICAL_PROOF);
    let thumbprint = web::thumbprint(fixture::ED25519_PUBLIC_X, "");
    assert_eq!(thumbprint, fixture::THUMBPRINT_INPUT);
    assert_eq!(web::b64u(&sha256(&thumbprint).await), fixture::KID);
    assert_eq!(jws::compact(fixture::SIGNING_INPUT, &sign(fixture::SIGNING_INPUT).await), fixture::JWS);
}

#[wasm_bindgen_test]
async fn a_form_checked_and_sealed_in_wasm_signs_what_webcrypto_verifies() {
    let config = r#"{"endpoint": "/v1/proofs", "controller": {"name": "Boutique", "contact": "dpo@boutique.example"},
        "privacyPolicyUrl": "/confidentialite", "purposes": [{"id": "newsletter", "channel": "email"}]}"#;
    let opened = JSON::parse(&web::open(config, "https://shop.example")).unwrap();
    let h = Reflect::get(&opened, &"h".into()).unwrap().as_f64().unwrap() as u32;
    let fr: Array = consent_form::i18n::builtin("fr").unwrap().entries().map(|(_, t)| JsValue::from_str(t)).collect();
    assert!(web::render(h, "fr", &String::from(JSON::stringify(&fr).unwrap())).contains("S’inscrire"));
    let checked = JSON::parse(&web::check(h, "marie@example.org", "", "newsletter")).unwrap();
    assert_eq!(Reflect::get(&checked, &"ok".into()).unwrap(), JsValue::TRUE);
    let hash: Array = Reflect::get(&checked, &"hash".into()).unwrap().unchecked_into();
    let mut hashes = Vec::new();
    for input in hash.iter() {
        hashes.push(sha256_hex(&input.as_string().unwrap()).await);
    }
    let ticket = Reflect::get(&checked, &"ticket".into()).unwrap().as_f64().unwrap() as u32;
    let lines = ["https://shop.example\n/\n\n", fixture::ED25519_PUBLIC_X, "\n\n", fixture::KID, "\n", &hashes.join("\n")].concat();
    let sealed = web::seal(h, ticket, 1.7e12, &[1; 16], &lines);
    let sealed = JSON::parse(&sealed).unwrap();
    let input = Reflect::get(&sealed, &"input".into()).unwrap().as_string().unwrap();
    let signature = sign(&input).await;
    let key = fixture_key("verify", false).await;
    let ok = subtle().verify_with_object_and_u8_array_and_u8_array(&ed25519(), &key, &signature, input.as_bytes()).unwrap();
    assert_eq!(JsFuture::from(ok).await.unwrap(), JsValue::TRUE);
    let payload = base64url::decode(input.split('.').nth(1).unwrap()).unwrap();
    let payload = JSON::parse(std::str::from_utf8(&payload).unwrap()).unwrap();
    let id = Reflect::get(&sealed, &"id".into()).unwrap();
    assert_eq!(Reflect::get(&payload, &"id".into()).unwrap(), id);
    assert_eq!(Reflect::get(&payload, &"locale".into()).unwrap(), "fr");
    assert!(web::finish(h, ticket, &sha256_hex(&input).await).starts_with("cw1\n"));
}
