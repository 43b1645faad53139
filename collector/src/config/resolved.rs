//! The configuration `serve` runs with, resolved from the settings.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use super::ConfigError;
use crate::proof::verify::ProofLimits;

/// Where mail goes.
#[derive(Clone, Debug)]
pub enum MailConfig {
    /// A real SMTP server.
    Smtp {
        /// Its URL.
        url: String,
        /// The From address.
        from: String,
    },
    /// A local folder (listed at `/outbox` in the demo only).
    Outbox {
        /// The folder.
        dir: PathBuf,
        /// The From address.
        from: String,
    },
}

/// The resolved configuration of `serve`.
#[derive(Clone, Debug)]
pub struct Config {
    /// Listen address.
    pub listen: SocketAddr,
    /// Database URL.
    pub database: String,
    /// Data folder (keys live in `keys/` inside it).
    pub data_dir: PathBuf,
    /// Public base URL for links; `None` means the bound address.
    pub public_url: Option<String>,
    /// Accepted proof origins; empty in demo means the public URL's origin.
    pub allowed_origins: Vec<String>,
    /// Largest request body.
    pub max_body: usize,
    /// Time limits on `issuedAt`.
    pub limits: ProofLimits,
    /// Confirm link lifetime.
    pub token_ttl: chrono::Duration,
    /// IPv4 bits kept.
    pub ipv4_prefix: u8,
    /// IPv6 bits kept.
    pub ipv6_prefix: u8,
    /// Submissions per client network per minute.
    pub rate_ip_per_minute: u32,
    /// Confirmation mails per address per hour.
    pub rate_email_per_hour: u32,
    /// Where mail goes.
    pub mail: MailConfig,
    /// The first delay before a failed confirmation mail is tried again.
    pub mail_retry: Duration,
    /// Static site folder.
    pub www: Option<PathBuf>,
    /// Widget build folder.
    pub pkg: Option<PathBuf>,
    /// Per-request timeout.
    pub request_timeout: Duration,
    /// The reverse proxies whose X-Forwarded-For hops are believed.
    pub trusted_proxies: super::TrustedProxies,
    /// Least time between two confirmation mails for one pending address.
    pub resend_after: Duration,
    /// Signed checkpoints of the log.
    pub checkpoints: super::Checkpoints,
    /// What becomes of proofs of no registered form version.
    pub unknown_forms: crate::flows::intake::UnknownForms,
    /// Demo mode: a key is generated if none exists, and /outbox is served.
    pub demo: bool,
}

impl Config {
    /// Where the collector's keys live.
    pub fn key_dir(&self) -> PathBuf {
        self.data_dir.join("keys")
    }
}

/// Parses a duration such as `48h`, `7d` or `3y`.
pub fn duration(
    name: &'static str,
    value: Option<&str>,
    default: &str,
) -> Result<Duration, ConfigError> {
    humantime::parse_duration(value.unwrap_or(default)).map_err(|e| ConfigError::Value {
        name,
        message: format!("{e}; expected e.g. 30s, 48h, 7d").to_lowercase(),
    })
}

pub(super) fn chrono_duration(
    name: &'static str,
    value: Option<&str>,
    default: &str,
) -> Result<chrono::Duration, ConfigError> {
    let std = duration(name, value, default)?;
    chrono::Duration::from_std(std).map_err(|_| ConfigError::Value {
        name,
        message: "too large".into(),
    })
}
