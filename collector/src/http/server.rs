//! The service: shared state, startup, routes and layers.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use tokio::net::TcpListener;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;

use super::origin::{loopback_alias, origin_of};
use super::{checkpoint, connectors, json_errors, links, outbox, preferences, proofs};
use crate::audit::publish::Publisher;
use crate::config::{Config, MailConfig};
use crate::flows::release;
use crate::flows::submit::MailTiming;
use crate::ledger::keys::{KeyError, Keyring};
use crate::mail::queue::{MailQueue, Retry};
use crate::mail::{MailError, Mailer};
use crate::registry::derive;
use crate::store::appender::Appender;
use crate::store::{Store, StoreError};

/// What every handler shares.
pub struct AppState {
    /// The log.
    pub store: Arc<dyn Store>,
    /// The collector's keys.
    pub keys: Keyring,
    /// Where appends go: batched into shared transactions.
    pub appender: Appender,
    /// The configuration.
    pub config: Config,
    /// Base URL of mailed links, without trailing slash.
    pub public_url: String,
    /// Origins whose proofs are accepted.
    pub allowed_origins: Vec<String>,
    /// Where mail goes: stored with its proof, queued after the commit, sent in batches, retried.
    pub mail: MailQueue,
    /// Signed checkpoints of the log.
    pub checkpoints: Arc<Publisher>,
    /// The links and sender name of every mail.
    pub mail_links: crate::mail::compose::MailLinks,
    /// The registered form versions read so far.
    pub registry: crate::registry::cache::Cache,
    /// The configured connectors' names: each change is queued for each.
    pub handoff_to: Arc<Vec<String>>,
    /// Delivers the queued hand-offs; `None` without connectors.
    pub dispatcher: Option<crate::connectors::worker::Dispatcher>,
    /// The keys inbound tool webhooks are checked with.
    pub inbound: crate::connectors::config::InboundKeys,
}

impl AppState {
    /// Call after a commit that queued a hand-off: delivery starts at once.
    pub fn handed_off(&self) {
        if let Some(dispatcher) = &self.dispatcher {
            dispatcher.wake();
        }
    }
}

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// Keys missing or unreadable.
    #[error(transparent)]
    Keys(#[from] KeyError),
    /// The database could not be opened or migrated.
    #[error("cannot open the database: {0}")]
    Store(#[from] StoreError),
    /// The mail transport is misconfigured.
    #[error("mail: {0}")]
    Mail(#[from] MailError),
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The cause.
        source: std::io::Error,
    },
    /// The `[connectors]` section cannot be used.
    #[error(transparent)]
    Connectors(#[from] crate::connectors::config::ConnectorConfigError),
    /// The hand-off queue could not reach the database.
    #[error("hand-off queue: {0}")]
    Queue(#[source] sqlx::Error),
    /// The public URL has no origin.
    #[error("invalid public url {0:?}")]
    PublicUrl(String),
    /// The timestamp authority's certificate is unusable.
    #[error("--tsa-cert {path}: {message}")]
    TsaCert {
        /// The file.
        path: std::path::PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// A running collector.
pub struct Running {
    /// The bound address (useful with port 0).
    pub addr: SocketAddr,
    /// The public base URL.
    pub url: String,
    shutdown: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    /// Stops accepting connections and waits for requests in flight.
    pub async fn stop(self) -> std::io::Result<()> {
        let _ = self.shutdown.send(());
        self.task
            .await
            .unwrap_or_else(|e| Err(std::io::Error::other(e)))
    }

    /// Serves until Ctrl-C or SIGTERM. The signal handlers are installed when
    /// this is called, not when the future is first polled, so a caller that
    /// announces readiness afterwards cannot be killed by an early SIGTERM.
    pub fn wait(self) -> impl std::future::Future<Output = std::io::Result<()>> {
        let Running { shutdown, task, .. } = self;
        #[cfg(unix)]
        let term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        tokio::spawn(async move {
            // Ctrl-C at a terminal, SIGTERM from a service manager or container runtime.
            #[cfg(unix)]
            match term {
                Some(mut term) => tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                },
                None => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
            #[cfg(not(unix))]
            let _ = tokio::signal::ctrl_c().await;
            let _ = shutdown.send(());
        });
        async move { task.await.unwrap_or_else(|e| Err(std::io::Error::other(e))) }
    }
}

/// The demo registers the form of its own page (`www/index.html`'s
/// `signup-config`) for its origins, so that its proofs count: a demo that
/// cannot is still served, its proofs held, and says why.
async fn register_demo_form(
    store: &dyn Store,
    keys: &Keyring,
    config: &Config,
    origins: &[String],
) {
    let Some(page) = config.www.as_ref().map(|www| www.join("index.html")) else {
        return;
    };
    let version = std::fs::read_to_string(&page)
        .map_err(|e| e.to_string())
        .and_then(|html| {
            let json = derive::config_in_page(&html, "signup-config")
                .ok_or("no signup-config script in it")?;
            derive::from_config(json, origins).map_err(|e| e.to_string())
        });
    let outcome = match version {
        Ok(version) => release::register(store, keys, MailTiming::from(config), &version, &config.connectors.names())
            .await
            .map_err(|e| e.to_string()),
        Err(e) => Err(e),
    };
    if let Err(e) = outcome {
        tracing::warn!("the demo form of {} is not registered: {e}", page.display());
    }
}

/// Opens keys, store and mail, binds, and serves in the background.
pub async fn start(config: Config) -> Result<Running, StartError> {
    let keys = match Keyring::load(&config.key_dir()) {
        Err(KeyError::NoKey(_)) if config.demo => {
            // The demo must run from one command: make its key on first start.
            Keyring::generate(&config.key_dir(), chrono::Utc::now())?;
            Keyring::load(&config.key_dir())?
        }
        other => other?,
    };
    let store = crate::store::open(&config.database).await?;
    let mailer = match &config.mail {
        MailConfig::Smtp { url, from } => Mailer::smtp(url, from)?,
        MailConfig::Outbox { dir, from } => Mailer::outbox(dir, from)?,
    };
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|source| StartError::Bind {
            addr: config.listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| StartError::Bind {
        addr: config.listen,
        source,
    })?;
    let public_url = config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"));
    let mut allowed_origins = config.allowed_origins.clone();
    if allowed_origins.is_empty() {
        let origin =
            origin_of(&public_url).ok_or_else(|| StartError::PublicUrl(public_url.clone()))?;
        // A demo on 127.0.0.1 is often opened as localhost: the same machine,
        // but another origin, whose every proof would be refused.
        allowed_origins.extend(loopback_alias(&origin));
        allowed_origins.push(origin);
    }
    if config.demo {
        register_demo_form(store.as_ref(), &keys, &config, &allowed_origins).await;
    }
    let appender = Appender::spawn(store.clone(), keys.clone(), 64);
    let mail_links = crate::mail::compose::MailLinks {
        public_url: public_url.clone(),
        preferences_days: config.preferences_ttl.num_days().max(1),
        shop_name: config.brand.name.clone(),
    };
    // Secrets are read here, from the variables the section names.
    let built = config
        .connectors
        .build(keys.active_signing_key(), &|var| std::env::var(var).ok())?;
    let handoff_to = Arc::new(
        built
            .connectors
            .iter()
            .map(|c| c.name().to_string())
            .collect::<Vec<_>>(),
    );
    let dispatcher = if built.connectors.is_empty() {
        None
    } else {
        let queue = crate::connectors::queue::Queue::connect(&config.database)
            .await
            .map_err(StartError::Queue)?;
        // Names this process in row leases.
        let owner = crate::crypto::tokens::new_token().1[..12].to_string();
        Some(crate::connectors::worker::Dispatcher::new(
            queue,
            built.connectors,
            owner,
            built.settings,
        ))
    };
    let delivering = dispatcher.clone().map(|d| d.spawn());
    let (mail, mail_task) = MailQueue::spawn(
        mailer,
        store.clone(),
        mail_links.clone(),
        Retry::from_first(config.mail_retry),
        64,
    );
    let checkpoints = Arc::new(super::checkpoint::publisher(&config, &public_url)?);
    let publishing =
        checkpoints
            .clone()
            .spawn(store.clone(), keys.clone(), config.checkpoints.interval);
    let state = Arc::new(AppState {
        store,
        keys,
        appender,
        checkpoints,
        registry: Default::default(),
        config,
        public_url: public_url.clone(),
        allowed_origins,
        mail,
        mail_links,
        handoff_to,
        dispatcher,
        inbound: built.inbound,
    });
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await;
        publishing.abort();
        // The router and its state are gone: the mail queue drains and ends.
        // Whatever it could not send stays stored, for the next start.
        if tokio::time::timeout(MAIL_DRAIN, mail_task).await.is_err() {
            tracing::warn!("confirmation mail still queued at shutdown is left for the next start");
        }
        // A delivery cut short is claimed again once its lease ends.
        if let Some(delivering) = delivering {
            delivering.abort();
        }
        served
    });
    Ok(Running {
        addr,
        url: public_url,
        shutdown,
        task,
    })
}

/// How long a stopping collector waits for queued confirmation mail to go out.
const MAIL_DRAIN: Duration = Duration::from_secs(10);

/// All routes and layers.
pub fn router(state: Arc<AppState>) -> Router {
    let origins: Vec<HeaderValue> = state
        .allowed_origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            header::CONTENT_TYPE,
            HeaderName::from_static("idempotency-key"),
        ])
        .max_age(Duration::from_secs(3600));
    let mut app = Router::new()
        .route("/v1/proofs", post(proofs::submit))
        .route(
            "/v1/confirm",
            get(links::show_link).post(links::follow_link),
        )
        .route(
            "/v1/unsubscribe",
            get(links::show_link).post(links::follow_link),
        )
        .route("/v1/connectors/shopify", post(connectors::shopify))
        .route(
            "/v1/connectors/mailchimp",
            get(connectors::mailchimp_check).post(connectors::mailchimp),
        )
        .route("/v1/connectors/webhook", post(connectors::signed))
        .route(
            "/v1/preferences",
            get(preferences::show).post(preferences::change),
        )
        .route("/.well-known/jwks.json", get(jwks))
        .route("/v1/checkpoint", get(checkpoint::note))
        .route("/v1/checkpoint.json", get(checkpoint::record))
        .route("/healthz", get(|| async { "ok" }));
    // The outbox lists every address and its confirm link: the demo's alone.
    if state.config.demo && matches!(state.config.mail, MailConfig::Outbox { .. }) {
        app = app
            .route("/outbox", get(outbox::page))
            .route("/outbox/{file}", get(outbox::message));
    }
    if let Some(credential) = &state.config.dashboard {
        let dashboard = crate::dashboard::Dashboard::new(
            state.store.clone(),
            state.keys.public(),
            &credential.0,
            &state.public_url,
        );
        app = app.merge(crate::dashboard::routes(dashboard));
    }
    if let Some(pkg) = &state.config.pkg {
        app = app.nest_service("/pkg", ServeDir::new(pkg));
    }
    if let Some(www) = &state.config.www {
        app = app.fallback_service(ServeDir::new(www));
    }
    app.layer(DefaultBodyLimit::max(state.config.max_body))
        .layer(cors)
        .layer(axum::middleware::from_fn_with_state(
            state.config.request_timeout,
            timeout,
        ))
        .layer(axum::middleware::from_fn(json_errors::as_json))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// A request that outlasts the timeout gets the API's JSON 503, like any
/// other "retry later" (the widget's outbox retries it).
async fn timeout(
    State(limit): State<Duration>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => super::ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "timeout",
            "the request took too long; retry later",
        )
        .into_response(),
    }
}

async fn jwks(
    State(state): State<Arc<AppState>>,
) -> (
    [(header::HeaderName, &'static str); 1],
    Json<serde_json::Value>,
) {
    (
        [(header::CACHE_CONTROL, "public, max-age=300")],
        Json(state.keys.jwks()),
    )
}
