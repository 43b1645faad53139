//! The registry's tables (store migration 4): registered form versions,
//! and the proofs held for want of one. SQL that SQLite and PostgreSQL
//! both accept.

use sqlx::{AnyConnection, AnyPool, Row};

use super::FormVersion;

/// A registered version as listed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listed {
    /// The version.
    pub version: FormVersion,
    /// When it was registered (RFC 3339).
    pub registered_at: String,
    /// SHA-256 (hex) of its definition.
    pub sha256: String,
}

/// A held proof, not yet released.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Held {
    /// Its seq in the log.
    pub seq: i64,
    /// The form id it claims.
    pub form_id: String,
    /// The form version it claims.
    pub version: String,
    /// Why it is held.
    pub reason: String,
}

fn corrupt(e: serde_json::Error) -> sqlx::Error {
    sqlx::Error::Decode(Box::new(e))
}

/// Every registered version, by form id and version.
pub async fn versions(pool: &AnyPool) -> Result<Vec<Listed>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT definition, registered_at, sha256 FROM form_versions ORDER BY form_id, version",
    )
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            let definition: String = row.try_get("definition")?;
            Ok(Listed {
                version: serde_json::from_str(&definition).map_err(corrupt)?,
                registered_at: row.try_get("registered_at")?,
                sha256: row.try_get("sha256")?,
            })
        })
        .collect()
}

/// The registered version `form_id` `version`.
pub async fn version(
    pool: &AnyPool,
    form_id: &str,
    version: &str,
) -> Result<Option<FormVersion>, sqlx::Error> {
    let row =
        sqlx::query("SELECT definition FROM form_versions WHERE form_id = $1 AND version = $2")
            .bind(form_id)
            .bind(version)
            .fetch_optional(pool)
            .await?;
    row.map(|row| serde_json::from_str(&row.try_get::<String, _>("definition")?).map_err(corrupt))
        .transpose()
}

/// Writes `version`, in the caller's transaction; `false` if that id and
/// version were registered already (the caller compares).
pub async fn insert(
    conn: &mut AnyConnection,
    version: &FormVersion,
    now: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO form_versions (form_id, version, registered_at, definition, sha256) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (form_id, version) DO NOTHING",
    )
    .bind(version.form_id.as_str())
    .bind(version.version.as_str())
    .bind(now)
    .bind(version.to_json())
    .bind(version.sha256())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Every held proof not released yet, in seq order; of one form version if named.
pub async fn held(pool: &AnyPool, form: Option<(&str, &str)>) -> Result<Vec<Held>, sqlx::Error> {
    let (id, version) = form.unwrap_or_default();
    let rows = sqlx::query(
        "SELECT seq, form_id, version, reason FROM held_proofs
         WHERE released_seq IS NULL AND ($1 = '' OR (form_id = $1 AND version = $2)) ORDER BY seq",
    )
    .bind(id)
    .bind(version)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(Held {
                seq: row.try_get("seq")?,
                form_id: row.try_get("form_id")?,
                version: row.try_get("version")?,
                reason: row.try_get("reason")?,
            })
        })
        .collect()
}

/// The seqs of every proof held on arrival, released or not: what a replay
/// of the whole log skips at their place.
pub async fn held_seqs(pool: &AnyPool) -> Result<Vec<i64>, sqlx::Error> {
    let rows = sqlx::query("SELECT seq FROM held_proofs")
        .fetch_all(pool)
        .await?;
    rows.iter().map(|row| row.try_get("seq")).collect()
}
