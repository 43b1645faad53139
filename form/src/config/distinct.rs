//! Two boxes that read the same are one question asked twice: a subscriber
//! who ticks the second agrees to something never described. The check
//! compares what each purpose's box says in every locale the labels name and
//! in the fallback locale (which every other locale shows, see
//! [`crate::i18n::Texts::purpose_text`]); a purpose showing its channel's
//! default somewhere (no label, or labels that miss the fallback locale)
//! clashes with another that does on the same channel.
//!
//! It reads the labels as configured rather than rendering every catalog: it
//! runs in the wasm, where every byte counts.

use crate::prelude::*;

use super::{Code, Config, Localized, Problem, Purpose};
use crate::i18n::{normalize, pick};
use crate::text::{cat, uint};

/// Equal but for ASCII case and surrounding ASCII whitespace (bytes only: no
/// Unicode tables in the wasm).
fn same(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

/// What one purpose's box says, as configured.
struct Label<'a> {
    /// `texts.<locale>["purpose.<id>.label"]` overrides: `(locale, text)`.
    overrides: Vec<(&'a str, &'a str)>,
    given: &'a Localized,
}

impl<'a> Label<'a> {
    fn of(config: &'a Config, p: &'a Purpose) -> Label<'a> {
        let key = cat(&["purpose.", &p.id, ".label"]);
        let mut overrides = Vec::new();
        for (l, t) in &config.texts {
            for (k, v) in t {
                if *k == key {
                    overrides.push((l.as_str(), v.as_str()));
                }
            }
        }
        Label { overrides, given: &p.label }
    }

    /// The locale tags it names.
    fn tags(&self, out: &mut Vec<&'a str>) {
        out.extend(self.overrides.iter().map(|(l, _)| *l));
        if let Localized::PerLocale(map) = self.given {
            out.extend(map.iter().map(|(l, _)| l.as_str()));
        }
    }

    /// Its text in `locale`, the fallback locale being `fallback`; `None`
    /// where the channel's default shows.
    fn text(&self, locale: &str, fallback: &str) -> Option<&'a str> {
        pick(self.overrides.iter().copied(), locale)
            .or_else(|| self.given.get(locale))
            .or_else(|| self.given.get(fallback))
    }

    /// Whether the channel's default shows in some locale: every locale
    /// neither it nor the overrides name shows the fallback's text.
    fn shows_default(&self, fallback: &str) -> bool {
        self.given.get(fallback).is_none()
    }
}

/// Whether `a` and `b` read the same in some locale; `defaults` when both
/// show their channel's default somewhere.
fn clash(a: &Label, b: &Label, fallback: &str) -> bool {
    let mut tags = vec![fallback];
    a.tags(&mut tags);
    b.tags(&mut tags);
    tags.iter().any(|t| matches!((a.text(t, fallback), b.text(t, fallback)), (Some(x), Some(y)) if same(x, y)))
}

/// One problem for each purpose that reads like an earlier one, naming both.
pub(super) fn problems(config: &Config) -> Vec<Problem> {
    let fallback = normalize(config.fallback_locale.as_deref().unwrap_or(crate::i18n::FALLBACK_LOCALE));
    let all: Vec<Label> = config.purposes.iter().map(|p| Label::of(config, p)).collect();
    let mut out = Vec::new();
    for j in 0..all.len() {
        for i in 0..j {
            let defaults = config.purposes[i].channel == config.purposes[j].channel
                && all[i].shows_default(&fallback)
                && all[j].shows_default(&fallback);
            if !defaults && !clash(&all[i], &all[j], &fallback) {
                continue;
            }
            let why = if defaults {
                " (both show the channel's default text in some language: give each a label, with a text for the fallback locale)"
            } else {
                ""
            };
            let message = cat(&[
                "reads the same as purposes[",
                &uint(i),
                "] (\"",
                &config.purposes[i].id,
                "\")",
                why,
                ": give each purpose a label of its own",
            ]);
            out.push(Problem::new(&cat(&["purposes[", &uint(j), "].label"]), Code::Duplicate, &message));
            break;
        }
    }
    out
}
