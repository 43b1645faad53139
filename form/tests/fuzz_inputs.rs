//! The widget fuzz targets' properties (fuzz/checks/form.rs) on every
//! committed seed (fuzz/seeds/TARGET/) and every input a fuzz run once failed
//! on (fuzz/regressions/TARGET/): CI keeps them without nightly or cargo-fuzz.

#[path = "../../fuzz/checks/form.rs"]
mod checks;

#[path = "../../fuzz/checks/inputs.rs"]
mod inputs;

/// Runs `check` on every committed input of `target`; how many there were.
fn each_input(target: &str, check: fn(&[u8])) -> usize {
    inputs::each_input(env!("CARGO_MANIFEST_DIR"), target, check)
}

#[test]
fn widget_config_inputs() {
    assert!(each_input("widget_config", checks::widget_config) >= 8, "the seeds are there");
}

#[test]
fn phone_inputs() {
    assert!(each_input("phone", checks::phone) >= 100, "the seeds are there");
}
