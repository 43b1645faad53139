//! `history --subject`: every entry of one person, in order, as text or JSON,
//! each with the hand-offs to the merchant's tools it made (from the
//! `handoffs` table, as `connectors status` counts them).

use std::fmt::Write as _;

use serde_json::{json, Value};

use super::timeline::{self, Event, What};
use crate::connectors::report::{self, SubjectHandoff};
use crate::connectors::State;
use crate::store::{Store, StoreError};

/// The hand-offs of `subject` still in the table, in log order.
pub async fn handoffs(store: &dyn Store, subject: &str) -> Result<Vec<SubjectHandoff>, StoreError> {
    Ok(report::subject_handoffs(store.sql_pool(), &timeline::subject_key(subject)).await?)
}

/// One step of the history: an entry with the hand-offs it made, or hand-offs
/// of an entry that holds no personal data (an erasure's).
enum Item<'a> {
    Entry(&'a Event, Vec<&'a SubjectHandoff>),
    Handoffs(i64, Vec<&'a SubjectHandoff>),
}

/// Events and hand-offs in log order: each hand-off under the entry that made it.
fn items<'a>(events: &'a [Event], handoffs: &'a [SubjectHandoff]) -> Vec<Item<'a>> {
    let of = |seq: i64| {
        handoffs
            .iter()
            .filter(|h| h.entry_seq == seq)
            .collect::<Vec<_>>()
    };
    let mut items: Vec<(i64, Item)> = events
        .iter()
        .map(|e| (e.seq, Item::Entry(e, of(e.seq))))
        .collect();
    let mut orphans: Vec<i64> = handoffs
        .iter()
        .map(|h| h.entry_seq)
        .filter(|seq| !events.iter().any(|e| e.seq == *seq))
        .collect();
    orphans.dedup();
    items.extend(
        orphans
            .into_iter()
            .map(|seq| (seq, Item::Handoffs(seq, of(seq)))),
    );
    items.sort_by_key(|(seq, _)| *seq);
    items.into_iter().map(|(_, item)| item).collect()
}

/// The JSON document `history --json` prints: each event carries the
/// `handoffs` it made; an erasure's hand-offs come as `"what": "hand-off"`.
pub fn to_json(subject: &str, events: &[Event], handoffs: &[SubjectHandoff]) -> Value {
    let events: Vec<Value> = items(events, handoffs)
        .into_iter()
        .map(|item| match item {
            Item::Entry(event, told) => {
                let mut value = serde_json::to_value(event).expect("an event serializes");
                if !told.is_empty() {
                    value["handoffs"] = json!(told);
                }
                value
            }
            Item::Handoffs(seq, told) => {
                json!({ "seq": seq, "what": "hand-off", "handoffs": told })
            }
        })
        .collect();
    json!({ "subject": subject, "events": events })
}

/// The readable text `history` prints.
pub fn to_text(subject: &str, events: &[Event], handoffs: &[SubjectHandoff]) -> String {
    let mut out = String::new();
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let _ = writeln!(
        out,
        "History of {subject}: {}, {}",
        plural(events.len(), "entry", "entries"),
        plural(handoffs.len(), "hand-off", "hand-offs"),
    );
    if events.is_empty() {
        out.push_str(
            "No entry holds this address: it never signed up here, or its entries were erased.\n",
        );
    }
    for item in items(events, handoffs) {
        out.push('\n');
        match item {
            Item::Entry(event, told) => {
                write_event(&mut out, event);
                told.iter().for_each(|h| write_handoff(&mut out, h));
            }
            Item::Handoffs(seq, told) => {
                let _ = writeln!(
                    out,
                    "hand-offs of the entry at seq {seq} (not above: an erasure, or erased since)"
                );
                told.iter().for_each(|h| write_handoff(&mut out, h));
            }
        }
    }
    out
}

/// One hand-off on one line: tool, change, and where it stands.
fn write_handoff(out: &mut String, h: &SubjectHandoff) {
    let change = match h.change {
        State::Confirmed => "confirmed",
        State::Withdrawn => "withdrawn",
        State::Erased => "erased",
    };
    let level = match h.opt_in {
        Some(crate::connectors::OptIn::Confirmed) => " (double opt-in)",
        Some(crate::connectors::OptIn::Single) => " (single opt-in)",
        None => "",
    };
    let purposes = if h.purposes.is_empty() {
        String::new()
    } else {
        format!(" for {}", h.purposes.join(", "))
    };
    let attempts = format!(
        "{} attempt{}",
        h.attempts,
        if h.attempts == 1 { "" } else { "s" }
    );
    let error = h
        .last_error
        .as_ref()
        .map(|e| format!("; last error at {}: {}", e.at, e.message))
        .unwrap_or_default();
    let done = h.done_at.as_deref().unwrap_or("?");
    let state = match h.state.as_str() {
        "delivered" => format!("delivered at {done} ({attempts})"),
        "waiting" => format!(
            "waiting ({attempts} so far, next at {}){error}",
            h.next_attempt_at.as_deref().unwrap_or("?")
        ),
        "given-up" => format!("given up at {done} after {attempts}{error}"),
        other => format!("{other} (a newer change was delivered){error}"),
    };
    let _ = writeln!(
        out,
        "  {:<15}{}: {change}{level}{purposes}, queued {}, {state}",
        "hand-off", h.connector, h.created_at
    );
}

fn write_event(out: &mut String, e: &Event) {
    let _ = writeln!(out, "{}  {}  (seq {})", e.received_at, headline(e), e.seq);
    let mut field = |name: &str, value: &str| {
        let _ = writeln!(out, "  {name:<15}{value}");
    };
    if let Some(id) = &e.record_id {
        field("record id", id);
    }
    if let Some(reason) = &e.held {
        // An unknown version can be approved; one that differs from a
        // registered version never counts (that version is fixed).
        let until = if reason == "unknown form version" {
            "until the merchant approves its form version"
        } else {
            "(its form version is registered with other content)"
        };
        field("held", &format!("{reason}: it counts for nothing {until}"));
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

#[cfg(test)]
mod tests {
    use super::*;

    fn handoff(seq: i64, state: &str) -> SubjectHandoff {
        SubjectHandoff {
            entry_seq: seq,
            connector: "mailchimp".into(),
            created_at: "2026-12-01T10:00:00.000Z".into(),
            change: State::Withdrawn,
            opt_in: None,
            purposes: vec!["newsletter".into()],
            state: state.into(),
            attempts: 8,
            done_at: Some("2026-12-01T12:00:00.000Z".into()),
            next_attempt_at: None,
            last_error: Some(crate::connectors::report::LastError {
                at: "2026-12-01T11:59:00.000Z".into(),
                message: "mailchimp: 400 Member Exists".into(),
            }),
        }
    }

    #[test]
    fn given_up_and_superseded_hand_offs_say_so_with_their_last_error() {
        let text = to_text(
            "a@example.org",
            &[],
            &[handoff(4, "given-up"), handoff(7, "superseded")],
        );
        assert!(
            text.starts_with("History of a@example.org: 0 entries, 2 hand-offs\n"),
            "{text}"
        );
        let given_up = "hand-offs of the entry at seq 4 (not above: an erasure, or erased since)\n  hand-off       mailchimp: withdrawn for newsletter, queued 2026-12-01T10:00:00.000Z, given up at 2026-12-01T12:00:00.000Z after 8 attempts; last error at 2026-12-01T11:59:00.000Z: mailchimp: 400 Member Exists\n";
        assert!(text.contains(given_up), "{text}");
        assert!(
            text.contains("superseded (a newer change was delivered); last error at"),
            "{text}"
        );
        let json = to_json("a@example.org", &[], &[handoff(4, "given-up")]);
        assert_eq!(json["events"][0]["what"], "hand-off");
        assert_eq!(json["events"][0]["handoffs"][0]["state"], "given-up");
        assert_eq!(json["events"][0]["handoffs"][0]["change"], "withdrawn");
    }
}
