//! Delivery policy: verdicts, backoff with jitter, stored entries.

use consent_widget::delivery::{backoff_ms, classify, Entry, State, Verdict, MAX_DELAY_MS};

#[test]
fn statuses_are_classified() {
    for s in [200, 201, 204, 299] {
        assert_eq!(classify(s), Verdict::Delivered, "{s}");
    }
    for s in [0, 408, 429, 500, 502, 503, 504] {
        assert_eq!(classify(s), Verdict::Retry, "{s}");
    }
    for s in [301, 400, 401, 403, 404, 409, 413, 422] {
        assert_eq!(classify(s), Verdict::Rejected, "{s}");
    }
}

#[test]
fn backoff_grows_is_capped_and_jittered() {
    assert_eq!(backoff_ms(1, 0.0), 500);
    assert_eq!(backoff_ms(1, 0.999_999), 999);
    assert_eq!(backoff_ms(2, 0.0), 1_000);
    assert_eq!(backoff_ms(4, 0.0), 4_000);
    assert_eq!(backoff_ms(40, 0.999_999), MAX_DELAY_MS - 1);
    assert!(backoff_ms(30, 0.5) <= MAX_DELAY_MS);
    let mut previous = 0;
    for attempt in 1..12 {
        let low = backoff_ms(attempt, 0.0);
        assert!(low >= previous, "attempt {attempt}");
        previous = low;
    }
}

#[test]
fn entries_round_trip_and_bad_ones_are_refused() {
    let mut e = Entry::new(
        "0193f0a2-7c4e-4d1a-9a55-1c2f3e4d5a6b".into(),
        "https://c.example/v1/proofs".into(),
        "footer-signup".into(),
        "aGVhZA.cGF5.c2ln".into(),
    );
    assert_eq!(Entry::decode(&e.encode()), Some(e.clone()));
    e.attempts = 7;
    e.state = State::Rejected;
    assert_eq!(Entry::decode(&e.encode()), Some(e.clone()));
    for bad in ["", "cw2", "cw1\npending\n0\nid\nurl\nform\njws", "cw2\nlost\n0\nid\nurl\nform\njws", "cw2\npending\nx\nid\nurl\nform\njws", "cw2\npending\n0\nid\nurl\nform\n", "cw2\npending\n0\nid\nurl\nform\njws\nmore"] {
        assert_eq!(Entry::decode(bad), None, "{bad:?}");
    }
}

#[test]
fn consent_summaries_round_trip() {
    use consent_proof::Channel;
    use consent_widget::record::Consented;
    let c = Consented {
        proof_hash: "ab".repeat(32),
        email: "marie@example.org".into(),
        phone: None,
        purposes: vec![("newsletter".into(), Channel::Email), ("sms".into(), Channel::Sms)],
    };
    assert_eq!(Consented::decode(&c.encode()), Some(c.clone()));
    let with_phone = Consented { phone: Some("+33612345678".into()), purposes: vec![], ..c };
    assert_eq!(Consented::decode(&with_phone.encode()), Some(with_phone));
    assert_eq!(Consented::decode("cw1\nx\ny\n\nsms fax"), None);
    assert_eq!(Consented::decode("cw0\nx\ny\n"), None);
}
