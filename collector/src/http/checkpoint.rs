//! `GET /v1/checkpoint`: the latest signed checkpoint, as a C2SP signed note
//! (text/plain, as transparency-log tools fetch it), and
//! `GET /v1/checkpoint.json`: the same with its RFC 3161 token, as one line
//! of the checkpoint file.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::error::ApiError;
use super::server::StartError;
use super::AppState;
use crate::audit::publish::Publisher;
use crate::config::Config;
use crate::ledger::tsa::TimestampClient;
use crate::ledger::tsa_verify::Authority;

/// The configured timestamp authority's certificate, read and checked.
pub fn authority(config: &Config) -> Result<Option<Authority>, StartError> {
    let Some(tsa) = &config.checkpoints.tsa else {
        return Ok(None);
    };
    let fail = |message: String| StartError::TsaCert {
        path: tsa.cert.clone(),
        message,
    };
    let pem = std::fs::read(&tsa.cert).map_err(|e| fail(e.to_string()))?;
    Authority::from_pem(&pem).map(Some).map_err(|e| fail(e.to_string()))
}

/// The publisher `serve` runs: its origin, file and timestamp authority.
pub fn publisher(config: &Config, public_url: &str) -> Result<Publisher, StartError> {
    let origin = config.checkpoints.origin.clone().unwrap_or_else(|| {
        let host = public_url
            .split_once("://")
            .map_or(public_url, |(_, rest)| rest);
        format!("{}/consent-log", host.split('/').next().unwrap_or(host))
    });
    let tsa = match (&config.checkpoints.tsa, authority(config)?) {
        (Some(tsa), Some(authority)) => Some(TimestampClient::new(tsa.url.clone(), authority)),
        _ => None,
    };
    Ok(Publisher::new(origin, config.checkpoints.file.clone(), tsa))
}

fn none_yet() -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "no_checkpoint",
        "no checkpoint has been published yet; retry shortly",
    )
}

/// The signed note alone.
pub async fn note(State(state): State<Arc<AppState>>) -> Result<Response, ApiError> {
    let record = state.checkpoints.latest().await.ok_or_else(none_yet)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        record.checkpoint,
    )
        .into_response())
}

/// The note and its timestamp token.
pub async fn record(State(state): State<Arc<AppState>>) -> Result<Response, ApiError> {
    let record = state.checkpoints.latest().await.ok_or_else(none_yet)?;
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(record)).into_response())
}
