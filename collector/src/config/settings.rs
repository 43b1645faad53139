//! Every setting, as flags, environment and TOML file, and how they resolve.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::resolved::{chrono_duration, duration, Config, MailConfig, Secret};
use super::ConfigError;
use crate::i18n::brand::Brand;
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
    /// The shop's name: the pages' header and the mail's sender name [default: the name the form's controller gives].
    #[arg(long, env = "CONSENT_SHOP_NAME")]
    pub shop_name: Option<String>,
    /// The shop's home page, linked from every page.
    #[arg(long, env = "CONSENT_SHOP_URL")]
    pub shop_url: Option<String>,
    /// The shop's logo (PNG, JPEG, GIF, WebP or SVG, at most 64 KiB), inlined into every page.
    #[arg(long, env = "CONSENT_SHOP_LOGO")]
    pub shop_logo: Option<PathBuf>,
    /// The shop's accent colour, #rrggbb: the pages' header band and buttons.
    #[arg(long, env = "CONSENT_SHOP_ACCENT")]
    pub shop_accent: Option<String>,
    /// How long a mailed link to the preference page works; a new one can be asked for by mail [default: 30d].
    #[arg(long, env = "CONSENT_PREFERENCES_TTL")]
    pub preferences_ttl: Option<String>,
    /// From address of mail, the shop's (e.g. "Atelier <bonjour@atelier.example>"); without a name, the shop's name is shown [default: no-reply@localhost, named after the shop].
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
    /// Serve the admin dashboard at /admin, behind --admin-credential [default: false].
    #[arg(long, env = "CONSENT_DASHBOARD")]
    pub dashboard: Option<bool>,
    /// The secret that signs into the dashboard, at least 24 characters; keep it in the environment.
    #[arg(long, env = "CONSENT_ADMIN_CREDENTIAL", hide_env_values = true)]
    pub admin_credential: Option<String>,
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
    /// The merchant's tools (config file only: `[connectors]`, see docs/connectors.md).
    #[arg(skip)]
    pub connectors: Option<crate::connectors::config::ConnectorsConfig>,
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

    /// The append-only file of published checkpoints.
    pub fn checkpoint_path(&self) -> PathBuf {
        self.checkpoint_file
            .clone()
            .unwrap_or_else(|| self.data_dir().join("checkpoints.jsonl"))
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

    /// The dashboard's credential when the dashboard is on; an error when it is on without a usable one.
    fn dashboard_credential(&self) -> Result<Option<Secret>, ConfigError> {
        if !self.dashboard.unwrap_or(false) {
            return Ok(None);
        }
        match &self.admin_credential {
            Some(c) if c.chars().count() >= 24 => Ok(Some(Secret(c.clone()))),
            Some(_) => Err(ConfigError::Value {
                name: "--admin-credential",
                message: "too short: use at least 24 random characters (e.g. openssl rand -base64 24)".into(),
            }),
            None => Err(ConfigError::Missing("the dashboard is on but has no credential: set CONSENT_ADMIN_CREDENTIAL (at least 24 random characters)")),
        }
    }

    /// Resolves every setting, applying defaults; `demo` picks the demo
    /// defaults. Every problem is reported at once ([`ConfigError::Many`]).
    pub fn resolve(&self, demo: bool) -> Result<Config, ConfigError> {
        let mut problems = Vec::new();
        let listen: Option<SocketAddr> = take(&mut problems, 
            self.listen
                .as_deref()
                .unwrap_or("127.0.0.1:8080")
                .parse()
                .map_err(|_| ConfigError::Value {
                    name: "--listen",
                    message: "expected host:port, such as 127.0.0.1:8080".into(),
                }),
        );
        let data_dir = self.data_dir();
        let mail_from = self
            .mail_from
            .clone()
            .unwrap_or_else(|| "no-reply@localhost".into());
        // "Real SMTP is one flag away": in demo, giving --smtp-url replaces the outbox.
        let mail = take(&mut problems, if self.outbox.unwrap_or(demo && self.smtp_url.is_none()) {
            Ok(MailConfig::Outbox {
                dir: data_dir.join("outbox"),
                from: mail_from,
            })
        } else if let Some(url) = &self.smtp_url {
            // Real mail goes out in the shop's name from the shop's address:
            // no made-up default outside the demo.
            if self.mail_from.is_none() && !demo {
                Err(ConfigError::Missing(
                    "no sender address: set --mail-from to the shop's own, e.g. \"Boutique Exemple <newsletter@boutique.example>\" (required with --smtp-url)",
                ))
            } else {
                Ok(MailConfig::Smtp {
                    url: url.clone(),
                    from: mail_from,
                })
            }
        } else {
            Err(ConfigError::Missing(
                "no mail transport: set --smtp-url to the smtp server that sends the confirmation mail",
            ))
        });
        let allowed_origins = self.allowed_origins.clone().unwrap_or_default();
        if allowed_origins.is_empty() && !demo {
            take(&mut problems, Err::<(), _>(ConfigError::Missing("no allowed origins: set --allowed-origins to the storefront origins, e.g. https://shop.example")));
        }
        let token_ttl = take(&mut problems, chrono_duration("--token-ttl", self.token_ttl.as_deref(), "48h"));
        let mail_retry = take(&mut problems, duration("--mail-retry", self.mail_retry.as_deref(), "30s"));
        // Zero would retry a failing mail at once, in a loop; past the confirm
        // link's lifetime a retry would never come (and a delay too large for
        // a date would fail every double opt-in request).
        if let (Some(mail_retry), Some(token_ttl)) = (mail_retry, token_ttl) {
            if mail_retry < Duration::from_secs(1)
                || token_ttl.to_std().is_ok_and(|ttl| mail_retry > ttl)
            {
                take(&mut problems, Err::<(), _>(ConfigError::Value {
                    name: "--mail-retry",
                    message: format!(
                        "{} is out of range: it must be at least 1s and at most --token-ttl ({})",
                        humantime::format_duration(mail_retry),
                        humantime::format_duration(token_ttl.to_std().unwrap_or_default()),
                    ),
                }));
            }
        }
        let max_skew = take(&mut problems, chrono_duration("--max-skew", self.max_skew.as_deref(), "5m"));
        let max_age = take(&mut problems, chrono_duration("--max-age", self.max_age.as_deref(), "7d"));
        let request_timeout = take(&mut problems, duration("--request-timeout", self.request_timeout.as_deref(), "10s"));
        let dashboard = take(&mut problems, self.dashboard_credential());
        let trusted_proxies = take(&mut problems, super::trust::trusted_proxies(self));
        let resend_after = take(&mut problems, duration("--resend-after", self.resend_after.as_deref(), "10m"));
        let checkpoints = take(&mut problems, super::trust::checkpoints(self));
        let brand = take(
            &mut problems,
            Brand::from_settings(
                self.shop_name.as_deref(),
                self.shop_url.as_deref(),
                self.shop_logo.as_deref(),
                self.shop_accent.as_deref(),
            )
            .map_err(|e| ConfigError::Value {
                name: "--shop-*",
                message: e.to_string(),
            }),
        );
        let preferences_ttl = take(
            &mut problems,
            chrono_duration("--preferences-ttl", self.preferences_ttl.as_deref(), "30d"),
        );
        let (
            Some(listen),
            Some(mail),
            Some(token_ttl),
            Some(mail_retry),
            Some(max_skew),
            Some(max_age),
            Some(request_timeout),
            Some(dashboard),
            Some(trusted_proxies),
            Some(resend_after),
            Some(checkpoints),
            Some(brand),
            Some(preferences_ttl),
        ) = (
            listen,
            mail,
            token_ttl,
            mail_retry,
            max_skew,
            max_age,
            request_timeout,
            dashboard,
            trusted_proxies,
            resend_after,
            checkpoints,
            brand,
            preferences_ttl,
        )
        else {
            return Err(one_or_many(problems));
        };
        if !problems.is_empty() {
            return Err(one_or_many(problems));
        }
        Ok(Config {
            listen,
            brand,
            preferences_ttl,
            database: self.database(),
            data_dir,
            public_url: self
                .public_url
                .as_ref()
                .map(|u| u.trim_end_matches('/').to_string()),
            allowed_origins,
            max_body: self.max_body.unwrap_or(64 * 1024),
            limits: ProofLimits { max_skew, max_age },
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
            request_timeout,
            trusted_proxies,
            resend_after,
            checkpoints,
            dashboard,
            unknown_forms: self.unknown_forms.unwrap_or_default(),
            connectors: self.connectors.clone().unwrap_or_default(),
            demo,
        })
    }
}

/// One problem as itself, several as [`ConfigError::Many`].
fn one_or_many(mut problems: Vec<ConfigError>) -> ConfigError {
    if problems.len() == 1 {
        problems.remove(0)
    } else {
        ConfigError::Many(problems)
    }
}

/// The value, or `None` with its problem noted.
fn take<T>(problems: &mut Vec<ConfigError>, result: Result<T, ConfigError>) -> Option<T> {
    result.map_err(|e| problems.push(e)).ok()
}
