//! Starts the real collector binary on a fresh data folder, as an operator
//! would run it, and reads its peak resident memory from /proc.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// A running collector.
pub struct Collector {
    child: Child,
    /// `host:port` it listens on.
    pub addr: String,
    /// Its data folder (keys, outbox, SQLite database).
    pub data_dir: PathBuf,
}

impl Collector {
    /// Starts `bin serve` storing in `database` (`None`: SQLite in the data folder).
    pub fn start(bin: &Path, data_dir: PathBuf, database: Option<&str>, origin: &str) -> Collector {
        let data = data_dir.to_str().expect("a UTF-8 path");
        let keygen = Command::new(bin)
            .args(["keygen", "--data-dir", data])
            .output()
            .expect("run keygen");
        assert!(
            keygen.status.success(),
            "keygen failed: {}",
            String::from_utf8_lossy(&keygen.stderr)
        );
        let log = std::fs::File::create(data_dir.join("collector.log")).expect("log file");
        // The outbox stands in for the SMTP relay a shop's collector hands
        // its mail to, another machine's disk: kept in memory where the
        // machine has /dev/shm. On the database's disk its writes (3 KiB a
        // mail, never synced: a demo mailbox) were written back by the
        // kernel in 100 MB bursts every 30 s, stalling the database's
        // fsyncs (BENCHMARKS.md, Sustained load).
        let shm = std::path::Path::new("/dev/shm");
        if shm.is_dir() && std::env::var_os("BENCH_OUTBOX_ON_DISK").is_none() {
            let outbox = shm.join(format!(
                "collector-outbox-{}-{}",
                std::process::id(),
                data_dir.file_name().and_then(|n| n.to_str()).unwrap_or("data")
            ));
            std::fs::create_dir_all(&outbox).expect("the outbox folder");
            std::os::unix::fs::symlink(&outbox, data_dir.join("outbox")).expect("the outbox link");
        }
        let mut command = Command::new(bin);
        // Rate limits off: every proof comes from one address. Mail goes to the
        // outbox folder: the confirmation mail is still written for each proof
        // once its form is registered (`register_form`).
        command
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--data-dir",
                data,
                "--allowed-origins",
                origin,
            ])
            .args(["--rate-ip", "0", "--rate-email", "0", "--outbox", "true"]);
        if let Some(url) = database {
            command.args(["--database", url]);
        }
        // More `serve` flags, to see what one setting does to a run.
        if let Ok(more) = std::env::var("BENCH_SERVE_ARGS") {
            command.args(more.split_whitespace());
        }
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("start the collector");
        let mut out = BufReader::new(child.stdout.take().expect("stdout"));
        let mut line = String::new();
        out.read_line(&mut line).expect("read its first line");
        // Keep draining stdout: a closed pipe would fail the collector's next write.
        std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
        let addr = line
            .trim()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        Collector {
            child,
            addr,
            data_dir,
        }
    }

    /// Registers the form the bench's proofs are made on, as a merchant
    /// would: `first` is posted and held (no registered version yet), then
    /// `forms approve` registers its version. From then on every proof
    /// counts and writes its confirmation mail, the path a shop's
    /// sign-ups take (a proof of an unregistered form is only held).
    pub fn register_form(&self, bin: &Path, database: Option<&str>, first: &crate::proofs::Minted) {
        let held = crate::load::run(&self.addr, std::slice::from_ref(first), 1, None);
        assert_eq!(held.stored, 1, "the first proof was not stored");
        let form = consent_proof::fixture::proof().form;
        let mut command = Command::new(bin);
        command.args(["forms", "approve", &form.id, &form.version, "--data-dir"]);
        command.arg(&self.data_dir);
        if let Some(url) = database {
            command.args(["--database", url]);
        }
        let out = command.output().expect("run forms approve");
        assert!(
            out.status.success(),
            "forms approve failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// `verify-log` on what this collector stored: its `ok: …` line, or the error.
    pub fn verify_log(&self, bin: &Path, database: Option<&str>) -> String {
        let mut command = Command::new(bin);
        command.args([
            "verify-log",
            "--data-dir",
            self.data_dir.to_str().expect("a UTF-8 path"),
        ]);
        if let Some(url) = database {
            command.args(["--database", url]);
        }
        let out = command.output().expect("run verify-log");
        String::from_utf8_lossy(if out.status.success() {
            &out.stdout
        } else {
            &out.stderr
        })
        .trim()
        .to_owned()
    }

    /// CPU time the collector has used so far (user + system), in seconds:
    /// per stored proof, it says what a request costs beyond the signature.
    pub fn cpu_seconds(&self) -> f64 {
        cpu_seconds(&self.child.id().to_string())
    }

    /// Peak resident set (VmHWM) so far, in KiB.
    pub fn peak_rss_kib(&self) -> u64 {
        self.status_kib("VmHWM:")
    }

    /// Resident set (VmRSS) now, in KiB.
    pub fn rss_kib(&self) -> u64 {
        self.status_kib("VmRSS:")
    }

    fn status_kib(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix(field))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    }
}

impl Drop for Collector {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // The outbox kept in memory, if it was (see `start`).
        if let Ok(outbox) = std::fs::read_link(self.data_dir.join("outbox")) {
            let _ = std::fs::remove_dir_all(outbox);
        }
    }
}

/// CPU time (user + system) of process `pid` ("self": this one) so far, in seconds.
pub fn cpu_seconds(pid: &str) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the ")" that closes the command name: utime and stime are the 12th and 13th.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let ticks: f64 = after
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|v| v.parse::<f64>().ok())
        .sum();
    ticks / clock_ticks()
}

/// Clock ticks per second of /proc's CPU times (`getconf CLK_TCK`; 100 on Linux in practice).
pub fn clock_ticks() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100.0)
}
