//! What the collector's mail and pages may say about a form: the registered
//! controller name and the registered texts, never a string from a proof.
//! Every value is one line: no field can put a line break into a mail.

use consent_proof::Channel;

use super::derive::box_key;
use super::FormVersion;

/// The words of one registered form in one locale.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Voice {
    /// The registered controller name, on one line.
    pub controller: String,
    /// The registered locale the texts are in (`fr`, `en`, `fr-CA`).
    pub locale: String,
}

/// One purpose as mail and pages name it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Named {
    /// Purpose id.
    pub id: String,
    /// Its registered channel.
    pub channel: Channel,
    /// The registered text next to its box in this locale, on one line; the
    /// id when that locale shows none.
    pub label: String,
}

/// `text` on one line: every run of whitespace or control characters (line
/// breaks, tabs, U+2028) becomes one space.
pub fn one_line(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

impl Voice {
    /// The voice of `version` for a subscriber who saw it in `locale`.
    pub fn of(version: &FormVersion, locale: &str) -> Voice {
        let locale = version
            .texts_for(locale)
            .map_or_else(|| locale.to_string(), |t| t.locale.clone());
        Voice {
            controller: one_line(&version.controller.name),
            locale,
        }
    }
}

/// The purposes `ids` of `version` (unregistered ids left out), each named by
/// its registered box text in `locale`.
pub fn named(version: &FormVersion, locale: &str, ids: &[&str]) -> Vec<Named> {
    let texts = version.texts_for(locale);
    version
        .purposes
        .iter()
        .filter(|p| ids.contains(&p.id.as_str()))
        .map(|p| {
            let key = box_key(&p.id);
            let label = texts
                .and_then(|t| t.shown.iter().find(|(k, _)| *k == key))
                .map(|(_, text)| one_line(text))
                .filter(|t| !t.is_empty())
                .unwrap_or_else(|| p.id.clone());
            Named {
                id: p.id.clone(),
                channel: p.channel,
                label,
            }
        })
        .collect()
}

/// `proof` in the collector's own voice when its form is registered as
/// `version`: the registered controller and, for each registered purpose,
/// the registered text the subscriber saw (under b2b and soft opt-in, for
/// a purpose not objected to, the sentence saying what will be sent rather
/// than the objection box).
pub fn speak(proof: &mut crate::proof::view::ProofView, version: &FormVersion) {
    let voice = Voice::of(version, &proof.locale);
    proof.controller = voice.controller;
    let texts = version.texts_for(&proof.locale);
    let registered = |key: String| {
        texts
            .and_then(|t| t.shown.iter().find(|(k, _)| *k == key))
            .map(|(_, text)| one_line(text))
            .filter(|t| !t.is_empty())
    };
    let ids: Vec<&str> = proof.purposes.iter().map(|p| p.id.as_str()).collect();
    let named = named(version, &proof.locale, &ids);
    for purpose in &mut proof.purposes {
        let Some(n) = named.iter().find(|n| n.id == purpose.id) else {
            continue;
        };
        let informed = (purpose.choice == consent_proof::Choice::NotObjected)
            .then(|| registered(format!("purpose.{}.inform", purpose.id)))
            .flatten();
        purpose.label = informed.unwrap_or_else(|| n.label.clone());
    }
}
