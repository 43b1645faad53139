//! See `phone` in fuzz/checks/form.rs: the property, and why.
#![no_main]
#[allow(dead_code)] // each target calls one of them
#[path = "../checks/form.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::phone(data));
