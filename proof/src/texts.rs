//! `texts`: the exact strings the subject saw, and the hash that pins them.

use crate::canonical::{write_string_members, Canonical, ObjectWriter};
#[allow(unused_imports)]
use crate::prelude::*;

/// `texts`: every string shown on the form, and their hash.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Texts {
    /// `sha256`: lowercase hex SHA-256 of [`Texts::digest_input`], the
    /// canonical JSON of `shown`.
    pub sha256: String,
    /// `shown`: catalog key (e.g. `"purpose.newsletter"`) → text exactly as displayed.
    pub shown: ShownTexts,
}

impl Texts {
    /// The bytes whose SHA-256 is `texts.sha256`: the canonical JSON of `shown`.
    ///
    /// The widget hashes this with WebCrypto; no hashing happens here.
    pub fn digest_input(shown: &ShownTexts) -> String {
        shown.to_canonical_json()
    }
}

/// The texts shown, as `(catalog key, text)` pairs; written as one JSON object.
///
/// A plain vector rather than a map: the widget keeps them in display order,
/// and a `BTreeMap` would cost the wasm build about 2 KB. Keys must be unique
/// ([`crate::Proof::check`] says so). The JSON object is written with keys
/// sorted whatever the order here; a parsed record holds them in that sorted
/// (UTF-16) order.
///
/// Equality ignores order, as the canonical form does.
#[derive(Clone, Debug, Default, Eq)]
pub struct ShownTexts(pub Vec<(String, String)>);

impl PartialEq for ShownTexts {
    fn eq(&self, other: &Self) -> bool {
        // With unique keys, same length and inclusion is set equality.
        self.0.len() == other.0.len() && self.0.iter().all(|pair| other.0.contains(pair))
    }
}

impl ShownTexts {
    /// An empty list.
    pub fn new() -> Self {
        ShownTexts(Vec::new())
    }

    /// Appends a text shown under `key`.
    pub fn push(&mut self, key: impl Into<String>, text: impl Into<String>) {
        self.0.push((key.into(), text.into()));
    }

    /// The text shown under `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, t)| t.as_str())
    }

    /// The texts, in the order held.
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(_, t)| t.as_str())
    }

    /// Whether a key appears twice; the first duplicate key if so.
    pub fn duplicate_key(&self) -> Option<&str> {
        let keys = &self.0;
        keys.iter()
            .enumerate()
            .find(|(i, (k, _))| keys.iter().take(*i).any(|(j, _)| j == k))
            .map(|(_, (k, _))| k.as_str())
    }

    /// Whether nothing was shown.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<K: Into<String>, T: Into<String>> FromIterator<(K, T)> for ShownTexts {
    fn from_iter<I: IntoIterator<Item = (K, T)>>(iter: I) -> Self {
        ShownTexts(
            iter.into_iter()
                .map(|(k, t)| (k.into(), t.into()))
                .collect(),
        )
    }
}

impl Canonical for ShownTexts {
    fn write_canonical(&self, out: &mut String) {
        write_string_members(out, self.0.iter().map(|(k, t)| (k.as_str(), t.as_str())));
    }
}

impl Canonical for Texts {
    fn write_canonical(&self, out: &mut String) {
        ObjectWriter::new(out)
            .string("sha256", &self.sha256)
            .value("shown", &self.shown)
            .finish();
    }
}

#[cfg(feature = "serde")]
mod serde_impl {
    use super::ShownTexts;
    use crate::canonical::utf16_cmp;
    use serde::ser::SerializeMap;

    impl serde::Serialize for ShownTexts {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let mut map = serializer.serialize_map(Some(self.0.len()))?;
            for (k, t) in &self.0 {
                map.serialize_entry(k, t)?;
            }
            map.end()
        }
    }

    use crate::prelude::*;

    impl<'de> serde::Deserialize<'de> for ShownTexts {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            struct Visitor;
            impl<'de> serde::de::Visitor<'de> for Visitor {
                type Value = ShownTexts;
                fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str("an object of strings")
                }
                fn visit_map<A: serde::de::MapAccess<'de>>(
                    self,
                    mut access: A,
                ) -> Result<ShownTexts, A::Error> {
                    let mut pairs: Vec<(String, String)> = Vec::new();
                    while let Some((k, t)) = access.next_entry::<String, String>()? {
                        if pairs.iter().any(|(seen, _)| *seen == k) {
                            return Err(serde::de::Error::custom(format!("duplicate key {k:?}")));
                        }
                        pairs.push((k, t));
                    }
                    pairs.sort_by(|a, b| utf16_cmp(&a.0, &b.0));
                    Ok(ShownTexts(pairs))
                }
            }
            deserializer.deserialize_map(Visitor)
        }
    }
}
