//! Whether each stored proof counts, held against the registry and the log.
//!
//! A proof counts when it matched a registered form version on arrival, or
//! when a chained `release` entry names it since; otherwise a `held_proofs`
//! row marks it held. That table is not chained: deleting a row would make
//! an unregistered form's proof count (its consent, its mail, its hand-off)
//! while every hash still matched. So `verify-log` holds each proof's mark
//! against what the mark claims: no mark, then its form version is
//! registered and the proof matches it; released, then the entry at
//! `released_seq` is the release of this very proof.

use consent_proof::Proof;
use sqlx::Row;

use crate::ledger::receipt::EntryKind;
use crate::registry::matching::{standing, Standing};
use crate::store::{Store, StoreError};

/// A proof's `held_proofs` row: `None` when it has none; else its release's seq, if any.
async fn mark(store: &dyn Store, seq: i64) -> Result<Option<Option<i64>>, StoreError> {
    let row = sqlx::query("SELECT released_seq FROM held_proofs WHERE seq = $1")
        .bind(seq)
        .fetch_optional(store.sql_pool())
        .await?;
    Ok(match row {
        Some(row) => Some(row.try_get::<Option<i64>, _>("released_seq")?),
        None => None,
    })
}

/// The proof stored at `seq` (verified, `record`) against its mark.
pub async fn check(
    store: &dyn Store,
    seq: i64,
    proof_sha256: &str,
    record: &Proof,
) -> Result<Result<(), String>, StoreError> {
    let registered = || async {
        let version =
            crate::registry::sql::version(store.sql_pool(), &record.form.id, &record.form.version)
                .await?;
        let versions: Vec<_> = version.into_iter().collect();
        Ok::<bool, StoreError>(matches!(standing(&versions, record), Standing::Registered(_)))
    };
    match mark(store, seq).await? {
        // Held and not released: it counts for nothing, whatever it says.
        Some(None) => Ok(Ok(())),
        None if registered().await? => Ok(Ok(())),
        None => Ok(Err(format!(
            "the proof counts (no held_proofs row) but matches no registered version of form {} version {}",
            record.form.id, record.form.version
        ))),
        Some(Some(released)) => {
            let release = store.entry(released).await?;
            let names_it = release.as_ref().is_some_and(|r| {
                r.kind == EntryKind::Release.as_str()
                    && r.body.as_deref().and_then(crate::ledger::events::read::<Released>).is_some_and(
                        |e| e.proof_seq == seq && e.proof == proof_sha256,
                    )
            });
            if !names_it {
                return Ok(Err(format!(
                    "its held_proofs row says it was released at seq {released}, which is no release of it"
                )));
            }
            if !registered().await? {
                return Ok(Err(format!(
                    "released, but it matches no registered version of form {} version {}",
                    record.form.id, record.form.version
                )));
            }
            Ok(Ok(()))
        }
    }
}

/// What `verify-log` reads of a release event.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Released {
    proof_seq: i64,
    proof: String,
}
