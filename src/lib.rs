//! consent-widget: a newsletter and SMS signup form that obeys EU and French
//! consent law, rendered by WebAssembly into any page, and turning each
//! submission into a signed consent proof.
//!
//! The crate is a pure core, tested natively with `cargo test`, plus `web`:
//! the functions the JS shell in `src/web/js/` calls (also plain functions
//! natively, and tested so), the shell being the one place that touches the
//! browser.
#![cfg_attr(all(target_arch = "wasm32", feature = "small"), no_std)]

extern crate alloc;

pub mod config; // configuration types, defaults and validation
pub mod delivery; // response verdicts, backoff
pub mod form; // checking what the subscriber entered
pub mod i18n; // text catalogs and locale lookup
pub mod phone; // E.164 normalisation
pub mod record; // the proof payload the widget fills
pub mod rules; // the compliance rules per regime
pub mod text; // string helpers without format! machinery
pub mod validate; // e-mail and URL checks
pub mod value; // the data tree configuration arrives as
pub mod json; // JSON text into that tree
pub mod view; // what to render, as a plain tree

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
