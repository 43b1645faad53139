//! Local stand-ins for the merchant's tools, each enforcing the contract its
//! vendor documents (auth header, method, path, required fields, error
//! shapes) and keeping what it was told, so a test reads what the tool ends
//! up holding. Faults can be queued: 429 with `Retry-After`, 503, a hang
//! (before or after the effect: a timeout after the effect is the case
//! that shows a retry doubles nothing).
#![allow(dead_code, missing_docs)]

pub mod brevo;
pub mod klaviyo;
pub mod mailchimp;
pub mod receiver;
pub mod shopify;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;

/// A request as the tool received it.
#[derive(Clone, Debug)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub headers: HeaderMap,
    pub body: String,
}

/// A fault to answer the next request with.
#[derive(Clone, Copy, Debug)]
pub enum Fault {
    /// 429 with `Retry-After: n` seconds (and the tool's own rate headers).
    TooMany(u64),
    /// 503.
    Unavailable,
    /// No answer for this long, effect not applied.
    HangBefore(Duration),
    /// Effect applied, then no answer for this long.
    HangAfter(Duration),
}

/// A tool's state: what it holds, what it received, faults to come.
pub struct Mock<S> {
    pub data: S,
    pub received: Vec<Received>,
    pub faults: VecDeque<Fault>,
    /// Answer everything with 503 while true (an outage).
    pub down: bool,
}

pub type Shared<S> = Arc<Mutex<Mock<S>>>;

/// A running tool.
pub struct Tool<S> {
    pub url: String,
    pub state: Shared<S>,
    task: tokio::task::JoinHandle<()>,
}

impl<S> Drop for Tool<S> {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl<S: Send + 'static> Tool<S> {
    /// Serves `router` (built over the shared state) on a free loopback port.
    pub async fn start(data: S, router: impl FnOnce(Shared<S>) -> Router) -> Self {
        let state = Arc::new(Mutex::new(Mock {
            data,
            received: Vec::new(),
            faults: VecDeque::new(),
            down: false,
        }));
        let app = router(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Tool { url, state, task }
    }

    pub fn fault(&self, fault: Fault) {
        self.state.lock().unwrap().faults.push_back(fault);
    }

    pub fn set_down(&self, down: bool) {
        self.state.lock().unwrap().down = down;
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.lock().unwrap().received.clone()
    }

    pub fn with<T>(&self, f: impl FnOnce(&S) -> T) -> T {
        f(&self.state.lock().unwrap().data)
    }
}

/// Records the request; answers a queued fault or an outage. The rate
/// headers are the tool's (`extra` such as Brevo's `x-sib-ratelimit-reset`).
pub async fn before<S>(
    state: &Shared<S>,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &Bytes,
    too_many_body: &str,
    extra: Option<&str>,
) -> Result<Option<Duration>, Response> {
    let fault = {
        let mut mock = state.lock().unwrap();
        mock.received.push(Received {
            method: method.to_string(),
            path: uri.path().to_string(),
            headers: headers.clone(),
            body: String::from_utf8_lossy(body).into_owned(),
        });
        if mock.down {
            return Err((StatusCode::SERVICE_UNAVAILABLE, "down for maintenance").into_response());
        }
        mock.faults.pop_front()
    };
    match fault {
        None => Ok(None),
        Some(Fault::TooMany(secs)) => {
            let mut response = (
                StatusCode::TOO_MANY_REQUESTS,
                [("content-type", "application/json")],
                too_many_body.to_string(),
            )
                .into_response();
            response
                .headers_mut()
                .insert("retry-after", secs.to_string().parse().unwrap());
            if let Some(name) = extra {
                response.headers_mut().insert(
                    axum::http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                    secs.to_string().parse().unwrap(),
                );
            }
            Err(response)
        }
        Some(Fault::Unavailable) => {
            Err((StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable").into_response())
        }
        Some(Fault::HangBefore(d)) => {
            tokio::time::sleep(d).await;
            Err((StatusCode::GATEWAY_TIMEOUT, "late").into_response())
        }
        Some(Fault::HangAfter(d)) => Ok(Some(d)),
    }
}

/// Sleeps after the effect when the fault asked for it.
pub async fn after(hang: Option<Duration>) {
    if let Some(d) = hang {
        tokio::time::sleep(d).await;
    }
}

pub fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// RFC 3339, as the tools' date-time fields require.
pub fn is_datetime(value: &serde_json::Value) -> bool {
    value
        .as_str()
        .is_some_and(|t| chrono::DateTime::parse_from_rfc3339(t).is_ok())
}
