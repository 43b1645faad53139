//! Replies to the page as JSON text: the page reads them with `JSON.parse`,
//! which costs no glue, instead of one import per value.
//!
//! Builders with plain loops, not functions generic over iterators: each
//! iterator type a generic took was one more copy of it in the wasm.

use crate::prelude::*;

use consent_proof::canonical::write_string;

/// A JSON object under construction.
pub struct Obj(String);

impl Obj {
    /// An empty object.
    pub fn new() -> Obj {
        Obj(String::from("{"))
    }

    /// Writes the separator and `key:` of the next member.
    fn key(&mut self, key: &str) {
        if self.0.len() > 1 {
            self.0.push(',');
        }
        write_string(&mut self.0, key);
        self.0.push(':');
    }

    /// Adds `key` with a value already in JSON.
    pub fn raw(&mut self, key: &str, json: &str) -> &mut Obj {
        self.key(key);
        self.0.push_str(json);
        self
    }

    /// Adds a string member.
    pub fn str(&mut self, key: &str, value: &str) -> &mut Obj {
        self.key(key);
        write_string(&mut self.0, value);
        self
    }

    /// Adds a boolean member.
    pub fn bool(&mut self, key: &str, value: bool) -> &mut Obj {
        self.raw(key, if value { "true" } else { "false" })
    }

    /// The object's JSON text.
    pub fn end(&mut self) -> String {
        self.0.push('}');
        core::mem::take(&mut self.0)
    }
}

/// A JSON array under construction.
pub struct List(String);

impl List {
    /// An empty array.
    pub fn new() -> List {
        List(String::from("["))
    }

    fn next(&mut self) {
        if self.0.len() > 1 {
            self.0.push(',');
        }
    }

    /// Adds a value already in JSON.
    pub fn raw(&mut self, json: &str) -> &mut List {
        self.next();
        self.0.push_str(json);
        self
    }

    /// Adds a string.
    pub fn str(&mut self, value: &str) -> &mut List {
        self.next();
        write_string(&mut self.0, value);
        self
    }

    /// The array's JSON text.
    pub fn end(&mut self) -> String {
        self.0.push(']');
        core::mem::take(&mut self.0)
    }
}

/// A JSON string.
pub fn string(value: &str) -> String {
    let mut out = String::new();
    write_string(&mut out, value);
    out
}

/// A JSON array of strings.
pub fn strings(items: &[String]) -> String {
    let mut out = List::new();
    for item in items {
        out.str(item);
    }
    out.end()
}

/// `(key, value)` string pairs as a JSON object.
pub fn pairs(items: &[(String, String)]) -> String {
    let mut out = Obj::new();
    for (k, v) in items {
        out.str(k, v);
    }
    out.end()
}
