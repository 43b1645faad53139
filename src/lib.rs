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
// lives in `consent-form`, shared with the collector; re-exported under the
// paths the widget has always used.
pub use consent_form::{config, i18n, json, phone, rules, text, validate, value, view};

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
