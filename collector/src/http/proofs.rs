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
use crate::flows::admit::{self, Admission, AdmitError};
use crate::flows::limits::{self, Mail};
use crate::flows::submit::{send_confirmation, to_append, MailTiming};
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
    if !limits::take_network(state.store.as_ref(), &state.config, &network, Utc::now()).await? {
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
    // The registry and the subject's history decide what it does; a replay
    // of a stored proof decides nothing new (it is found in the append).
    let admission = match admit(&state, &proof).await {
        Ok(admission) => admission,
        Err(e) => {
            if let Some(stored) = state.store.by_record_id(&proof.record.id).await? {
                return replay(stored, &proof);
            }
            return Err(e);
        }
    };

    // Every sign-up is stored: the state table says whether it mails, the
    // limits how often (see crate::flows::limits). Replays are found inside
    // the append's transaction, with the rest of its batch.
    let subject = proof.subject_key();
    let mut starts = None;
    let mail_decision = if admission.mail() {
        let (decision, start) =
            limits::take_new(state.store.as_ref(), &state.config, &subject, Utc::now()).await?;
        starts = start;
        Some(decision)
    } else if admission.resend().is_some() {
        Some(limits::take(state.store.as_ref(), &state.config, &subject, Utc::now()).await?)
    } else {
        None
    };
    let wants_mail = admission.mail() && mail_decision == Some(Mail::Queued);
    let resend = admission.resend().filter(|_| mail_decision == Some(Mail::Queued));
    // A retry of a stored sign-up finds the interval taken by itself: answer it as the replay it is.
    if mail_decision.is_some() && !wants_mail {
        if let Some(stored) = state.store.by_record_id(&proof.record.id).await? {
            return replay(stored, &proof);
        }
    }

    // Tokens expire from now; the receive time is set when the batch commits, moments later.
    let mut append = to_append(
        MailTiming::from(&state.config),
        &proof,
        wants_mail,
        Utc::now(),
    );
    append.held = admission.mark(&proof.record);
    append.starts = starts.into_iter().collect();
    // The links remember the sign-up's network: evidence the merchant's
    // tools get with the confirmation (Mailchimp's `ip_signup`).
    for token in &mut append.tokens {
        token.network = Some(network.clone());
    }
    // A proof that counts reaches the tools: a widget withdrawal, or a
    // single opt-in the registered form allows (no mail: nothing to
    // confirm). The time is the log's, set at commit.
    if let Admission::Counts { mail: false, version, .. } = &admission {
        let at = crate::store::timestamp(Utc::now());
        // Only a form registered without double opt-in takes consent
        // unconfirmed: a repeated sign-up on one that asks for it is no
        // confirmation.
        let change = crate::flows::handoff::widget_withdrawal(&proof, &at).or_else(|| {
            (!version.double_opt_in)
                .then(|| crate::flows::handoff::single_opt_in(&proof, &at))
                .flatten()
                .map(|mut change| {
                    change.consent_ip = Some(network.clone());
                    change
                })
        });
        append.handoff = crate::flows::handoff::to(change, &state.handoff_to);
    }
    let mail = append.mail.clone();
    let outcome = state.appender.append(append).await;
    let stored = match outcome {
        Ok(Appended::New(stored)) => stored,
        other => {
            // No mail goes out: the address keeps its allowance.
            if wants_mail {
                limits::give_back_new(state.store.as_ref(), &state.config, &subject, Utc::now())
                    .await?;
            } else if resend.is_some() {
                limits::give_back(state.store.as_ref(), &state.config, &subject, Utc::now())
                    .await?;
            }
            match other? {
                Appended::Replay(stored) => return replay(stored, &proof),
                _ => unreachable!("a proof consumes no token"),
            }
        }
    };
    state.handed_off();
    if let (Some(mail), Admission::Counts { version, .. }) = (mail, &admission) {
        send_confirmation(
            &state.mail,
            &state.mail_links,
            state.config.token_ttl,
            &proof,
            version,
            stored.seq,
            mail,
        );
    }
    if let Some(pending) = resend {
        crate::flows::submit::resend_confirmation(
            state.store.as_ref(),
            &state.mail,
            &state.mail_links,
            MailTiming::from(&state.config),
            pending,
            stored.seq,
        )
        .await;
    }
    let status = match admission {
        Admission::Held { .. } => "held",
        _ if mail_decision.is_some() => "pending",
        _ => "recorded",
    };
    let mut answer = answer(&stored, status);
    if let Some(decision) = mail_decision {
        answer["mail"] = decision.as_str().into();
    }
    Ok((StatusCode::CREATED, Json(answer)))
}

/// What the proof does, or why it is refused (422, nothing stored).
async fn admit(state: &AppState, proof: &VerifiedProof) -> Result<Admission, ApiError> {
    let subject = proof.subject_key();
    let unknown = state.config.unknown_forms;
    match admit::admit(
        state.store.as_ref(),
        &state.registry,
        unknown,
        &proof.record,
        &proof.jws,
        &subject,
    )
    .await
    {
        Ok(admission) => Ok(admission),
        Err(AdmitError::Refused(r)) => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            r.code,
            r.message,
        )),
        Err(AdmitError::Store(e)) => Err(e.into()),
    }
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
