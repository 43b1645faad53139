//! Configuration: flags, then environment, then a TOML file, then defaults.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::proof_check::ProofLimits;

/// Why the configuration cannot be used; printed at startup.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The config file cannot be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The config file is not valid TOML for these settings.
    #[error("invalid config file {path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A setting has an invalid value.
    #[error("invalid {name}: {message}")]
    Value {
        /// The setting, as its flag is spelled.
        name: &'static str,
        /// What is wrong.
        message: String,
    },
    /// A required setting is missing.
    #[error("{0}")]
    Missing(&'static str),
}

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
    /// Take the client IP from X-Forwarded-For (only behind a trusted proxy) [default: false].
    #[arg(long, env = "CONSENT_TRUST_FORWARDED")]
    pub trust_forwarded: Option<bool>,
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
                "no mail transport: set --smtp-url (or --outbox true to write mail to a folder)",
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
            trust_forwarded: self.trust_forwarded.unwrap_or(false),
            demo,
        })
    }
}

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
    /// A local folder, listed at `/outbox`.
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
    /// Whether X-Forwarded-For is trusted.
    pub trust_forwarded: bool,
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

fn chrono_duration(
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_override_the_file_and_defaults_fill_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("collector.toml");
        std::fs::write(
            &file,
            "listen = \"127.0.0.1:9000\"\nrate-ip = 5\nallowed-origins = [\"https://a.example\"]\n",
        )
        .unwrap();
        let flags = Settings {
            rate_ip: Some(7),
            smtp_url: Some("smtp://127.0.0.1:2525".into()),
            ..Settings::default()
        };
        let config = flags
            .over_file(Some(&file))
            .unwrap()
            .resolve(false)
            .unwrap();
        assert_eq!(config.listen.port(), 9000);
        assert_eq!(config.rate_ip_per_minute, 7);
        assert_eq!(config.allowed_origins, ["https://a.example"]);
        assert_eq!(config.token_ttl, chrono::Duration::hours(48));
        assert_eq!(config.database, "sqlite://data/collector.db");
    }

    #[test]
    fn mail_retry_lies_between_one_second_and_the_token_ttl() {
        let with = |retry: &str, ttl: Option<&str>| {
            Settings {
                smtp_url: Some("smtp://127.0.0.1:2525".into()),
                allowed_origins: Some(vec!["https://a.example".into()]),
                mail_retry: Some(retry.into()),
                token_ttl: ttl.map(String::from),
                ..Settings::default()
            }
            .resolve(false)
        };
        // 0 s would retry a failing mail at once, forever; a delay past the
        // ttl would never come, and one too large for a date panics.
        for (retry, ttl) in [
            ("0s", None),
            ("999ms", None),
            ("49h", None),
            ("2h", Some("1h")),
            ("1000000years", None),
        ] {
            let error = with(retry, ttl).unwrap_err().to_string();
            assert!(
                error.starts_with("invalid --mail-retry: "),
                "{retry}: {error}"
            );
            assert!(error.contains("--token-ttl"), "{retry}: {error}");
            assert_eq!(error, error.to_lowercase(), "{retry}");
        }
        for (retry, ttl) in [("1s", None), ("48h", None), ("1h", Some("1h"))] {
            let config = with(retry, ttl).unwrap();
            assert_eq!(config.mail_retry, humantime::parse_duration(retry).unwrap());
        }
    }

    #[test]
    fn startup_errors_name_the_setting() {
        let missing = Settings {
            smtp_url: Some("smtp://x".into()),
            ..Settings::default()
        }
        .resolve(false)
        .unwrap_err();
        assert!(
            missing.to_string().contains("--allowed-origins"),
            "{missing}"
        );
        let bad = Settings {
            token_ttl: Some("soon".into()),
            ..Settings::default()
        }
        .resolve(true)
        .unwrap_err();
        assert!(bad.to_string().starts_with("invalid --token-ttl"), "{bad}");
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.toml");
        std::fs::write(&file, "lisen = 1\n").unwrap();
        let unknown = Settings::default().over_file(Some(&file)).unwrap_err();
        assert!(unknown.to_string().contains("lisen"), "{unknown}");
    }
}
