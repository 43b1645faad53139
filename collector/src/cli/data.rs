//! Where a command finds the log: `--data-dir` and `--database` only, and
//! opening it for reading without ever creating a folder or a database.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::{ConfigError, Settings};
use crate::store::{Store, StoreError};

/// The two settings a command on an existing log needs.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct DataArgs {
    /// Database URL: sqlite://path or postgres://... [default: sqlite://<data-dir>/collector.db].
    #[arg(long, env = "CONSENT_DATABASE")]
    pub database: Option<String>,
    /// The collector's data folder: keys and the SQLite file [default: data].
    #[arg(long, env = "CONSENT_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
}

impl DataArgs {
    /// These flags over the config file's settings.
    pub fn settings(&self, file: Option<&Path>) -> Result<Settings, ConfigError> {
        Settings {
            database: self.database.clone(),
            data_dir: self.data_dir.clone(),
            ..Settings::default()
        }
        .over_file(file)
    }
}

/// Why a command has no log to read.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The data folder is not there.
    #[error("data folder {0} does not exist: give the collector's folder with --data-dir (or its database with --database); this command never creates one")]
    NoDataDir(PathBuf),
    /// The SQLite file is not there.
    #[error("no database at {0}: give the collector's folder with --data-dir (or its database with --database); this command never creates one")]
    NoDatabase(PathBuf),
    /// The database holds no collector log.
    #[error("{0} holds no consent-collector log (no entries table): is it the right database?")]
    NotALog(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Opens an existing log: the data folder, the database and its log must all be there.
pub async fn open_existing(settings: &Settings) -> Result<Arc<dyn Store>, OpenError> {
    let url = settings.database();
    if let Some(path) = url.strip_prefix("sqlite://") {
        let path = Path::new(path.split('?').next().unwrap_or(path));
        let dir = settings.data_dir();
        if settings.database.is_none() && !dir.is_dir() {
            return Err(OpenError::NoDataDir(dir));
        }
        if !path.is_file() {
            return Err(OpenError::NoDatabase(path.into()));
        }
    }
    if !holds_log(&url).await? {
        return Err(OpenError::NotALog(redact(&url)));
    }
    Ok(crate::store::open(&url).await?)
}

/// Whether the database has the log's table, asked before the store opens
/// it: opening migrates, which would create the tables in a wrong database.
async fn holds_log(url: &str) -> Result<bool, StoreError> {
    use sqlx::{Connection, Row};
    let count: i64 = if let Some(path) = url.strip_prefix("sqlite://") {
        let options = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(path.split('?').next().unwrap_or(path))
            .read_only(true);
        let mut conn = sqlx::SqliteConnection::connect_with(&options).await?;
        sqlx::query("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'entries'")
            .fetch_one(&mut conn)
            .await?
            .try_get(0)?
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let mut conn = sqlx::PgConnection::connect(url).await?;
        sqlx::query("SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'entries' AND table_schema = current_schema()")
            .fetch_one(&mut conn)
            .await?
            .try_get(0)?
    } else {
        return Err(StoreError::Url(url.to_string()));
    };
    Ok(count > 0)
}

/// A database URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let user = url[scheme + 3..at].split(':').next().unwrap_or_default();
            format!("{}{user}@{}", &url[..scheme + 3], &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_stay_out_of_messages() {
        assert_eq!(
            super::redact("postgres://shop:s3cret@db/consent"),
            "postgres://shop@db/consent"
        );
        assert_eq!(
            super::redact("postgres://db/consent"),
            "postgres://db/consent"
        );
    }
}
