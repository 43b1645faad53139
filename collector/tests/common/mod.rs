//! Shared test support: signed proofs, real databases, a running collector, the SMTP maildir.
#![allow(dead_code, missing_docs)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use consent_collector::config::Settings;
use consent_collector::http::{self, Running};
use consent_collector::jws::{b64, thumbprint};
use consent_collector::keys::Keyring;
use consent_collector::store::{self, SqlStore, Store};
use ed25519_dalek::{Signer, SigningKey};
use serde_json::{json, Value};
use sqlx::Connection;

/// A browser key, as the widget would hold in IndexedDB.
pub fn browser_key() -> SigningKey {
    SigningKey::generate(&mut rand::rngs::OsRng)
}

/// Signs a payload the way the widget does: EdDSA, jwk in the header, kid = thumbprint, JCS payload.
pub fn sign(key: &SigningKey, payload: &Value) -> String {
    let public = key.verifying_key();
    let header = json!({
        "alg": "EdDSA", "typ": "consent-proof+jws", "kid": thumbprint(&public),
        "jwk": { "kty": "OKP", "crv": "Ed25519", "x": b64(public.as_bytes()) },
    });
    let input = format!(
        "{}.{}",
        b64(serde_json_canonicalizer::to_vec(&header).unwrap()),
        b64(serde_json_canonicalizer::to_vec(payload).unwrap())
    );
    let signature = key.sign(input.as_bytes());
    format!("{input}.{}", b64(signature.to_bytes()))
}

pub const ORIGIN: &str = "https://boutique.example";

/// A consent payload shaped like PROOF-EXAMPLE.md, issued now.
pub fn consent(email: &str, locale: &str) -> Value {
    consent_at(email, locale, Utc::now())
}

/// A fresh lowercase record id.
pub fn record_id() -> String {
    let (_, hash) = consent_collector::tokens::new_token();
    format!("{}-{}-{}-{}-{}", &hash[..8], &hash[8..12], &hash[12..16], &hash[16..20], &hash[20..32])
}

pub fn consent_at(email: &str, locale: &str, issued: DateTime<Utc>) -> Value {
    let shown = json!({
        "legend": "Restons en contact",
        "purpose.newsletter": "J'accepte de recevoir la lettre d'information par e-mail.",
        "purpose.sms": "J'accepte de recevoir des offres par SMS.",
        "privacy.link": "Politique de confidentialité",
    });
    let texts_sha = consent_collector::hash::sha256_hex(serde_json_canonicalizer::to_vec(&shown).unwrap());
    json!({
        "schema": "consent-proof/1",
        "id": record_id(),
        "kind": "consent",
        "issuedAt": consent_collector::store::timestamp(issued),
        "site": { "origin": ORIGIN, "page": format!("{ORIGIN}/produits/tasse") },
        "controller": { "name": "Boutique Exemple SAS", "contact": "dpo@boutique.example" },
        "jurisdiction": "FR",
        "regime": "b2c",
        "subject": { "email": email },
        "locale": locale,
        "privacyPolicy": { "url": format!("{ORIGIN}/confidentialite"), "version": "2026-01" },
        "form": { "id": "footer-signup", "version": "3", "widget": "consent-widget 0.1.0+test" },
        "texts": { "sha256": texts_sha, "shown": shown },
        "purposes": [
            { "id": "newsletter", "channel": "email", "basis": "consent", "choice": "granted", "textSha256": "00".repeat(32) },
            { "id": "partners", "channel": "email", "basis": "consent", "choice": "refused", "textSha256": "01".repeat(32) },
            { "id": "sms", "channel": "sms", "basis": "consent", "choice": "granted", "textSha256": "02".repeat(32) },
        ],
        "mechanism": "unchecked-box-ticked",
        "doubleOptIn": "requested",
        "prev": null,
    })
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
        match db {
            Db::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}", dir.path().join("collector.db").display());
                TestDb { url, _dir: Some(dir) }
            }
            Db::Postgres => {
                let admin = std::env::var("CONSENT_TEST_POSTGRES")
                    .expect("CONSENT_TEST_POSTGRES is not set: run scripts/test-collector, which starts PostgreSQL");
                let name = format!("t_{}", &consent_collector::tokens::new_token().1[..16]);
                let mut conn = sqlx::PgConnection::connect(&admin).await.expect("connect to the test postgresql");
                sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.unwrap();
                let base = admin.rsplit_once('/').unwrap().0;
                TestDb { url: format!("{base}/{name}"), _dir: None }
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
pub fn settings(db: &TestDb, data_dir: &Path) -> Settings {
    Settings {
        listen: Some("127.0.0.1:0".into()),
        database: Some(db.url.clone()),
        data_dir: Some(data_dir.to_path_buf()),
        allowed_origins: Some(vec![ORIGIN.into()]),
        smtp_url: std::env::var("CONSENT_TEST_SMTP").ok(),
        outbox: Some(std::env::var("CONSENT_TEST_SMTP").is_err()),
        ..Settings::default()
    }
}

/// Starts a collector.
pub async fn start(settings: Settings) -> Running {
    http::start(settings.resolve(false).unwrap()).await.unwrap()
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
    PathBuf::from(std::env::var("CONSENT_TEST_MAILDIR").expect("CONSENT_TEST_MAILDIR is not set: run scripts/test-collector"))
}

/// Waits (up to 20 s) for the message to `to` in the maildir and returns it, unfolded.
pub async fn wait_for_mail(to: &str) -> String {
    for _ in 0..200 {
        for sub in ["new", "cur"] {
            let Ok(entries) = std::fs::read_dir(maildir().join(sub)) else { continue };
            for entry in entries.flatten() {
                let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
                if text.lines().any(|l| l.eq_ignore_ascii_case(&format!("To: {to}"))) {
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
    let start = mail.find(prefix).unwrap_or_else(|| panic!("no {prefix} link in:\n{mail}"));
    mail[start..].split(|c: char| c.is_whitespace() || c == '>').next().unwrap().to_string()
}

/// Counts the rows of a table, to check that nothing was stored.
pub async fn count(store: &SqlStore, table: &str) -> i64 {
    use sqlx::Row;
    sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}")).fetch_one(store.pool()).await.unwrap().try_get("n").unwrap()
}

/// Decodes a quoted-printable message (the whole text: headers pass through unchanged).
pub fn quoted_printable_decode(text: &str) -> String {
    let joined = text.replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok()).and_then(|h| u8::from_str_radix(h, 16).ok());
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
    String::from_utf8_lossy(&out).into_owned()
}
