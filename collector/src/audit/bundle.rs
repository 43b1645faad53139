//! `audit-bundle`: one self-contained folder an auditor can verify without the
//! collector, with any JOSE library and any RFC 8785 canonicalizer.
//!
//! Layout (the README written into it says how to check each part):
//! - `entries/<seq>/proof.jws`: a proof exactly as the browser signed and sent it;
//!   `entries/<seq>/event.json`: an entry the collector wrote (canonical JSON);
//!   `entries/<seq>/receipt.jws`: the collector's receipt for that entry;
//! - `texts/<sha256>.json`: the texts each proof says were shown;
//! - `chain/receipts.jsonl`: every receipt from the first bundled entry to the
//!   log's head, so that the chain can be walked to the head (and a checkpoint);
//! - `jwks.json`: the collector's public keys; `checkpoint.txt`: the latest
//!   signed checkpoint, when the collector has one;
//! - `manifest.jws`: the SHA-256 of every file above, signed by the collector
//!   (and `manifest.json`, its payload, for reading).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::crypto::hash::sha256_hex;
use crate::ledger::keys::Keyring;
use crate::ledger::receipt::EntryKind;
use crate::proof::stored as stored_proof;
use crate::store::{Pages, Store, StoreError, StoredEntry};

use super::timeline::subject_key;

/// Schema name of a bundle manifest.
pub const MANIFEST_SCHEMA: &str = "consent-audit-bundle/1";
/// `typ` of the signed manifest.
pub const MANIFEST_TYP: &str = "consent-audit-bundle+jws";

/// Which entries go into a bundle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Scope {
    /// Every entry of one subject.
    Subject(String),
    /// Every entry received in `[since, until)`.
    Range {
        /// Start, inclusive.
        since: Option<String>,
        /// End, exclusive.
        until: Option<String>,
    },
    /// The whole log.
    All,
}

impl Scope {
    /// A range from optional times.
    pub fn range(since: Option<DateTime<Utc>>, until: Option<DateTime<Utc>>) -> Scope {
        Scope::Range {
            since: since.map(crate::store::timestamp),
            until: until.map(crate::store::timestamp),
        }
    }

    fn takes(&self, entry: &StoredEntry) -> bool {
        match self {
            Scope::Subject(s) => entry.subject.as_deref() == Some(s.as_str()),
            Scope::Range { since, until } => {
                since.as_ref().map_or(true, |t| entry.received_at >= *t)
                    && until.as_ref().map_or(true, |t| entry.received_at < *t)
            }
            Scope::All => true,
        }
    }
}

/// One bundled entry, as the manifest lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ManifestEntry {
    /// Position in the log.
    pub seq: i64,
    /// Entry kind (`proof`, `confirmation`, `withdrawal`, `prune`).
    pub kind: String,
    /// Proof record id, for proofs.
    pub record_id: Option<String>,
    /// Its folder, relative to the bundle.
    pub dir: String,
    /// Whether its content was erased (only the receipt remains).
    pub erased: bool,
}

/// The signed table of contents.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Manifest {
    /// Always [`MANIFEST_SCHEMA`].
    pub schema: String,
    /// When the bundle was written.
    pub created_at: String,
    /// What was asked for.
    pub scope: Scope,
    /// Seq of the log's last entry when the bundle was written (0: empty log).
    pub head_seq: i64,
    /// Chain value of that entry.
    pub head_chain: String,
    /// The bundled entries, in log order.
    pub entries: Vec<ManifestEntry>,
    /// SHA-256 (hex) of every other file, by path relative to the bundle.
    pub files: BTreeMap<String, String>,
}

/// Why a bundle could not be written.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A file could not be written.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The output folder exists and is not empty.
    #[error("{0} exists and is not empty: choose a new folder")]
    NotEmpty(PathBuf),
    /// A stored proof could not be rebuilt (run verify-log).
    #[error("seq {0}: the stored proof cannot be reassembled; run verify-log")]
    Rebuild(i64),
}

/// What was written.
#[derive(Debug)]
pub struct Written {
    /// The manifest.
    pub manifest: Manifest,
    /// Its folder.
    pub dir: PathBuf,
}

/// Writes a bundle of `scope` into `dir` (created; must be new or empty).
pub async fn write_bundle(
    store: &dyn Store,
    keys: &Keyring,
    scope: Scope,
    checkpoint: Option<String>,
    dir: &Path,
    now: DateTime<Utc>,
) -> Result<Written, BundleError> {
    let scope = match scope {
        Scope::Subject(s) => Scope::Subject(subject_key(&s)),
        other => other,
    };
    if std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_some()) {
        return Err(BundleError::NotEmpty(dir.into()));
    }
    let mut out = Out {
        dir: dir.to_path_buf(),
        files: BTreeMap::new(),
    };
    let mut entries = Vec::new();
    let mut chain_lines = String::new();
    let mut head = (0, crate::ledger::chain::GENESIS.to_string());
    let mut pages = Pages::new(store);
    while let Some(page) = pages.next().await? {
        for entry in &page {
            head = (entry.seq, entry.chain.clone());
            if !entries.is_empty() || scope.takes(entry) {
                chain_lines.push_str(&entry.receipt);
                chain_lines.push('\n');
            }
            if scope.takes(entry) {
                entries.push(write_entry(store, &mut out, entry).await?);
            }
        }
    }
    out.file("chain/receipts.jsonl", chain_lines.as_bytes())?;
    let jwks = serde_json::to_vec_pretty(&keys.jwks()).expect("jwks serializes");
    out.file("jwks.json", &jwks)?;
    if let Some(checkpoint) = checkpoint {
        out.file("checkpoint.txt", checkpoint.as_bytes())?;
    }
    out.file("README.md", README.as_bytes())?;
    let manifest = Manifest {
        schema: MANIFEST_SCHEMA.into(),
        created_at: crate::store::timestamp(now),
        scope,
        head_seq: head.0,
        head_chain: head.1,
        entries,
        files: std::mem::take(&mut out.files),
    };
    let jws = keys.sign_document(MANIFEST_TYP, &manifest);
    out.file("manifest.jws", jws.as_bytes())?;
    let readable = consent_proof::jcs::to_string(&manifest).expect("manifest serializes");
    out.file("manifest.json", readable.as_bytes())?;
    Ok(Written {
        manifest,
        dir: dir.into(),
    })
}

async fn write_entry(
    store: &dyn Store,
    out: &mut Out,
    entry: &StoredEntry,
) -> Result<ManifestEntry, BundleError> {
    let dir = format!("entries/{:06}", entry.seq);
    out.file(&format!("{dir}/receipt.jws"), entry.receipt.as_bytes())?;
    let erased = entry.body.is_none();
    if let Some(body) = &entry.body {
        if entry.kind == EntryKind::Proof.as_str() {
            let shown = match &entry.texts_sha256 {
                Some(sha) => store.text(sha).await?.map(|t| (sha.clone(), t)),
                None => None,
            };
            let jws = match (&entry.jws_header, &entry.jws_signature) {
                (Some(h), Some(s)) => {
                    stored_proof::rebuild(h, body, s, shown.as_ref().map(|(_, t)| t.as_str()))
                }
                _ => None,
            }
            .ok_or(BundleError::Rebuild(entry.seq))?;
            out.file(&format!("{dir}/proof.jws"), jws.as_bytes())?;
            if let Some((sha, texts)) = shown {
                out.file(&format!("texts/{sha}.json"), texts.as_bytes())?;
            }
        } else {
            out.file(&format!("{dir}/event.json"), body.as_bytes())?;
        }
    }
    Ok(ManifestEntry {
        seq: entry.seq,
        kind: entry.kind.clone(),
        record_id: entry.record_id.clone(),
        dir,
        erased,
    })
}

/// The bundle folder being written, and the hash of each file in it.
struct Out {
    dir: PathBuf,
    files: BTreeMap<String, String>,
}

impl Out {
    fn file(&mut self, name: &str, bytes: &[u8]) -> Result<(), BundleError> {
        let path = self.dir.join(name);
        let io = |source| BundleError::Io {
            path: path.clone(),
            source,
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        std::fs::write(&path, bytes).map_err(io)?;
        if !name.starts_with("manifest.") {
            self.files.insert(name.into(), sha256_hex(bytes));
        }
        Ok(())
    }
}

/// The README written into every bundle.
pub const README: &str = include_str!("bundle_readme.md");
