//! Fixed-window rate limits, per key (an IP network or an e-mail address).
//!
//! Counters live in this process: several collectors behind one balancer
//! each allow the limit. That is enough to stop a form being used to bomb a
//! mailbox from one place; a shared limiter belongs in front of the fleet.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Allows `limit` events per key per `window`.
pub struct RateLimit {
    limit: u32,
    window: Duration,
    counts: Mutex<HashMap<String, (Instant, u32)>>,
}

impl RateLimit {
    /// A limiter; a `limit` of 0 turns it off.
    pub fn new(limit: u32, window: Duration) -> Self {
        RateLimit {
            limit,
            window,
            counts: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one event for `key`; `false` when over the limit.
    pub fn allow(&self, key: &str) -> bool {
        if self.limit == 0 {
            return true;
        }
        let now = Instant::now();
        let mut counts = self.counts.lock().expect("rate limit lock");
        if counts.len() > 100_000 {
            // Bound memory under a flood of distinct keys.
            counts.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        let slot = counts.entry(key.to_string()).or_insert((now, 0));
        if now.duration_since(slot.0) >= self.window {
            *slot = (now, 0);
        }
        slot.1 += 1;
        slot.1 <= self.limit
    }

    /// Gives back an event [`RateLimit::allow`] counted for `key` that did not happen after all.
    pub fn refund(&self, key: &str) {
        if self.limit == 0 {
            return;
        }
        let mut counts = self.counts.lock().expect("rate limit lock");
        if let Some(slot) = counts.get_mut(key) {
            slot.1 = slot.1.saturating_sub(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_per_key() {
        let limit = RateLimit::new(2, Duration::from_secs(3600));
        assert!(limit.allow("a") && limit.allow("a"));
        assert!(!limit.allow("a"));
        assert!(limit.allow("b"));
        assert!(RateLimit::new(0, Duration::from_secs(1)).allow("a"));
    }

    #[test]
    fn a_refund_gives_the_event_back() {
        let limit = RateLimit::new(1, Duration::from_secs(3600));
        assert!(limit.allow("a"));
        limit.refund("a");
        assert!(limit.allow("a"));
        assert!(!limit.allow("a"));
        limit.refund("unknown");
    }
}
