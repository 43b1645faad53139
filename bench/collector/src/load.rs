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
    /// Every request: when it was due (seconds from the start), its latency
    /// in ms and its status (0: no answer), in the order they were due.
    pub samples: Vec<Sample>,
}

/// One request of a run.
#[derive(Clone, Copy)]
pub struct Sample {
    /// When it was due, seconds from the run's start.
    pub at: f64,
    /// From due to the whole answer read, ms.
    pub ms: f64,
    /// The answer's status; 0 for a failed connection or request.
    pub status: u16,
}

/// Requests due in one window of a run.
pub struct Window {
    /// Its start, seconds from the run's start.
    pub from: f64,
    /// Requests due in it.
    pub requests: usize,
    /// Their latencies, ms, sorted.
    pub latencies: Vec<f64>,
}

impl Outcome {
    /// The run cut into windows of `secs` by when each request was due:
    /// a stall shows as one bad window rather than as a worse average.
    pub fn windows(&self, secs: f64) -> Vec<Window> {
        self.samples
            .chunk_by(|x, y| (x.at / secs).floor() == (y.at / secs).floor())
            .map(|w| {
                let mut latencies: Vec<f64> = w.iter().map(|s| s.ms).collect();
                latencies.sort_by(f64::total_cmp);
                Window {
                    from: (w[0].at / secs).floor() * secs,
                    requests: w.len(),
                    latencies,
                }
            })
            .collect()
    }

    /// The `q` quantile of latency (0.5, 0.99), nearest rank.
    pub fn quantile(&self, q: f64) -> f64 {
        quantile(&self.latencies, q)
    }
}

/// The `q` quantile (nearest rank) of sorted values; NaN for none.
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
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
        let mut samples = Vec::with_capacity(proofs.len());
        for task in tasks {
            samples.extend(task.await.expect("load task"));
        }
        let elapsed = shared.start.elapsed().as_secs_f64();
        samples.sort_by(|a: &Sample, b| a.at.total_cmp(&b.at));
        let stored = samples.iter().filter(|s| s.status == 201).count();
        let mut latencies: Vec<f64> = samples.iter().map(|s| s.ms).collect();
        latencies.sort_by(f64::total_cmp);
        Outcome {
            stored,
            failed: samples.len() - stored,
            rate: stored as f64 / elapsed,
            latencies,
            samples,
        }
    })
}

async fn connection(shared: Arc<Shared>) -> Vec<Sample> {
    let mut samples = Vec::new();
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
        let status = match sender.as_mut() {
            Some(s) => post(s, &shared, id, body.clone()).await,
            None => 0,
        };
        samples.push(Sample {
            at: (sent - shared.start).as_secs_f64(),
            ms: sent.elapsed().as_secs_f64() * 1000.0,
            status,
        });
        if status == 0 {
            sender = None; // a fresh connection for the next one
        }
    }
    samples
}

async fn connect(host: &str) -> Option<http1::SendRequest<Full<Bytes>>> {
    let stream = TcpStream::connect(host).await.ok()?;
    stream.set_nodelay(true).ok()?;
    let (sender, conn) = http1::handshake(TokioIo::new(stream)).await.ok()?;
    tokio::spawn(conn);
    Some(sender)
}

/// One submission exactly as the widget makes it; its status, 0 if there was no whole answer.
async fn post(
    sender: &mut http1::SendRequest<Full<Bytes>>,
    shared: &Shared,
    id: &str,
    body: Bytes,
) -> u16 {
    let request = Request::post("/v1/proofs")
        .header("host", &shared.host)
        .header("content-type", "application/json")
        .header("origin", &shared.origin)
        .header("idempotency-key", id)
        .body(Full::new(body))
        .expect("a valid request");
    let Ok(response) = sender.send_request(request).await else {
        return 0;
    };
    let status = response.status().as_u16();
    // Read the whole body (the receipt): the answer is not in until it is.
    match response.into_body().collect().await {
        Ok(_) => status,
        Err(_) => 0,
    }
}
