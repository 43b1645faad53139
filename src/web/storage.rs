//! What the widget keeps in the browser: the signing key pair in IndexedDB
//! (a non-extractable `CryptoKey` survives there as an opaque object), and
//! the outbox and proof chain in localStorage (synchronous, so a proof is
//! stored before the first attempt starts).

use crate::prelude::*;

use js_sys::Promise;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbRequest, IdbTransactionMode, Storage};

use crate::delivery::Entry;
use crate::text::cat;

const DB: &str = "consent-widget";
const STORE: &str = "keys";
const OUTBOX: &str = "consent-widget/outbox/";

/// Resolves when `req` succeeds, with its result.
async fn done(req: &IdbRequest) -> Result<JsValue, JsValue> {
    let promise = Promise::new(&mut |resolve, reject| {
        req.set_onsuccess(Some(&resolve));
        req.set_onerror(Some(&reject));
    });
    JsFuture::from(promise).await?;
    req.result()
}

async fn db() -> Result<IdbDatabase, JsValue> {
    let factory = web_sys::window().ok_or(JsValue::NULL)?.indexed_db()?.ok_or(JsValue::NULL)?;
    let req = factory.open_with_u32(DB, 1)?;
    let upgrading = req.clone();
    let upgrade = Closure::once(move |_: JsValue| {
        if let Ok(db) = upgrading.result() {
            let _ = db.unchecked_into::<IdbDatabase>().create_object_store(STORE);
        }
    });
    req.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
    let db = done(&req).await?;
    req.set_onupgradeneeded(None);
    Ok(db.unchecked_into())
}

/// The value stored under `name` in IndexedDB (`undefined` if none).
pub async fn key_get(name: &str) -> Result<JsValue, JsValue> {
    let db = db().await?;
    let store = db.transaction_with_str(STORE)?.object_store(STORE)?;
    done(&store.get(&JsValue::from_str(name))?).await
}

/// Stores `value` under `name` in IndexedDB.
pub async fn key_put(name: &str, value: &JsValue) -> Result<(), JsValue> {
    let db = db().await?;
    let store = db.transaction_with_str_and_mode(STORE, IdbTransactionMode::Readwrite)?.object_store(STORE)?;
    done(&store.put_with_key(value, &JsValue::from_str(name))?).await.map(|_| ())
}

fn local() -> Result<Storage, JsValue> {
    web_sys::window().ok_or(JsValue::NULL)?.local_storage()?.ok_or(JsValue::NULL)
}

/// A localStorage value.
pub fn get(name: &str) -> Option<String> {
    local().ok()?.get_item(name).ok()?
}

/// Sets a localStorage value.
///
/// # Errors
/// When storage is unavailable or full.
pub fn set(name: &str, value: &str) -> Result<(), JsValue> {
    local()?.set_item(name, value)
}

/// Writes an outbox entry.
///
/// # Errors
/// When storage is unavailable or full: the proof must not be sent then.
pub fn outbox_put(entry: &Entry) -> Result<(), JsValue> {
    set(&cat(&[OUTBOX, &entry.id]), &entry.encode())
}

/// Removes an outbox entry (after a 2xx only).
pub fn outbox_remove(id: &str) {
    if let Ok(storage) = local() {
        let _ = storage.remove_item(&cat(&[OUTBOX, id]));
    }
}

/// The outbox entry `id`, if it is stored and readable.
pub fn outbox_get(id: &str) -> Option<Entry> {
    get(&cat(&[OUTBOX, id])).and_then(|v| Entry::decode(&v))
}

/// Every readable outbox entry.
pub fn outbox_all() -> Vec<Entry> {
    let Ok(storage) = local() else { return Vec::new() };
    let count = storage.length().unwrap_or(0);
    (0..count)
        .filter_map(|i| storage.key(i).ok().flatten())
        .filter(|k| k.starts_with(OUTBOX))
        .filter_map(|k| storage.get_item(&k).ok().flatten())
        .filter_map(|v| Entry::decode(&v))
        .collect()
}
