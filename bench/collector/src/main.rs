//! The collector bench: the bare `verify_strict` rate, then proofs/s end to
//! end against the real collector binary on SQLite and PostgreSQL, at full
//! load and at half of it, with the ratio end to end / bare all-core verify.
//!
//! `collector-bench --collector BIN [--postgres URL] [--proofs N]
//!  [--concurrency C] [--verify-secs S] [--out FILE]`; `bench/collector/run`
//! builds everything and starts PostgreSQL first. `collector-bench sustain`
//! holds a fixed rate for a fixed time instead (see `sustain.rs`).

mod collector;
mod load;
mod machine;
mod proofs;
mod sustain;
mod verify;

use collector::Collector;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::Duration;

struct Args {
    collector: PathBuf,
    postgres: Option<String>,
    proofs: usize,
    concurrency: usize,
    verify_secs: f64,
    out: PathBuf,
}

fn args() -> Args {
    let mut a = Args {
        collector: PathBuf::from("target/release/consent-collector"),
        postgres: None,
        proofs: 20_000,
        concurrency: 64,
        verify_secs: 3.0,
        out: PathBuf::from("bench/collector/results/collector.json"),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--collector" => a.collector = value.into(),
            "--postgres" => a.postgres = Some(value),
            "--proofs" => a.proofs = value.parse().expect("--proofs N"),
            "--concurrency" => a.concurrency = value.parse().expect("--concurrency C"),
            "--verify-secs" => a.verify_secs = value.parse().expect("--verify-secs S"),
            "--out" => a.out = value.into(),
            _ => panic!("unknown flag {flag}"),
        }
    }
    a
}

/// One backend: a fresh collector, a full-load run, then a run paced at half
/// the rate the full one reached (fresh proofs each: replays would be cheap).
fn backend(a: &Args, name: &str, database: Option<&str>, verify_all: f64) -> Value {
    let data_dir =
        std::env::temp_dir().join(format!("collector-bench-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&data_dir).expect("data folder");
    let full_proofs = proofs::mint(a.proofs);
    let mut half_proofs = proofs::mint(a.proofs / 2 + 1);
    let first = half_proofs.pop().expect("one proof more");
    let c = Collector::start(&a.collector, data_dir.clone(), database, &proofs::origin());
    c.register_form(&a.collector, database, &first);
    // The load generator's own CPU (this process: nothing else runs in it meanwhile) shares the machine.
    let (cpu0, gen0) = (c.cpu_seconds(), collector::cpu_seconds("self"));
    let m0 = machine::Snapshot::take(cpu0);
    let full = load::run(&c.addr, &full_proofs, a.concurrency, None);
    let (cpu1, gen1) = (c.cpu_seconds(), collector::cpu_seconds("self"));
    let m1 = machine::Snapshot::take(cpu1);
    let half = load::run(&c.addr, &half_proofs, a.concurrency, Some(full.rate / 2.0));
    let (cpu2, gen2) = (c.cpu_seconds(), collector::cpu_seconds("self"));
    let m2 = machine::Snapshot::take(cpu2);
    let rss = c.peak_rss_kib();
    let log = c.verify_log(&a.collector, database);
    drop(c);
    let _ = std::fs::remove_dir_all(&data_dir);
    let row = |o: &load::Outcome, cpu: f64, gen: f64| {
        json!({ "proofsPerSec": o.rate, "p50Ms": o.quantile(0.5), "p99Ms": o.quantile(0.99),
                "stored": o.stored, "failed": o.failed, "ratioToVerifyAllCores": o.rate / verify_all,
                "collectorCpuMsPerProof": cpu * 1000.0 / o.stored.max(1) as f64,
                "loadGeneratorCpuMsPerProof": gen * 1000.0 / o.stored.max(1) as f64 })
    };
    // p99 per second of the paced run: where a stall is, if there is one.
    let half_p99: Vec<f64> = half.windows(1.0).iter().map(|w| load::quantile(&w.latencies, 0.99)).collect();
    let mut full_row = row(&full, cpu1 - cpu0, gen1 - gen0);
    full_row["machine"] = m0.until(&m1);
    let mut half_row = row(&half, cpu2 - cpu1, gen2 - gen1);
    half_row["machine"] = m1.until(&m2);
    json!({ "backend": name, "full": full_row, "half": half_row, "halfP99PerSecond": half_p99,
            "peakRssKiB": rss, "verifyLog": log })
}

fn main() {
    if std::env::args().nth(1).as_deref() == Some("sustain") {
        let ok = sustain::main(std::env::args().skip(2));
        std::process::exit(if ok { 0 } else { 1 });
    }
    let a = args();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let sample = proofs::mint(256);
    let time = Duration::from_secs_f64(a.verify_secs);
    let single = verify::rate(&sample, 1, time);
    let all = verify::rate(&sample, cores, time);
    println!("bare verify_strict: {single:.0}/s on 1 thread, {all:.0}/s on {cores} threads");

    let mut rows = vec![backend(&a, "sqlite", None, all)];
    match &a.postgres {
        Some(url) => rows.push(backend(&a, "postgres", Some(url), all)),
        None => println!("PostgreSQL: skipped (no --postgres)"),
    }

    println!("\n{} proofs at full load, {} at half, {} connections; ratio = proofs/s / bare all-core verify_strict;", a.proofs, a.proofs / 2, a.concurrency);
    println!(
        "CPU ms/p = the collector's CPU time per stored proof (bare verify_strict: {:.3} ms); gen ms/p = the load generator's",
        1000.0 / single
    );
    println!(
        "{:<9} {:<5} {:>9} {:>8} {:>8} {:>6} {:>7} {:>10} {:>9} {:>9}",
        "backend",
        "load",
        "proofs/s",
        "p50 ms",
        "p99 ms",
        "ratio",
        "failed",
        "peak RSS",
        "CPU ms/p",
        "gen ms/p"
    );
    for r in &rows {
        for load in ["full", "half"] {
            let m = &r[load];
            println!(
                "{:<9} {:<5} {:>9.0} {:>8.2} {:>8.2} {:>6.3} {:>7} {:>6} MiB {:>9.3} {:>9.3}",
                r["backend"].as_str().unwrap_or(""),
                load,
                m["proofsPerSec"].as_f64().unwrap_or(0.0),
                m["p50Ms"].as_f64().unwrap_or(f64::NAN),
                m["p99Ms"].as_f64().unwrap_or(f64::NAN),
                m["ratioToVerifyAllCores"].as_f64().unwrap_or(0.0),
                m["failed"],
                r["peakRssKiB"].as_u64().unwrap_or(0) / 1024,
                m["collectorCpuMsPerProof"].as_f64().unwrap_or(f64::NAN),
                m["loadGeneratorCpuMsPerProof"].as_f64().unwrap_or(f64::NAN)
            );
        }
        let per_second: Vec<String> = r["halfP99PerSecond"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|v| format!("{:.0}", v.as_f64().unwrap_or(f64::NAN)))
            .collect();
        println!("{:<9} half p99 ms per second: {}", r["backend"].as_str().unwrap_or(""), per_second.join(" "));
        for load in ["full", "half"] {
            println!("{:<9} {load}: {}", r["backend"].as_str().unwrap_or(""), machine::describe(&r[load]["machine"]));
        }
        println!(
            "{:<9} verify-log: {}",
            r["backend"].as_str().unwrap_or(""),
            r["verifyLog"].as_str().unwrap_or("")
        );
    }

    let report = json!({ "cores": cores, "verifyStrict": { "oneThread": single, "allCores": all },
                         "proofs": a.proofs, "concurrency": a.concurrency, "backends": rows });
    if let Some(dir) = a.out.parent() {
        std::fs::create_dir_all(dir).expect("results folder");
    }
    std::fs::write(&a.out, serde_json::to_string_pretty(&report).expect("json"))
        .expect("write the results");
    println!("JSON: {}", a.out.display());
    let failed: u64 = rows
        .iter()
        .flat_map(|r| [&r["full"]["failed"], &r["half"]["failed"]])
        .filter_map(Value::as_u64)
        .sum();
    if failed > 0 {
        eprintln!("collector-bench: {failed} submissions were not stored");
        std::process::exit(1);
    }
}
