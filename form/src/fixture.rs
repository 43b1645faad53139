//! A valid configuration to start each test from, for this crate's tests and
//! the widget's. Nothing in a form calls it, so the wasm build drops it.

use crate::prelude::*;

use crate::config::Config;
use crate::value::build::{arr, obj, s};
use crate::value::Value;

/// A valid b2c configuration with a newsletter and an SMS purpose.
pub fn valid() -> Value {
    obj([
        ("endpoint", s("https://collector.example/v1/proofs")),
        ("controller", obj([("name", s("Boutique Exemple")), ("contact", s("dpo@boutique.example"))])),
        ("privacyPolicyUrl", s("https://boutique.example/confidentialite")),
        ("phone", s("optional")),
        (
            "purposes",
            arr([
                obj([("id", s("newsletter")), ("channel", s("email"))]),
                obj([("id", s("sms")), ("channel", s("sms"))]),
            ]),
        ),
    ])
}

/// Replaces or adds a top-level member.
pub fn with(mut v: Value, key: &str, value: Value) -> Value {
    if let Value::Obj(members) = &mut v {
        members.retain(|(k, _)| k != key);
        members.push((key.into(), value));
    }
    v
}

/// Removes a top-level member.
pub fn without(mut v: Value, key: &str) -> Value {
    if let Value::Obj(members) = &mut v {
        members.retain(|(k, _)| k != key);
    }
    v
}

/// Parses a configuration that must be valid.
pub fn config(v: Value) -> Config {
    match Config::from_value(&v) {
        Ok(c) => c,
        Err(problems) => panic!("expected a valid configuration, got {problems:?}"),
    }
}

/// The `(field, code)` of each problem of a configuration that must be invalid.
pub fn problems(v: Value) -> Vec<(String, &'static str)> {
    match Config::from_value(&v) {
        Ok(_) => panic!("expected problems"),
        Err(p) => p.iter().map(|p| (p.field.clone(), p.code().as_str())).collect(),
    }
}
