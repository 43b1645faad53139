//! A server that rejects every mail: the give-up counts what is stored.

use super::tests::{first_attempt, mail, proof_with_mail, store_in, stored};
use super::*;
use chrono::Utc;
use sqlx::Row;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// An SMTP server that refuses every mail with a 550.
async fn rejecting_smtp() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 fake\r\n").await.unwrap();
                while let Ok(Some(line)) = lines.next_line().await {
                    let answer: &[u8] = match line
                        .get(..4)
                        .unwrap_or_default()
                        .to_ascii_uppercase()
                        .as_str()
                    {
                        "MAIL" => b"550 5.7.1 refused\r\n",
                        "QUIT" => b"221 bye\r\n",
                        _ => b"250 ok\r\n",
                    };
                    if write.write_all(answer).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    format!("smtp://{addr}")
}

#[tokio::test]
async fn the_give_up_counts_the_rejections_as_stored_not_as_read() {
    let dir = tempfile::tempdir().unwrap();
    let (sql, keys) = store_in(dir.path()).await;
    let store: Arc<dyn Store> = sql.clone();
    let now = Utc::now();
    // Not due for an hour: only this test's own send tries it.
    let append = proof_with_mail("r@example.org", now, now + chrono::Duration::hours(1));
    let seq = stored(store.as_ref(), &keys, vec![append], now).await[0];
    // Two 5xx already recorded, by another collector, after this one's
    // read: this attempt's 550 is the third, and the last.
    sqlx::query("UPDATE pending_mail SET rejections = 2 WHERE entry_seq = $1")
        .bind(seq)
        .execute(sql.pool())
        .await
        .unwrap();
    let mailer = Mailer::smtp(&rejecting_smtp().await, "Collector <no-reply@example.org>").unwrap();
    let (queue, task) = MailQueue::spawn(
        mailer,
        store,
        "http://127.0.0.1",
        Retry::from_first(Duration::from_secs(30)),
        1,
    );
    queue.send(seq, mail(0), Some(first_attempt(now)));
    drop(queue);
    task.await.unwrap();
    let left = sqlx::query("SELECT rejections FROM pending_mail WHERE entry_seq = $1")
        .bind(seq)
        .fetch_optional(sql.pool())
        .await
        .unwrap()
        .map(|row| row.try_get::<i64, _>("rejections").unwrap());
    assert_eq!(left, None, "given up at the third 5xx, its row deleted");
}
