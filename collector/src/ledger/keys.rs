//! The collector's Ed25519 keys: generation, the key ring, JWKS and receipt signatures.
//!
//! Receipts and other documents are signed and checked through
//! `consent_proof::document`, canonicalised by `consent_proof::jcs`: the
//! same code that makes and checks the browser's proofs.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use consent_proof::{base64url, document, Jwk};
use ed25519_dalek::{SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::ledger::receipt::Receipt;

/// The `typ` of every receipt.
pub const RECEIPT_TYP: &str = "consent-receipt+jws";

/// RFC 7638 thumbprint of an Ed25519 public key: the `kid` of that key.
fn thumbprint(key: &VerifyingKey) -> String {
    consent_proof::verify::thumbprint(&Jwk::ed25519(key.as_bytes()))
}

/// Why keys could not be loaded, generated or used.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// No key file in the key directory.
    #[error("no collector key in {0}: run `consent-collector keygen` first")]
    NoKey(PathBuf),
    /// A key file could not be read or written.
    #[error("key file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A key file is not a collector key.
    #[error("key file {0} is not a valid collector key")]
    Invalid(PathBuf),
    /// A JWKS document could not be read.
    #[error("invalid jwks: {0}")]
    Jwks(String),
}

/// How a key is kept on disk (one JSON file per key, readable by the owner only).
#[derive(Serialize, Deserialize)]
struct KeyFile {
    kid: String,
    created: DateTime<Utc>,
    /// The 32-byte Ed25519 seed, base64url.
    d: String,
}

/// One collector key.
#[derive(Clone)]
pub struct CollectorKey {
    /// RFC 7638 thumbprint.
    pub kid: String,
    /// When it was generated; the newest key signs.
    pub created: DateTime<Utc>,
    signing: SigningKey,
}

/// Every key the collector has had; the newest signs, all verify.
#[derive(Clone)]
pub struct Keyring {
    keys: Vec<CollectorKey>,
}

impl Keyring {
    /// Generates a key into `dir` (created if missing) and returns its `kid`.
    pub fn generate(dir: &Path, now: DateTime<Utc>) -> Result<String, KeyError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| KeyError::Io { path, source }
        };
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let signing = SigningKey::generate(&mut rand::rngs::OsRng);
        let kid = thumbprint(&signing.verifying_key());
        let file = KeyFile {
            kid: kid.clone(),
            created: now,
            d: base64url::encode(&signing.to_bytes()),
        };
        // The timestamp prefix keeps `ls` in rotation order.
        let path = dir.join(format!("{}-{kid}.json", now.format("%Y%m%dT%H%M%S%.3fZ")));
        write_private(
            &path,
            &serde_json::to_vec_pretty(&file).expect("key serializes"),
        )
        .map_err(io(&path))?;
        Ok(kid)
    }

    /// Loads every key in `dir`.
    pub fn load(dir: &Path) -> Result<Self, KeyError> {
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(KeyError::NoKey(dir.into()))
            }
            Err(source) => {
                return Err(KeyError::Io {
                    path: dir.into(),
                    source,
                })
            }
        };
        let mut keys = Vec::new();
        for entry in entries {
            let path = entry
                .map_err(|source| KeyError::Io {
                    path: dir.into(),
                    source,
                })?
                .path();
            if path.extension().and_then(|e| e.to_str()) != Some("json") {
                continue;
            }
            let bytes = std::fs::read(&path).map_err(|source| KeyError::Io {
                path: path.clone(),
                source,
            })?;
            let file: KeyFile =
                serde_json::from_slice(&bytes).map_err(|_| KeyError::Invalid(path.clone()))?;
            let seed: [u8; 32] = base64url::decode(&file.d)
                .and_then(|d| d.try_into().ok())
                .ok_or_else(|| KeyError::Invalid(path.clone()))?;
            let signing = SigningKey::from_bytes(&seed);
            if thumbprint(&signing.verifying_key()) != file.kid {
                return Err(KeyError::Invalid(path));
            }
            keys.push(CollectorKey {
                kid: file.kid,
                created: file.created,
                signing,
            });
        }
        if keys.is_empty() {
            return Err(KeyError::NoKey(dir.into()));
        }
        keys.sort_by_key(|k| k.created);
        Ok(Keyring { keys })
    }

    /// The active key itself, which also signs the `v1a` webhooks.
    pub fn active_signing_key(&self) -> &SigningKey {
        &self.active().signing
    }

    /// The key that signs new receipts: the newest.
    pub fn active(&self) -> &CollectorKey {
        self.keys.last().expect("a key ring is never empty")
    }

    /// Signs a receipt with the active key.
    pub fn sign_receipt(&self, receipt: &Receipt) -> String {
        self.sign_document(RECEIPT_TYP, receipt)
    }

    /// Signs a JSON document (RFC 8785) with the active key, as a compact JWS
    /// of type `typ`: header `{"alg":"EdDSA","kid":…,"typ":…}`.
    pub fn sign_document<P: serde::Serialize>(&self, typ: &str, payload: &P) -> String {
        let key = self.active();
        let payload =
            consent_proof::jcs::to_string(payload).expect("a collector document serializes");
        // A copy of the key for the proof crate's signer: 32 bytes and a point.
        let signer = consent_proof::sign::SigningKey::Ed25519(key.signing.clone());
        document::sign(&signer, &key.kid, typ, &payload)
    }

    /// Signs a note (c2sp.org/signed-note) as `name` with the active key.
    pub fn sign_note(&self, text: &str, name: &str) -> String {
        super::note::sign(text, name, &self.active().signing)
    }

    /// The public half of every key, as served at `/.well-known/jwks.json`.
    pub fn jwks(&self) -> serde_json::Value {
        let keys: Vec<_> = self
            .keys
            .iter()
            .map(|k| {
                json!({
                    "kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig",
                    "kid": k.kid, "x": base64url::encode(k.signing.verifying_key().as_bytes()),
                })
            })
            .collect();
        json!({ "keys": keys })
    }

    /// The public keys alone, for checking.
    pub fn public(&self) -> PublicKeys {
        PublicKeys {
            keys: self
                .keys
                .iter()
                .map(|k| (k.kid.clone(), k.signing.verifying_key()))
                .collect(),
        }
    }
}

/// Collector public keys by `kid`: all `verify-log` needs.
#[derive(Clone)]
pub struct PublicKeys {
    keys: Vec<(String, VerifyingKey)>,
}

impl PublicKeys {
    /// Reads a JWKS document such as `/.well-known/jwks.json` serves.
    pub fn from_jwks(json: &[u8]) -> Result<Self, KeyError> {
        let doc: serde_json::Value =
            serde_json::from_slice(json).map_err(|e| KeyError::Jwks(e.to_string()))?;
        let list = doc["keys"]
            .as_array()
            .ok_or_else(|| KeyError::Jwks("no \"keys\" array".into()))?;
        let mut keys = Vec::new();
        for jwk in list {
            let (Some(kid), Some(x)) = (jwk["kid"].as_str(), jwk["x"].as_str()) else {
                return Err(KeyError::Jwks("a key lacks kid or x".into()));
            };
            let key = base64url::decode(x)
                .and_then(|x| <[u8; 32]>::try_from(x).ok())
                .and_then(|x| VerifyingKey::from_bytes(&x).ok())
                .ok_or_else(|| KeyError::Jwks(format!("key {kid} is not an ed25519 key")))?;
            if thumbprint(&key) != kid {
                return Err(KeyError::Jwks(format!(
                    "kid {kid} is not the thumbprint of its key"
                )));
            }
            keys.push((kid.to_string(), key));
        }
        Ok(PublicKeys { keys })
    }

    /// Checks a compact JWS signed by a collector key: its header and payload bytes.
    pub fn verify_document(&self, jws_text: &str) -> Option<document::Opened> {
        document::open(jws_text, |kid| {
            let (_, key) = self.keys.iter().find(|(k, _)| Some(k.as_str()) == kid)?;
            Some(Jwk::ed25519(key.as_bytes()))
        })
        .ok()
    }

    /// Every key, for notes: a checkpoint may be signed by any of them.
    pub fn ed25519(&self) -> Vec<VerifyingKey> {
        self.keys.iter().map(|(_, k)| *k).collect()
    }

    /// Checks a receipt JWS and returns its claims; `None` if it does not verify.
    pub fn verify_receipt(&self, receipt: &str) -> Option<Receipt> {
        let opened = self.verify_document(receipt)?;
        if opened.header.typ.as_deref() != Some(RECEIPT_TYP) {
            return None;
        }
        serde_json::from_slice(&opened.payload).ok()
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::receipt::{EntryKind, RECEIPT_SCHEMA};

    fn receipt() -> Receipt {
        Receipt {
            schema: RECEIPT_SCHEMA.into(),
            entry: EntryKind::Proof,
            proof: "ab".repeat(32),
            seq: 1,
            prev_chain: crate::ledger::chain::GENESIS.into(),
            chain: "cd".repeat(32),
            received_at: "2026-11-29T10:15:02.913Z".into(),
        }
    }

    #[test]
    fn rotation_keeps_old_receipts_verifiable() {
        let dir = tempfile::tempdir().unwrap();
        let t0 = "2026-01-01T00:00:00Z".parse().unwrap();
        let first = Keyring::generate(dir.path(), t0).unwrap();
        let old = Keyring::load(dir.path()).unwrap().sign_receipt(&receipt());
        let second =
            Keyring::generate(dir.path(), "2026-06-01T00:00:00Z".parse().unwrap()).unwrap();
        let ring = Keyring::load(dir.path()).unwrap();
        assert_eq!(ring.active().kid, second);
        assert_ne!(first, second);
        let public = PublicKeys::from_jwks(ring.jwks().to_string().as_bytes()).unwrap();
        assert_eq!(public.verify_receipt(&old), Some(receipt()));
        assert_eq!(
            public.verify_receipt(&ring.sign_receipt(&receipt())),
            Some(receipt())
        );
        // The same claims signed as another kind of document are no receipt.
        let manifest = ring.sign_document("consent-audit-manifest+jws", &receipt());
        assert!(public.verify_document(&manifest).is_some());
        assert_eq!(public.verify_receipt(&manifest), None);
        // One flipped payload byte and the signature fails.
        let mut forged = old.clone().into_bytes();
        let i = forged.iter().position(|&b| b == b'.').unwrap() + 5;
        forged[i] = if forged[i] == b'A' { b'B' } else { b'A' };
        assert_eq!(
            public.verify_receipt(std::str::from_utf8(&forged).unwrap()),
            None
        );
    }

    #[test]
    fn missing_key_dir_says_to_run_keygen() {
        let dir = tempfile::tempdir().unwrap();
        let err = Keyring::load(&dir.path().join("keys")).err().unwrap();
        assert!(err.to_string().contains("keygen"), "{err}");
    }
}
