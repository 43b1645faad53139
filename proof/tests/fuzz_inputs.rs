//! The fuzz targets' properties (fuzz/checks/proof.rs) on every committed
//! seed (fuzz/seeds/TARGET/) and every input a fuzz run once failed on
//! (fuzz/regressions/TARGET/): CI keeps them without nightly or cargo-fuzz.
#![cfg(all(feature = "verify", feature = "fixture"))]

#[path = "../../fuzz/checks/proof.rs"]
mod checks;

use std::path::Path;

/// Runs `check` on every file under fuzz/{seeds,regressions}/`target`; how many there were.
fn each_input(target: &str, check: fn(&[u8])) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let mut n = 0;
    for folder in ["seeds", "regressions"] {
        let Ok(entries) = std::fs::read_dir(root.join(folder).join(target)) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            let data = std::fs::read(&path).unwrap();
            let outcome = std::panic::catch_unwind(|| check(&data));
            assert!(outcome.is_ok(), "{target} fails on {}", path.display());
            n += 1;
        }
    }
    n
}

#[test]
fn proof_verify_inputs() {
    assert!(each_input("proof_verify", checks::proof_verify) >= 48, "the seeds are there");
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
