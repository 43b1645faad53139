//! Delivery policy: what a response means, when to try again, and how an
//! outbox entry is written to storage. The browser side does the I/O.

use crate::prelude::*;

use crate::text::uint;

/// What one delivery attempt's outcome means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// 2xx: the backend has it; the entry leaves the outbox.
    Delivered,
    /// Network failure, timeout, 408, 429 or 5xx: try again later.
    Retry,
    /// Any other status: the backend refuses it for good; the entry is kept
    /// and marked rejected.
    Rejected,
}

/// Classifies an HTTP status; 0 stands for a network failure.
pub fn classify(status: u16) -> Verdict {
    match status {
        200..=299 => Verdict::Delivered,
        0 | 408 | 429 | 500..=599 => Verdict::Retry,
        _ => Verdict::Rejected,
    }
}

/// The first retry waits about this long.
pub const BASE_DELAY_MS: u32 = 1_000;
/// No wait is longer than this.
pub const MAX_DELAY_MS: u32 = 300_000;

/// The wait before retry number `attempt` (1 for the first retry):
/// exponential, capped, with "equal jitter" so that many browsers coming
/// back online do not retry in step. `jitter` is uniform in [0, 1).
pub fn backoff_ms(attempt: u32, jitter: f64) -> u32 {
    let exp = BASE_DELAY_MS.saturating_mul(1u32 << attempt.saturating_sub(1).min(16)).min(MAX_DELAY_MS);
    let half = exp / 2;
    half + (half as f64 * jitter.clamp(0.0, 1.0)) as u32
}

/// Where an outbox entry stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Waiting for (another) attempt.
    Pending,
    /// Refused by the backend; kept as evidence.
    Rejected,
}

/// A signed proof waiting in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The record id, also the `Idempotency-Key`.
    pub id: String,
    /// Where it goes.
    pub endpoint: String,
    /// The form it came from: its events go to that form's widget.
    pub form: String,
    /// The compact JWS.
    pub jws: String,
    /// Attempts made so far.
    pub attempts: u32,
    /// Pending or rejected.
    pub state: State,
}

const VERSION: &str = "cw2";

impl Entry {
    /// A new pending entry.
    pub fn new(id: String, endpoint: String, form: String, jws: String) -> Entry {
        Entry { id, endpoint, form, jws, attempts: 0, state: State::Pending }
    }

    /// The stored form: one field per line (none can hold a newline: the id
    /// is a UUID, the JWS is base64url and dots, the endpoint a URL, and the
    /// form id a configuration string without control characters).
    pub fn encode(&self) -> String {
        let state = match self.state {
            State::Pending => "pending",
            State::Rejected => "rejected",
        };
        [VERSION, state, &uint(self.attempts as usize), &self.id, &self.endpoint, &self.form, &self.jws].join("\n")
    }

    /// Reads a stored entry; `None` for anything else.
    pub fn decode(stored: &str) -> Option<Entry> {
        let mut lines = stored.split('\n');
        if lines.next()? != VERSION {
            return None;
        }
        let state = match lines.next()? {
            "pending" => State::Pending,
            "rejected" => State::Rejected,
            _ => return None,
        };
        let attempts = lines.next()?.parse().ok()?;
        let id = lines.next()?.into();
        let endpoint = lines.next()?.into();
        let form = lines.next()?.into();
        let jws: String = lines.next()?.into();
        if lines.next().is_some() || jws.is_empty() {
            return None;
        }
        Some(Entry { id, endpoint, form, jws, attempts, state })
    }
}
