//! A server that never answers: the retry task neither spins nor starves other mail.

use super::tests::{mail, proof_with_mail, store_in};
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
    let seqs: Vec<i64> = store
        .append(
            vec![
                due_proof("a@example.org", now, 2),
                due_proof("b@example.org", now, 1),
            ],
            &keys,
            now,
        )
        .await
        .unwrap()
        .into_iter()
        .map(|o| match o {
            crate::store::Appended::New(e) => e.seq,
            other => panic!("{other:?}"),
        })
        .collect();
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
    queue.send(seqs[0], mail(0));
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
