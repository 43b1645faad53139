//! consent-form: what a consent-widget form is and what it shows.
//!
//! One crate for both ends, so the texts a subscriber sees and the texts the
//! collector registers for that form come from one implementation:
//! - the widget compiles these files into its wasm (as modules of its own,
//!   see the widget's `src/lib.rs` for why) and renders the plan they return;
//! - the collector reads the merchant's configuration with it and derives,
//!   per locale, the exact texts the form shows and their order.
//!
//! It is pure: no browser, no clock, no randomness, no dependency beyond
//! `consent-proof`'s dependency-free layer, and `no_std` with `alloc`.
#![no_std]

extern crate alloc;
// The embedded catalogs and problem sentences are parsed once per process (std's OnceLock).
#[cfg(feature = "embedded")]
extern crate std;

pub mod config; // configuration types, defaults and validation
pub mod i18n; // text catalogs and locale lookup
pub mod json; // JSON text into the configuration's data tree
pub mod phone; // E.164 normalisation
pub mod rules; // the compliance rules per regime
pub mod text; // string helpers without format! machinery
pub mod validate; // e-mail and URL checks
pub mod value; // the data tree configuration arrives as
pub mod view; // what to render, as escaped HTML, and every string shown

#[doc(hidden)]
pub mod fixture; // a valid configuration for tests, here and in the widget

/// The allocation types, for the `no_std` build.
mod prelude {
    pub use alloc::string::{String, ToString};
    pub use alloc::vec;
    pub use alloc::vec::Vec;
}
