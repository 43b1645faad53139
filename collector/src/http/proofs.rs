//! `POST /v1/proofs`: verify, check, dedup, append, answer with the receipt, then mail.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use chrono::Utc;
use serde_json::{json, Value};

use super::client::client_network;
use super::error::ApiError;
use super::AppState;
use crate::flows::submit::{send_confirmation, to_append};
use crate::proof::verify::{self, VerifiedProof};
use crate::store::{Appended, StoredEntry};

/// Handles a submission; 201 with a receipt when stored, 200 with the original receipt on replay.
pub async fn submit(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let body = body.map_err(|r| match r.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            format!("the body exceeds {} bytes", state.config.max_body),
        ),
        status => ApiError::new(status, "unreadable_body", r.body_text().to_lowercase()),
    })?;
    let network = client_network(&state, peer, &headers);
    if !state.ip_limit.allow(&network) {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "too many submissions from this network; retry later",
        ));
    }
    let jws = jws_from_body(&headers, &body)?;
    let proof = verify::verify(
        &jws,
        Utc::now(),
        state.config.max_body,
        &state.config.limits,
    )?;
    check_request(&state, &headers, &proof)?;

    // Replays are found inside the append's transaction, with the rest of its
    // batch; only a submission over the mail limit is looked up first, since a
    // retry must never be refused.
    let wants_mail = proof.wants_double_opt_in();
    let subject = proof.subject_key();
    if wants_mail && !state.email_limit.allow(&subject) {
        if let Some(stored) = state.store.by_record_id(&proof.view.id).await? {
            return replay(stored, &proof);
        }
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "too many confirmation e-mails for this address; retry later",
        ));
    }

    // Tokens expire from now; the receive time is set when the batch commits, moments later.
    let append = to_append(&state.config, &proof, wants_mail, Utc::now());
    let mail = append.mail.clone();
    let outcome = state.appender.append(append).await;
    let stored = match outcome {
        Ok(Appended::New(stored)) => stored,
        other => {
            // No mail goes out: the address keeps its allowance.
            if wants_mail {
                state.email_limit.refund(&subject);
            }
            match other? {
                Appended::Replay(stored) => return replay(stored, &proof),
                _ => unreachable!("a proof consumes no token"),
            }
        }
    };
    if let Some(mail) = mail {
        send_confirmation(
            &state.mail,
            &state.public_url,
            state.config.token_ttl,
            &proof,
            stored.seq,
            mail,
        );
    }
    let status = if wants_mail { "pending" } else { "recorded" };
    Ok((StatusCode::CREATED, Json(answer(&stored, status))))
}

/// The proof JWS, from `{"proof": "<jws>"}` (application/json) or the raw compact form (application/jose).
fn jws_from_body(headers: &HeaderMap, body: &[u8]) -> Result<String, ApiError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if content_type.starts_with("application/jose") {
        let text = std::str::from_utf8(body).map_err(|_| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "malformed_proof",
                "body is not utf-8",
            )
        })?;
        return Ok(text.trim().to_string());
    }
    #[derive(serde::Deserialize)]
    struct Submission {
        proof: String,
    }
    let submission: Submission = serde_json::from_slice(body).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            format!("expected {{\"proof\": \"<compact jws>\"}}: {e}").to_lowercase(),
        )
    })?;
    Ok(submission.proof)
}

/// Idempotency key and origin checks.
fn check_request(
    state: &AppState,
    headers: &HeaderMap,
    proof: &VerifiedProof,
) -> Result<(), ApiError> {
    let view = &proof.view;
    if let Some(key) = headers.get("idempotency-key") {
        if key.to_str().ok() != Some(view.id.as_str()) {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "idempotency_key_mismatch",
                "the idempotency-key header must equal the proof's record id",
            ));
        }
    }
    if !state.allowed_origins.iter().any(|o| o == &view.origin) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "origin_not_allowed",
            format!("origin {} is not on the allow-list", view.origin),
        ));
    }
    // A browser names the page's origin; it must be the one the proof claims.
    if let Some(origin) = headers.get(header::ORIGIN) {
        if origin.to_str().ok() != Some(view.origin.as_str()) {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "origin_mismatch",
                "the origin header differs from the proof's site origin",
            ));
        }
    }
    Ok(())
}

/// A replay answers with the original receipt; a different proof under the same id is a conflict.
fn replay(
    stored: StoredEntry,
    proof: &VerifiedProof,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    if stored.proof_sha256 != proof.sha256 {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "record_id_conflict",
            "another proof was stored under this record id",
        ));
    }
    Ok((StatusCode::OK, Json(answer(&stored, "replay"))))
}

fn answer(stored: &StoredEntry, status: &str) -> Value {
    json!({ "receipt": stored.receipt, "seq": stored.seq, "chain": stored.chain, "proof": stored.proof_sha256, "status": status })
}
