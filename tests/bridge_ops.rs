//! The wasm's op codes are written twice, in `src/web/bridge.rs` (the wasm
//! side, Rust constants) and `src/web/js/core.js` (the shell's calls): this
//! reads both files and holds them to one table, so that a renumbered or
//! added op cannot reach a page with the two sides disagreeing.

use std::collections::BTreeMap;

/// `SET_LOCALE` for `setLocale`.
fn constant_name(js: &str) -> String {
    let mut name = String::new();
    for c in js.chars() {
        if c.is_ascii_uppercase() {
            name.push('_');
        }
        name.push(c.to_ascii_uppercase());
    }
    name
}

/// The `pub const NAME: u32 = N;` lines of bridge.rs's `mod op`.
fn rust_ops() -> BTreeMap<String, u32> {
    let source = std::fs::read_to_string("src/web/bridge.rs").unwrap();
    let table = source.split("mod op {").nth(1).expect("bridge.rs has its `mod op`");
    let table = &table[..table.find('}').unwrap()];
    table
        .lines()
        .filter_map(|line| line.trim().strip_prefix("pub const "))
        .map(|line| {
            let (name, value) = line.split_once(": u32 = ").expect("`NAME: u32 = N;`");
            (name.to_string(), value.trim_end_matches(';').parse().unwrap())
        })
        .collect()
}

/// The `export const name = (...) => text(N, ...)` or `call(N, ...)` lines of core.js.
fn js_ops() -> BTreeMap<String, u32> {
    let source = std::fs::read_to_string("src/web/js/core.js").unwrap();
    source
        .lines()
        .filter_map(|line| line.strip_prefix("export const "))
        .filter_map(|line| {
            let (name, body) = line.split_once(" = (")?;
            let at = body.find("=> text(").map(|i| i + 8).or(body.find("=> call(").map(|i| i + 8))?;
            let code = body[at..].split(|c: char| !c.is_ascii_digit()).next()?;
            Some((constant_name(name), code.parse().ok()?))
        })
        .collect()
}

#[test]
fn the_shell_and_the_wasm_number_every_op_alike() {
    let (rust, js) = (rust_ops(), js_ops());
    assert!(rust.len() >= 14, "bridge.rs's ops: {rust:?}");
    assert_eq!(js, rust, "core.js's op codes (left) against bridge.rs's (right)");
    let mut codes: Vec<u32> = rust.values().copied().collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), rust.len(), "two ops share a code: {rust:?}");
}
