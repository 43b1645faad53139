//! Delivery policy: verdicts, backoff with jitter; the consent summary kept for withdrawals.

use consent_widget::delivery::{backoff_ms, classify, Verdict, MAX_DELAY_MS};

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
