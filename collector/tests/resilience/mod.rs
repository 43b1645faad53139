//! Support for the tests of a collector under load when something fails (a
//! killed process, a stopped database, a full disk): `serve` processes, a
//! load of fresh proofs whose every answer is kept, and what the database
//! holds afterwards.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common::{self, Served};
use serde_json::Value;
use sqlx::Row;

pub const BIN: &str = env!("CARGO_BIN_EXE_consent-collector");

/// A key folder made by `keygen`, as an operator would (several collectors share it).
pub fn keygen(data: &Path) {
    let status = Command::new(BIN)
        .arg("keygen")
        .arg("--data-dir")
        .arg(data)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "keygen failed");
}

/// `serve` on `database` with its data in `data`, no rate limits, mail by
/// SMTP to `smtp` (else to the outbox folder), plus `extra` flags.
pub fn serve(database: &str, data: &Path, smtp: Option<u16>, extra: &[&str]) -> Served {
    let mut command = Command::new(BIN);
    command
        .args(["serve", "--listen", "127.0.0.1:0", "--database", database])
        .args(["--rate-ip", "0", "--rate-email", "0", "--mail-retry", "1s"])
        .args(["--allowed-origins", common::ORIGIN])
        .arg("--data-dir")
        .arg(data)
        .args(extra);
    match smtp {
        Some(port) => command.args(["--outbox", "false", "--smtp-url", &format!("smtp://127.0.0.1:{port}"), "--mail-from", common::MAIL_FROM]),
        None => command.args(["--outbox", "true"]),
    };
    Served::start(command)
}

/// One answer the load got.
#[derive(Clone, Debug)]
pub struct Answer {
    /// The record id posted.
    pub id: String,
    /// Its subject's address.
    pub email: String,
    /// Which URL of the load answered.
    pub target: usize,
    /// The HTTP status; 0 when there was no answer (refused, reset).
    pub status: u16,
    /// The body, parsed where it is JSON.
    pub body: Option<Value>,
    /// When it came, since the load started.
    pub at: Duration,
}

/// Fresh proofs posted by `clients` tasks to `urls` in turn (one proof to
/// each, as a load balancer without health checks would), until stopped. A
/// proof left without a 2xx is posted again, to the next URL, as the widget
/// would; every answer is kept.
pub struct Load {
    answers: Arc<Mutex<Vec<Answer>>>,
    stop: Arc<std::sync::atomic::AtomicBool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    pub started: Instant,
}

impl Load {
    pub fn start(urls: Vec<String>, clients: usize, prefix: &str) -> Load {
        let answers = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let started = Instant::now();
        let urls = Arc::new(urls);
        let tasks = (0..clients)
            .map(|c| {
                let (answers, stop, urls) = (answers.clone(), stop.clone(), urls.clone());
                let prefix = prefix.to_string();
                tokio::spawn(async move {
                    let http = reqwest::Client::builder()
                        .timeout(Duration::from_secs(30))
                        .build()
                        .unwrap();
                    let key = common::browser_key();
                    let mut target = c % urls.len();
                    let mut n = 0;
                    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                        n += 1;
                        let email = format!("{prefix}-{c}-{n}@example.org");
                        let proof = common::consent(&email, "fr");
                        let jws = common::sign(&key, &proof);
                        // Until a 2xx: the widget's outbox does the same.
                        loop {
                            let sent = http
                                .post(format!("{}/v1/proofs", urls[target]))
                                .header("origin", common::ORIGIN)
                                .header("idempotency-key", &proof.id)
                                .json(&serde_json::json!({ "proof": jws }))
                                .send()
                                .await;
                            let (status, body) = match sent {
                                Ok(r) => {
                                    let status = r.status().as_u16();
                                    (status, r.json::<Value>().await.ok())
                                }
                                Err(_) => (0, None),
                            };
                            answers.lock().unwrap().push(Answer {
                                id: proof.id.clone(),
                                email: email.clone(),
                                target,
                                status,
                                body,
                                at: started.elapsed(),
                            });
                            target = (target + 1) % urls.len();
                            if (200..300).contains(&status) {
                                break;
                            }
                            if stop.load(std::sync::atomic::Ordering::Relaxed) && status != 0 {
                                break;
                            }
                            tokio::time::sleep(Duration::from_millis(50)).await;
                        }
                    }
                })
            })
            .collect();
        Load {
            answers,
            stop,
            tasks,
            started,
        }
    }

    /// The answers so far.
    pub fn answers(&self) -> Vec<Answer> {
        self.answers.lock().unwrap().clone()
    }

    /// Waits until `n` more answers with this status have come (90 s at
    /// most; then it fails, naming the answers it got meanwhile).
    pub async fn until(&self, status: u16, n: usize) {
        let have = |a: &[Answer]| a.iter().filter(|x| x.status == status).count();
        let (seen, base) = (self.answers().len(), have(&self.answers()));
        for _ in 0..900 {
            if have(&self.answers()) >= base + n {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let mut got: HashMap<String, usize> = HashMap::new();
        for a in &self.answers()[seen..] {
            let error = a.body.as_ref().and_then(|b| b["error"].as_str()).unwrap_or("");
            *got.entry(format!("{} {error}", a.status)).or_default() += 1;
        }
        panic!("gave up waiting for {n} more answers {status}; got {got:?}");
    }

    /// Stops the clients (each finishes its proof in hand) and returns every answer.
    pub async fn stop(self) -> Vec<Answer> {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        for task in self.tasks {
            task.await.unwrap();
        }
        let answers = self.answers.lock().unwrap().clone();
        answers
    }
}

/// How many log entries each record id has.
pub async fn entries_per_record(database: &str) -> HashMap<String, i64> {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(database).await.unwrap();
    let rows = sqlx::query("SELECT record_id, COUNT(*) AS n FROM entries WHERE record_id IS NOT NULL GROUP BY record_id")
        .fetch_all(&pool)
        .await
        .unwrap();
    pool.close().await;
    rows.iter()
        .map(|r| (r.get::<String, _>("record_id"), r.get::<i64, _>("n")))
        .collect()
}

/// `verify-log` on the database: its output, and whether it passed.
pub fn verify_log(database: &str, data: &Path) -> (bool, String) {
    let out = Command::new(BIN)
        .args(["verify-log", "--database", database])
        .arg("--data-dir")
        .arg(data)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(if out.status.success() { &out.stdout } else { &out.stderr });
    (out.status.success(), text.trim().to_string())
}

/// Every record id answered 2xx: each must be in the log once.
pub fn acknowledged(answers: &[Answer]) -> Vec<&Answer> {
    answers.iter().filter(|a| (200..300).contains(&a.status)).collect()
}

/// Rows in `table`.
pub async fn rows(database: &str, table: &str) -> i64 {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(database).await.unwrap();
    let n: i64 = sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}"))
        .fetch_one(&pool)
        .await
        .unwrap()
        .get("n");
    pool.close().await;
    n
}

/// A PostgreSQL server of the test's own (the shared one cannot be stopped):
/// a throwaway cluster on a free port, run as the `postgres` user (the tests
/// run as root, as CI does), stopped by its pid when dropped.
pub struct OwnPostgres {
    dir: tempfile::TempDir,
    bin: std::path::PathBuf,
    pub port: u16,
    pub url: String,
}

impl OwnPostgres {
    pub fn start() -> OwnPostgres {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .expect("PostgreSQL is installed (scripts/test-collector installs it)")
            .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
            .filter(|p| p.join("initdb").exists())
            .max()
            .expect("an initdb under /usr/lib/postgresql");
        let dir = tempfile::tempdir().unwrap();
        let port = common::free_port();
        as_postgres(&format!("chown postgres {0}", dir.path().display()), false);
        as_postgres(
            &format!("su postgres -c '{}/initdb -D {}/pg -A trust -U postgres'", bin.display(), dir.path().display()),
            true,
        );
        let pg = OwnPostgres {
            dir,
            bin,
            port,
            url: format!("postgres://postgres@127.0.0.1:{port}/postgres"),
        };
        pg.up();
        pg
    }

    /// Starts the server (again) on its port and waits until it accepts connections.
    pub fn up(&self) {
        let d = self.dir.path().display();
        as_postgres(
            &format!(
                "su postgres -c \"{}/pg_ctl -D {d}/pg -w -l {d}/pg.log -o '-p {} -k {d} -c listen_addresses=127.0.0.1' start\"",
                self.bin.display(),
                self.port
            ),
            true,
        );
    }

    /// Stops the server: `fast` ends every session at once (as a restart would),
    /// and waits until it is gone.
    pub fn down(&self) {
        let d = self.dir.path().display();
        as_postgres(
            &format!("su postgres -c '{}/pg_ctl -D {d}/pg -w -m fast stop'", self.bin.display()),
            true,
        );
    }
}

impl Drop for OwnPostgres {
    fn drop(&mut self) {
        let pid = std::fs::read_to_string(self.dir.path().join("pg/postmaster.pid")).unwrap_or_default();
        if let Some(pid) = pid.lines().next().filter(|p| !p.is_empty()) {
            // SIGINT: PostgreSQL's fast shutdown, by its own pid.
            let _ = Command::new("kill").args(["-INT", pid]).status();
            for _ in 0..100 {
                if !Path::new(&format!("/proc/{pid}")).exists() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }
}

fn as_postgres(script: &str, quiet: bool) {
    let mut command = Command::new("sh");
    command.args(["-c", script]);
    if quiet {
        command.stdout(Stdio::null());
    }
    let status = command.status().unwrap();
    assert!(status.success(), "`{script}` failed (the tests run as root, as CI does)");
}
