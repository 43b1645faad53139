//! consent-widget: a newsletter and SMS signup form that obeys EU and French
//! consent law, rendered by WebAssembly into any page, and turning each
//! submission into a signed consent proof.
//!
//! The crate is a pure core, tested natively with `cargo test` (what a form
//! is and shows comes from the shared `consent-form` crate), plus `web`:
//! the functions the JS shell in `src/web/js/` calls (also plain functions
//! natively, and tested so), the shell being the one place that touches the
//! browser.
#![cfg_attr(all(target_arch = "wasm32", feature = "small"), no_std)]

extern crate alloc;

pub mod delivery; // response verdicts, backoff
pub mod form; // checking what the subscriber entered
pub mod record; // the proof payload the widget fills

// What a form is and shows (configuration, rules, catalogs, the text plan)
// is the `consent-form` crate's, shared with the collector. The widget
// compiles those same source files as its own modules instead of linking the
// crate: linked, every generic they use is instantiated a second time in the
// wasm (measured: +6 KB raw, +1 KB brotli). One source, one implementation.
#[path = "../form/src/config/mod.rs"]
pub mod config;
#[doc(hidden)]
#[path = "../form/src/fixture.rs"]
pub mod fixture;
#[path = "../form/src/i18n/mod.rs"]
pub mod i18n;
#[path = "../form/src/json.rs"]
pub mod json;
#[path = "../form/src/phone.rs"]
pub mod phone;
#[path = "../form/src/rules.rs"]
pub mod rules;
#[path = "../form/src/text.rs"]
pub mod text;
#[path = "../form/src/validate.rs"]
pub mod validate;
#[path = "../form/src/value.rs"]
pub mod value;
#[path = "../form/src/view.rs"]
pub mod view;

pub mod web; // what the JS shell in src/web/js/ calls

/// The allocation types, for std and no-std builds alike.
mod prelude {
    pub use alloc::string::{String, ToString};
    pub use alloc::vec;
    pub use alloc::vec::Vec;
}

// A panic in the page traps: no message, no formatting code.
#[cfg(all(target_arch = "wasm32", feature = "small"))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}
