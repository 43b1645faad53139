//! Token rows: stored with their entry, used up once, cancelled by a withdrawal.

use sqlx::{AnyConnection, Row};

use crate::proof::stored;

use super::{timestamp, NewToken, StoreError, TokenProblem, TokenPurpose, Withdraws};

pub(super) async fn insert_token(
    conn: &mut AnyConnection,
    entry_seq: i64,
    token: NewToken,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO tokens (hash, purpose, entry_seq, locale, expires_at, network) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(token.hash)
        .bind(token.purpose.as_str())
        .bind(entry_seq)
        .bind(token.locale)
        .bind(token.expires_at.map(timestamp))
        .bind(token.network)
        .execute(conn)
        .await?;
    Ok(())
}

/// Marks a token used if it can be; the reason if not. Using a confirm
/// token deletes its waiting mail: the clear-text links have served.
pub(super) async fn consume_token(
    conn: &mut AnyConnection,
    hash: &str,
    now: &str,
) -> Result<Option<TokenProblem>, StoreError> {
    let Some(row) = sqlx::query(
        "SELECT entry_seq, purpose, expires_at, used_at, withdrawn_at FROM tokens WHERE hash = $1",
    )
    .bind(hash)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(Some(TokenProblem::Unknown));
    };
    // Before used: a confirm link used and then withdrawn must not say "confirmed".
    if row.try_get::<Option<String>, _>("withdrawn_at")?.is_some() {
        return Ok(Some(TokenProblem::Withdrawn));
    }
    if row.try_get::<Option<String>, _>("used_at")?.is_some() {
        return Ok(Some(TokenProblem::Used));
    }
    // Stored times share one fixed-width format, so text order is time order.
    if row
        .try_get::<Option<String>, _>("expires_at")?
        .is_some_and(|e| e.as_str() <= now)
    {
        return Ok(Some(TokenProblem::Expired));
    }
    sqlx::query("UPDATE tokens SET used_at = $1 WHERE hash = $2")
        .bind(now)
        .bind(hash)
        .execute(&mut *conn)
        .await?;
    if row.try_get::<String, _>("purpose")? == TokenPurpose::Confirm.as_str() {
        sqlx::query("DELETE FROM pending_mail WHERE entry_seq = $1")
            .bind(row.try_get::<i64, _>("entry_seq")?)
            .execute(&mut *conn)
            .await?;
    }
    Ok(None)
}

/// Cancels the confirmation of the consent a withdrawal names: deletes its
/// waiting mail (and the clear-text links in it) and marks its confirm link
/// withdrawn, so that a click after the withdrawal confirms nothing.
pub(super) async fn cancel_confirmation(
    conn: &mut AnyConnection,
    withdraws: &Withdraws,
    now: &str,
) -> Result<(), StoreError> {
    let seq = match withdraws {
        Withdraws::Seq(seq) => *seq,
        Withdraws::Proof {
            sha256,
            subject,
            purposes,
        } => {
            let Some(row) = sqlx::query("SELECT seq, body, jws_header FROM entries WHERE proof_sha256 = $1 AND subject = $2 AND kind = 'proof'")
                .bind(sha256.as_str())
                .bind(subject.as_str())
                .fetch_optional(&mut *conn)
                .await?
            else {
                return Ok(());
            };
            // Erased or unreadable: there is nothing left to confirm either.
            let view = match (
                row.try_get::<Option<String>, _>("jws_header")?,
                row.try_get::<Option<String>, _>("body")?,
            ) {
                (Some(header), Some(body)) => stored::read(&header, &body, None),
                _ => None,
            };
            if view.is_some_and(|v| !v.confirmation_withdrawn_by(purposes)) {
                return Ok(());
            }
            row.try_get("seq")?
        }
    };
    sqlx::query("DELETE FROM pending_mail WHERE entry_seq = $1")
        .bind(seq)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE tokens SET withdrawn_at = $1, used_at = COALESCE(used_at, $1) WHERE entry_seq = $2 AND purpose = 'confirm' AND withdrawn_at IS NULL")
        .bind(now)
        .bind(seq)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
