//! The fuzz targets' properties (fuzz/checks/proof.rs) on every committed
//! seed (fuzz/seeds/TARGET/) and every input a fuzz run once failed on
//! (fuzz/regressions/TARGET/): CI keeps them without nightly or cargo-fuzz.
#![cfg(all(feature = "verify", feature = "fixture"))]

#[path = "../../fuzz/checks/proof.rs"]
mod checks;

#[path = "../../fuzz/checks/inputs.rs"]
mod inputs;

/// Runs `check` on every committed input of `target`; how many there were.
fn each_input(target: &str, check: fn(&[u8])) -> usize {
    inputs::each_input(env!("CARGO_MANIFEST_DIR"), target, check)
}

#[test]
fn proof_verify_inputs() {
    assert!(
        each_input("proof_verify", checks::proof_verify) >= 48,
        "the seeds are there"
    );
}

#[test]
fn proof_payload_inputs() {
    assert!(each_input("proof_payload", checks::proof_payload) >= 40);
}

#[test]
fn proof_signed_inputs() {
    assert!(each_input("proof_signed", checks::proof_signed) >= 80);
}

#[test]
fn jcs_differential_inputs() {
    assert!(each_input("jcs_differential", checks::jcs_differential) >= 100);
}
