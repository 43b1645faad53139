//! See `jcs_differential` in fuzz/checks/proof.rs: the property, and why.
#![no_main]
#[allow(dead_code)] // each target calls one of them
#[path = "../checks/proof.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::jcs_differential(data));
