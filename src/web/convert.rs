//! JS values in and out: configuration into a [`Value`], results into plain
//! JS objects.

use js_sys::{Array, Object, Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};

use crate::config::{Code, Problem};
use crate::value::Value;

/// Reads a JS configuration: an object, or a JSON string (the script tag).
pub fn config_value(config: &JsValue) -> Result<Value, Problem> {
    match config.as_string() {
        Some(json) => match JSON::parse(&json) {
            Ok(parsed) => Ok(to_value(&parsed)),
            Err(_) => Err(Problem::new("(config)", Code::Type, "is not valid JSON")),
        },
        None => Ok(to_value(config)),
    }
}

/// Converts a JS value into a [`Value`].
pub fn to_value(v: &JsValue) -> Value {
    if v.is_null() || v.is_undefined() {
        Value::Null
    } else if let Some(b) = v.as_bool() {
        Value::Bool(b)
    } else if let Some(n) = v.as_f64() {
        Value::Num(n)
    } else if let Some(s) = v.as_string() {
        Value::Str(s)
    } else if Array::is_array(v) {
        Value::Arr(Array::from(v).iter().map(|item| to_value(&item)).collect())
    } else if v.is_object() && !v.is_function() {
        let entries = Object::entries(v.unchecked_ref());
        Value::Obj(
            entries
                .iter()
                .map(|pair| {
                    let pair: Array = pair.unchecked_into();
                    (pair.get(0).as_string().unwrap_or_default(), to_value(&pair.get(1)))
                })
                .collect(),
        )
    } else {
        Value::Unsupported
    }
}

/// A plain JS object from `(key, value)` pairs.
pub fn object(members: &[(&str, JsValue)]) -> JsValue {
    let obj = Object::new();
    for (k, v) in members {
        let _ = Reflect::set(&obj, &JsValue::from_str(k), v);
    }
    obj.into()
}

/// A JS string.
pub fn s(v: &str) -> JsValue {
    JsValue::from_str(v)
}

/// The problems as an array of `{field, code, message}`.
pub fn problems(list: &[Problem]) -> Array {
    list.iter()
        .map(|p| object(&[("field", s(&p.field)), ("code", s(p.code.as_str())), ("message", s(&p.message))]))
        .collect()
}
