//! Delivery policy: what a response means, and when to try again. The
//! browser side keeps the outbox and does the I/O.

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
