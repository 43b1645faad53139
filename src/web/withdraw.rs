//! "Manage my choices": withdrawing a consent from the browser that gave
//! it, as a signed withdrawal record linked to that consent.

use crate::prelude::*;

use consent_proof::{ShownTexts, Subject};
use wasm_bindgen::JsValue;
use web_sys::{Element, Event};

use super::convert::{object, s};
use super::submit::PREV;
use super::widget::{self, Current, Shared};
use super::{crypto, deliver, dom, events, page, sign, storage};
use crate::delivery::Entry;
use crate::i18n::Texts;
use crate::record::{self, Consented};
use crate::text::cat;
use crate::view::{self, ids};

/// Opens or closes the withdrawal form.
pub fn on_toggle(shared: &Shared, _: Event) {
    let root = shared.borrow().root.clone();
    let (Some(toggle), Some(form)) = (dom::by_id(&root, ids::MANAGE_TOGGLE), dom::by_id(&root, ids::MANAGE)) else { return };
    let open = form.has_attribute("hidden");
    let _ = toggle.set_attribute("aria-expanded", if open { "true" } else { "false" });
    let _ = if open { form.remove_attribute("hidden") } else { form.set_attribute("hidden", "") };
    if open {
        if let Some(first) = form.query_selector("input").ok().flatten() {
            dom::focus(&first);
        }
    }
}

/// The withdrawal form's submit handler.
pub fn on_submit(shared: &Shared, event: Event) {
    event.prevent_default();
    let (root, boxes, ticked) = {
        let m = shared.borrow();
        let Ok(config) = &m.config else { return };
        let boxes: Vec<(String, Element)> = config
            .purposes
            .iter()
            .filter_map(|p| dom::by_id(&m.root, &cat(&[ids::WITHDRAW_PREFIX, &p.id])).map(|el| (p.id.clone(), el)))
            .collect();
        let ticked: Vec<String> = boxes.iter().filter(|(_, el)| dom::checked(el)).map(|(id, _)| id.clone()).collect();
        (m.root.clone(), boxes, ticked)
    };
    let none = ticked.is_empty();
    for (_, el) in &boxes {
        dom::mark(el, ids::MANAGE_ERROR, none);
    }
    if let Some(error) = dom::by_id(&root, ids::MANAGE_ERROR) {
        let text = shared.borrow().texts().map(|t| t.get("manage.error.none").to_string());
        error.set_text_content(if none { text.as_deref() } else { None });
        let _ = if none { error.remove_attribute("hidden") } else { error.set_attribute("hidden", "") };
    }
    if none {
        shared.borrow().say("manage.error.none");
        if let Some((_, first)) = boxes.first() {
            dom::focus(first);
        }
        return;
    }
    let shared = shared.clone();
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(error) = withdraw(&shared, ticked).await {
            super::submit::fail(&shared, error);
        }
    });
}

/// Signs a withdrawal of `purpose_ids` from this browser's consent with this
/// form, writes it to the outbox, sends it, and returns its record id.
///
/// # Errors
/// When this browser holds no consent from this form, or signing fails.
pub async fn withdraw(shared: &Shared, purpose_ids: Vec<String>) -> Result<String, JsValue> {
    let (config, host) = {
        let m = shared.borrow();
        let config = m.config.as_ref().map_err(|_| s("the configuration is invalid"))?.clone();
        (config, m.host.clone())
    };
    let key_name = widget::consented_key(&config);
    let mut consented = storage::get(&key_name)
        .and_then(|v| Consented::decode(&v))
        .ok_or_else(|| s("no consent from this browser with this form to withdraw"))?;
    // Only purposes this browser consented to, each once, and at least one:
    // anything else would make a record the collector must refuse.
    let mut purposes: Vec<(String, crate::config::Channel)> = Vec::new();
    for id in &purpose_ids {
        let given = consented.purposes.iter().find(|(p, _)| p == id);
        let given = given.ok_or_else(|| s(&cat(&["no consent to withdraw for purpose ", id])))?;
        if !purposes.iter().any(|(p, _)| p == id) {
            purposes.push(given.clone());
        }
    }
    if purposes.is_empty() {
        return Err(s("name at least one purpose to withdraw"));
    }
    m_say(shared, "status.pending");
    let locale = shared.borrow().locale_shown();
    let texts = Texts::resolve(&config, locale.as_deref());
    let plan = view::manage(&config, &texts, &purposes);
    let shown: ShownTexts = plan.shown.into_iter().collect();
    let key = crypto::key().await?;
    let ids: Vec<&str> = purposes.iter().map(|(id, _)| id.as_str()).collect();
    let hashes = sign::hashes(&record::hash_inputs(&shown, &ids)).await?;
    let ctx = page::context(Some(consented.proof_hash.clone()));
    let id = ctx.id.clone();
    let subject = Subject { email: consented.email.clone(), phone: consented.phone.clone() };
    let proof = record::withdrawal(&config, texts.locale(), subject, &purposes, shown, &hashes, ctx);
    let jws = sign::sign(&key, &proof).await?;
    let hash = crypto::sha256_hex(&jws).await?;
    storage::outbox_put(&Entry::new(id.clone(), page::absolute(&config.endpoint), config.form_id.clone(), jws.clone()))?;
    // The withdrawal is in the outbox: it will be sent whatever follows.
    let _ = storage::set(PREV, &hash);
    consented.purposes.retain(|(p, _)| !purpose_ids.contains(p));
    let _ = storage::set(&key_name, &consented.encode());
    shared.borrow_mut().current = Some(Current { id: id.clone(), withdrawal: true, doi: false });
    let list: js_sys::Array = purposes.iter().map(|(p, _)| s(p)).collect();
    events::fire(&host, "consent:withdraw", &object(&[("id", s(&id)), ("purposes", list.into()), ("proof", s(&jws))]));
    if let Some(doc) = host.owner_document() {
        widget::render_manage(shared, &doc, &config);
    }
    // The button that had focus is gone with the old section.
    let root = shared.borrow().root.clone();
    if let Some(next) = dom::by_id(&root, ids::MANAGE_TOGGLE).or_else(|| dom::by_id(&root, ids::STATUS)) {
        dom::focus(&next);
    }
    let courier = shared.borrow().courier.clone();
    if let Some(courier) = courier {
        courier.adopt(&id);
        deliver::flush(&courier);
    }
    Ok(id)
}

fn m_say(shared: &Shared, key: &str) {
    shared.borrow().say(key);
}
