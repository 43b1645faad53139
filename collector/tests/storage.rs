//! The storage suite: every test runs against SQLite and against a real PostgreSQL.

#[macro_use]
mod common;

use chrono::{Duration, Utc};
use common::{Db, TestDb};
use consent_collector::audit::verify_log::{verify_log, Broken, VerifyLogError};
use consent_collector::ledger::events;
use consent_collector::proof::stored;
use consent_collector::store::{
    timestamp, Append, Appended, MailFailure, NewMail, NewToken, Store, TokenProblem,
    TokenPurpose,
};

on_both_backends!(
    appends_link_into_one_chain_that_verifies,
    replay_returns_the_stored_entry_and_stores_nothing,
    texts_are_stored_once_per_hash_and_proofs_rebuild_exactly,
    chain_values_come_in_seq_order_from_their_index,
    tokens_are_single_use_and_expire,
    tampering_with_any_stored_field_is_named_by_seq,
    prune_erases_inactive_subjects_and_the_chain_still_verifies,
    migrations_run_once_per_database,
    concurrent_writers_keep_one_chain,
    pending_mail_is_stored_with_its_proof_claimed_once_and_pruned,
);

use common::appends::{new, proof_append};

async fn appends_link_into_one_chain_that_verifies(db: Db) {
    let db = TestDb::new(db).await;
    let store = db.store().await;
    let keys = common::keys();
    // One batch of three (group commit) and one single append.
    let batch = vec![
        proof_append("a@example.org"),
        proof_append("b@example.org"),
        proof_append("c@example.org"),
    ];
    let outcomes = store.append(batch, &keys.ring, Utc::now()).await.unwrap();
    let seqs: Vec<i64> = outcomes.into_iter().map(|o| new(o).seq).collect();
    assert_eq!(seqs, [1, 2, 3]);
    let fourth = new(store
        .append(vec![proof_append("d@example.org")], &keys.ring, Utc::now())
        .await
        .unwrap()
        .remove(0));
    assert_eq!(fourth.seq, 4);
    assert_eq!(
        fourth.prev_chain,
        store.entry(3).await.unwrap().unwrap().chain
    );
    assert_eq!(
        store.entry(1).await.unwrap().unwrap().prev_chain,
        consent_collector::ledger::chain::GENESIS
    );
    let report = verify_log(store.as_ref(), &keys.ring.public())
        .await
        .unwrap();
    assert_eq!((report.entries, report.proofs, report.erased), (4, 4, 0));
}

async fn replay_returns_the_stored_entry_and_stores_nothing(db: Db) {
    let db = TestDb::new(db).await;
    let store = db.open().await;
    let keys = common::keys();
    let append = proof_append("a@example.org");
    let first = new(store
        .append(vec![append.clone()], &keys.ring, Utc::now())
        .await
        .unwrap()
        .remove(0));
    // The same record twice in one batch, then again later: the original each time.
    let again = store
        .append(vec![append.clone(), append], &keys.ring, Utc::now())
        .await
        .unwrap();
    for outcome in again {
        match outcome {
            Appended::Replay(entry) => assert_eq!(entry, first),
            other => panic!("expected a replay, got {other:?}"),
        }
    }
    assert_eq!(common::count(&store, "entries").await, 1);
}

async fn texts_are_stored_once_per_hash_and_proofs_rebuild_exactly(db: Db) {
    let db = TestDb::new(db).await;
    let store = db.open().await;
    let keys = common::keys();
    let batch = vec![proof_append("a@example.org"), proof_append("b@example.org")];
    let entries: Vec<_> = store
        .append(batch, &keys.ring, Utc::now())
        .await
        .unwrap()
        .into_iter()
        .map(new)
        .collect();
    assert_eq!(common::count(&store, "texts").await, 1);
    let sha = entries[0].texts_sha256.clone().expect("texts kept apart");
    assert_eq!(entries[1].texts_sha256.as_deref(), Some(sha.as_str()));
    assert!(!entries[0].body.as_deref().unwrap().contains("shown"));
    let shown = store.text(&sha).await.unwrap().unwrap();
    let e = &entries[0];
    let jws = stored::rebuild(
        e.jws_header.as_deref().unwrap(),
        e.body.as_deref().unwrap(),
        e.jws_signature.as_deref().unwrap(),
        Some(&shown),
    )
    .unwrap();
    assert_eq!(
        consent_collector::crypto::hash::sha256_hex(&jws),
        e.proof_sha256
    );
}

/// What a checkpoint reads: `(seq, chain)` after a seq, in order, and on
/// SQLite from the index alone (through the table it read every proof).
async fn chain_values_come_in_seq_order_from_their_index(db: Db) {
    let backend = db;
    let db = TestDb::new(db).await;
    let store = db.open().await;
    let keys = common::keys();
    let batch = ["a@example.org", "b@example.org", "c@example.org"].map(proof_append).to_vec();
    let entries: Vec<_> =
        store.append(batch, &keys.ring, Utc::now()).await.unwrap().into_iter().map(new).collect();
    let all: Vec<(i64, String)> = entries.iter().map(|e| (e.seq, e.chain.clone())).collect();
    assert_eq!(store.chain_values(0, 2).await.unwrap(), all[..2]);
    assert_eq!(store.chain_values(all[1].0, 10).await.unwrap(), all[2..]);
    assert!(store.chain_values(all[2].0, 10).await.unwrap().is_empty());
    if let Db::Sqlite = backend {
        use sqlx::Row;
        let explain = format!("EXPLAIN QUERY PLAN {}", consent_collector::store::CHAIN_VALUES_SQL);
        let plan: Vec<String> = sqlx::query(&explain)
            .bind(0_i64)
            .bind(1000_i64)
            .fetch_all(store.pool())
        .await
        .unwrap()
        .iter()
        .map(|row| row.try_get::<String, _>("detail").unwrap())
        .collect();
        assert!(
            plan.iter().any(|step| step.contains("COVERING INDEX entries_chain")),
            "{plan:?}"
        );
    }
}

async fn tokens_are_single_use_and_expire(db: Db) {
    let db = TestDb::new(db).await;
    let store = db.open().await;
    let keys = common::keys();
    let now = Utc::now();
    let mut append = proof_append("a@example.org");
    append.tokens = vec![
        NewToken {
            hash: "live".into(),
            purpose: TokenPurpose::Confirm,
            locale: "fr".into(),
            expires_at: Some(now + Duration::hours(48)),
            network: None,
        },
        NewToken {
            hash: "stale".into(),
            purpose: TokenPurpose::Confirm,
            locale: "fr".into(),
            expires_at: Some(now + Duration::hours(1)),
            network: None,
        },
    ];
    let proof = new(store
        .append(vec![append], &keys.ring, now)
        .await
        .unwrap()
        .remove(0));
    let token = store.token("live").await.unwrap().unwrap();
    assert_eq!(
        (token.entry_seq, token.purpose, token.used_at),
        (proof.seq, TokenPurpose::Confirm, None)
    );
    let confirm = |hash: &str| Append {
        entry: events::confirmation(
            proof.seq,
            &proof.proof_sha256,
            "t",
            None,
            "a@example.org".into(),
        ),
        tokens: Vec::new(),
        consume: Some(hash.into()),
        mail: None,
        withdraws: None,
        held: None,
        starts: Vec::new(),
        handoff: None,
    };
    let first = store
        .append(vec![confirm("live")], &keys.ring, now)
        .await
        .unwrap()
        .remove(0);
    assert!(
        matches!(first, Appended::New(ref e) if e.seq == 2),
        "{first:?}"
    );
    let outcomes = store
        .append(
            vec![confirm("live"), confirm("stale"), confirm("unknown")],
            &keys.ring,
            now + Duration::hours(2),
        )
        .await
        .unwrap();
    let problems: Vec<_> = outcomes
        .into_iter()
        .map(|o| match o {
            Appended::Token(problem) => problem,
            other => panic!("expected a token problem, got {other:?}"),
        })
        .collect();
    assert_eq!(
        problems,
        [
            TokenProblem::Used,
            TokenProblem::Expired,
            TokenProblem::Unknown
        ]
    );
    assert_eq!(common::count(&store, "entries").await, 2);
    // Only hashes are stored: no column holds the token itself.
    assert!(store
        .token("live")
        .await
        .unwrap()
        .unwrap()
        .used_at
        .is_some());
}

async fn tampering_with_any_stored_field_is_named_by_seq(db: Db) {
    let db = TestDb::new(db).await;
    let store = db.open().await;
    let keys = common::keys();
    let batch = vec![
        proof_append("a@example.org"),
        proof_append("b@example.org"),
        proof_append("c@example.org"),
    ];
    store.append(batch, &keys.ring, Utc::now()).await.unwrap();
    let public = keys.ring.public();
    // One byte changed in one row of one column at a time; verify-log must name seq 2.
    for (column, expect) in [
        ("body", "proof"),
        ("jws_signature", "does not match its hash"),
        ("received_at", "differs from its signed receipt"),
        ("proof_sha256", "differs from its signed receipt"),
        ("receipt", "receipt signature does not verify"),
    ] {
        use sqlx::Row;
        let original: String =
            sqlx::query(&format!("SELECT {column} AS v FROM entries WHERE seq = 2"))
                .fetch_one(store.pool())
                .await
                .unwrap()
                .try_get("v")
                .unwrap();
        let mut bytes = original.clone().into_bytes();
        let at = bytes.len() / 2;
        bytes[at] = if bytes[at] == b'1' { b'2' } else { b'1' };
        let tampered = String::from_utf8(bytes).unwrap();
        sqlx::query(&format!("UPDATE entries SET {column} = $1 WHERE seq = 2"))
            .bind(&tampered)
            .execute(store.pool())
            .await
            .unwrap();
        match verify_log(&store, &public).await {
            Err(VerifyLogError::Broken(Broken { seq, reason })) => {
                assert_eq!(seq, 2, "{column}: {reason}");
                assert!(reason.contains(expect), "{column}: {reason}");
            }
            other => panic!("{column}: tampering not detected: {other:?}"),
        }
        sqlx::query(&format!("UPDATE entries SET {column} = $1 WHERE seq = 2"))
            .bind(&original)
            .execute(store.pool())
            .await
            .unwrap();
    }
    // A changed shown text is caught through its hash.
    sqlx::query("UPDATE texts SET shown = REPLACE(shown, 'accepte', 'acceptE')")
        .execute(store.pool())
        .await
        .unwrap();
    let err = verify_log(&store, &public).await.unwrap_err();
    assert!(
        matches!(err, VerifyLogError::Broken(Broken { seq: 1, ref reason }) if reason.contains("texts")),
        "{err}"
    );
    sqlx::query("UPDATE texts SET shown = REPLACE(shown, 'acceptE', 'accepte')")
        .execute(store.pool())
        .await
        .unwrap();
    // A removed entry is a gap.
    sqlx::query("DELETE FROM entries WHERE seq = 2")
        .execute(store.pool())
        .await
        .unwrap();
    let err = verify_log(&store, &public).await.unwrap_err();
    assert!(
        matches!(err, VerifyLogError::Broken(Broken { seq: 2, ref reason }) if reason.contains("missing")),
        "{err}"
    );
}

async fn prune_erases_inactive_subjects_and_the_chain_still_verifies(db: Db) {
    let db = TestDb::new(db).await;
    let store = db.open().await;
    let keys = common::keys();
    let long_ago = Utc::now() - Duration::days(4 * 365);
    store
        .append(vec![proof_append("old@example.org")], &keys.ring, long_ago)
        .await
        .unwrap();
    store
        .append(
            vec![proof_append("new@example.org")],
            &keys.ring,
            Utc::now(),
        )
        .await
        .unwrap();
    let cutoff = Utc::now() - Duration::days(3 * 365);
    let prune = store
        .prune(cutoff, &keys.ring, Utc::now(), &[])
        .await
        .unwrap()
        .expect("one subject inactive");
    assert_eq!(prune.seq, 3);
    assert_eq!(prune.kind, "prune");
    let erased = store.entry(1).await.unwrap().unwrap();
    assert_eq!(
        (erased.subject, erased.body, erased.jws_header),
        (None, None, None)
    );
    assert!(store.entry(2).await.unwrap().unwrap().body.is_some());
    let report = verify_log(&store, &keys.ring.public()).await.unwrap();
    assert_eq!((report.entries, report.proofs, report.erased), (3, 1, 1));
    assert!(
        store
            .prune(cutoff, &keys.ring, Utc::now(), &[])
            .await
            .unwrap()
            .is_none(),
        "nobody left to prune"
    );
    // Erasing content without a prune record is tampering.
    sqlx::query("UPDATE entries SET body = NULL WHERE seq = 2")
        .execute(store.pool())
        .await
        .unwrap();
    let err = verify_log(&store, &keys.ring.public()).await.unwrap_err();
    assert!(
        matches!(err, VerifyLogError::Broken(Broken { seq: 2, .. })),
        "{err}"
    );
}

async fn migrations_run_once_per_database(db: Db) {
    let db = TestDb::new(db).await;
    let first = db.open().await;
    let keys = common::keys();
    first
        .append(vec![proof_append("a@example.org")], &keys.ring, Utc::now())
        .await
        .unwrap();
    drop(first);
    let second = db.open().await;
    assert_eq!(common::count(&second, "schema_migrations").await, 8, "migrations 1 to 8, once");
    assert_eq!(common::count(&second, "entries").await, 1);
}

async fn concurrent_writers_keep_one_chain(db: Db) {
    let db = TestDb::new(db).await;
    let keys = common::keys();
    // Eight collectors, each with its own connection pool, appending at once.
    let mut writers = Vec::new();
    for w in 0..8 {
        let store = db.store().await;
        let ring = keys.ring.clone();
        writers.push(tokio::spawn(async move {
            for i in 0..10 {
                let outcome = store
                    .append(
                        vec![proof_append(&format!("w{w}-{i}@example.org"))],
                        &ring,
                        Utc::now(),
                    )
                    .await
                    .unwrap();
                new(outcome.into_iter().next().unwrap());
            }
        }));
    }
    for writer in writers {
        writer.await.unwrap();
    }
    let store = db.store().await;
    let report = verify_log(store.as_ref(), &keys.ring.public())
        .await
        .unwrap();
    assert_eq!((report.entries, report.proofs), (80, 80));
}

async fn pending_mail_is_stored_with_its_proof_claimed_once_and_pruned(db: Db) {
    let db = TestDb::new(db).await;
    let store = db.store().await;
    let keys = common::keys();
    let now = Utc::now();
    let with_mail = |email: &str| {
        let mut append = proof_append(email);
        append.mail = Some(NewMail {
            confirm_token: format!("c-{email}"),
            unsubscribe_token: format!("u-{email}"),
            expires_at: now + Duration::hours(48),
            retry_at: now + Duration::seconds(30),
        });
        append
    };
    // Stored in the proofs' transaction, under their seqs.
    let outcomes = store
        .append(
            vec![
                with_mail("m@example.org"),
                proof_append("nomail@example.org"),
                with_mail("n@example.org"),
            ],
            &keys.ring,
            now,
        )
        .await
        .unwrap();
    let seqs: Vec<i64> = outcomes.into_iter().map(|o| new(o).seq).collect();
    assert!(store.due_mail(now, 10).await.unwrap().is_empty());
    assert_eq!(
        store.next_mail_due().await.unwrap().map(timestamp),
        Some(timestamp(now + Duration::seconds(30)))
    );
    let later = now + Duration::minutes(1);
    let due = store.due_mail(later, 10).await.unwrap();
    assert_eq!(
        due.iter()
            .map(|m| (
                m.entry_seq,
                m.confirm_token.as_str(),
                m.attempts,
                m.rejections
            ))
            .collect::<Vec<_>>(),
        [
            (seqs[0], "c-m@example.org", 1, 0),
            (seqs[2], "c-n@example.org", 1, 0)
        ]
    );
    // With the proof that names the recipient.
    let body: serde_json::Value =
        serde_json::from_str(due[0].proof_body.as_deref().unwrap()).unwrap();
    assert_eq!(body["subject"]["email"], "m@example.org");

    // Two collectors claim the same attempt: exactly one takes it.
    let other = db.store().await;
    let next = now + Duration::minutes(2);
    let claim = [(due[0].clone(), next)];
    let (a, b) = tokio::join!(store.claim_mail(&claim), other.claim_mail(&claim));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!([a[0], b[0]].iter().filter(|t| **t).count(), 1);
    assert_eq!(store.due_mail(later, 10).await.unwrap().len(), 1);
    // The count after the update, as stored; none for a mail no longer
    // stored, nor for an attempt another collector has taken since (the
    // claim above made it the second).
    let failure = |seq, attempt, error: &str, rejected| MailFailure {
        seq,
        attempt,
        error: error.into(),
        rejected,
        retry_at: now + Duration::seconds(90),
    };
    assert_eq!(
        store
            .mail_failed(&[
                failure(seqs[0], 1, "smtp: timeout", false),
                failure(seqs[0], 2, "smtp rejected: 550", true),
                failure(999, 1, "smtp: timeout", false)
            ])
            .await
            .unwrap(),
        [None, Some(1), None]
    );
    // The failure scheduled the retry: due before the claim's lease ends.
    let due = store.due_mail(now + Duration::seconds(90), 10).await.unwrap();
    let retried = due.iter().find(|m| m.entry_seq == seqs[0]).unwrap();
    assert_eq!(
        (
            retried.attempts,
            retried.rejections,
            retried.last_error.as_deref()
        ),
        (2, 1, Some("smtp rejected: 550"))
    );

    // Sent: forgotten. Pruned with its subject: its address and links are gone too.
    store.forget_mail(&[seqs[2]]).await.unwrap();
    assert_eq!(store.due_mail(next, 10).await.unwrap().len(), 1);
    store
        .prune(
            now + Duration::days(1),
            &keys.ring,
            now + Duration::days(2),
            &[],
        )
        .await
        .unwrap()
        .unwrap();
    assert!(store.due_mail(next, 10).await.unwrap().is_empty());
    assert_eq!(store.next_mail_due().await.unwrap(), None);
}
