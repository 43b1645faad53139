//! Held proofs, marked in their append's transaction (see `crate::registry`):
//! a proof is held, or a release entry makes a held one count.

use sqlx::AnyConnection;

use super::inserts::Inserts;
use super::rows::ROWS_PER_STATEMENT;
use super::sql::Backend;
use super::{HeldMark, StoreError};

/// [`mark`] for each `(seq, mark)` of a batch: the holds (a stranger's flood
/// is all holds) in one multi-row statement, the releases one by one.
pub(super) async fn mark_all(
    conn: &mut AnyConnection,
    backend: Backend,
    marks: &[(i64, HeldMark)],
) -> Result<(), StoreError> {
    let holds: Vec<_> = marks
        .iter()
        .filter(|(_, mark)| matches!(mark, HeldMark::Hold { .. }))
        .collect();
    let mut inserts = Inserts::new(backend);
    for chunk in holds.chunks(ROWS_PER_STATEMENT) {
        inserts.insert("INSERT INTO held_proofs (seq, form_id, version, reason) VALUES ");
        for (seq, mark) in chunk {
            if let HeldMark::Hold { form_id, version, reason } = mark {
                inserts.row().bind(*seq).bind(form_id.as_str()).bind(version.as_str()).bind(reason.as_str());
            }
        }
        inserts.end("");
    }
    inserts.execute(&mut *conn).await?;
    for (seq, mark) in marks {
        if let HeldMark::Release { .. } = mark {
            self::mark(&mut *conn, *seq, mark).await?;
        }
    }
    Ok(())
}

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
