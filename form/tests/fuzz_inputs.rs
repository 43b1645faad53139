//! The widget fuzz targets' properties (fuzz/checks/form.rs) on every
//! committed seed (fuzz/seeds/TARGET/) and every input a fuzz run once failed
//! on (fuzz/regressions/TARGET/): CI keeps them without nightly or cargo-fuzz.

#[path = "../../fuzz/checks/form.rs"]
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
fn widget_config_inputs() {
    assert!(each_input("widget_config", checks::widget_config) >= 8, "the seeds are there");
}

#[test]
fn phone_inputs() {
    assert!(each_input("phone", checks::phone) >= 100, "the seeds are there");
}
