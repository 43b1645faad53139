//! The collector's front door, in process: the real router (body limit,
//! content types, `{"proof": …}` reading, origin and idempotency checks,
//! verification, storage) over a SQLite store in a temporary folder, fed any
//! body under any of its content types. Every answer is a 201/200 for a
//! proof that verifies, or a JSON `{error, message}` with a 4xx or 503.
#![no_main]
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use axum::Router;
use consent_collector::audit::publish::Publisher;
use consent_collector::config::Settings;
use consent_collector::http::{router, AppState};
use consent_collector::ledger::keys::Keyring;
use consent_collector::mail::queue::{MailQueue, Retry};
use consent_collector::mail::Mailer;
use consent_collector::store::appender::Appender;
use consent_proof::{fixture, verify, VerifyOptions};
use libfuzzer_sys::fuzz_target;
use tower::ServiceExt;

const CONTENT_TYPES: [&str; 4] = ["application/json", "application/jose", "text/plain", ""];

struct Front {
    runtime: tokio::runtime::Runtime,
    router: Router,
    _dir: tempfile::TempDir,
}

fn front() -> &'static Front {
    static FRONT: OnceLock<Front> = OnceLock::new();
    FRONT.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a runtime");
        let router = runtime.block_on(async {
            let settings = Settings {
                data_dir: Some(dir.path().to_path_buf()),
                allowed_origins: Some(vec![fixture::proof().site.origin]),
                outbox: Some(true),
                rate_ip: Some(0),
                rate_email: Some(0),
                ..Settings::default()
            };
            let config = settings.resolve(false).expect("settings");
            Keyring::generate(&config.key_dir(), chrono::Utc::now()).expect("keygen");
            let keys = Keyring::load(&config.key_dir()).expect("keys");
            let store = consent_collector::store::open(&config.database).await.expect("store");
            let mailer = Mailer::outbox(&dir.path().join("outbox"), "fuzz <fuzz@localhost>").expect("outbox");
            let (mail, _task) = MailQueue::spawn(
                mailer,
                store.clone(),
                "http://127.0.0.1",
                Retry::from_first(std::time::Duration::from_secs(30)),
                64,
            );
            router(Arc::new(AppState {
                appender: Appender::spawn(store.clone(), keys.clone(), 64),
                checkpoints: Arc::new(Publisher::new(
                    "fuzz.example/log".into(),
                    dir.path().join("checkpoints.jsonl"),
                    None,
                )),
                registry: Default::default(),
                store,
                keys,
                config,
                public_url: "http://127.0.0.1".into(),
                allowed_origins: vec![fixture::proof().site.origin],
                mail,
                mail_links: consent_collector::mail::compose::MailLinks::from("http://127.0.0.1"),
                handoff_to: Arc::new(Vec::new()),
                dispatcher: None,
                inbound: Default::default(),
            }))
        });
        Front { runtime, router, _dir: dir }
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&kind, body)) = data.split_first() else {
        return;
    };
    let f = front();
    let content_type = CONTENT_TYPES[usize::from(kind) % CONTENT_TYPES.len()];
    let mut request = Request::post("/v1/proofs").header("origin", fixture::proof().site.origin);
    if !content_type.is_empty() {
        request = request.header("content-type", content_type);
    }
    let mut request = request.body(Body::from(body.to_vec())).expect("a request");
    request
        .extensions_mut()
        .insert(ConnectInfo(SocketAddr::from(([192, 0, 2, 1], 4000))));
    let (status, answer) = f.runtime.block_on(async {
        let response = f.router.clone().oneshot(request).await.expect("infallible");
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("the body");
        (status, bytes)
    });
    let json: serde_json::Value = serde_json::from_slice(&answer)
        .unwrap_or_else(|_| panic!("{status}: not JSON: {:?}", String::from_utf8_lossy(&answer)));
    if status == StatusCode::CREATED || status == StatusCode::OK {
        // Only what verifies is stored: the body held a proof the verifier accepts.
        let now = chrono::Utc::now().timestamp_millis();
        let jws = serde_json::from_slice::<serde_json::Value>(body)
            .ok()
            .and_then(|v| v["proof"].as_str().map(str::to_owned))
            .unwrap_or_else(|| String::from_utf8_lossy(body).trim().to_owned());
        assert!(verify::verify(&jws, &VerifyOptions::new(now)).is_ok(), "stored a proof that does not verify");
        return;
    }
    assert!(status.is_client_error() || status == StatusCode::SERVICE_UNAVAILABLE, "status {status}");
    assert!(json["error"].as_str().is_some_and(|e| !e.is_empty()), "{json}");
    assert!(json["message"].as_str().is_some_and(|m| !m.is_empty()), "{json}");
});
