//! Held proofs, marked in their append's transaction (see `crate::registry`):
//! a proof is held, or a release entry makes a held one count.

use sqlx::AnyConnection;

use super::{HeldMark, StoreError};

/// Writes what the entry at `seq` does to the held proofs.
pub(super) async fn mark(
    conn: &mut AnyConnection,
    seq: i64,
    mark: &HeldMark,
) -> Result<(), StoreError> {
    match mark {
        HeldMark::Hold {
            form_id,
            version,
            reason,
        } => {
            sqlx::query(
                "INSERT INTO held_proofs (seq, form_id, version, reason) VALUES ($1, $2, $3, $4)",
            )
            .bind(seq)
            .bind(form_id.as_str())
            .bind(version.as_str())
            .bind(reason.as_str())
            .execute(conn)
            .await?;
        }
        HeldMark::Release { proof_seq } => {
            sqlx::query(
                "UPDATE held_proofs SET released_seq = $1 WHERE seq = $2 AND released_seq IS NULL",
            )
            .bind(seq)
            .bind(*proof_seq)
            .execute(conn)
            .await?;
        }
    }
    Ok(())
}
