//! PostgreSQL stopped under load, then started again: while it is down every
//! submission gets a JSON 503 (and none a 2xx it was not committed for),
//! and once it is back the same collector process stores again, with no
//! restart; every proof answered 2xx is in the log once and the chain verifies.

mod common;
mod resilience;

use resilience::{serve, Load, OwnPostgres};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_stopped_under_load_then_started() {
    let pg = std::sync::Arc::new(tokio::task::spawn_blocking(OwnPostgres::start).await.unwrap());
    let data = tempfile::tempdir().unwrap();
    resilience::keygen(data.path());
    let mut server = serve(&pg.url, data.path(), None, &[]);
    let load = Load::start(vec![server.url.clone()], 8, "outage");
    load.until(201, 50).await;

    let p = pg.clone();
    tokio::task::spawn_blocking(move || p.down()).await.unwrap();
    let down = load.started.elapsed();
    load.until(503, 20).await;
    let p = pg.clone();
    tokio::task::spawn_blocking(move || p.up()).await.unwrap();
    let up = load.started.elapsed();
    load.until(201, 50).await;
    let answers = load.stop().await;
    assert!(server.child.try_wait().unwrap().is_none(), "the collector is still running: no restart");

    // While it was down: JSON 503s, named; nothing else but a 2xx that an
    // append committed just before the stop.
    let during: Vec<_> = answers.iter().filter(|a| a.at > down && a.at < up).collect();
    for a in answers.iter().filter(|a| !(200..300).contains(&a.status)) {
        assert_eq!(a.status, 503, "a failed submission is a 503: {a:?}");
        let body = a.body.as_ref().unwrap_or_else(|| panic!("a JSON body: {a:?}"));
        // `storage_unavailable` when its wait for a connection ran out;
        // `timeout` when a request that had one waited again past the
        // request timeout. Both are the JSON 503 the widget retries.
        assert!(matches!(body["error"].as_str(), Some("storage_unavailable" | "timeout")), "{body}");
        assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    }
    let stored = resilience::entries_per_record(&pg.url).await;
    let acknowledged = resilience::acknowledged(&answers);
    for a in &acknowledged {
        assert_eq!(stored.get(&a.id), Some(&1), "record {} answered {} is in the log once", a.id, a.status);
    }
    let (ok, report) = resilience::verify_log(&pg.url, data.path());
    assert!(ok, "verify-log: {report}");
    println!(
        "{} answers, {} while PostgreSQL was down ({} of them 503), {} acknowledged, down {:?} to {:?}; {report}",
        answers.len(),
        during.len(),
        during.iter().filter(|a| a.status == 503).count(),
        acknowledged.len(),
        down,
        up
    );
}
