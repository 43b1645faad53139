//! The retry schedule, and the task that takes due mail from the database into the queue.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::Rng;
use tokio::sync::{mpsc, oneshot, Notify};

use super::{InFlight, Queued, FORGET_EVERY};
use crate::mail::compose::{confirmation, stored_view};
use crate::store::Store;

/// The longest wait between two retries of one mail.
pub const MAX_RETRY_DELAY: Duration = Duration::from_secs(30 * 60);

/// How often the retry task looks for due mail when it knows of none: mail
/// that other collectors sharing the database left there.
const POLL: Duration = Duration::from_secs(30);

/// The retry schedule: `first`, doubled per attempt up to `max`, each delay
/// drawn between half and all of that so that mail failed together is not
/// retried together.
#[derive(Clone, Copy, Debug)]
pub struct Retry {
    /// The delay after the first attempt.
    pub first: Duration,
    /// The longest delay.
    pub max: Duration,
}

impl Retry {
    /// The schedule that starts at `first` and stops growing at [`MAX_RETRY_DELAY`].
    pub fn from_first(first: Duration) -> Self {
        Retry {
            first,
            max: MAX_RETRY_DELAY.max(first),
        }
    }

    /// The delay before the next attempt of a mail tried `attempts` times (from 1).
    pub fn delay(&self, attempts: i64) -> Duration {
        let doublings = attempts.clamp(1, 32) as u32 - 1;
        let full = self
            .first
            .saturating_mul(2_u32.saturating_pow(doublings))
            .min(self.max);
        full.mul_f64(rand::thread_rng().gen_range(0.5..=1.0))
    }

    /// How long an attempt holds its mail (see [`super::Attempt`]): four
    /// first delays, between 8 s and 10 min. With the default 30 s, two
    /// minutes: longer than an SMTP server's timeouts, so that a stalled
    /// server's send ends with its own error first.
    pub fn lease(&self) -> Duration {
        self.first
            .saturating_mul(4)
            .clamp(Duration::from_secs(8), Duration::from_secs(600))
    }

    /// When the lease of an attempt taken at `now` ends, for a mail whose
    /// links expire at `expires_at`: never after them, so that an expired
    /// mail's row is found and deleted.
    pub fn lease_end(&self, now: DateTime<Utc>, expires_at: DateTime<Utc>) -> DateTime<Utc> {
        after(now, self.lease()).min(expires_at)
    }

    /// When a mail tried `attempts` times may be tried again, from `now`.
    pub fn next_attempt(&self, attempts: i64, now: DateTime<Utc>) -> DateTime<Utc> {
        after(now, self.delay(attempts))
    }
}

/// `now` plus `wait`, never a panic on overflow: the configuration bounds
/// the delays, and past the end of time is as good as never.
fn after(now: DateTime<Utc>, wait: Duration) -> DateTime<Utc> {
    chrono::Duration::from_std(wait)
        .ok()
        .and_then(|wait| now.checked_add_signed(wait))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// The retry task: takes due mail from the database into the queue.
pub(super) struct Retrier {
    pub(super) store: Arc<dyn Store>,
    /// Weak, so that the queue closes when the collector drops its handles.
    pub(super) queue: mpsc::WeakSender<Queued>,
    pub(super) in_flight: InFlight,
    pub(super) public_url: crate::mail::compose::MailLinks,
    pub(super) retry: Retry,
    pub(super) max_batch: usize,
    /// Rounds of [`Retrier::take_due`] so far.
    pub(super) rounds: Arc<AtomicU64>,
}

/// What one round of [`Retrier::take_due`] found.
enum Taken {
    /// A full batch was due and taken (claimed, or dropped as expired or
    /// unreadable): there may be more.
    Full,
    /// Fewer; `busy` when some were skipped as this process's own, in flight.
    Some { busy: bool },
    /// The queue has closed: the collector is stopping.
    Stopped,
}

impl Retrier {
    /// Takes due mail, then sleeps until the next one is due, a send fails,
    /// or the sending task has ended.
    pub(super) async fn run(self, wake: Arc<Notify>, mut stopped: oneshot::Receiver<()>) {
        loop {
            let pause = match self.take_due().await {
                Ok(Taken::Full) => continue,
                Ok(Taken::Stopped) => return,
                Ok(Taken::Some { busy }) => {
                    let until = match self.store.next_mail_due().await {
                        Ok(Some(due)) => (due - Utc::now()).to_std().unwrap_or_default(),
                        Ok(None) => POLL,
                        Err(e) => {
                            tracing::error!(error = %e, "cannot read pending confirmation mail");
                            self.retry.first
                        }
                    };
                    // Due mail this process is still sending stays due: do not spin on it.
                    let floor = if busy { FORGET_EVERY } else { Duration::ZERO };
                    until.clamp(floor, POLL)
                }
                Err(e) => {
                    tracing::error!(error = %e, "cannot read pending confirmation mail");
                    self.retry.first.min(POLL)
                }
            };
            tokio::select! {
                _ = tokio::time::sleep(pause) => {}
                _ = wake.notified() => {}
                _ = &mut stopped => return,
            }
        }
    }

    /// Deletes due mail that can no longer go out, claims the rest and queues what it claimed.
    async fn take_due(&self) -> Result<Taken, crate::store::StoreError> {
        self.rounds.fetch_add(1, Ordering::Relaxed);
        let now = Utc::now();
        // This process's own mail in flight can be due too (a send stopped at
        // its lease's end is due until its failure is recorded); read past
        // it, or it would fill every batch and the mail behind it, other
        // collectors' included, would never be taken.
        let skip = self.in_flight.lock().expect("in-flight set").len();
        let due = self
            .store
            .due_mail(now, (self.max_batch + skip) as i64)
            .await?;
        let mut dropped = Vec::new();
        let mut claims = Vec::new();
        let mut busy = false;
        let mut others = 0;
        let mut candidates = Vec::new();
        {
            let in_flight = self.in_flight.lock().expect("in-flight set");
            for mail in due {
                if in_flight.contains(&mail.entry_seq) {
                    busy = true;
                    continue;
                }
                if others == self.max_batch {
                    break;
                }
                others += 1;
                candidates.push(mail);
            }
        }
        for mail in candidates {
            if mail.expires_at <= now {
                tracing::error!(
                    seq = mail.entry_seq,
                    "confirmation mail given up: its confirm link expired before it could be sent"
                );
                dropped.push(mail.entry_seq);
                continue;
            }
            // The collector's own voice, as on the first attempt: the
            // registered form's controller and texts, never the proof's.
            if let Some(proof) = stored_view(&mail) {
                let version = crate::registry::sql::version(
                    self.store.sql_pool(),
                    &proof.form_id,
                    &proof.form_version,
                )
                .await?;
                let confirmation =
                    confirmation(&mail, proof, self.public_url.clone(), now, version.as_ref());
                // Held for the attempt's lease; its failure schedules the retry.
                let next = self.retry.lease_end(now, mail.expires_at);
                claims.push(((mail, next), confirmation));
            } else {
                tracing::error!(
                    seq = mail.entry_seq,
                    "confirmation mail given up: its proof is erased or unreadable"
                );
                dropped.push(mail.entry_seq);
            }
        }
        self.store.forget_mail(&dropped).await?;
        // Another round at once only when this one moved something on: a
        // batch of rows it could not take would be read again just the same.
        let full = others == self.max_batch;
        let more = |claimed: bool| {
            if full && (claimed || !dropped.is_empty()) {
                Taken::Full
            } else {
                Taken::Some { busy }
            }
        };
        if claims.is_empty() {
            return Ok(more(false));
        }
        let Some(queue) = self.queue.upgrade() else {
            return Ok(Taken::Stopped);
        };
        let (claims, mails): (Vec<_>, Vec<_>) = claims.into_iter().unzip();
        let taken = self.store.claim_mail(&claims).await?;
        let claimed = taken.iter().any(|t| *t);
        for (((pending, lease_end), mail), taken) in claims.iter().zip(mails).zip(taken) {
            if !taken {
                continue; // another collector's attempt
            }
            let seq = pending.entry_seq;
            self.in_flight.lock().expect("in-flight set").insert(seq);
            let queued = Queued {
                seq,
                rejections: pending.rejections,
                mail,
                attempt: Some(super::Attempt::new(
                    pending.attempts + 1,
                    *lease_end,
                    pending.expires_at,
                    &self.retry,
                )),
            };
            if queue.send(queued).await.is_err() {
                return Ok(Taken::Stopped);
            }
        }
        Ok(more(claimed))
    }
}
