//! Two boxes that read the same are one question asked twice: a subscriber
//! who ticks the second agrees to something never described. The check
//! compares what each purpose's box says in every locale the labels name and
//! in the fallback locale (which every other locale shows), through the
//! same lookup the form renders with ([`crate::i18n::own_text`]); two
//! purposes of one channel that both show the channel's default somewhere
//! (no label, or labels that miss the fallback locale) clash too.
//!
//! It reads the labels as configured rather than rendering every catalog: it
//! runs in the wasm, where every byte counts.

use crate::prelude::*;

use super::{Config, Localized, Problem, Says};
use crate::i18n::{own_text, FALLBACK_LOCALE};
use crate::text::uint;

/// Equal but for ASCII case and surrounding ASCII whitespace (bytes only: no
/// Unicode tables in the wasm).
fn same(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

/// One problem for each purpose that reads like an earlier one, naming both.
pub(super) fn problems(config: &Config) -> Vec<Problem> {
    // Every locale a label or an override names, and the fallback locale,
    // which every other locale shows.
    // Pushes, not `extend` with a `map`: each was a copy of its loop in the wasm.
    let mut tags: Vec<&str> = vec![config.fallback_locale.as_deref().unwrap_or(FALLBACK_LOCALE)];
    for (l, _) in &config.texts {
        tags.push(l);
    }
    for p in &config.purposes {
        if let Localized::PerLocale(map) = &p.label {
            for (l, _) in map {
                tags.push(l);
            }
        }
    }
    let ps = &config.purposes;
    let mut out = Vec::new();
    // Iterators, not indexing: no bounds-check panic path in the wasm.
    for (j, pj) in ps.iter().enumerate() {
        // In some locale: the same text, or both the same channel's default.
        let clash = ps.iter().take(j).enumerate().find(|(_, pi)| {
            tags.iter().any(|t| match (own_text(config, pi, "label", t), own_text(config, pj, "label", t)) {
                (Some(a), Some(b)) => same(a, b),
                (None, None) => pi.channel == pj.channel,
                _ => false,
            })
        });
        if let Some((i, pi)) = clash {
            let index = uint(i);
            let args = [("index", index.as_str()), ("id", pi.id.as_str())];
            out.push(Problem::new(&super::purpose_field(j, ".label"), Says::DuplicateLabel, &args));
        }
    }
    out
}
