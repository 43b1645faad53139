//! `collector-bench sustain`: a fixed rate for a fixed time against a fresh
//! collector on each backend, as a shop's peak would hold it. It prints the
//! errors by status, p50/p99/p99.9/max, the collector's resident memory at
//! the start, every 10 s and at the end (flat memory: no growth per
//! proof), and p99 per 10-second window (a stall shows as one bad window,
//! not as a worse average).
//!
//! `collector-bench sustain --collector BIN [--postgres URL] [--rate R]
//!  [--secs S] [--concurrency C] [--out FILE] [--only sqlite|postgres] [--keep DIR]`;
//! `bench/collector/sustain`
//! builds everything and starts PostgreSQL first.

use crate::collector::Collector;
use crate::load::quantile;
use crate::{load, machine, proofs};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::PathBuf;

struct Args {
    collector: PathBuf,
    postgres: Option<String>,
    rate: f64,
    secs: f64,
    concurrency: usize,
    out: PathBuf,
    /// `sqlite` or `postgres`: run that backend alone.
    only: Option<String>,
    /// Where to keep each run's collector log and every request's timing,
    /// for `bench/collector/episodes.py`.
    keep: Option<PathBuf>,
}

fn args(mut it: impl Iterator<Item = String>) -> Args {
    let mut a = Args {
        collector: PathBuf::from("target/release/consent-collector"),
        postgres: None,
        rate: 1000.0,
        secs: 60.0,
        concurrency: 64,
        out: PathBuf::from("bench/collector/results/sustain.json"),
        only: None,
        keep: None,
    };
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--collector" => a.collector = value.into(),
            "--postgres" => a.postgres = Some(value),
            "--rate" => a.rate = value.parse().expect("--rate R"),
            "--secs" => a.secs = value.parse().expect("--secs S"),
            "--concurrency" => a.concurrency = value.parse().expect("--concurrency C"),
            "--out" => a.out = value.into(),
            "--only" if value == "sqlite" || value == "postgres" => a.only = Some(value),
            "--keep" => a.keep = Some(value.into()),
            _ => panic!("unknown flag {flag}"),
        }
    }
    a
}

fn backend(a: &Args, name: &str, database: Option<&str>) -> Value {
    let data_dir =
        std::env::temp_dir().join(format!("collector-sustain-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&data_dir).expect("data folder");
    let n = (a.rate * a.secs).round() as usize;
    let mut minted = proofs::mint(n + 1);
    let first = minted.pop().expect("one proof more");
    let c = Collector::start(&a.collector, data_dir.clone(), database, &proofs::origin());
    c.register_form(&a.collector, database, &first);
    let rss_start = c.rss_kib();
    // The resident set every 10 s of the run, to tell a cache filling up
    // (it levels off) from growth per proof (it does not).
    let running = std::sync::atomic::AtomicBool::new(true);
    let (o, machine, rss_windows) = std::thread::scope(|scope| {
        let sampler = scope.spawn(|| {
            let started = std::time::Instant::now();
            let mut samples = Vec::new();
            while running.load(std::sync::atomic::Ordering::Relaxed) {
                if started.elapsed().as_secs_f64() >= 10.0 * (samples.len() + 1) as f64 {
                    samples.push(c.rss_kib());
                }
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            samples
        });
        let before = machine::Snapshot::take(c.cpu_seconds());
        let o = load::run(&c.addr, &minted, a.concurrency, Some(a.rate));
        let machine = before.until(&machine::Snapshot::take(c.cpu_seconds()));
        running.store(false, std::sync::atomic::Ordering::Relaxed);
        (o, machine, sampler.join().expect("the memory sampler"))
    });
    let rss_end = c.rss_kib();
    let peak = c.peak_rss_kib();
    // SQLite's WAL at the end: it restarts after each checkpoint, so it stays
    // a few MiB; one that grows with the run means checkpoints fall behind.
    let wal_kib = std::fs::metadata(data_dir.join("collector.db-wal")).map(|m| m.len() / 1024).ok();
    let log = c.verify_log(&a.collector, database);
    drop(c);
    if let Some(keep) = &a.keep {
        // The collector's log (its batch lines at RUST_LOG=consent_collector::store=debug)
        // and each request's due time (s), latency (ms) and status.
        std::fs::create_dir_all(keep).expect("the --keep folder");
        let _ = std::fs::copy(data_dir.join("collector.log"), keep.join(format!("collector-{name}.log")));
        let csv: String =
            o.samples.iter().map(|s| format!("{:.6},{:.3},{}\n", s.at, s.ms, s.status)).collect();
        std::fs::write(keep.join(format!("samples-{name}.csv")), csv).expect("write the samples");
    }
    let _ = std::fs::remove_dir_all(&data_dir);

    let mut errors: BTreeMap<String, usize> = BTreeMap::new();
    for s in o.samples.iter().filter(|s| s.status != 201) {
        *errors.entry(s.status.to_string()).or_default() += 1;
    }
    let windows: Vec<Value> = o
        .windows(10.0)
        .iter()
        .map(|w| {
            json!({ "fromSec": w.from, "requests": w.requests, "p50Ms": quantile(&w.latencies, 0.5),
                    "p99Ms": quantile(&w.latencies, 0.99), "maxMs": quantile(&w.latencies, 1.0) })
        })
        .collect();
    json!({ "backend": name, "targetRate": a.rate, "secs": a.secs, "sent": o.samples.len(),
            "stored": o.stored, "achievedRate": o.rate, "errors": errors,
            "p50Ms": o.quantile(0.5), "p99Ms": o.quantile(0.99), "p999Ms": o.quantile(0.999),
            "maxMs": o.quantile(1.0), "rssStartKiB": rss_start, "rssEndKiB": rss_end,
            "peakRssKiB": peak, "rssEvery10sKiB": rss_windows, "windows": windows, "verifyLog": log,
            "machine": machine, "sqliteWalKiB": wal_kib })
}

/// Runs `sustain` with the arguments after the subcommand; false if any request failed.
pub fn main(rest: impl Iterator<Item = String>) -> bool {
    let a = args(rest);
    let runs = |name: &str| a.only.as_deref().map_or(true, |only| only == name);
    let mut rows = Vec::new();
    if runs("sqlite") {
        rows.push(backend(&a, "sqlite", None));
    }
    match &a.postgres {
        Some(url) if runs("postgres") => rows.push(backend(&a, "postgres", Some(url))),
        Some(_) => {}
        None => println!("PostgreSQL: skipped (no --postgres)"),
    }
    println!(
        "\n{} proofs/s for {} s, {} connections (latency from when each request was due)",
        a.rate, a.secs, a.concurrency
    );
    println!(
        "{:<9} {:>7} {:>7} {:>9} {:>7} {:>7} {:>7} {:>8} {:>8} {:>9} {:>9}",
        "backend", "sent", "201", "proofs/s", "errors", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "RSS start", "RSS end"
    );
    let mut failed = 0;
    for r in &rows {
        let errors: u64 = r["errors"].as_object().map_or(0, |m| m.values().filter_map(Value::as_u64).sum());
        failed += errors;
        let f = |k: &str| r[k].as_f64().unwrap_or(f64::NAN);
        println!(
            "{:<9} {:>7} {:>7} {:>9.0} {:>7} {:>7.2} {:>7.2} {:>8.2} {:>8.1} {:>5} MiB {:>5} MiB",
            r["backend"].as_str().unwrap_or(""),
            r["sent"].as_u64().unwrap_or(0),
            r["stored"].as_u64().unwrap_or(0),
            f("achievedRate"),
            errors,
            f("p50Ms"),
            f("p99Ms"),
            f("p999Ms"),
            f("maxMs"),
            r["rssStartKiB"].as_u64().unwrap_or(0) / 1024,
            r["rssEndKiB"].as_u64().unwrap_or(0) / 1024,
        );
        if errors > 0 {
            println!("{:<9} errors by status: {}", "", r["errors"]);
        }
        let windows: Vec<String> = r["windows"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|w| format!("{:.1}", w["p99Ms"].as_f64().unwrap_or(f64::NAN)))
            .collect();
        println!("{:<9} p99 ms per 10 s: {}", "", windows.join(" "));
        let rss: Vec<String> = r["rssEvery10sKiB"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|kib| format!("{}", kib.as_u64().unwrap_or(0) / 1024))
            .collect();
        println!("{:<9} RSS MiB every 10 s: {}", "", rss.join(" "));
        if let Some(kib) = r["sqliteWalKiB"].as_u64() {
            println!("{:<9} SQLite WAL at the end: {:.1} MiB", "", kib as f64 / 1024.0);
        }
        println!("{:<9} {}", "", machine::describe(&r["machine"]));
        let stored = r["stored"].as_f64().unwrap_or(0.0).max(1.0);
        let m = &r["machine"];
        println!(
            "{:<9} disk per stored proof: {:.1} KiB written, {:.2} flushes",
            "",
            m["diskWrittenKiB"].as_f64().unwrap_or(f64::NAN) / stored,
            m["diskFlushes"].as_f64().unwrap_or(f64::NAN) / stored,
        );
        println!("{:<9} verify-log: {}", "", r["verifyLog"].as_str().unwrap_or(""));
    }
    if let Some(dir) = a.out.parent() {
        std::fs::create_dir_all(dir).expect("results folder");
    }
    std::fs::write(&a.out, serde_json::to_string_pretty(&json!({ "runs": rows })).expect("json"))
        .expect("write the results");
    println!("JSON: {}", a.out.display());
    failed == 0
}
