//! The load generator: `concurrency` keep-alive HTTP/1.1 connections on one
//! thread (the collector gets the rest of the machine), each posting the next
//! unsent proof as soon as its previous answer is in. Paced runs send proof i
//! at `start + i / rate` instead, and time each request from that moment, so a
//! backlog shows as latency rather than as a slower send rate.

use crate::proofs::Minted;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1;
use hyper::Request;
use hyper_util::rt::TokioIo;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpStream;

/// What one run measured.
pub struct Outcome {
    /// Answers 201 (stored and committed).
    pub stored: usize,
    /// Any other answer, or a failed connection: these were not committed.
    pub failed: usize,
    /// Stored proofs per second, from the first send to the last answer.
    pub rate: f64,
    /// Latencies in milliseconds, sorted.
    pub latencies: Vec<f64>,
}

impl Outcome {
    /// The `q` quantile of latency (0.5, 0.99), nearest rank.
    pub fn quantile(&self, q: f64) -> f64 {
        if self.latencies.is_empty() {
            return f64::NAN;
        }
        let rank =
            ((q * self.latencies.len() as f64).ceil() as usize).clamp(1, self.latencies.len());
        self.latencies[rank - 1]
    }
}

struct Shared {
    proofs: Vec<(String, Bytes)>,
    next: AtomicUsize,
    host: String,
    origin: String,
    start: Instant,
    interval: Option<Duration>,
}

/// Posts every proof once to `addr` (`host:port`); `pace` is proofs per second, `None` for as fast as answered.
pub fn run(addr: &str, proofs: &[Minted], concurrency: usize, pace: Option<f64>) -> Outcome {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(async {
        let shared = Arc::new(Shared {
            proofs: proofs
                .iter()
                .map(|p| {
                    (
                        p.id.clone(),
                        Bytes::from(serde_json::json!({ "proof": p.jws }).to_string()),
                    )
                })
                .collect(),
            next: AtomicUsize::new(0),
            host: addr.to_owned(),
            origin: crate::proofs::origin(),
            start: Instant::now(),
            interval: pace.map(|r| Duration::from_secs_f64(1.0 / r)),
        });
        let tasks: Vec<_> = (0..concurrency)
            .map(|_| tokio::spawn(connection(shared.clone())))
            .collect();
        let (mut stored, mut failed, mut latencies) = (0, 0, Vec::with_capacity(proofs.len()));
        for task in tasks {
            let (s, f, l) = task.await.expect("load task");
            stored += s;
            failed += f;
            latencies.extend(l);
        }
        let elapsed = shared.start.elapsed().as_secs_f64();
        latencies.sort_by(f64::total_cmp);
        Outcome {
            stored,
            failed,
            rate: stored as f64 / elapsed,
            latencies,
        }
    })
}

async fn connection(shared: Arc<Shared>) -> (usize, usize, Vec<f64>) {
    let (mut stored, mut failed, mut latencies) = (0, 0, Vec::new());
    let mut sender = None;
    loop {
        let i = shared.next.fetch_add(1, Ordering::Relaxed);
        let Some((id, body)) = shared.proofs.get(i) else {
            break;
        };
        let sent = match shared.interval {
            Some(step) => {
                let at = shared.start + step * u32::try_from(i).unwrap_or(u32::MAX);
                tokio::time::sleep_until(at.into()).await;
                at
            }
            None => Instant::now(),
        };
        if sender.is_none() {
            sender = connect(&shared.host).await;
        }
        let ok = match sender.as_mut() {
            Some(s) => post(s, &shared, id, body.clone()).await,
            None => false,
        };
        latencies.push(sent.elapsed().as_secs_f64() * 1000.0);
        if ok {
            stored += 1;
        } else {
            failed += 1;
            sender = None; // a fresh connection for the next one
        }
    }
    (stored, failed, latencies)
}

async fn connect(host: &str) -> Option<http1::SendRequest<Full<Bytes>>> {
    let stream = TcpStream::connect(host).await.ok()?;
    stream.set_nodelay(true).ok()?;
    let (sender, conn) = http1::handshake(TokioIo::new(stream)).await.ok()?;
    tokio::spawn(conn);
    Some(sender)
}

/// One submission exactly as the widget makes it; true on 201.
async fn post(
    sender: &mut http1::SendRequest<Full<Bytes>>,
    shared: &Shared,
    id: &str,
    body: Bytes,
) -> bool {
    let request = Request::post("/v1/proofs")
        .header("host", &shared.host)
        .header("content-type", "application/json")
        .header("origin", &shared.origin)
        .header("idempotency-key", id)
        .body(Full::new(body))
        .expect("a valid request");
    let Ok(response) = sender.send_request(request).await else {
        return false;
    };
    let created = response.status() == hyper::StatusCode::CREATED;
    // Read the whole body (the receipt): the answer is not in until it is.
    response.into_body().collect().await.is_ok() && created
}
