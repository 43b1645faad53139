//! Two boxes that read the same are one question asked twice: a subscriber
//! who ticks the second agrees to something never described. A purpose
//! without a label shows its channel's default, so two unlabelled purposes on
//! one channel (or a label copied from another purpose) are refused here, in
//! every locale the form can be shown in.

use crate::prelude::*;

use super::{Code, Config, Localized, Problem};
use crate::i18n::{Texts, CATALOGS};
use crate::text::{cat, uint};

/// Whitespace collapsed and ASCII case folded: how two texts are compared.
fn same(a: &str, b: &str) -> bool {
    let mut x = a.split_whitespace();
    let mut y = b.split_whitespace();
    loop {
        match (x.next(), y.next()) {
            (None, None) => return true,
            (Some(p), Some(q)) if p.eq_ignore_ascii_case(q) => {}
            _ => return false,
        }
    }
}

/// One problem for each purpose whose label, in some locale, is the same as
/// an earlier purpose's: the first locale where they meet is named.
pub(super) fn problems(config: &Config) -> Vec<Problem> {
    let mut tags: Vec<&str> = CATALOGS.iter().map(|(l, _)| *l).collect();
    tags.extend(config.texts.iter().map(|(l, _)| l.as_str()));
    let mut out = Vec::new();
    let mut reported: Vec<usize> = Vec::new();
    for tag in tags {
        let texts = Texts::exact(config, tag);
        let labels: Vec<String> = config.purposes.iter().map(|p| texts.purpose_text(p, "label")).collect();
        for (j, later) in labels.iter().enumerate() {
            if reported.contains(&j) {
                continue;
            }
            let Some(i) = labels[..j].iter().position(|earlier| same(earlier, later)) else { continue };
            reported.push(j);
            let p = &config.purposes[j];
            let unlabelled = p.label == Localized::Absent
                && texts.get_override(&cat(&["purpose.", &p.id, ".label"])).is_none();
            let why = if unlabelled { " (it has no label, so it shows its channel's default)" } else { "" };
            let message = cat(&[
                "shows the same text as purposes[",
                &uint(i),
                "] (\"",
                &config.purposes[i].id,
                "\") in locale ",
                tag,
                ": \"",
                later,
                "\"",
                why,
                ": give each purpose a label of its own",
            ]);
            out.push(Problem::new(&cat(&["purposes[", &uint(j), "].label"]), Code::Duplicate, &message));
        }
    }
    out
}
