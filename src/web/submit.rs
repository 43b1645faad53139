//! A consent: check what was entered, then sign the record, write it to the
//! outbox, and hand it to the courier.

use crate::prelude::*;

use consent_proof::ShownTexts;
use wasm_bindgen::JsValue;
use web_sys::Event;

use super::convert::{object, s};
use super::widget::{self, Current, Shared};
use super::{crypto, deliver, dom, events, page, sign, storage};
use crate::config::Config;
use crate::delivery::Entry;
use crate::form::{self, Input, Submission};
use crate::i18n::Texts;
use crate::record::{self, Consented};
use crate::rules;
use crate::view;

/// Storage key of the SHA-256 of the last proof this browser signed.
pub const PREV: &str = "consent-widget/prev";

/// The main form's submit handler.
pub fn on_submit(shared: &Shared, event: Event) {
    event.prevent_default();
    let m = shared.borrow();
    let Ok(config) = &m.config else { return };
    if m.current.as_ref().is_some_and(|c| c.id.is_empty()) {
        return; // a record is being signed right now
    }
    let Some(texts) = m.texts() else { return };
    let e = widget::entered(&m.root, config);
    let input = Input { email: &e.email, phone: &e.phone, ticked: e.ticked.iter().map(String::as_str).collect() };
    let purpose_ids: Vec<String> = config.purposes.iter().map(|p| p.id.clone()).collect();
    match form::check(config, &input) {
        Err(errors) => {
            dom::show_errors(&m.root, &texts, &errors, &purpose_ids);
            m.say("status.invalid");
        }
        Ok(sub) => {
            dom::show_errors(&m.root, &texts, &[], &purpose_ids);
            m.say("status.pending");
            let plan = view::plan(config, &texts);
            let detail = detail(config, &texts, &sub, &plan.shown);
            let (config, locale, host) = (config.clone(), texts.locale().to_string(), m.host.clone());
            let doi = crate::record::asks_confirmation(&config, &sub);
            drop(m);
            // An empty id marks "signing": no second submission meanwhile.
            shared.borrow_mut().current = Some(Current { id: String::new(), withdrawal: false, doi });
            let shared = shared.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match record(&config, &locale, &sub, plan.shown).await {
                    Ok((id, jws)) => {
                        shared.borrow_mut().current = Some(Current { id: id.clone(), withdrawal: false, doi });
                        let _ = js_sys::Reflect::set(&detail, &s("id"), &s(&id));
                        let _ = js_sys::Reflect::set(&detail, &s("proof"), &s(&jws));
                        events::fire(&host, "consent:submit", &detail);
                        if let Some(doc) = host.owner_document() {
                            widget::render_manage(&shared, &doc, &config);
                        }
                        let courier = shared.borrow().courier.clone();
                        if let Some(courier) = courier {
                            courier.adopt(&id);
                            deliver::flush(&courier);
                        }
                    }
                    Err(error) => fail(&shared, error),
                }
            });
        }
    }
}

/// Reports a record that could not be signed or stored: nothing was sent.
pub fn fail(shared: &Shared, error: JsValue) {
    let mut m = shared.borrow_mut();
    m.current = None;
    m.say("status.failed");
    let detail = object(&[("code", s("signing")), ("message", s("the proof could not be signed or stored: nothing was sent")), ("cause", error)]);
    events::fire(&m.host, "consent:error", &detail);
}

/// Signs the consent record, writes it to the outbox before any attempt,
/// and moves this browser's chain forward. Returns the record id and JWS.
async fn record(config: &Config, locale: &str, sub: &Submission, shown: Vec<(String, String)>) -> Result<(String, String), JsValue> {
    let key = crypto::key().await?;
    let shown: ShownTexts = shown.into_iter().collect();
    let ids: Vec<&str> = sub.outcomes.iter().map(|o| o.id.as_str()).collect();
    let hashes = sign::hashes(&record::hash_inputs(&shown, &ids)).await?;
    let ctx = page::context(storage::get(PREV));
    let id = ctx.id.clone();
    let proof = record::consent(config, locale, sub, shown, &hashes, ctx);
    let jws = sign::sign(&key, &proof).await?;
    let hash = crypto::sha256_hex(&jws).await?;
    storage::outbox_put(&Entry::new(id.clone(), page::absolute(&config.endpoint), config.form_id.clone(), jws.clone()))?;
    // From here the proof is in the outbox and will be sent: a failure to
    // keep the chain or the summary must not report it as unsent.
    let _ = storage::set(PREV, &hash);
    let purposes = sub
        .outcomes
        .iter()
        .filter(|o| rules::allows_sending(o.choice))
        .map(|o| (o.id.clone(), o.channel))
        .collect();
    let consented = Consented { proof_hash: hash, email: sub.email.clone(), phone: sub.phone.clone(), purposes };
    let _ = storage::set(&widget::consented_key(config), &consented.encode());
    Ok((id, jws))
}

fn detail(config: &Config, texts: &Texts, sub: &Submission, shown: &[(String, String)]) -> JsValue {
    let purposes: js_sys::Array = sub
        .outcomes
        .iter()
        .map(|o| object(&[("id", s(&o.id)), ("channel", s(o.channel.as_str())), ("choice", s(o.choice.as_str()))]))
        .collect();
    let shown_texts: Vec<(&str, JsValue)> = shown.iter().map(|(k, v)| (k.as_str(), s(v))).collect();
    object(&[
        ("email", s(&sub.email)),
        ("phone", sub.phone.as_deref().map_or(JsValue::NULL, s)),
        ("locale", s(texts.locale())),
        ("regime", s(config.regime.as_str())),
        ("formId", s(&config.form_id)),
        ("formVersion", s(&config.form_version)),
        ("doubleOptIn", JsValue::from_bool(config.double_opt_in)),
        ("purposes", purposes.into()),
        ("texts", object(&shown_texts)),
    ])
}
