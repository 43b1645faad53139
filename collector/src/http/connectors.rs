//! `/v1/connectors/*`: withdrawals the merchant's tools report (Shopify's
//! consent webhook, Mailchimp's unsubscribe webhook, a signed webhook).
//! Each is authenticated first ([`crate::connectors::inbound`]), then
//! recorded as a withdrawal entry in the chain, marked with its source,
//! cancelling a confirmation still pending, and handed to the other tools.
//! A tool that reports an address with no consent on record gets a 200
//! (there is nothing to withdraw, and a non-2xx would only be retried).

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use chrono::Utc;
use serde_json::{json, Value};

use super::{ApiError, AppState};
use crate::connectors::inbound::{self, Inbound, InboundError};
use crate::flows::handoff::{self, About};
use crate::flows::links::proof_view;
use crate::ledger::events;
use crate::ledger::receipt::EntryKind;
use crate::store::{timestamp, Append, Appended, Withdraws};

type Answer = Result<Json<Value>, ApiError>;

fn refused(e: InboundError) -> ApiError {
    let status = match e {
        InboundError::Unauthenticated => StatusCode::UNAUTHORIZED,
        InboundError::Malformed(_) => StatusCode::BAD_REQUEST,
    };
    ApiError::new(status, e.code(), e.to_string())
}

fn not_configured(tool: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "connector_not_configured",
        format!("no {tool} webhook secret is configured on this collector"),
    )
}

/// Records `inbound` against the subject's newest consent proof.
async fn record(state: &AppState, inbound: Option<Inbound>) -> Answer {
    let Some(inbound) = inbound else {
        return Ok(Json(
            json!({"recorded": false, "reason": "not a withdrawal"}),
        ));
    };
    let proofs = state.store.subject_proofs(&inbound.email).await?;
    // The newest consent proof still readable (an erased one is skipped).
    let mut consent = None;
    for entry in proofs {
        if let Some(view) = proof_view(state.store.as_ref(), &entry).await? {
            if view.kind == consent_proof::Kind::Consent {
                consent = Some((entry, view));
                break;
            }
        }
    }
    let Some((proof, view)) = consent else {
        return Ok(Json(
            json!({"recorded": false, "reason": "no consent on record for this address"}),
        ));
    };
    let purposes = view.email_sending_ids();
    let at = timestamp(Utc::now());
    let source = serde_json::to_value(inbound.source).unwrap_or_default();
    let event = json!({
        "schema": events::EVENT_SCHEMA, "type": "withdrawn", "via": source, "at": at,
        "proofSeq": proof.seq, "proof": proof.proof_sha256, "purposes": purposes,
        "reportedAt": inbound.reported_at, "reference": inbound.reference,
    });
    let shown = match &proof.texts_sha256 {
        Some(sha) => state.store.text(sha).await?,
        None => None,
    };
    let about = About {
        proof: &proof,
        shown: shown.as_deref(),
    };
    let append = Append {
        entry: events::entry(EntryKind::Withdrawal, event, Some(inbound.email.clone())),
        tokens: Vec::new(),
        consume: None,
        mail: None,
        withdraws: Some(Withdraws::Seq(proof.seq)),
        held: None,
        starts: Vec::new(),
        handoff: handoff::to(
            about.withdrawn(&purposes, inbound.source, &at),
            &state.handoff_to,
        ),
    };
    let seq = match state.appender.append(append).await? {
        Appended::New(entry) => entry.seq,
        _ => unreachable!("an event consumes no token and has no record id"),
    };
    state.handed_off();
    Ok(Json(json!({"recorded": true, "seq": seq})))
}

/// `POST /v1/connectors/shopify`: topic `customers/email_marketing_consent_update`.
pub async fn shopify(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer {
    let secret = state
        .inbound
        .shopify
        .as_deref()
        .ok_or_else(|| not_configured("Shopify"))?;
    let inbound = inbound::shopify(secret, &headers, &body).map_err(refused)?;
    record(&state, inbound).await
}

/// `GET /v1/connectors/mailchimp`: Mailchimp checks the URL answers before saving the webhook.
pub async fn mailchimp_check() -> StatusCode {
    StatusCode::OK
}

/// `POST /v1/connectors/mailchimp?secret=...`: Mailchimp's audience webhook.
pub async fn mailchimp(
    State(state): State<Arc<AppState>>,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> Answer {
    let (secret, list) = state
        .inbound
        .mailchimp
        .as_ref()
        .ok_or_else(|| not_configured("Mailchimp"))?;
    let inbound = inbound::mailchimp(secret, query.get("secret").map(String::as_str), list, &body)
        .map_err(refused)?;
    record(&state, inbound).await
}

/// `POST /v1/connectors/webhook`: a Standard Webhooks `consent.withdrawn`.
pub async fn signed(State(state): State<Arc<AppState>>, headers: HeaderMap, body: Bytes) -> Answer {
    let (secret, public) = state
        .inbound
        .signed
        .as_ref()
        .ok_or_else(|| not_configured("signed"))?;
    let inbound = inbound::signed(
        secret.as_ref(),
        public.as_ref(),
        &headers,
        &body,
        Utc::now(),
    )
    .map_err(refused)?;
    record(&state, inbound).await
}
