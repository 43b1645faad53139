//! "Manage my choices": withdrawing a consent from the browser that gave
//! it, as a signed withdrawal record linked to that consent.

use crate::prelude::*;

use consent_proof::{ShownTexts, Subject};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Event, HtmlElement};

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
        if let Some(first) = form.query_selector("input").ok().flatten().and_then(|e| e.dyn_into::<HtmlElement>().ok()) {
            let _ = first.focus();
        }
    }
}

/// The withdrawal form's submit handler.
pub fn on_submit(shared: &Shared, event: Event) {
    event.prevent_default();
    let (root, ids_ticked) = {
        let m = shared.borrow();
        let Ok(config) = &m.config else { return };
        let ticked: Vec<String> = config
            .purposes
            .iter()
            .filter(|p| dom::is_checked(&m.root, &cat(&[ids::WITHDRAW_PREFIX, &p.id])))
            .map(|p| p.id.clone())
            .collect();
        (m.root.clone(), ticked)
    };
    if let Some(error) = dom::by_id(&root, ids::MANAGE_ERROR) {
        let texts_text = shared.borrow().texts().map(|t| t.get("manage.error.none").to_string());
        if ids_ticked.is_empty() {
            error.set_text_content(texts_text.as_deref());
            let _ = error.remove_attribute("hidden");
            if let Some(first) = root.query_selector("#cw-manage input").ok().flatten().and_then(|e| e.dyn_into::<HtmlElement>().ok()) {
                let _ = first.focus();
            }
            return;
        }
        let _ = error.set_attribute("hidden", "");
    }
    let shared = shared.clone();
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(error) = withdraw(&shared, ids_ticked).await {
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
    let mut purposes = Vec::new();
    for id in &purpose_ids {
        let p = config.purposes.iter().find(|p| &p.id == id).ok_or_else(|| s(&cat(&["unknown purpose: ", id])))?;
        purposes.push((p.id.clone(), p.channel));
    }
    m_say(shared, "status.pending");
    let texts = Texts::resolve(&config, page::lang().as_deref());
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
    storage::outbox_put(&Entry::new(id.clone(), page::absolute(&config.endpoint), jws.clone()))?;
    storage::set(PREV, &crypto::sha256_hex(&jws).await?)?;
    consented.purposes.retain(|(p, _)| !purpose_ids.contains(p));
    storage::set(&key_name, &consented.encode())?;
    shared.borrow_mut().current = Some(Current { id: id.clone(), withdrawal: true });
    let list: js_sys::Array = purpose_ids.iter().map(|p| s(p)).collect();
    events::fire(&host, "consent:withdraw", &object(&[("id", s(&id)), ("purposes", list.into()), ("proof", s(&jws))]));
    if let Some(doc) = host.owner_document() {
        widget::render_manage(shared, &doc, &config);
    }
    let courier = shared.borrow().courier.clone();
    if let Some(courier) = courier {
        deliver::flush(&courier);
    }
    Ok(id)
}

fn m_say(shared: &Shared, key: &str) {
    shared.borrow().say(key);
}
