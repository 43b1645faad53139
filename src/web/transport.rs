//! The POST of one proof to the configured endpoint.

use crate::prelude::*;

use js_sys::{Promise, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Headers, RequestInit, Response};

use super::convert::s;

/// A request that has not answered within this long is abandoned and retried.
const TIMEOUT_MS: i32 = 15_000;

/// The backend's answer; status 0 means the request failed or timed out.
pub struct Reply {
    /// HTTP status, or 0.
    pub status: u16,
    /// The response body as text.
    pub body: String,
}

/// POSTs a compact JWS (`application/jose`) with the configured headers and
/// `Idempotency-Key: <record id>`. With `keepalive`, the request outlives the
/// page (used on `pagehide`).
pub async fn post(endpoint: &str, headers: &[(String, String)], id: &str, jws: &str, keepalive: bool) -> Reply {
    match send(endpoint, headers, id, jws, keepalive).await {
        Ok(reply) => reply,
        Err(_) => Reply { status: 0, body: String::new() },
    }
}

async fn send(endpoint: &str, extra: &[(String, String)], id: &str, jws: &str, keepalive: bool) -> Result<Reply, JsValue> {
    let window = web_sys::window().ok_or(JsValue::NULL)?;
    let headers = Headers::new()?;
    for (name, value) in extra {
        headers.set(name, value)?;
    }
    headers.set("Content-Type", "application/jose")?;
    headers.set("Idempotency-Key", id)?;
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_headers(&headers);
    init.set_body(&s(jws));
    if keepalive {
        Reflect::set(&init, &s("keepalive"), &JsValue::TRUE)?;
    }
    let controller = AbortController::new()?;
    init.set_signal(Some(&controller.signal()));
    let abort = Closure::once(move || controller.abort());
    let timer = window.set_timeout_with_callback_and_timeout_and_arguments_0(abort.as_ref().unchecked_ref(), TIMEOUT_MS)?;
    // The timer covers the body too: a response that stalls mid-body is
    // abandoned like one that never starts.
    let result = read(&window, &init, endpoint).await;
    window.clear_timeout_with_handle(timer);
    result
}

async fn read(window: &web_sys::Window, init: &RequestInit, endpoint: &str) -> Result<Reply, JsValue> {
    let response: Response = JsFuture::from(window.fetch_with_str_and_init(endpoint, init)).await?.dyn_into()?;
    let text: Promise = response.text()?;
    let body = JsFuture::from(text).await?.as_string().unwrap_or_default();
    Ok(Reply { status: response.status(), body })
}
