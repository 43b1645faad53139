//! A server that never answers: the retry task neither spins nor starves other mail.

use super::tests::{first_attempt, mail, proof_with_mail, store_in, stored};
use super::*;
use crate::store::{Append, SqlStore};
use chrono::{DateTime, Utc};
use sqlx::Row;

/// An SMTP server that accepts connections and never says a word: each
/// send waits for lettre's timeout (a minute).
async fn stalled_smtp() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    format!("smtp://{addr}")
}

/// A stored proof whose mail is due `late` seconds ago, as another
/// collector (or a previous start) left it.
fn due_proof(email: &str, now: DateTime<Utc>, late: i64) -> Append {
    proof_with_mail(email, now, now - chrono::Duration::seconds(late))
}

async fn attempts(store: &SqlStore, seq: i64) -> i64 {
    sqlx::query("SELECT attempts FROM pending_mail WHERE entry_seq = $1")
        .bind(seq)
        .fetch_one(store.pool())
        .await
        .unwrap()
        .try_get("attempts")
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_send_neither_spins_the_retry_task_nor_starves_other_mail() {
    let dir = tempfile::tempdir().unwrap();
    let (sql, keys) = store_in(dir.path()).await;
    let store: Arc<dyn Store> = sql.clone();
    let now = Utc::now();
    // The first is due earlier, so that it comes first in a batch of one.
    let seqs = stored(
        store.as_ref(),
        &keys,
        vec![due_proof("a@example.org", now, 2), due_proof("b@example.org", now, 1)],
        now,
    )
    .await;
    let mailer = Mailer::smtp(&stalled_smtp().await, "Collector <no-reply@example.org>").unwrap();
    // Batches of one: the first due row is this process's own, stuck in its send.
    let (queue, _task) = MailQueue::spawn(
        mailer,
        store,
        "http://127.0.0.1",
        Retry::from_first(Duration::from_secs(30)),
        1,
    );
    // In flight before the retry task's first query returns.
    queue.send(seqs[0], mail(0), Some(first_attempt(now)));
    // The other due mail is claimed all the same (its attempt counted),
    // although the stuck one is earlier and fills the batch.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while attempts(&sql, seqs[1]).await < 2 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the second mail was never claimed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Both sends now wait on the server: the retry task looks for due
    // mail a few times a second at most (it looked thousands of times a
    // second before), instead of turning over the same rows at full speed.
    let before = queue.retry_rounds();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rounds = queue.retry_rounds() - before;
    assert!(rounds <= 20, "{rounds} rounds in 2 s");
}

/// The stored row's next attempt and last error.
async fn schedule(store: &SqlStore, seq: i64) -> (String, Option<String>) {
    let row = sqlx::query("SELECT next_attempt_at, last_error FROM pending_mail WHERE entry_seq = $1")
        .bind(seq)
        .fetch_one(store.pool())
        .await
        .unwrap();
    (row.try_get("next_attempt_at").unwrap(), row.try_get("last_error").unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_still_running_at_its_leases_end_is_stopped_and_retried_later() {
    let dir = tempfile::tempdir().unwrap();
    let (sql, keys) = store_in(dir.path()).await;
    let store: Arc<dyn Store> = sql.clone();
    let now = Utc::now();
    let retry = Retry::from_first(Duration::from_secs(30));
    let lease_end = now + chrono::Duration::seconds(9);
    let append = proof_with_mail("late@example.org", now, lease_end);
    let seq = stored(store.as_ref(), &keys, vec![append], now).await[0];
    let mailer = Mailer::smtp(&stalled_smtp().await, "Collector <no-reply@example.org>").unwrap();
    let (queue, task) = MailQueue::spawn(mailer, store, "http://127.0.0.1", retry, 1);
    // A 9 s lease: the send must end a quarter of the 2 min lease before
    // it, so it is stopped at once, long before lettre's own minute.
    let expires_at = now + chrono::Duration::hours(48);
    queue.send(seq, mail(0), Some(Attempt::new(1, lease_end, expires_at, &retry)));
    drop(queue);
    tokio::time::timeout(Duration::from_secs(20), task)
        .await
        .expect("the stalled send was stopped at its lease's end")
        .unwrap();
    let (next, error) = schedule(&sql, seq).await;
    assert_eq!(error.as_deref(), Some("not sent in time: the attempt's lease ran out"));
    // Its retry is the schedule's (15 to 30 s after the failure), not the lease's end.
    let next = chrono::DateTime::parse_from_rfc3339(&next).unwrap();
    assert!(next > lease_end + chrono::Duration::seconds(5), "retry at {next}, lease end {lease_end}");
    assert_eq!(attempts(&sql, seq).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_attempt_leaves_another_collectors_later_attempt_alone() {
    let dir = tempfile::tempdir().unwrap();
    let (sql, keys) = store_in(dir.path()).await;
    let store: Arc<dyn Store> = sql.clone();
    let now = Utc::now();
    let append = proof_with_mail("taken@example.org", now, now + chrono::Duration::hours(1));
    let seq = stored(store.as_ref(), &keys, vec![append], now).await[0];
    // Another collector took the mail for its second attempt, holding it for an hour.
    let taken_until = "2999-01-01T00:00:00.000Z";
    sqlx::query("UPDATE pending_mail SET attempts = 2, next_attempt_at = $1 WHERE entry_seq = $2")
        .bind(taken_until)
        .bind(seq)
        .execute(sql.pool())
        .await
        .unwrap();
    let mailer = Mailer::smtp(&stalled_smtp().await, "Collector <no-reply@example.org>").unwrap();
    let retry = Retry::from_first(Duration::from_secs(30));
    let (queue, task) = MailQueue::spawn(mailer, store, "http://127.0.0.1", retry, 1);
    // This process's first attempt, already past its lease.
    let expires_at = now + chrono::Duration::hours(48);
    queue.send(seq, mail(0), Some(Attempt::new(1, now, expires_at, &retry)));
    drop(queue);
    tokio::time::timeout(Duration::from_secs(20), task).await.unwrap().unwrap();
    assert_eq!(schedule(&sql, seq).await, (taken_until.to_string(), None));
    assert_eq!(attempts(&sql, seq).await, 2);
}
