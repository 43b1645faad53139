//! Publishes signed checkpoints: at `GET /v1/checkpoint` and in an append-only file.
//!
//! Every interval, the log's new entries are folded into the tree frontier;
//! when the log grew (or nothing was published yet) a checkpoint of its size,
//! root, last chain value and time is signed with the active key, stamped
//! by the timestamp authority when one is configured, appended as one JSON
//! line to the checkpoint file (and synced), and served. With an authority
//! configured, a checkpoint it could not stamp is not published: the next
//! interval tries again. Several collectors on one database each publish
//! their own checkpoints of the one shared log.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use consent_proof::base64;
use tokio::io::AsyncWriteExt;
use tokio::sync::Mutex;

use crate::ledger::chain;
use crate::ledger::checkpoint::{Checkpoint, Record};
use crate::ledger::keys::Keyring;
use crate::ledger::merkle::Frontier;
use crate::ledger::tsa::{StampError, TimestampClient};
use crate::store::{Store, StoreError};

/// Chain values read per page when a checkpoint catches up with the log.
const PAGE: i64 = 1000;
/// The pause between two full pages (see [`Publisher::publish`]).
const PAUSE: Duration = Duration::from_millis(10);

/// Why a checkpoint was not published.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The log could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A stored chain value is not 32 bytes of hex.
    #[error("entry {0} has a chain value that is not a sha-256")]
    Chain(i64),
    /// The timestamp authority gave no valid token.
    #[error(transparent)]
    Stamp(#[from] StampError),
    /// The checkpoint file could not be appended to.
    #[error("checkpoint file {path}: {source}")]
    File {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

struct State {
    frontier: Frontier,
    chain: String,
    latest: Option<Record>,
}

/// The checkpoint publisher of one collector.
pub struct Publisher {
    origin: String,
    file: PathBuf,
    tsa: Option<TimestampClient>,
    state: Mutex<State>,
}

impl Publisher {
    /// A publisher signing as `origin`, appending to `file`.
    pub fn new(origin: String, file: PathBuf, tsa: Option<TimestampClient>) -> Self {
        Publisher {
            origin,
            file,
            tsa,
            state: Mutex::new(State {
                frontier: Frontier::new(),
                chain: chain::GENESIS.to_string(),
                latest: None,
            }),
        }
    }

    /// The latest published checkpoint.
    pub async fn latest(&self) -> Option<Record> {
        self.state.lock().await.latest.clone()
    }

    /// Catches up with the log and publishes a checkpoint if it grew; returns it.
    pub async fn publish(
        &self,
        store: &dyn Store,
        keys: &Keyring,
        now: DateTime<Utc>,
    ) -> Result<Option<Record>, PublishError> {
        let mut state = self.state.lock().await;
        let before = state.frontier.size();
        loop {
            let page = store.chain_values(state.frontier.size() as i64, PAGE).await?;
            let full = page.len() as i64 == PAGE;
            for (seq, chain) in page {
                let value = hex::decode(&chain)
                    .ok()
                    .filter(|v| v.len() == 32)
                    .ok_or(PublishError::Chain(seq))?;
                state.frontier.push(&value);
                state.chain = chain;
            }
            if !full {
                break;
            }
            // A minute of sign-ups is tens of thousands of rows, read through
            // the log's table; read at once they took the appends' cores for
            // a third of a second (BENCHMARKS.md, Sustained load). Paced, the
            // read is a trickle beside them.
            tokio::time::sleep(PAUSE).await;
        }
        if state.latest.is_some() && state.frontier.size() == before {
            return Ok(None);
        }
        let checkpoint = Checkpoint {
            origin: self.origin.clone(),
            size: state.frontier.size(),
            root: state.frontier.root(),
            chain: state.chain.clone(),
            time: now,
        };
        let note = keys.sign_note(&checkpoint.text(), &self.origin);
        let timestamp = match &self.tsa {
            Some(tsa) => Some(base64::encode(&tsa.stamp(note.as_bytes()).await?.0)),
            None => None,
        };
        let record = Record {
            checkpoint: note,
            timestamp,
        };
        self.append(&record).await?;
        state.latest = Some(record.clone());
        Ok(Some(record))
    }

    async fn append(&self, record: &Record) -> Result<(), PublishError> {
        let fail = |source| PublishError::File {
            path: self.file.clone(),
            source,
        };
        if let Some(dir) = self.file.parent().filter(|d| !d.as_os_str().is_empty()) {
            tokio::fs::create_dir_all(dir).await.map_err(fail)?;
        }
        let mut line = serde_json::to_string(record).expect("a record serializes");
        line.push('\n');
        let mut file = tokio::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.file)
            .await
            .map_err(fail)?;
        // One write of one line: appends from several processes do not interleave.
        file.write_all(line.as_bytes()).await.map_err(fail)?;
        file.sync_data().await.map_err(fail)
    }

    /// Publishes now and then every `interval`, until the returned task is aborted.
    pub fn spawn(
        self: Arc<Self>,
        store: Arc<dyn Store>,
        keys: Keyring,
        interval: Duration,
    ) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(interval);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                if let Err(e) = self.publish(store.as_ref(), &keys, Utc::now()).await {
                    tracing::warn!(error = %e, "no checkpoint published this time");
                }
            }
        })
    }
}
