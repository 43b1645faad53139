//! The browser side: the `#[wasm_bindgen]` API (`mount`, `validateConfig`,
//! `version`), the DOM, and events. The only module that touches web-sys,
//! js-sys or wasm-bindgen.

use crate::prelude::*;

mod convert; // JS values in and out
pub mod crypto; // WebCrypto: the browser key, signatures, SHA-256
mod deliver; // the outbox runner: retries, online, pagehide
mod dom; // the view plan as DOM nodes; error marks
mod events; // custom events on the host element
pub mod sign; // a record into a compact JWS
mod storage; // IndexedDB key store, localStorage outbox
mod page; // the page's language, origin and address
mod submit; // a consent: check, sign, store, send
mod transport; // the POST of one proof
mod widget; // a mounted widget: shadow root, listeners, courier
mod withdraw; // "manage my choices": signed withdrawals

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::Element;

use crate::config::{Config, Problem};

// The page is single-threaded; the free-list allocator is a fraction of dlmalloc's size.
#[global_allocator]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = include_str!("types.d.ts");

#[wasm_bindgen]
extern "C" {
    /// A configuration object, or its JSON text.
    #[wasm_bindgen(typescript_type = "ConsentWidgetConfig | string")]
    pub type ConfigArg;
    /// A host element, or a CSS selector for it.
    #[wasm_bindgen(typescript_type = "Element | string")]
    pub type TargetArg;
    /// The list `validateConfig` returns.
    #[wasm_bindgen(typescript_type = "ConfigProblem[]")]
    pub type ProblemList;
}

fn read(config: &JsValue) -> Result<Config, Vec<Problem>> {
    let value = convert::config_value(config).map_err(|p| vec![p])?;
    Config::from_value(&value)
}

/// Checks a configuration without rendering anything: every problem, each
/// naming its field. An empty list means the configuration is valid.
#[wasm_bindgen(js_name = validateConfig)]
pub fn validate_config(config: ConfigArg) -> ProblemList {
    let list = read(&config).err().unwrap_or_default();
    convert::problems(&list).unchecked_into()
}

/// The widget's version.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").into()
}

/// A mounted widget.
#[wasm_bindgen]
pub struct Widget {
    inner: widget::Shared,
}

#[wasm_bindgen]
impl Widget {
    /// Removes the form and its listeners.
    pub fn destroy(&self) {
        widget::destroy(&self.inner);
    }

    /// Switches the form to another locale, keeping what was typed.
    #[wasm_bindgen(js_name = setLocale)]
    pub fn set_locale(&self, locale: &str) -> Result<(), JsError> {
        widget::set_locale(&self.inner, locale).map_err(JsError::new)
    }

    /// Withdraws consent for `purposeIds`, given earlier from this browser
    /// with this form: signs a withdrawal record linked to that consent and
    /// sends it like any proof. Resolves with the record id.
    #[wasm_bindgen(unchecked_return_type = "Promise<string>")]
    pub fn withdraw(&self, purpose_ids: Vec<String>) -> js_sys::Promise {
        let inner = self.inner.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            withdraw::withdraw(&inner, purpose_ids).await.map(|id| JsValue::from_str(&id))
        })
    }

    /// The configuration's problems; empty when the form is rendered.
    #[wasm_bindgen(getter, unchecked_return_type = "ConfigProblem[]")]
    pub fn problems(&self) -> js_sys::Array {
        convert::problems(&widget::problem_list(&self.inner))
    }
}

/// Mounts the signup form on `target` (an element or a CSS selector).
///
/// An invalid configuration renders no form: the host shows a short neutral
/// message, the console lists every problem, and `consent:error` fires.
#[wasm_bindgen]
pub fn mount(target: TargetArg, config: ConfigArg) -> Result<Widget, JsError> {
    let target: JsValue = target.into();
    let host = match target.as_string() {
        Some(selector) => web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.query_selector(&selector).ok().flatten()),
        None => target.dyn_into::<Element>().ok(),
    };
    let Some(host) = host else { return Err(JsError::new("mount: the target element was not found")) };
    Ok(Widget { inner: widget::mount(host, read(&config)).map_err(JsError::new)? })
}
