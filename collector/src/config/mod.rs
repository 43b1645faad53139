//! Configuration: flags, then environment, then a TOML file, then defaults.

mod proxies; // the reverse proxies whose forwarded-for hops are believed
mod resolved; // the configuration `serve` runs with, and durations
mod settings; // every setting, as flags, environment and file
#[cfg(test)]
mod tests;
mod trust; // checkpoints, the timestamp authority, trusted proxies

use std::path::PathBuf;

pub use proxies::{BadProxy, TrustedProxies};
pub use resolved::{duration, Config, MailConfig, Secret};
pub use settings::Settings;
pub use trust::{Checkpoints, TimestampAuthority};

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
    /// Several settings are wrong: all of them, so that one start shows every fix to make.
    #[error("{} configuration problems:{}", .0.len(), .0.iter().map(|e| format!("\n  - {e}")).collect::<String>())]
    Many(Vec<ConfigError>),
}
