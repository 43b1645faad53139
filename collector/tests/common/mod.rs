//! Shared test support: signed proofs, real databases, a running collector, the SMTP maildir.
#![allow(dead_code, missing_docs)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use consent_collector::config::Settings;
use consent_collector::http::{self, Running};
use consent_collector::ledger::keys::Keyring;
use consent_collector::store::{self, SqlStore, Store};
use consent_proof::sign::SigningKey;
use consent_proof::Proof;
use serde_json::json;
use sqlx::Connection;

/// A browser key, as the widget would hold in IndexedDB.
pub fn browser_key() -> SigningKey {
    let mut seed = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut seed);
    SigningKey::ed25519_from_seed(&seed)
}

/// Signs a record exactly as the widget does.
pub fn sign(key: &SigningKey, proof: &Proof) -> String {
    consent_proof::sign::sign(proof, key)
}

pub const ORIGIN: &str = "https://boutique.example";

/// A fresh lowercase UUID-shaped record id.
pub fn record_id() -> String {
    let (_, hash) = consent_collector::crypto::tokens::new_token();
    format!(
        "{}-{}-{}-{}-{}",
        &hash[..8],
        &hash[8..12],
        &hash[12..16],
        &hash[16..20],
        &hash[20..32]
    )
}

/// The shared fixture record (PROOF-EXAMPLE.md's shape) for `email`, in `locale`, issued now.
pub fn consent(email: &str, locale: &str) -> Proof {
    consent_at(email, locale, Utc::now())
}

pub fn consent_at(email: &str, locale: &str, issued: DateTime<Utc>) -> Proof {
    let mut proof = consent_proof::fixture::proof();
    proof.id = record_id();
    proof.subject.email = email.to_string();
    proof.locale = locale.to_string();
    proof.issued_at = consent_collector::store::timestamp(issued);
    proof
}

/// A withdrawal of every purpose granted in `consent`, signed later by the same browser.
pub fn withdrawal(consent: &Proof, consent_jws: &str) -> Proof {
    let mut proof = consent.clone();
    proof.id = record_id();
    proof.kind = consent_proof::Kind::Withdrawal;
    proof.issued_at = consent_collector::store::timestamp(Utc::now());
    proof
        .purposes
        .retain(|p| p.choice == consent_proof::Choice::Granted);
    for purpose in &mut proof.purposes {
        purpose.choice = consent_proof::Choice::Withdrawn;
    }
    // As the widget writes it: its mechanism, and the form's double opt-in setting as is.
    proof.mechanism = "withdrawal-box-ticked".into();
    proof.prev = Some(consent_collector::crypto::hash::sha256_hex(consent_jws));
    proof
}

pub mod appends;
pub mod widget;

/// Registers the fixture record's form (as `forms approve` would from its
/// proofs, in French and English) in the database at `url`, so that the
/// fixture's proofs count; a test of unknown forms uses another form.
pub async fn register_fixture_form(url: &str) {
    let fr = consent_proof::fixture::proof();
    let en = Proof {
        locale: "en".into(),
        ..fr.clone()
    };
    register_form_of(url, &[fr, en]).await;
}

/// Registers the form version `proofs` were made on, as `forms approve`
/// derives it from them, in the database at `url`.
pub async fn register_form_of(url: &str, proofs: &[Proof]) {
    use consent_collector::registry::{derive, sql};
    let version = derive::from_held(proofs).unwrap();
    let store = store::open(url).await.unwrap();
    let mut conn = store.sql_pool().acquire().await.unwrap();
    sql::insert(
        &mut conn,
        &version,
        &consent_collector::store::timestamp(Utc::now()),
    )
    .await
    .unwrap();
}

/// Generates one `#[tokio::test]` per backend for each async fn taking a [`Db`].
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite { $( #[tokio::test] async fn $name() { super::$name(super::Db::Sqlite).await } )* }
        mod postgres { $( #[tokio::test] async fn $name() { super::$name(super::Db::Postgres).await } )* }
    };
}

/// As [`on_both_backends`], on a multi-threaded runtime: for tests that
/// run a blocking command (the CLI) while an in-process collector serves,
/// which a blocked single-threaded runtime would freeze mid-transaction.
#[macro_export]
macro_rules! on_both_backends_threaded {
    ($($name:ident),* $(,)?) => {
        mod sqlite { $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { super::$name(super::Db::Sqlite).await } )* }
        mod postgres { $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { super::$name(super::Db::Postgres).await } )* }
    };
}

/// The backends every storage test runs against.
#[derive(Clone, Copy, Debug)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// A fresh, empty database of that backend: a SQLite file or a new PostgreSQL database.
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub async fn new(db: Db) -> TestDb {
        let db = TestDb::empty(db).await;
        register_fixture_form(&db.url).await;
        db
    }

    /// A fresh database with no form registered.
    pub async fn empty(db: Db) -> TestDb {
        match db {
            Db::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}", dir.path().join("collector.db").display());
                TestDb {
                    url,
                    _dir: Some(dir),
                }
            }
            Db::Postgres => {
                let admin = std::env::var("CONSENT_TEST_POSTGRES")
                    .expect("CONSENT_TEST_POSTGRES is not set: run scripts/test-collector, which starts PostgreSQL");
                let name = format!(
                    "t_{}",
                    &consent_collector::crypto::tokens::new_token().1[..16]
                );
                let mut conn = sqlx::PgConnection::connect(&admin)
                    .await
                    .expect("connect to the test postgresql");
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .await
                    .unwrap();
                let base = admin.rsplit_once('/').unwrap().0;
                TestDb {
                    url: format!("{base}/{name}"),
                    _dir: None,
                }
            }
        }
    }

    pub async fn open(&self) -> SqlStore {
        SqlStore::open(&self.url).await.unwrap()
    }

    pub async fn store(&self) -> Arc<dyn Store> {
        store::open(&self.url).await.unwrap()
    }
}

/// A collector key ring in a temporary folder.
pub struct TestKeys {
    pub dir: tempfile::TempDir,
    pub ring: Keyring,
}

pub fn keys() -> TestKeys {
    let dir = tempfile::tempdir().unwrap();
    Keyring::generate(&dir.path().join("keys"), Utc::now()).unwrap();
    let ring = Keyring::load(&dir.path().join("keys")).unwrap();
    TestKeys { dir, ring }
}

/// Settings for a collector on port 0 with its data in `data_dir`.
/// The shop's sending address in the tests.
pub const MAIL_FROM: &str = "Boutique Exemple <newsletter@boutique.example>";

pub fn settings(db: &TestDb, data_dir: &Path) -> Settings {
    Settings {
        listen: Some("127.0.0.1:0".into()),
        database: Some(db.url.clone()),
        data_dir: Some(data_dir.to_path_buf()),
        allowed_origins: Some(vec![ORIGIN.into()]),
        smtp_url: std::env::var("CONSENT_TEST_SMTP").ok(),
        mail_from: Some(MAIL_FROM.into()),
        outbox: Some(std::env::var("CONSENT_TEST_SMTP").is_err()),
        ..Settings::default()
    }
}

/// Starts a collector, with a fresh key if its data folder has none (as `keygen` would make).
pub async fn start(settings: Settings) -> Running {
    let config = settings.resolve(false).unwrap();
    if Keyring::load(&config.key_dir()).is_err() {
        Keyring::generate(&config.key_dir(), Utc::now()).unwrap();
    }
    http::start(config).await.unwrap()
}

/// Posts a proof as the widget does.
pub async fn post_proof(url: &str, jws: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{url}/v1/proofs"))
        .header("origin", ORIGIN)
        .json(&json!({ "proof": jws }))
        .send()
        .await
        .unwrap()
}

/// The SMTP server's maildir, where aiosmtpd's Mailbox handler stores messages.
pub fn maildir() -> PathBuf {
    PathBuf::from(
        std::env::var("CONSENT_TEST_MAILDIR")
            .expect("CONSENT_TEST_MAILDIR is not set: run scripts/test-collector"),
    )
}

/// Waits (up to 20 s) for the message to `to` in the maildir and returns it, unfolded.
pub async fn wait_for_mail(to: &str) -> String {
    wait_for_mail_in(&maildir(), to, 200).await
}

/// Waits (up to `tries` × 100 ms) for the message to `to` in `maildir` and returns it, unfolded.
pub async fn wait_for_mail_in(maildir: &Path, to: &str, tries: usize) -> String {
    for _ in 0..tries {
        for sub in ["new", "cur"] {
            let Ok(entries) = std::fs::read_dir(maildir.join(sub)) else {
                continue;
            };
            for entry in entries.flatten() {
                let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
                if text
                    .lines()
                    .any(|l| l.eq_ignore_ascii_case(&format!("To: {to}")))
                {
                    return quoted_printable_decode(&text.replace("\r\n", "\n"));
                }
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("no mail to {to} arrived at the smtp server");
}

/// The first link in `mail` that starts with `prefix`.
pub fn link(mail: &str, prefix: &str) -> String {
    let start = mail
        .find(prefix)
        .unwrap_or_else(|| panic!("no {prefix} link in:\n{mail}"));
    mail[start..]
        .split(|c: char| c.is_whitespace() || c == '>')
        .next()
        .unwrap()
        .to_string()
}

/// The value of the first header `name` (case-insensitive) of a raw message.
pub fn header<'a>(mail: &'a str, name: &str) -> Option<&'a str> {
    mail.lines()
        .take_while(|l| !l.trim_end().is_empty())
        .find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim())
        })
}

/// Asserts what every confirmation mail needs to be valid MIME and not
/// penalised: `MIME-Version` and a `Message-ID` in the sender's domain.
pub fn assert_mime_with_message_id(mail: &str, domain: &str) {
    assert_eq!(header(mail, "MIME-Version"), Some("1.0"), "{mail}");
    let id = header(mail, "Message-ID").unwrap_or_else(|| panic!("no Message-ID in:\n{mail}"));
    assert!(
        id.starts_with('<') && id.ends_with(&format!("@{domain}>")),
        "{id}"
    );
}

/// Opens a mailed link as a browser or a mail scanner does (GET): the page
/// must offer a button that posts back, and is returned with its status.
pub async fn open_link(url: &str) -> (reqwest::StatusCode, String) {
    let response = reqwest::get(url).await.unwrap();
    let status = response.status();
    assert_link_page_headers(&response);
    let html = response.text().await.unwrap();
    (status, html)
}

/// Presses the page's button: the form posts, empty, to the link itself.
pub async fn press(url: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("")
        .send()
        .await
        .unwrap()
}

/// Follows a mailed link as a person does: opens it (a button, nothing done
/// yet), then presses the button; the answer to the press.
pub async fn follow_link(url: &str) -> reqwest::Response {
    let (status, html) = open_link(url).await;
    assert_eq!(status, reqwest::StatusCode::OK, "{html}");
    assert!(
        html.contains("<form method=\"post\"><button type=\"submit\">"),
        "{html}"
    );
    let pressed = press(url).await;
    assert_link_page_headers(&pressed);
    pressed
}

/// The headers every link page carries: nothing loads or frames it, and the
/// token in its URL goes nowhere.
pub fn assert_link_page_headers(response: &reqwest::Response) {
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let csp = header("content-security-policy");
    for part in [
        "default-src 'none'",
        "style-src 'sha256-",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(part), "{csp}");
    }
    assert!(!csp.contains("unsafe"), "{csp}");
    assert_eq!(header("referrer-policy"), "no-referrer");
    assert_eq!(header("cache-control"), "no-store");
}

/// Counts the rows of a table, to check that nothing was stored.
pub async fn count(store: &SqlStore, table: &str) -> i64 {
    use sqlx::Row;
    sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}"))
        .fetch_one(store.pool())
        .await
        .unwrap()
        .try_get("n")
        .unwrap()
}

/// Decodes the quoted-printable body of a message; the headers stay as they are.
pub fn quoted_printable_decode(text: &str) -> String {
    let (headers, body) = text.split_once("\n\n").unwrap_or((text, ""));
    let joined = body.replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'=', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    format!("{headers}\n\n{}", String::from_utf8_lossy(&out))
}

/// Waits (up to 20 s) for the outbox to hold a message to `to`.
pub async fn wait_for_outbox(dir: &Path, to: &str) -> consent_collector::mail::OutboxItem {
    for _ in 0..200 {
        let items = consent_collector::mail::outbox_items(dir).unwrap_or_default();
        if let Some(item) = items.into_iter().find(|i| i.to == to) {
            return item;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("no outbox mail to {to}");
}

/// A free local port, for a server started later.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// An aiosmtpd server of the test's own, storing mail in its own maildir,
/// stopped (by its pid) when dropped; the tests start it late, or stop it,
/// to see the collector wait for it.
pub struct Smtpd {
    child: std::process::Child,
    pub port: u16,
    pub maildir: tempfile::TempDir,
}

/// A handler that answers as real servers sometimes do: recipients named
/// `rejected-…` get a permanent 550, those named `later-…` a 451 at their
/// first two attempts, those named `locked-…` a 530 (authentication
/// required) at their first four; everyone else's mail is stored in the maildir.
const PICKY_HANDLER: &str = r#"
import os
from aiosmtpd.handlers import Mailbox

class Picky(Mailbox):
    tries = {}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with open(os.path.join(os.path.dirname(self.mail_dir), "rcpt.log"), "a") as log:
            log.write(address + "\n")
        local = address.split("@")[0]
        if local.startswith("rejected-"):
            return "550 5.1.1 no such mailbox"
        if local.startswith("later-"):
            Picky.tries[address] = Picky.tries.get(address, 0) + 1
            if Picky.tries[address] <= 2:
                return "451 4.3.0 try again later"
        if local.startswith("locked-"):
            Picky.tries[address] = Picky.tries.get(address, 0) + 1
            if Picky.tries[address] <= 4:
                return "530 5.7.0 authentication required"
        envelope.rcpt_tos.append(address)
        return "250 OK"
"#;

impl Smtpd {
    /// Starts the server on `port` and waits until it accepts connections.
    pub async fn start(port: u16) -> Smtpd {
        let python = std::env::var("CONSENT_TEST_PYTHON").expect(
            "CONSENT_TEST_PYTHON is not set: run scripts/test-collector, which provides aiosmtpd",
        );
        let maildir = tempfile::tempdir().unwrap();
        std::fs::write(maildir.path().join("picky.py"), PICKY_HANDLER).unwrap();
        let child = std::process::Command::new(python)
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .args(["-c", "picky.Picky"])
            .arg(maildir.path().join("mail"))
            .env("PYTHONPATH", maildir.path())
            .stdout(std::process::Stdio::null())
            .stderr(if std::env::var_os("CONSENT_TEST_SERVER_LOG").is_some() { std::process::Stdio::inherit() } else { std::process::Stdio::null() })
            .spawn()
            .unwrap();
        let smtpd = Smtpd {
            child,
            port,
            maildir,
        };
        for _ in 0..300 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return smtpd;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("the test smtp server did not start on port {port}");
    }

    /// Where it stores mail.
    pub fn mail(&self) -> PathBuf {
        self.maildir.path().join("mail")
    }

    /// How many times a mail to `to` was offered (each RCPT command).
    pub fn offers(&self, to: &str) -> usize {
        std::fs::read_to_string(self.maildir.path().join("rcpt.log"))
            .unwrap_or_default()
            .lines()
            .filter(|l| *l == to)
            .count()
    }
}

impl Drop for Smtpd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Polls `check` every 100 ms until it gives a value; panics after 60 s, saying `what`.
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    for _ in 0..600 {
        if let Some(value) = check().await {
            return value;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("gave up waiting: {what}");
}

/// A `serve` process, killed (by its own pid) when dropped.
pub struct Served {
    pub child: std::process::Child,
    pub url: String,
}

impl Served {
    /// Starts `command` (a `serve` with its settings) and returns once it
    /// listens, with the URL its first line gives.
    pub fn start(mut command: std::process::Command) -> Served {
        use std::io::BufRead;
        let mut child = command
            .stdout(std::process::Stdio::piped())
            .stderr(if std::env::var_os("CONSENT_TEST_SERVER_LOG").is_some() { std::process::Stdio::inherit() } else { std::process::Stdio::null() })
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_string();
        Served { child, url }
    }

    /// Sends SIGTERM, as a service manager would, and waits for the exit.
    pub fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        assert!(std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success());
        self.child.wait().unwrap()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
