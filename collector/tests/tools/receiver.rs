//! The signed webhook receiver example (docs/examples) run as a server.

/// The receiver example in docs/examples, run as a server: it checks `v1`
/// with the Standard Webhooks project's Python library and `v1a` with PyNaCl.
pub struct Receiver {
    child: std::process::Child,
    pub url: String,
    pub events: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn start(whpk: &str, whsec: &str) -> Receiver {
    use std::io::BufRead;
    let python = std::env::var("CONSENT_TEST_PYTHON")
        .expect("CONSENT_TEST_PYTHON is not set: run scripts/test-collector, which installs standardwebhooks and pynacl");
    let dir = tempfile::tempdir().unwrap();
    let events = dir.path().join("events.jsonl");
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/examples/consent-webhook-receiver.py"
    );
    let mut child = std::process::Command::new(python)
        .args([script, "0", events.to_str().unwrap()])
        .env("CONSENT_WHPK", whpk)
        .env("CONSENT_WHSEC", whsec)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .expect("the receiver starts")
        .to_string();
    Receiver {
        child,
        url,
        events,
        _dir: dir,
    }
}

impl Receiver {
    /// The events it verified and stored, in order.
    pub fn events(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(&self.events)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}
