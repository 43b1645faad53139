//! Confirmation mail after the commit: sent at once, retried from the database.
//!
//! Each mail is stored with its proof (`pending_mail`, see
//! [`crate::store::MailOutbox`]) and handed to [`MailQueue::send`] once
//! committed; one task sends whatever is queued, in batches, and deletes the
//! rows of the mail that went out. A mail that fails stays in the database
//! with its next attempt already scheduled, and a second task takes due mail
//! from there: after an SMTP outage, and after a restart for mail that the
//! stopped process had not sent. Each attempt holds its mail for a lease
//! (see [`Attempt`]), so that collectors sharing one database never send a
//! mail at the same time. Delivery is at least once: a collector that dies
//! between sending and deleting, or a send stopped at its lease's end after
//! the server had taken it, can send a mail twice, which is better than
//! never (both carry the same links).
//!
//! The retry rule:
//! - a transient failure (unreachable, timeout, 4xx, outbox not writable) is
//!   retried with exponential backoff and jitter until the mail is sent or
//!   its confirm link expires;
//! - a permanent 5xx answer is retried too, since some servers give one for a
//!   passing problem, but the mail is given up at the [`MAX_REJECTIONS`]th
//!   (53x, authentication, counts as transient: it is the collector's own
//!   settings, and the mail should go once they are fixed);
//! - a mail that can never be built (invalid address) is given up at once;
//! - a mail whose confirm link has expired is deleted unsent: the subscriber
//!   can only sign up again.
//!
//! Its proof stays pending whenever a mail is given up.

#[cfg(test)]
mod rejected_smtp;
mod retry; // the retry schedule, and the task that takes due mail from the database
#[cfg(test)]
mod stalled_smtp;
#[cfg(test)]
mod tests;

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot, Notify};

use super::{ConfirmationMail, Failure, Mailer};
use crate::store::{MailFailure, Store};

use retry::Retrier;
pub use retry::{Retry, MAX_RETRY_DELAY};

/// The 5xx answers after which a mail is given up.
pub const MAX_REJECTIONS: i64 = 3;

/// The attempt a stored mail is on: what its failure is recorded against.
///
/// An attempt holds its mail for a lease ([`Retry::lease`]): its row's next
/// attempt is set that far ahead when the attempt is taken (right after the
/// commit, or by a claim), so that no other collector sharing the database
/// takes the mail meanwhile. The send must end, and its row be deleted,
/// within it: a send still running a quarter of the lease before it ends
/// (the deletes wait up to [`FORGET_EVERY`], then a commit) is stopped and
/// counts as failed. A failed attempt schedules its retry by the [`Retry`]
/// schedule; the lease only decides when the mail of a collector that died
/// mid-attempt is taken by another.
#[derive(Clone, Copy, Debug)]
pub struct Attempt {
    /// The attempt's number as stored (1: the one right after the commit).
    pub number: i64,
    /// When its send must have ended.
    pub send_by: chrono::DateTime<chrono::Utc>,
    /// When the mail's confirm link expires: no retry is scheduled after it.
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

impl Attempt {
    /// The attempt `number` of a mail whose links expire at `expires_at`,
    /// its lease ending at `lease_end` (see [`Retry::lease_end`]).
    pub fn new(
        number: i64,
        lease_end: chrono::DateTime<chrono::Utc>,
        expires_at: chrono::DateTime<chrono::Utc>,
        retry: &Retry,
    ) -> Self {
        let margin = chrono::Duration::from_std(retry.lease() / 4).unwrap_or_default();
        Attempt {
            number,
            send_by: lease_end - margin,
            expires_at,
        }
    }

    /// The first attempt, right after the commit of `mail`.
    pub fn first(mail: &crate::store::NewMail, retry: &Retry) -> Self {
        Attempt::new(1, mail.retry_at, mail.expires_at, retry)
    }

    /// [`Attempt::send_by`] on the clock the sends are timed by.
    fn deadline(&self) -> tokio::time::Instant {
        let left = (self.send_by - chrono::Utc::now()).to_std().unwrap_or_default();
        tokio::time::Instant::now() + left
    }
}

/// A mail on its way to the [`Mailer`].
struct Queued {
    /// The seq of the proof it confirms, which names its stored row
    /// (negative: a mail with no stored row, sent once).
    seq: i64,
    mail: ConfirmationMail,
    /// 5xx answers before this attempt.
    rejections: i64,
    /// The stored mail's attempt; `None` for a mail with no stored row.
    attempt: Option<Attempt>,
}

/// Mail this process has queued, is sending, or has sent without deleting
/// its row yet, by seq: the retry task leaves those alone, even should one
/// be due again before this process is done with it.
type InFlight = Arc<Mutex<HashSet<i64>>>;

/// The handle that queues confirmation mail once its proof is committed.
#[derive(Clone)]
pub struct MailQueue {
    queue: mpsc::Sender<Queued>,
    in_flight: InFlight,
    retry: Retry,
    rounds: Arc<AtomicU64>,
}

impl MailQueue {
    /// Starts the sending task and the retry task. The sending task ends once
    /// every handle is dropped and the queue is empty (await the returned
    /// handle to let it finish); the retry task ends with it.
    ///
    /// `public_url` is the base of the links of mail taken from the database.
    pub fn spawn(
        mailer: Mailer,
        store: Arc<dyn Store>,
        public_url: impl Into<crate::mail::compose::MailLinks>,
        retry: Retry,
        max_batch: usize,
    ) -> (Self, tokio::task::JoinHandle<()>) {
        let (queue, waiting) = mpsc::channel::<Queued>(max_batch * 16);
        let in_flight = InFlight::default();
        let wake = Arc::new(Notify::new());
        let (stop, stopped) = oneshot::channel::<()>();
        let rounds = Arc::new(AtomicU64::new(0));
        let retrier = Retrier {
            rounds: rounds.clone(),
            store: store.clone(),
            queue: queue.downgrade(),
            in_flight: in_flight.clone(),
            public_url: public_url.into(),
            retry,
            max_batch,
        };
        tokio::spawn(retrier.run(wake.clone(), stopped));
        let sending = in_flight.clone();
        let task = tokio::spawn(async move {
            send_task(mailer, retry, store, waiting, sending, wake, max_batch).await;
            let _ = stop.send(());
        });
        (
            MailQueue {
                queue,
                in_flight,
                retry,
                rounds,
            },
            task,
        )
    }

    /// How many times the retry task has looked for due mail: a measure of
    /// how busy it keeps the database, which tests read.
    pub fn retry_rounds(&self) -> u64 {
        self.rounds.load(Ordering::Relaxed)
    }

    /// The attempt right after the commit of a stored mail.
    pub fn first_attempt(&self, mail: &crate::store::NewMail) -> Attempt {
        Attempt::first(mail, &self.retry)
    }

    /// Queues the mail of the proof committed at `seq`, on its stored
    /// `attempt` (`None`, and a negative `seq`, for a mail with no stored
    /// row). Never waits: the proof's answer must not hang on a slow mail
    /// server; when the queue is full (the mailer is behind), a task waits
    /// for room instead.
    pub fn send(&self, seq: i64, mail: ConfirmationMail, attempt: Option<Attempt>) {
        use tokio::sync::mpsc::error::TrySendError;
        self.in_flight.lock().expect("in-flight set").insert(seq);
        let queued = Queued {
            seq,
            mail,
            rejections: 0,
            attempt,
        };
        match self.queue.try_send(queued) {
            Ok(()) => {}
            Err(TrySendError::Full(queued)) => {
                let queue = self.queue.clone();
                tokio::spawn(async move {
                    if queue.send(queued).await.is_err() {
                        tracing::warn!(
                            seq,
                            "confirmation mail left for the next start: the mail queue has stopped"
                        );
                    }
                });
            }
            // Its row waits in the database for the next start.
            Err(TrySendError::Closed(_)) => {
                tracing::warn!(
                    seq,
                    "confirmation mail left for the next start: the mail queue has stopped"
                );
            }
        }
    }
}

/// How long the rows of sent mail may wait before they are deleted together:
/// one delete per batch sent cost the appends more under load (on SQLite
/// they wait for the same write lock), and the links leave the database
/// moments later all the same.
const FORGET_EVERY: Duration = Duration::from_millis(250);

/// Sends what is queued in batches, records the failures, and deletes the
/// rows of what went out every [`FORGET_EVERY`] and when it ends.
async fn send_task(
    mailer: Mailer,
    retry: Retry,
    store: Arc<dyn Store>,
    mut waiting: mpsc::Receiver<Queued>,
    in_flight: InFlight,
    wake: Arc<Notify>,
    max_batch: usize,
) {
    let mut batch = Vec::with_capacity(max_batch);
    // Sent or given up, rows not yet deleted; they stay in flight until then,
    // so that the retry task does not take them again meanwhile.
    let mut done: Vec<i64> = Vec::new();
    let mut last_forget = tokio::time::Instant::now();
    loop {
        let received = if done.is_empty() {
            waiting.recv_many(&mut batch, max_batch).await
        } else {
            let deadline = last_forget + FORGET_EVERY;
            match tokio::time::timeout_at(deadline, waiting.recv_many(&mut batch, max_batch)).await
            {
                Ok(received) => received,
                Err(_) => {
                    forget(&store, &in_flight, &mut done).await;
                    last_forget = tokio::time::Instant::now();
                    continue;
                }
            }
        };
        if received == 0 {
            break;
        }
        let queued = std::mem::take(&mut batch);
        let results = mailer
            .send_all(
                queued
                    .iter()
                    .map(|q| (q.mail.clone(), q.attempt.as_ref().map(Attempt::deadline)))
                    .collect(),
            )
            .await;
        let mut failed = Vec::new();
        // 5xx answers before each failed attempt, as read when it was taken.
        let mut read = Vec::new();
        for (q, result) in queued.iter().zip(results) {
            let Err(e) = result else {
                done.push(q.seq);
                continue;
            };
            let failure = e.failure();
            let error = e.to_string();
            if failure == Failure::Undeliverable {
                tracing::error!(
                    seq = q.seq,
                    error,
                    "confirmation mail given up: it cannot be sent; the proof stays pending"
                );
                done.push(q.seq);
                continue;
            }
            let Some(attempt) = q.attempt else {
                // No stored row: nothing to retry it from.
                tracing::error!(seq = q.seq, error, "mail not sent");
                done.push(q.seq);
                continue;
            };
            let now = chrono::Utc::now();
            failed.push(MailFailure {
                seq: q.seq,
                attempt: attempt.number,
                error,
                rejected: failure == Failure::Rejected,
                retry_at: retry.next_attempt(attempt.number, now).min(attempt.expires_at),
            });
            read.push(q.rejections);
        }
        if !failed.is_empty() {
            // The give-up counts the 5xx answers as stored now: another
            // collector may have recorded some since this attempt's were read.
            let counts = match store.mail_failed(&failed).await {
                Ok(counts) => counts,
                Err(e) => {
                    tracing::error!(error = %e, "cannot record why confirmation mail failed");
                    failed
                        .iter()
                        .zip(&read)
                        .map(|(f, before)| Some(before + i64::from(f.rejected)))
                        .collect()
                }
            };
            let mut in_flight = in_flight.lock().expect("in-flight set");
            for (MailFailure { seq, error, rejected, .. }, count) in failed.iter().zip(counts) {
                match count {
                    // Deleted meanwhile (confirmed, withdrawn, pruned), or
                    // taken by another collector once this lease ran out:
                    // nothing for this process to retry.
                    None => {
                        in_flight.remove(seq);
                    }
                    Some(rejections) if *rejected && rejections >= MAX_REJECTIONS => {
                        tracing::error!(seq, error, rejections, "confirmation mail given up: the smtp server rejected it; the proof stays pending");
                        // Stays in flight until its row is deleted.
                        done.push(*seq);
                    }
                    Some(_) => {
                        tracing::warn!(
                            seq,
                            error,
                            "confirmation mail not sent; it will be retried"
                        );
                        in_flight.remove(seq);
                    }
                }
            }
            drop(in_flight);
            // The retry task may be asleep until later than these mails' retries.
            wake.notify_one();
        }
        if last_forget.elapsed() >= FORGET_EVERY {
            forget(&store, &in_flight, &mut done).await;
            last_forget = tokio::time::Instant::now();
        }
    }
    forget(&store, &in_flight, &mut done).await;
}

/// Deletes the rows of mail that is done with, and lets go of it.
async fn forget(store: &Arc<dyn Store>, in_flight: &InFlight, done: &mut Vec<i64>) {
    if done.is_empty() {
        return;
    }
    if let Err(e) = store.forget_mail(done).await {
        tracing::error!(error = %e, "sent confirmation mail is still stored: it may be sent again");
    }
    let mut in_flight = in_flight.lock().expect("in-flight set");
    for seq in done.drain(..) {
        in_flight.remove(&seq);
    }
}
