//! `history --subject`: every entry of one person, in order, as text or JSON.

use std::fmt::Write as _;

use serde_json::{json, Value};

use super::timeline::{Event, What};

/// The JSON document `history --json` prints.
pub fn to_json(subject: &str, events: &[Event]) -> Value {
    json!({ "subject": subject, "events": events })
}

/// The readable text `history` prints.
pub fn to_text(subject: &str, events: &[Event]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "History of {subject}: {} {}",
        events.len(),
        if events.len() == 1 {
            "entry"
        } else {
            "entries"
        }
    );
    if events.is_empty() {
        out.push_str(
            "No entry holds this address: it never signed up here, or its entries were erased.\n",
        );
    }
    for event in events {
        out.push('\n');
        write_event(&mut out, event);
    }
    out
}

fn write_event(out: &mut String, e: &Event) {
    let _ = writeln!(out, "{}  {}  (seq {})", e.received_at, headline(e), e.seq);
    let mut field = |name: &str, value: &str| {
        let _ = writeln!(out, "  {name:<15}{value}");
    };
    if let Some(id) = &e.record_id {
        field("record id", id);
    }
    if let Some(at) = &e.issued_at {
        field("signed at", at);
    }
    if let Some(seq) = e.refers_to {
        field("acts on", &format!("the consent at seq {seq}"));
    }
    if let Some(form) = &e.form {
        field(
            "form",
            &format!("{} version {} ({})", form.id, form.version, form.widget),
        );
    }
    if let Some(page) = &e.page {
        field("page", page);
    }
    if let Some(locale) = &e.locale {
        field("language", locale);
    }
    if let Some(policy) = &e.privacy_policy {
        let version = policy.version.as_deref().unwrap_or("no version given");
        field(
            "privacy policy",
            &format!("{} (version {version})", policy.url),
        );
    }
    if let Some(mode) = &e.double_opt_in {
        field("double opt-in", mode);
    }
    for p in &e.purposes {
        let channel = if p.channel.is_empty() {
            String::new()
        } else {
            format!(" ({}, {})", p.channel, p.basis)
        };
        field("purpose", &format!("{}{channel}: {}", p.id, p.choice));
    }
    if let Some(ip) = &e.ip {
        field("ip (truncated)", ip);
    }
    if let Some(texts) = &e.texts {
        field("texts sha256", &texts.sha256);
        match texts.shown.as_ref().and_then(Value::as_object) {
            Some(shown) => {
                for (key, text) in shown {
                    let text = text.as_str().unwrap_or_default();
                    let _ = writeln!(out, "    {key}: {}", quote(text));
                }
            }
            None => {
                let _ = writeln!(
                    out,
                    "    (texts missing from the store, or not matching their hash)"
                );
            }
        }
    }
    let _ = writeln!(out, "  {:<15}{}", "proof sha256", e.proof_sha256);
    let _ = writeln!(out, "  {:<15}{}", "receipt", e.receipt);
}

fn headline(e: &Event) -> String {
    match e.what {
        What::Consent | What::Refusal | What::Withdrawal => {
            format!("{} (signed proof from the widget)", e.what.as_str())
        }
        What::Confirmation => "confirmation (double opt-in link clicked)".into(),
        What::Unsubscribe => "withdrawal (unsubscribe link used)".into(),
        What::Erasure => "erasure".into(),
        What::Release => {
            "release (its form version was registered: the held proof counts from here)".into()
        }
        What::Other => "other entry".into(),
    }
}

/// A text on one line, with its line breaks and quotes visible.
fn quote(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_default()
}
