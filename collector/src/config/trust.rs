//! The settings of checkpoints, of their timestamp authority, and of trusted proxies.

use std::path::PathBuf;
use std::time::Duration;

use super::resolved::duration;
use super::{ConfigError, Settings, TrustedProxies};

/// Where and how often checkpoints are published.
#[derive(Clone, Debug)]
pub struct Checkpoints {
    /// Time between two publications (when the log grew).
    pub interval: Duration,
    /// The append-only file.
    pub file: PathBuf,
    /// The log's name; `None` means `<public url host>/consent-log`.
    pub origin: Option<String>,
    /// The timestamp authority, if any.
    pub tsa: Option<TimestampAuthority>,
}

/// An RFC 3161 authority: where to ask, and the certificate its tokens must verify with.
#[derive(Clone, Debug)]
pub struct TimestampAuthority {
    /// Its URL.
    pub url: String,
    /// Its certificate, PEM.
    pub cert: PathBuf,
}

pub(super) fn trusted_proxies(settings: &Settings) -> Result<TrustedProxies, ConfigError> {
    if settings.trust_forwarded == Some(true) {
        return Err(ConfigError::Value {
            name: "--trust-forwarded",
            message: "is replaced by --trusted-proxies: it believed the leftmost x-forwarded-for hop, which the client writes; list the addresses or networks of your proxies instead".into(),
        });
    }
    TrustedProxies::parse(settings.trusted_proxies.as_deref().unwrap_or("")).map_err(|e| {
        ConfigError::Value {
            name: "--trusted-proxies",
            message: e.to_string(),
        }
    })
}

pub(super) fn checkpoints(settings: &Settings) -> Result<Checkpoints, ConfigError> {
    let interval = duration(
        "--checkpoint-interval",
        settings.checkpoint_interval.as_deref(),
        "1m",
    )?;
    if interval < Duration::from_millis(10) {
        return Err(ConfigError::Value {
            name: "--checkpoint-interval",
            message: "must be at least 10ms".into(),
        });
    }
    if let Some(origin) = &settings.log_origin {
        if !crate::ledger::note::valid_name(origin) {
            return Err(ConfigError::Value {
                name: "--log-origin",
                message: "must be non-empty, without spaces or '+', e.g. shop.example/consent-log"
                    .into(),
            });
        }
    }
    let tsa = match (&settings.tsa_url, &settings.tsa_cert) {
        (None, None) => None,
        (Some(url), Some(cert)) => Some(TimestampAuthority {
            url: url.clone(),
            cert: cert.clone(),
        }),
        _ => {
            return Err(ConfigError::Missing(
                "--tsa-url and --tsa-cert go together: the authority's tokens are checked against its certificate",
            ))
        }
    };
    Ok(Checkpoints {
        interval,
        file: settings.checkpoint_path(),
        origin: settings.log_origin.clone(),
        tsa,
    })
}
