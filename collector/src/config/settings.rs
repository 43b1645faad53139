//! Every setting, as flags, environment and TOML file, and how they resolve.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::resolved::{chrono_duration, duration, Config, MailConfig};
use super::ConfigError;
use crate::proof::verify::ProofLimits;

/// Every setting, each optional so that the sources can be layered.
///
/// One struct serves as clap flags (with environment variables) and as the
/// TOML file's schema, so the two cannot drift apart.
#[derive(Clone, Debug, Default, clap::Args, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Settings {
    /// Address to listen on [default: 127.0.0.1:8080]; port 0 picks a free port.
    #[arg(long, env = "CONSENT_LISTEN")]
    pub listen: Option<String>,
    /// Database URL: sqlite://path or postgres://... [default: sqlite://<data-dir>/collector.db].
    #[arg(long, env = "CONSENT_DATABASE")]
    pub database: Option<String>,
    /// Folder for keys, the SQLite file and the outbox [default: data].
    #[arg(long, env = "CONSENT_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Public base URL used in mailed links [default: http://<listen address>].
    #[arg(long, env = "CONSENT_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Origins whose proofs are accepted, comma-separated [default in demo: the public URL's origin, and its localhost or 127.0.0.1 alias].
    #[arg(long, env = "CONSENT_ALLOWED_ORIGINS", value_delimiter = ',')]
    pub allowed_origins: Option<Vec<String>>,
    /// Largest request body in bytes [default: 65536].
    #[arg(long, env = "CONSENT_MAX_BODY")]
    pub max_body: Option<usize>,
    /// How far in the future issuedAt may be [default: 5m].
    #[arg(long, env = "CONSENT_MAX_SKEW")]
    pub max_skew: Option<String>,
    /// How old issuedAt may be [default: 7d].
    #[arg(long, env = "CONSENT_MAX_AGE")]
    pub max_age: Option<String>,
    /// How long a confirm link works [default: 48h].
    #[arg(long, env = "CONSENT_TOKEN_TTL")]
    pub token_ttl: Option<String>,
    /// Bits of an IPv4 address kept in events [default: 24].
    #[arg(long, env = "CONSENT_IPV4_PREFIX")]
    pub ipv4_prefix: Option<u8>,
    /// Bits of an IPv6 address kept in events [default: 48].
    #[arg(long, env = "CONSENT_IPV6_PREFIX")]
    pub ipv6_prefix: Option<u8>,
    /// Proof submissions allowed per client network per minute; 0 = no limit [default: 30].
    #[arg(long, env = "CONSENT_RATE_IP")]
    pub rate_ip: Option<u32>,
    /// Confirmation mails allowed per address per hour; 0 = no limit [default: 3].
    #[arg(long, env = "CONSENT_RATE_EMAIL")]
    pub rate_email: Option<u32>,
    /// SMTP server URL, e.g. smtp://127.0.0.1:2525 or smtps://user:pass@host [default: none].
    #[arg(long, env = "CONSENT_SMTP_URL")]
    pub smtp_url: Option<String>,
    /// From address of mail [default: consent-collector <no-reply@localhost>].
    #[arg(long, env = "CONSENT_MAIL_FROM")]
    pub mail_from: Option<String>,
    /// First retry delay of a confirmation mail that could not be sent; it doubles per attempt, up to 30m [default: 30s].
    #[arg(long, env = "CONSENT_MAIL_RETRY")]
    pub mail_retry: Option<String>,
    /// Write mail to <data-dir>/outbox instead of SMTP [default: on in demo, off otherwise].
    #[arg(long, env = "CONSENT_OUTBOX")]
    pub outbox: Option<bool>,
    /// Folder served at / [default in demo: www].
    #[arg(long, env = "CONSENT_WWW")]
    pub www: Option<PathBuf>,
    /// Folder served at /pkg/ [default in demo: pkg].
    #[arg(long, env = "CONSENT_PKG")]
    pub pkg: Option<PathBuf>,
    /// Per-request timeout [default: 10s].
    #[arg(long, env = "CONSENT_REQUEST_TIMEOUT")]
    pub request_timeout: Option<String>,
    /// Replaced by --trusted-proxies; `true` is refused with a message saying so.
    #[arg(long, env = "CONSENT_TRUST_FORWARDED", hide = true)]
    pub trust_forwarded: Option<bool>,
    /// Addresses or CIDR networks of the reverse proxies in front, comma-separated: the client is the rightmost X-Forwarded-For hop not among them [default: none, the header is ignored].
    #[arg(long, env = "CONSENT_TRUSTED_PROXIES")]
    pub trusted_proxies: Option<String>,
    /// A repeated sign-up of an address with a confirmation pending mails it again at most once per this interval [default: 10m].
    #[arg(long, env = "CONSENT_RESEND_AFTER")]
    pub resend_after: Option<String>,
    /// How often a signed checkpoint of the log is published, when the log grew [default: 1m].
    #[arg(long, env = "CONSENT_CHECKPOINT_INTERVAL")]
    pub checkpoint_interval: Option<String>,
    /// Append-only file of the published checkpoints [default: <data-dir>/checkpoints.jsonl].
    #[arg(long, env = "CONSENT_CHECKPOINT_FILE")]
    pub checkpoint_file: Option<PathBuf>,
    /// The log's name in its checkpoints, and their note key name [default: <public url host>/consent-log].
    #[arg(long, env = "CONSENT_LOG_ORIGIN")]
    pub log_origin: Option<String>,
    /// RFC 3161 timestamp authority that stamps each checkpoint [default: none].
    #[arg(long, env = "CONSENT_TSA_URL")]
    pub tsa_url: Option<String>,
    /// The timestamp authority's certificate (PEM), required with --tsa-url.
    #[arg(long, env = "CONSENT_TSA_CERT")]
    pub tsa_cert: Option<PathBuf>,
    /// Proofs of no registered form version: hold (stored, no mail, no state change, `forms held`) or refuse (422) [default: hold].
    #[arg(long, env = "CONSENT_UNKNOWN_FORMS", value_enum)]
    pub unknown_forms: Option<crate::flows::intake::UnknownForms>,
}

impl Settings {
    /// Layers `self` (flags and environment) over a TOML file's settings.
    pub fn over_file(self, path: Option<&Path>) -> Result<Settings, ConfigError> {
        let Some(path) = path else { return Ok(self) };
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.into(),
            source,
        })?;
        let file: Settings = toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: path.into(),
            message: e.message().to_lowercase(),
        })?;
        let mut merged = serde_json::to_value(file).expect("settings serialize");
        let flags = serde_json::to_value(self).expect("settings serialize");
        for (name, value) in flags.as_object().expect("settings are an object") {
            if !value.is_null() {
                merged[name] = value.clone();
            }
        }
        Ok(serde_json::from_value(merged).expect("merged settings deserialize"))
    }

    /// The confirm link's lifetime and the first mail retry delay, as
    /// `serve` reads them (for commands that store confirmation mail).
    pub fn mail_timing(&self) -> Result<(chrono::Duration, Duration), ConfigError> {
        let token_ttl = chrono_duration("--token-ttl", self.token_ttl.as_deref(), "48h")?;
        let mail_retry = duration("--mail-retry", self.mail_retry.as_deref(), "30s")?;
        Ok((token_ttl, mail_retry))
    }

    /// The data folder.
    pub fn data_dir(&self) -> PathBuf {
        self.data_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from("data"))
    }

    /// The database URL.
    pub fn database(&self) -> String {
        self.database.clone().unwrap_or_else(|| {
            format!(
                "sqlite://{}",
                self.data_dir().join("collector.db").display()
            )
        })
    }

    /// Resolves every setting, applying defaults; `demo` picks the demo defaults.
    pub fn resolve(&self, demo: bool) -> Result<Config, ConfigError> {
        let listen: SocketAddr = self
            .listen
            .as_deref()
            .unwrap_or("127.0.0.1:8080")
            .parse()
            .map_err(|_| ConfigError::Value {
                name: "--listen",
                message: "expected host:port, such as 127.0.0.1:8080".into(),
            })?;
        let data_dir = self.data_dir();
        let mail_from = self
            .mail_from
            .clone()
            .unwrap_or_else(|| "consent-collector <no-reply@localhost>".into());
        // "Real SMTP is one flag away": in demo, giving --smtp-url replaces the outbox.
        let mail = if self.outbox.unwrap_or(demo && self.smtp_url.is_none()) {
            MailConfig::Outbox {
                dir: data_dir.join("outbox"),
                from: mail_from,
            }
        } else if let Some(url) = &self.smtp_url {
            MailConfig::Smtp {
                url: url.clone(),
                from: mail_from,
            }
        } else {
            return Err(ConfigError::Missing(
                "no mail transport: set --smtp-url to the smtp server that sends the confirmation mail",
            ));
        };
        let allowed_origins = self.allowed_origins.clone().unwrap_or_default();
        if allowed_origins.is_empty() && !demo {
            return Err(ConfigError::Missing("no allowed origins: set --allowed-origins to the storefront origins, e.g. https://shop.example"));
        }
        let token_ttl = chrono_duration("--token-ttl", self.token_ttl.as_deref(), "48h")?;
        let mail_retry = duration("--mail-retry", self.mail_retry.as_deref(), "30s")?;
        // Zero would retry a failing mail at once, in a loop; past the confirm
        // link's lifetime a retry would never come (and a delay too large for
        // a date would fail every double opt-in request).
        if mail_retry < Duration::from_secs(1)
            || token_ttl.to_std().is_ok_and(|ttl| mail_retry > ttl)
        {
            return Err(ConfigError::Value {
                name: "--mail-retry",
                message: format!(
                    "{} is out of range: it must be at least 1s and at most --token-ttl ({})",
                    humantime::format_duration(mail_retry),
                    humantime::format_duration(token_ttl.to_std().unwrap_or_default()),
                ),
            });
        }
        let checkpoints = super::trust::checkpoints(self, &data_dir)?;
        Ok(Config {
            listen,
            database: self.database(),
            data_dir,
            public_url: self
                .public_url
                .as_ref()
                .map(|u| u.trim_end_matches('/').to_string()),
            allowed_origins,
            max_body: self.max_body.unwrap_or(64 * 1024),
            limits: ProofLimits {
                max_skew: chrono_duration("--max-skew", self.max_skew.as_deref(), "5m")?,
                max_age: chrono_duration("--max-age", self.max_age.as_deref(), "7d")?,
            },
            token_ttl,
            ipv4_prefix: self.ipv4_prefix.unwrap_or(24),
            ipv6_prefix: self.ipv6_prefix.unwrap_or(48),
            rate_ip_per_minute: self.rate_ip.unwrap_or(30),
            rate_email_per_hour: self.rate_email.unwrap_or(3),
            mail,
            mail_retry,
            www: self
                .www
                .clone()
                .or_else(|| demo.then(|| PathBuf::from("www"))),
            pkg: self
                .pkg
                .clone()
                .or_else(|| demo.then(|| PathBuf::from("pkg"))),
            request_timeout: duration("--request-timeout", self.request_timeout.as_deref(), "10s")?,
            trusted_proxies: super::trust::trusted_proxies(self)?,
            resend_after: duration("--resend-after", self.resend_after.as_deref(), "10m")?,
            checkpoints,
            unknown_forms: self.unknown_forms.unwrap_or_default(),
            demo,
        })
    }
}
