//! `access --subject`: what the collector holds on one person (GDPR art. 15),
//! as JSON, and as a page in the language they signed up in.

use std::fmt::Write as _;

use serde_json::{json, Value};

use crate::audit::export::StateRow;
use crate::i18n::catalog::fill;
use crate::i18n::html::{escape, html};
use crate::i18n::lang::Lang;

use super::timeline::{Event, What};

/// The JSON answer: the current choices, then every entry with what it holds.
pub fn to_json(subject: &str, states: &[StateRow], events: &[Event]) -> Value {
    json!({
        "schema": "consent-access/1",
        "subject": subject,
        "currentChoices": states,
        "entries": events,
        // What the collector never stores, said in every answer.
        "notHeld": Lang::EN.text("access.not_held"),
    })
}

/// The language of the person's latest proof; English if none.
pub fn lang_of(events: &[Event]) -> Lang {
    events
        .iter()
        .rev()
        .find_map(|e| e.locale.as_deref())
        .map_or(Lang::EN, Lang::from_locale)
}

/// The readable page, in `lang` (the `access.*` keys of the catalogs).
pub fn to_html(subject: &str, states: &[StateRow], events: &[Event], lang: Lang) -> String {
    // Every text escaped first; the values put in are escaped on their own.
    let w = |key| escape(lang.text(key));
    let strong = format!("<strong>{}</strong>", escape(subject));
    let mut body = format!("<p>{}</p>", fill(&w("access.intro"), &[("email", &strong)]));
    if events.is_empty() {
        let _ = write!(body, "<p>{}</p>", w("access.nothing"));
    }
    if !states.is_empty() {
        let _ = write!(
            body,
            "<h2>{}</h2><table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
            w("access.choices"), w("access.purpose"), w("access.state"), w("access.since")
        );
        for row in states {
            let _ = write!(
                body,
                "<tr><td>{} ({})</td><td>{}</td><td>{}</td></tr>",
                escape(&purpose_label(&row.purpose, events)),
                escape(&row.channel),
                escape(&state_word(&row.state, lang)),
                escape(&row.since)
            );
        }
        body.push_str("</tbody></table>");
    }
    if !events.is_empty() {
        let _ = write!(body, "<h2>{}</h2><ol>", w("access.history"));
        for e in events {
            let _ = write!(
                body,
                "<li><p><strong>{}</strong> — {}</p><dl>",
                escape(&e.received_at),
                escape(lang.text(what_key(e.what)))
            );
            let mut item = |term: &str, value: &str| {
                let _ = write!(body, "<dt>{term}</dt><dd>{}</dd>", escape(value));
            };
            if let Some(id) = &e.record_id {
                item(&w("access.record"), id);
            }
            if let Some(page) = &e.page {
                item(&w("access.page"), page);
            }
            if let Some(form) = &e.form {
                item(&w("access.form"), &format!("{} v{}", form.id, form.version));
            }
            if let Some(p) = &e.privacy_policy {
                item(
                    &w("access.policy"),
                    &format!("{} {}", p.url, p.version.as_deref().unwrap_or_default()),
                );
            }
            if let Some(ip) = &e.ip {
                item(&w("access.ip"), ip);
            }
            for p in &e.purposes {
                item(
                    &w("access.purpose"),
                    &format!("{}: {}", p.id, state_word(&p.choice, lang)),
                );
            }
            if let Some(shown) = e
                .texts
                .as_ref()
                .and_then(|t| t.shown.as_ref())
                .and_then(Value::as_object)
            {
                let texts: Vec<String> = shown
                    .values()
                    .filter_map(Value::as_str)
                    .map(|t| lang.say("punct.quote", &[("text", t.trim())]))
                    .collect();
                item(&w("access.shown"), &texts.join(" "));
            }
            body.push_str("</dl></li>");
        }
        body.push_str("</ol>");
    }
    if let Some(phone) = states.iter().find_map(|s| s.phone.as_deref()) {
        let _ = write!(body, "<p>{}: {}</p>", w("access.phone"), escape(phone));
    }
    let _ = write!(body, "<p>{}</p>", w("access.not_held"));
    if let Some(contact) = events
        .iter()
        .rev()
        .find_map(|e| e.controller.as_ref()?["contact"].as_str().map(String::from))
    {
        let _ = write!(body, "<p>{}</p>", fill(&w("access.rights"), &[("contact", &escape(&contact))]));
    }
    html(lang, lang.text("access.title"), &body)
}

/// The text next to a purpose's box, from the latest proof that showed it.
fn purpose_label(id: &str, events: &[Event]) -> String {
    events
        .iter()
        .rev()
        .flat_map(|e| &e.purposes)
        .find(|p| p.id == id && p.text.is_some())
        .and_then(|p| p.text.clone())
        .unwrap_or_else(|| id.to_string())
}

/// A state as the person reads it; a state with no word (none today) as stored.
fn state_word(state: &str, lang: Lang) -> String {
    let key = match state {
        "granted" => "access.state.granted",
        "pending" => "access.state.pending",
        "confirmed" => "access.state.confirmed",
        "withdrawn" => "access.state.withdrawn",
        "refused" => "access.state.refused",
        "objected" => "access.state.objected",
        "not-objected" => "access.state.not_objected",
        other => return other.to_string(),
    };
    lang.text(key).into()
}

/// The key of what an entry did.
fn what_key(what: What) -> &'static str {
    match what {
        What::Consent => "access.what.consent",
        What::Refusal => "access.what.refusal",
        What::Withdrawal => "access.what.withdrawal",
        What::Confirmation => "access.what.confirmation",
        What::Unsubscribe => "access.what.unsubscribe",
        What::Erasure => "access.what.erasure",
        What::Release => "access.what.release",
        What::Other => "access.what.other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_speaks_the_subjects_language_and_escapes_what_it_fills_in() {
        for tag in ["el", "bg", "de"] {
            let lang = Lang::from_locale(tag);
            let page = to_html("<m>@example.org", &[], &[], lang);
            assert!(page.contains(&format!("<html lang=\"{tag}\">")), "{page}");
            assert!(page.contains(&format!("<h1>{}</h1>", escape(lang.text("access.title")))), "{page}");
            assert!(page.contains(&escape(lang.text("access.nothing"))), "{page}");
            // The address goes in escaped, inside <strong>, in one pass.
            assert!(page.contains("<strong>&lt;m&gt;@example.org</strong>"), "{page}");
            assert!(!page.contains("{email}"), "{page}");
        }
        assert_eq!(state_word("not-objected", Lang::from_locale("pl")), "brak sprzeciwu");
        assert_eq!(state_word("granted", Lang::EN), "granted");
        assert_eq!(state_word("future-state", Lang::FR), "future-state");
    }
}
