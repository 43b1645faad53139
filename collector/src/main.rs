//! The consent-collector command line.
fn main() {}
