//! The admin dashboard at `/admin`: off unless configured, behind the admin
//! credential from the configuration.
//!
//! - Sign-in posts the credential once; the answer sets a random session
//!   cookie (`HttpOnly`, `SameSite=Strict`, `Path=/admin`, `Secure` behind
//!   https). Sessions live in memory for 8 hours; a restart signs everyone out.
//! - Every POST must carry the session's CSRF token in its form, and an
//!   `Origin` header, if sent, must be the collector's own (the pages'
//!   `Referrer-Policy: same-origin` keeps browsers sending it, where
//!   `no-referrer` would make it `null`).
//! - Pages carry a CSP that allows no script at all and the one style sheet
//!   by its hash; charts are SVG drawn on the server.
//! - It reads what the CLI reads: the log through the same functions as
//!   `history`, `export` and `verify-log`; held proofs as `forms held`,
//!   hand-offs as `connectors status`, the checkpoint `/v1/checkpoint` serves.
//!   Approving a held form stays a command (`forms approve`): the page shows
//!   it, with the texts to read first.

mod chart;
mod desk;
mod page;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Form, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use subtle::ConstantTimeEq;

use crate::audit::publish::Publisher;
use crate::crypto::hash::sha256_hex;
use crate::ledger::keys::PublicKeys;
use crate::ledger::tsa_verify::Authority;
use crate::store::{Store, StoreError};

pub use page::LogState;

/// How long a sign-in lasts.
const SESSION_TTL: Duration = Duration::from_secs(8 * 3600);
/// Name of the session cookie.
const COOKIE: &str = "consent_admin";

/// The dashboard's state.
pub struct Dashboard {
    store: Arc<dyn Store>,
    keys: PublicKeys,
    /// SHA-256 of the credential: compared in constant time, never kept in the clear.
    credential: [u8; 32],
    /// `scheme://host[:port]` of the collector, for the Origin check.
    origin: String,
    secure: bool,
    sessions: Mutex<HashMap<String, Session>>,
    log: Mutex<Option<LogState>>,
    sources: Sources,
}

/// What the dashboard reads besides the log.
pub struct Sources {
    /// The publisher whose latest checkpoint `/v1/checkpoint` serves.
    pub checkpoints: Arc<Publisher>,
    /// The timestamp authority's certificate, when one is configured.
    pub authority: Option<Authority>,
    /// The connectors this collector runs.
    pub connectors: Vec<String>,
}

#[derive(Clone)]
struct Session {
    csrf: String,
    expires: Instant,
}

impl Dashboard {
    /// A dashboard over `store` and `sources`, signed into with `credential`, served at `public_url`.
    pub fn new(
        store: Arc<dyn Store>,
        keys: PublicKeys,
        sources: Sources,
        credential: &str,
        public_url: &str,
    ) -> Arc<Self> {
        let origin = public_url.split('/').take(3).collect::<Vec<_>>().join("/");
        Arc::new(Dashboard {
            store,
            keys,
            credential: digest(credential),
            secure: origin.starts_with("https://"),
            origin,
            sessions: Mutex::new(HashMap::new()),
            log: Mutex::new(None),
            sources,
        })
    }

    fn session(&self, headers: &HeaderMap) -> Option<(String, Session)> {
        let id = cookie(headers, COOKIE)?;
        let mut sessions = self.sessions.lock().expect("sessions lock");
        let now = Instant::now();
        sessions.retain(|_, s| s.expires > now);
        sessions.get(&sha256_hex(&id)).map(|s| (id, s.clone()))
    }

    /// Refuses a POST from another origin or without this session's token.
    fn check_post(&self, headers: &HeaderMap, csrf: &str) -> Result<Session, Box<Response>> {
        if let Some(origin) = headers.get(header::ORIGIN) {
            if origin.as_bytes() != self.origin.as_bytes() {
                return Err(Box::new(refuse(
                    StatusCode::FORBIDDEN,
                    "cross-origin request refused",
                )));
            }
        }
        let Some((_, session)) = self.session(headers) else {
            return Err(Box::new(Redirect::to("/admin").into_response()));
        };
        if !bool::from(session.csrf.as_bytes().ct_eq(csrf.as_bytes())) {
            return Err(Box::new(refuse(
                StatusCode::FORBIDDEN,
                "missing or wrong form token",
            )));
        }
        Ok(session)
    }
}

/// The dashboard's routes, to merge into the service's router.
pub fn routes<S: Clone + Send + Sync + 'static>(dashboard: Arc<Dashboard>) -> Router<S> {
    Router::new()
        .route("/admin", get(show))
        .route("/admin/login", post(login))
        .route("/admin/logout", post(logout))
        .route("/admin/verify", post(verify))
        .with_state(dashboard)
}

async fn show(State(d): State<Arc<Dashboard>>, headers: HeaderMap) -> Response {
    let Some((_, session)) = d.session(&headers) else {
        return html(StatusCode::OK, page::login(None));
    };
    let log = d.log.lock().expect("log lock").clone();
    match page(&d, &session.csrf, log.as_ref()).await {
        Ok(body) => html(StatusCode::OK, body),
        Err(e) => refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("cannot read the log: {e}"),
        ),
    }
}

/// Reads the desk's sources and renders the page.
async fn page(d: &Dashboard, csrf: &str, log: Option<&LogState>) -> Result<String, StoreError> {
    let store = d.store.as_ref();
    let desk = desk::Desk {
        held: crate::audit::held::held_versions(store).await?,
        connectors: crate::connectors::report::status(store.sql_pool()).await?,
        configured: &d.sources.connectors,
        checkpoint: d.sources.checkpoints.latest().await,
        keys: &d.keys,
        authority: d.sources.authority.as_ref(),
    };
    page::dashboard(store, csrf, log, &desk).await
}

#[derive(Deserialize)]
struct Login {
    credential: String,
}

async fn login(
    State(d): State<Arc<Dashboard>>,
    headers: HeaderMap,
    Form(form): Form<Login>,
) -> Response {
    if let Some(origin) = headers.get(header::ORIGIN) {
        if origin.as_bytes() != d.origin.as_bytes() {
            return refuse(StatusCode::FORBIDDEN, "cross-origin request refused");
        }
    }
    if !bool::from(digest(&form.credential).ct_eq(&d.credential)) {
        return html(
            StatusCode::UNAUTHORIZED,
            page::login(Some("This credential is not the one configured.")),
        );
    }
    let id = crate::crypto::tokens::new_token().0;
    let session = Session {
        csrf: crate::crypto::tokens::new_token().0,
        expires: Instant::now() + SESSION_TTL,
    };
    d.sessions
        .lock()
        .expect("sessions lock")
        .insert(sha256_hex(&id), session);
    let secure = if d.secure { "; Secure" } else { "" };
    let cookie = format!(
        "{COOKIE}={id}; HttpOnly; SameSite=Strict; Path=/admin; Max-Age={}{secure}",
        SESSION_TTL.as_secs()
    );
    let mut response = Redirect::to("/admin").into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

#[derive(Deserialize)]
struct Post {
    csrf: String,
}

async fn logout(
    State(d): State<Arc<Dashboard>>,
    headers: HeaderMap,
    Form(form): Form<Post>,
) -> Response {
    if let Err(refused) = d.check_post(&headers, &form.csrf) {
        return *refused;
    }
    if let Some(id) = cookie(&headers, COOKIE) {
        d.sessions
            .lock()
            .expect("sessions lock")
            .remove(&sha256_hex(&id));
    }
    let mut response = Redirect::to("/admin").into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static(
            "consent_admin=; HttpOnly; SameSite=Strict; Path=/admin; Max-Age=0",
        ),
    );
    response
}

/// Re-verifies the whole log, as `verify-log` does, and keeps the result for the page.
async fn verify(
    State(d): State<Arc<Dashboard>>,
    headers: HeaderMap,
    Form(form): Form<Post>,
) -> Response {
    if let Err(refused) = d.check_post(&headers, &form.csrf) {
        return *refused;
    }
    let result = crate::audit::verify_log::verify_log(d.store.as_ref(), &d.keys).await;
    let state = LogState::from_result(result, chrono::Utc::now());
    *d.log.lock().expect("log lock") = Some(state);
    Redirect::to("/admin#log").into_response()
}

/// The CSP of every dashboard page: no script, this one style sheet, forms to itself.
fn csp() -> String {
    format!(
        "default-src 'none'; style-src '{}'; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        page::style_hash()
    )
}

fn html(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if let Ok(value) = HeaderValue::from_str(&csp()) {
        h.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response
}

fn refuse(status: StatusCode, message: &str) -> Response {
    html(status, page::refused(message))
}

fn digest(text: &str) -> [u8; 32] {
    use sha2::Digest as _;
    sha2::Sha256::digest(text.as_bytes()).into()
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}
