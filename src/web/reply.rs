//! Replies to the page as JSON text: the page reads them with `JSON.parse`,
//! which costs no glue, instead of one import per value.

use crate::prelude::*;

use consent_proof::canonical::write_string;

/// A JSON object under construction.
pub struct Obj(String);

impl Obj {
    /// An empty object.
    pub fn new() -> Obj {
        Obj(String::from("{"))
    }

    /// Adds `key` with a value already in JSON.
    pub fn raw(mut self, key: &str, json: &str) -> Obj {
        if self.0.len() > 1 {
            self.0.push(',');
        }
        write_string(&mut self.0, key);
        self.0.push(':');
        self.0.push_str(json);
        self
    }

    /// Adds a string member.
    pub fn str(self, key: &str, value: &str) -> Obj {
        let v = string(value);
        self.raw(key, &v)
    }

    /// Adds a boolean member.
    pub fn bool(self, key: &str, value: bool) -> Obj {
        self.raw(key, if value { "true" } else { "false" })
    }

    /// The object's JSON text.
    pub fn end(mut self) -> String {
        self.0.push('}');
        self.0
    }
}

/// A JSON string.
pub fn string(value: &str) -> String {
    let mut out = String::new();
    write_string(&mut out, value);
    out
}

/// A JSON array of values already in JSON.
pub fn list(items: impl IntoIterator<Item = String>) -> String {
    let mut out = String::from("[");
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&item);
    }
    out.push(']');
    out
}

/// A JSON array of strings.
pub fn strings<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    list(items.into_iter().map(string))
}

/// `(key, value)` string pairs as a JSON object.
pub fn pairs<'a>(items: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    items.into_iter().fold(Obj::new(), |o, (k, v)| o.str(k, v)).end()
}
