//! Two boxes that read the same are one question asked twice: a subscriber
//! who ticks the second agrees to something never described. A purpose
//! without a label shows its channel's default, so two unlabelled purposes on
//! one channel, or a label given twice (in any locale), are refused here.
//!
//! The check reads the labels as configured rather than rendering every
//! locale: it runs in the wasm, where every byte counts.

use crate::prelude::*;

use super::{Code, Config, Localized, Problem, Purpose};
use crate::text::{cat, uint};

/// Equal but for ASCII case and runs of ASCII whitespace (bytes only: no
/// Unicode tables in the wasm).
fn same(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

/// A purpose's labels as given: `(locale, text)`, the locale "" for a label
/// shown in every locale. Empty when it has none (the channel's default shows).
fn labels<'a>(config: &'a Config, p: &'a Purpose, out: &mut Vec<(&'a str, &'a str)>) {
    let key = cat(&["purpose.", &p.id, ".label"]);
    for (l, t) in &config.texts {
        for (k, v) in t {
            if *k == key {
                out.push((l, v));
            }
        }
    }
    match &p.label {
        Localized::Absent => {}
        Localized::Plain(s) => out.push(("", s)),
        Localized::PerLocale(map) => {
            for (l, v) in map {
                out.push((l, v));
            }
        }
    }
}

/// Whether two purposes' labels (see [`labels`]) read the same in some locale.
fn clash(a: &[(&str, &str)], b: &[(&str, &str)]) -> bool {
    for (l, t) in a {
        for (m, u) in b {
            if (l.is_empty() || m.is_empty() || l.eq_ignore_ascii_case(m)) && same(t, u) {
                return true;
            }
        }
    }
    false
}

/// One problem for each purpose that reads like an earlier one, naming both.
pub(super) fn problems(config: &Config) -> Vec<Problem> {
    let mut all: Vec<Vec<(&str, &str)>> = Vec::new();
    for p in &config.purposes {
        let mut given = Vec::new();
        labels(config, p, &mut given);
        all.push(given);
    }
    let mut out = Vec::new();
    for j in 0..all.len() {
        for i in 0..j {
            let defaults = all[i].is_empty() && all[j].is_empty() && config.purposes[i].channel == config.purposes[j].channel;
            if !defaults && !clash(&all[i], &all[j]) {
                continue;
            }
            let why = if defaults { " (neither has a label: both show the channel's default)" } else { "" };
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
