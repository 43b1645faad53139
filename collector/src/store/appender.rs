//! Group commit: one task appends whatever requests are waiting, in one transaction.
//!
//! While a batch commits, new requests queue; the next batch takes them all.
//! An idle collector commits each request alone, with no added delay; a busy
//! one pays one commit (one fsync on SQLite) for many requests.

use std::sync::Arc;

use chrono::Utc;
use tokio::sync::{mpsc, oneshot};

use crate::ledger::keys::Keyring;
use crate::store::{Append, Appended, Store, StoreError};

type Reply = oneshot::Sender<Result<Appended, String>>;

/// The handle requests append through.
#[derive(Clone)]
pub struct Appender {
    queue: mpsc::Sender<(Append, Reply)>,
}

impl Appender {
    /// Starts the appending task; at most `max_batch` items go in one transaction.
    pub fn spawn(store: Arc<dyn Store>, keys: Keyring, max_batch: usize) -> Self {
        let (queue, mut waiting) = mpsc::channel::<(Append, Reply)>(max_batch * 4);
        let work = async move {
            while let Some(first) = waiting.recv().await {
                let mut batch = vec![first];
                while batch.len() < max_batch {
                    match waiting.try_recv() {
                        Ok(next) => batch.push(next),
                        Err(_) => break,
                    }
                }
                let (items, replies): (Vec<_>, Vec<_>) = batch.into_iter().unzip();
                let (size, started) = (items.len(), std::time::Instant::now());
                let appended = store.append(items, &keys, Utc::now()).await;
                tracing::debug!(
                    size,
                    took_us = started.elapsed().as_micros() as u64,
                    "batch"
                );
                match appended {
                    Ok(outcomes) => {
                        for (reply, outcome) in replies.into_iter().zip(outcomes) {
                            let _ = reply.send(Ok(outcome));
                        }
                    }
                    // Nothing of the batch was committed: every request in it fails.
                    Err(e) => {
                        let message = e.to_string();
                        for reply in replies {
                            let _ = reply.send(Err(message.clone()));
                        }
                    }
                }
            }
        };
        // Its own thread: every request waits on this one task, so it must not
        // queue behind the request handlers' signature checks on the shared
        // workers. It ends when the last handle is dropped.
        std::thread::Builder::new()
            .name("appender".into())
            .spawn(move || {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("appender runtime")
                    .block_on(work)
            })
            .expect("appender thread");
        Appender { queue }
    }

    /// Appends one item and returns once it is committed (or refused).
    pub async fn append(&self, item: Append) -> Result<Appended, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send((item, reply))
            .await
            .map_err(|_| StoreError::Batch("the appender has stopped".into()))?;
        answer
            .await
            .map_err(|_| StoreError::Batch("the appender has stopped".into()))?
            .map_err(StoreError::Batch)
    }
}
