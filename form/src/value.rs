//! A plain data tree that configuration arrives as.
//!
//! The page's configuration arrives as JSON text, which [`crate::json`]
//! reads into a [`Value`]; the pure core reads the configuration from it. This keeps serde and
//! serde_json out of the WebAssembly build and lets every configuration rule
//! be tested natively.

use crate::prelude::*;

/// A JSON-like value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null` or `undefined`.
    Null,
    /// A boolean.
    Bool(bool),
    /// A number (no field takes one, so only its type is kept).
    Num,
    /// A string.
    Str(String),
    /// An array.
    Arr(Vec<Value>),
    /// An object, in the order its keys were listed.
    Obj(Vec<(String, Value)>),
}

impl Value {
    /// The member `key` of an object, if this is an object that has it; of
    /// a name given twice, the last, as in `JSON.parse`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Obj(members) => members.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The name of this value's type, as a configuration problem states it.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Num => "a number",
            Value::Str(_) => "a string",
            Value::Arr(_) => "an array",
            Value::Obj(_) => "an object",
        }
    }
}

/// Shorthand constructors, so tests and callers can write configuration
/// trees without a JSON parser.
pub mod build {
    use super::Value;

    /// A string value.
    pub fn s(v: &str) -> Value {
        Value::Str(v.into())
    }

    /// An object value from `(key, value)` pairs.
    pub fn obj<const N: usize>(members: [(&str, Value); N]) -> Value {
        Value::Obj(members.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// An array value.
    pub fn arr<const N: usize>(items: [Value; N]) -> Value {
        Value::Arr(items.into())
    }
}
