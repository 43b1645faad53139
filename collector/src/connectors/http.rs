//! One HTTP client for every connector, and one reading of the answers:
//! 2xx delivered; 429 and 5xx retried after `Retry-After` when the tool
//! sends one; timeouts and connection errors retried; other 4xx permanent.

use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{RequestBuilder, StatusCode};

use super::Failure;

/// Builds the client every connector shares: `timeout` bounds each request
/// (a tool that hangs is retried like one that fails).
pub fn client(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .user_agent(concat!("consent-collector/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("an HTTP client with rustls builds")
}

/// A successful answer.
#[derive(Debug)]
pub struct Answer {
    /// Its status.
    pub status: StatusCode,
    /// Its body (often empty: 202, 204).
    pub body: String,
}

/// Sends a request and reads the answer. `tool` names the tool in errors;
/// `extra_wait` reads a tool-specific rate-limit header when there is no
/// `Retry-After` (Brevo's `x-sib-ratelimit-reset`).
pub async fn send(
    tool: &str,
    request: RequestBuilder,
    extra_wait: Option<&str>,
) -> Result<Answer, Failure> {
    let response = request.send().await.map_err(|e| {
        // reqwest's message names the URL but never the headers, so no secret leaks.
        let what = if e.is_timeout() {
            "timed out"
        } else if e.is_connect() {
            "unreachable"
        } else {
            "request failed"
        };
        Failure::retry(format!("{tool}: {what}: {}", without_url(&e)))
    })?;
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .text()
        .await
        .map_err(|e| Failure::retry(format!("{tool}: reading the answer: {}", without_url(&e))))?;
    if status.is_success() {
        return Ok(Answer { status, body });
    }
    let error = format!("{tool}: HTTP {}: {}", status.as_u16(), excerpt(&body));
    if status == StatusCode::TOO_MANY_REQUESTS
        || status.is_server_error()
        || status == StatusCode::REQUEST_TIMEOUT
    {
        let after = retry_after(&headers, Utc::now()).or_else(|| {
            extra_wait
                .and_then(|name| headers.get(name))
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs)
        });
        return Err(Failure::Retry { error, after });
    }
    // 401/403: the merchant's credentials, which get fixed; retried until
    // the attempt limit like an outage, so a rotation loses nothing.
    if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
        return Err(Failure::retry(error));
    }
    Err(Failure::Permanent(error))
}

/// `Retry-After` as delay-seconds or an HTTP date (RFC 9110 section 10.2.3).
pub fn retry_after(headers: &HeaderMap, now: DateTime<Utc>) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = DateTime::parse_from_rfc2822(value)
        .ok()?
        .with_timezone(&Utc);
    Some((date - now).to_std().unwrap_or(Duration::ZERO))
}

/// The first 300 characters of a body, on one line: enough to name the
/// tool's error in `connectors status`, never a whole page.
pub fn excerpt(body: &str) -> String {
    let one_line: String = body
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(300)
        .collect();
    one_line.trim().to_string()
}

/// A reqwest error's message without its URL, which may hold a secret
/// (Mailchimp's data centre is harmless, but a configured base URL might not be).
fn without_url(error: &reqwest::Error) -> String {
    let mut error_text = error.to_string();
    if let Some(url) = error.url() {
        error_text = error_text.replace(url.as_str(), "<url>");
    }
    error_text
}
