//! Each cell of the state table, and the table in `collector/README.md`
//! checked against the code.

use super::*;

const KEY: &str = "key-of-the-consent";
const OTHER: &str = "a-strangers-key";

/// The columns of the README table, in order.
const EVENTS: [&str; 9] = [
    "new proof, granted, double opt-in",
    "new proof, granted, single opt-in",
    "new proof, refused",
    "confirmation click",
    "widget withdrawal, same key",
    "widget withdrawal, other key",
    "unsubscribe link",
    "held proof",
    "admin: forms add / approve",
];

/// The rows of the README table: `None` is no state yet.
const STATES: [Option<State>; 8] = [
    None,
    Some(State::Pending),
    Some(State::Granted),
    Some(State::NotObjected),
    Some(State::Confirmed),
    Some(State::Refused),
    Some(State::Objected),
    Some(State::Withdrawn),
];

fn facts(seq: i64, kid: &str, choice: Choice, double_opt_in: bool) -> ConsentFacts {
    ConsentFacts {
        seq,
        kid: kid.into(),
        at: format!("t{seq}"),
        record_id: Some(format!("r{seq}")),
        phone: None,
        double_opt_in,
        purposes: vec![("newsletter".into(), Channel::Email, choice)],
    }
}

/// A subject whose newsletter stands at `state`, set by proof 1 signed with [`KEY`].
fn at(state: Option<State>) -> Subject {
    let mut subject = Subject::new();
    if let Some(state) = state {
        subject.rows.insert(
            "newsletter".into(),
            Row {
                purpose: "newsletter".into(),
                channel: Channel::Email,
                state,
                proof_seq: 1,
                kid: KEY.into(),
                seq: 1,
                since: "t1".into(),
                record_id: Some("r1".into()),
                phone: None,
            },
        );
    }
    subject
}

/// Event `column` applied to a subject at `state`: the new state and
/// whether mail goes out (a new confirmation, or the pending one re-sent).
fn cell(state: Option<State>, column: usize) -> (Option<State>, bool) {
    let (now, effect) = cell_effect(state, column);
    (now, effect.mail || effect.resend.is_some())
}

fn cell_effect(state: Option<State>, column: usize) -> (Option<State>, Effect) {
    let mut subject = at(state);
    let withdrawn = ["newsletter".to_string()];
    let (grant_doi, grant_single, refuse) = (
        facts(2, OTHER, Choice::Granted, true),
        facts(2, OTHER, Choice::Granted, false),
        facts(2, OTHER, Choice::Refused, true),
    );
    let event = match column {
        0 => Event::Consent(&grant_doi),
        1 => Event::Consent(&grant_single),
        2 => Event::Consent(&refuse),
        3 => Event::Confirmation {
            seq: 2,
            at: "t2",
            proof_seq: 1,
        },
        4 => Event::WidgetWithdrawal {
            seq: 2,
            at: "t2",
            record_id: None,
            kid: KEY,
            purposes: &withdrawn,
        },
        5 => Event::WidgetWithdrawal {
            seq: 2,
            at: "t2",
            record_id: None,
            kid: OTHER,
            purposes: &withdrawn,
        },
        6 => Event::Unsubscribe {
            seq: 2,
            at: "t2",
            record_id: None,
            purposes: &withdrawn,
        },
        // An admin command changes no state by itself: the held proofs it
        // releases then count as new proofs (columns 0 to 2).
        7 | 8 => Event::Held,
        _ => unreachable!(),
    };
    let effect = subject.apply(&event);
    let now = subject.get("newsletter").map(|r| r.state);
    // What did not change did not change: no row but the one changed.
    assert_eq!(
        effect.changed.len(),
        usize::from(now != state || (effect.mail)),
        "{state:?} × {}",
        EVENTS[column]
    );
    (now, effect)
}

fn name(state: Option<State>) -> &'static str {
    state.map_or("(none)", State::as_str)
}

#[test]
fn consent_grows_only_through_the_mailbox_or_a_registered_single_opt_in() {
    for state in STATES {
        for (column, event) in EVENTS.iter().enumerate() {
            let (after, _) = cell(state, column);
            let grew = after.is_some_and(State::allows_sending)
                && !state.is_some_and(State::allows_sending);
            if grew {
                assert!(column == 1 || (column == 3 && state == Some(State::Pending)), "{} × {}", name(state), event);
            }
        }
    }
}

#[test]
fn nothing_but_a_linked_withdrawal_lowers_a_consent() {
    for state in STATES.into_iter().filter(|s| s.is_some_and(State::is_consent)) {
        for (column, event) in EVENTS.iter().enumerate() {
            let (after, _) = cell(state, column);
            if after != state {
                let lowered = !after.is_some_and(State::is_consent);
                assert!(!lowered || column == 4 || column == 6, "{} × {} lowered it", name(state), event);
            }
        }
    }
}

#[test]
fn a_second_sign_up_never_turns_confirmed_into_pending_nor_mails_again() {
    for column in 0..3 {
        assert_eq!(
            cell(Some(State::Confirmed), column),
            (Some(State::Confirmed), false)
        );
    }
    // Still pending: no new mail, the pending one re-sent.
    let (now, effect) = cell_effect(Some(State::Pending), 0);
    assert_eq!((now, effect.mail, effect.resend), (Some(State::Pending), false, Some(1)));
}

#[test]
fn a_repeated_sign_up_while_pending_re_sends_that_confirmation_and_only_then() {
    // Pending from proof 1: a new proof granting it again, from any key,
    // asks for proof 1's confirmation again and changes nothing.
    for kid in [KEY, OTHER] {
        let mut subject = at(Some(State::Pending));
        let effect = subject.apply(&Event::Consent(&facts(2, kid, Choice::Granted, true)));
        assert_eq!((effect.mail, effect.resend, effect.changed.len()), (false, Some(1), 0), "{kid}");
        assert_eq!(subject.get("newsletter").unwrap().proof_seq, 1);
    }
    // A refusal, or a subject already confirmed: nothing to re-send.
    let refused = at(Some(State::Pending)).apply(&Event::Consent(&facts(2, KEY, Choice::Refused, true)));
    assert_eq!(refused.resend, None);
    let confirmed = at(Some(State::Confirmed)).apply(&Event::Consent(&facts(2, KEY, Choice::Granted, true)));
    assert_eq!((confirmed.mail, confirmed.resend), (false, None));
    // A new purpose beside the pending one: its own new mail, no re-send.
    let mut more = facts(2, KEY, Choice::Granted, true);
    more.purposes.push(("sms".into(), Channel::Sms, Choice::Granted));
    let effect = at(Some(State::Pending)).apply(&Event::Consent(&more));
    assert_eq!((effect.mail, effect.resend), (true, None));
}

#[test]
fn a_new_purpose_of_a_confirmed_subscriber_is_added_as_pending_and_only_it_is_mailed() {
    let mut subject = at(Some(State::Confirmed));
    let mut more = facts(2, KEY, Choice::Granted, true);
    more.purposes
        .push(("sms".into(), Channel::Sms, Choice::Granted));
    let effect = subject.apply(&Event::Consent(&more));
    assert!(effect.mail);
    assert_eq!(
        effect
            .changed
            .iter()
            .map(|r| r.purpose.as_str())
            .collect::<Vec<_>>(),
        ["sms"]
    );
    assert_eq!(subject.get("newsletter").unwrap().state, State::Confirmed);
    assert_eq!(subject.get("sms").unwrap().state, State::Pending);
    // Its click confirms what it left pending, not what another proof did.
    subject.apply(&Event::Confirmation {
        seq: 3,
        at: "t3",
        proof_seq: 1,
    });
    assert_eq!(subject.get("sms").unwrap().state, State::Pending);
    subject.apply(&Event::Confirmation {
        seq: 4,
        at: "t4",
        proof_seq: 2,
    });
    assert_eq!(subject.get("sms").unwrap().state, State::Confirmed);
}

#[test]
fn a_withdrawal_counts_only_linked_to_a_stored_consent_of_the_same_key() {
    let consent = Named {
        subject: "marie@example.org",
        kid: KEY,
        is_consent: true,
    };
    assert_eq!(
        check_link(Some(consent.clone()), "marie@example.org", KEY),
        Ok(())
    );
    assert_eq!(
        check_link(Some(consent.clone()), "marie@example.org", OTHER),
        Err(LinkError::OtherKey)
    );
    assert_eq!(
        check_link(Some(consent.clone()), "paul@example.org", KEY),
        Err(LinkError::Unlinked)
    );
    assert_eq!(
        check_link(None, "marie@example.org", KEY),
        Err(LinkError::Unlinked)
    );
    let withdrawal = Named {
        is_consent: false,
        ..consent
    };
    assert_eq!(
        check_link(Some(withdrawal), "marie@example.org", KEY),
        Err(LinkError::Unlinked)
    );
    assert_eq!(LinkError::Unlinked.code(), "withdrawal_unlinked");
    assert_eq!(LinkError::OtherKey.code(), "withdrawal_key_mismatch");
}

/// The README's state table, cell for cell, is what the code does.
#[test]
fn the_readme_table_is_the_code() {
    let readme = include_str!("../../README.md");
    let start = readme
        .find("<!-- state-table -->")
        .expect("the README marks its state table");
    let rows: Vec<Vec<String>> = readme[start..]
        .lines()
        .skip(1)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            l.trim_matches('|')
                .split('|')
                .map(|c| c.trim().replace('`', ""))
                .collect()
        })
        .collect();
    let header: Vec<&str> = rows[0][1..].iter().map(String::as_str).collect();
    assert_eq!(header, EVENTS, "the table's columns");
    let body = &rows[2..];
    assert_eq!(body.len(), STATES.len(), "one row per state");
    for (row, state) in body.iter().zip(STATES) {
        assert_eq!(row[0], name(state), "the table's rows");
        for (column, written) in row[1..].iter().enumerate() {
            let (after, effect) = cell_effect(state, column);
            let expected = match (after == state, effect.mail) {
                (true, false) if effect.resend.is_some() => "= + re-sent mail".to_string(),
                (true, false) => "=".to_string(),
                (true, true) => "= + mail".to_string(),
                (false, false) => name(after).to_string(),
                (false, true) => format!("{} + mail", name(after)),
            };
            assert_eq!(written, &expected, "{} × {}", name(state), EVENTS[column]);
        }
    }
}
