//! Runs a fuzz target's check on its committed inputs, for the normal test
//! suites (`proof/tests/fuzz_inputs.rs`, `form/tests/fuzz_inputs.rs`), which
//! include this file with `#[path]`.

use std::path::Path;

/// Runs `check` on every file under fuzz/{seeds,regressions}/`target`
/// (`crate_dir`: the including crate's `CARGO_MANIFEST_DIR`, beside `fuzz/`);
/// how many there were.
pub fn each_input(crate_dir: &str, target: &str, check: fn(&[u8])) -> usize {
    let root = Path::new(crate_dir).join("../fuzz");
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
