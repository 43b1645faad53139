//! Delivery after the commit: claims due hand-offs, calls their connector,
//! records the outcome, and sleeps until the next is due or a new change is
//! committed.
//!
//! The retry rule: a failed attempt is tried again after a delay that starts
//! at [`Backoff::first`] (30 s by default), doubles per attempt up to
//! [`Backoff::max`] (1 h), drawn between half and all of it (so hand-offs
//! failed together are not retried together), and never shorter than the
//! tool's `Retry-After`. After [`MAX_ATTEMPTS`] attempts (about nine hours
//! with the defaults), or at once for a permanent refusal, the hand-off is
//! given up: `connectors status` counts it, `connectors retry` re-queues it.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::Rng;
use tokio::sync::Notify;
use tokio::task::{JoinHandle, JoinSet};

use super::queue::Queue;
use super::{Connector, Failure};

/// Attempts after which a hand-off is given up (the default; settable).
pub const MAX_ATTEMPTS: i64 = 16;

/// The longest wait a tool's `Retry-After` can impose: past it, the
/// attempt limit decides.
const MAX_REQUESTED_WAIT: Duration = Duration::from_secs(24 * 3600);

/// How often an idle dispatcher looks for rows other collectors left due.
const POLL: Duration = Duration::from_secs(30);

/// Rows claimed per round.
const BATCH: i64 = 16;

/// The retry delays.
#[derive(Clone, Copy, Debug)]
pub struct Backoff {
    /// After the first failed attempt.
    pub first: Duration,
    /// The longest delay.
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            first: Duration::from_secs(30),
            max: Duration::from_secs(3600),
        }
    }
}

impl Backoff {
    /// The delay after `attempts` failed attempts (from 1), before jitter.
    pub fn full(&self, attempts: i64) -> Duration {
        let doublings = attempts.clamp(1, 32) as u32 - 1;
        self.first
            .saturating_mul(2_u32.saturating_pow(doublings))
            .min(self.max)
    }

    /// The wait before the next attempt: jittered backoff, at least `asked`.
    pub fn delay(&self, attempts: i64, asked: Option<Duration>) -> Duration {
        let own = self
            .full(attempts)
            .mul_f64(rand::thread_rng().gen_range(0.5..=1.0));
        own.max(asked.unwrap_or_default().min(MAX_REQUESTED_WAIT))
    }
}

/// How a dispatcher runs.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    /// Retry delays.
    pub backoff: Backoff,
    /// Attempts before giving up.
    pub max_attempts: i64,
    /// How long a claim holds a row: longer than one delivery can take.
    pub lease: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            backoff: Backoff::default(),
            max_attempts: MAX_ATTEMPTS,
            lease: Duration::from_secs(120),
        }
    }
}

/// Delivers the hand-offs of one database to the configured connectors.
#[derive(Clone)]
pub struct Dispatcher {
    queue: Queue,
    connectors: Arc<HashMap<String, Arc<dyn Connector>>>,
    owner: String,
    settings: Settings,
    wake: Arc<Notify>,
}

impl Dispatcher {
    /// A dispatcher for `connectors`; `owner` names this process in leases
    /// (unique per collector: a random id is fine).
    pub fn new(
        queue: Queue,
        connectors: Vec<Arc<dyn Connector>>,
        owner: String,
        settings: Settings,
    ) -> Self {
        let connectors = connectors
            .into_iter()
            .map(|c| (c.name().to_string(), c))
            .collect();
        Dispatcher {
            queue,
            connectors: Arc::new(connectors),
            owner,
            settings,
            wake: Arc::new(Notify::new()),
        }
    }

    /// The names to pass to [`super::enqueue`].
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.connectors.keys().cloned().collect();
        names.sort();
        names
    }

    /// Call after committing a change: the dispatcher delivers it at once
    /// instead of at its next poll.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Claims one batch of due rows and delivers them; the number claimed.
    pub async fn round(&self) -> Result<usize, sqlx::Error> {
        let now = Utc::now();
        let lease = now + chrono::Duration::from_std(self.settings.lease).unwrap_or_default();
        let claimed = self.queue.claim(&self.owner, now, lease, BATCH).await?;
        let count = claimed.len();
        let mut tasks = JoinSet::new();
        for handoff in claimed {
            let this = self.clone();
            tasks.spawn(async move {
                let outcome = match this.connectors.get(&handoff.connector) {
                    Some(connector) => connector.deliver(&handoff).await,
                    None => Err(Failure::Permanent(format!(
                        "connector {:?} is not configured",
                        handoff.connector
                    ))),
                };
                this.record(&handoff.id, handoff.attempts, outcome, Utc::now())
                    .await
            });
        }
        while let Some(done) = tasks.join_next().await {
            if let Ok(Err(e)) = done {
                tracing::warn!(error = %e, "recording a hand-off outcome failed; its lease will expire");
            }
        }
        Ok(count)
    }

    async fn record(
        &self,
        id: &str,
        attempts: i64,
        outcome: Result<(), Failure>,
        now: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        match outcome {
            Ok(()) => {
                self.queue.delivered(id, &self.owner, now).await?;
                tracing::info!(handoff = id, attempts, "hand-off delivered");
            }
            Err(failure) => {
                let next = match &failure {
                    Failure::Retry { after, .. } if attempts < self.settings.max_attempts => {
                        let delay = self.settings.backoff.delay(attempts, *after);
                        Some(now + chrono::Duration::from_std(delay).unwrap_or_default())
                    }
                    _ => None,
                };
                tracing::warn!(
                    handoff = id,
                    attempts,
                    error = failure.message(),
                    given_up = next.is_none(),
                    "hand-off failed"
                );
                self.queue
                    .failed(id, &self.owner, failure.message(), next, now)
                    .await?;
            }
        }
        Ok(())
    }

    /// Runs until aborted: rounds while there is due work, then sleeps until
    /// the next row is due, a [`Dispatcher::wake`], or the poll interval.
    /// Aborting mid-delivery loses nothing: the lease ends and the row is
    /// claimed again.
    pub fn spawn(self) -> JoinHandle<()> {
        tokio::spawn(async move {
            loop {
                match self.round().await {
                    Ok(n) if n > 0 => continue,
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "claiming hand-offs failed"),
                }
                let wait = match self.queue.next_due().await {
                    Ok(Some(due)) => (due - Utc::now()).to_std().unwrap_or(Duration::ZERO),
                    _ => POLL,
                }
                .min(POLL);
                if wait.is_zero() {
                    // Due rows that could not be claimed (held in order
                    // behind a leased one): don't spin.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
                tokio::select! {
                    _ = self.wake.notified() => {}
                    _ = tokio::time::sleep(wait) => {}
                }
            }
        })
    }
}
