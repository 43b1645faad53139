//! Signed checkpoints of the log, in the c2sp.org/tlog-checkpoint format.
//!
//! The note text is the origin, the log size, the base64 RFC 6962 root over
//! the entries' chain values ([`super::merkle`]), then two extension lines:
//! `chain <hex>`, the chain value of the last entry (what its receipt
//! says), and `time <RFC 3339>`, when the checkpoint was made. It is signed
//! as a note under the origin with the collector's key. Each checkpoint is
//! one JSON line of the append-only checkpoint file, with its RFC 3161 token
//! when a timestamp authority is configured.

use chrono::{DateTime, SecondsFormat, Utc};
use consent_proof::base64;
use ed25519_dalek::VerifyingKey;
use serde::{Deserialize, Serialize};

use super::merkle::Hash;
use super::note::{self, NoteError};

/// One tree head of the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's name, also the note's key name.
    pub origin: String,
    /// Entries covered: seq 1 to `size`.
    pub size: u64,
    /// RFC 6962 root over the chain values of those entries.
    pub root: Hash,
    /// Chain value of entry `size` (the genesis value when empty), lowercase hex.
    pub chain: String,
    /// When the collector made it.
    pub time: DateTime<Utc>,
}

/// Why a checkpoint was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CheckpointError {
    /// The signed note does not open.
    #[error(transparent)]
    Note(#[from] NoteError),
    /// The note text is not a checkpoint of this format.
    #[error("not a consent-log checkpoint: {0}")]
    Format(&'static str),
}

impl Checkpoint {
    /// The note text.
    pub fn text(&self) -> String {
        format!(
            "{}\n{}\n{}\nchain {}\ntime {}\n",
            self.origin,
            self.size,
            base64::encode(&self.root),
            self.chain,
            self.time.to_rfc3339_opts(SecondsFormat::Millis, true)
        )
    }

    /// Parses a note text written by [`Checkpoint::text`], strictly.
    pub fn parse(text: &str) -> Result<Self, CheckpointError> {
        let bad = CheckpointError::Format;
        let lines: Vec<&str> = text
            .strip_suffix('\n')
            .ok_or(bad("the text must end in a newline"))?
            .split('\n')
            .collect();
        let [origin, size, root, chain, time] = lines[..] else {
            return Err(bad("expected origin, size, root, chain and time lines"));
        };
        if !note::valid_name(origin) {
            return Err(bad("the origin is not a key name"));
        }
        if size.is_empty() || (size.len() > 1 && size.starts_with('0')) {
            return Err(bad("the size is not a decimal without leading zeroes"));
        }
        let size = size.parse().map_err(|_| bad("the size is not a decimal"))?;
        let root: Hash = base64::decode(root)
            .and_then(|r| r.try_into().ok())
            .ok_or(bad("the root is not 32 bytes of base64"))?;
        let chain = chain
            .strip_prefix("chain ")
            .filter(|c| {
                c.len() == 64
                    && c.bytes()
                        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            })
            .ok_or(bad("the chain line is not `chain <64 lowercase hex>`"))?;
        let time = time
            .strip_prefix("time ")
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .ok_or(bad("the time line is not `time <rfc 3339>`"))?
            .with_timezone(&Utc);
        let checkpoint = Checkpoint {
            origin: origin.to_string(),
            size,
            root,
            chain: chain.to_string(),
            time,
        };
        // One text per checkpoint: a re-encoding must give the signed bytes back.
        if checkpoint.text() != text {
            return Err(bad("not in canonical form"));
        }
        Ok(checkpoint)
    }

    /// Signs the text as a note under the origin.
    pub fn sign(&self, key: &ed25519_dalek::SigningKey) -> String {
        note::sign(&self.text(), &self.origin, key)
    }

    /// Opens a signed checkpoint with the collector's public keys.
    pub fn open(signed: &str, keys: &[VerifyingKey]) -> Result<Self, CheckpointError> {
        // The origin names the key; the signature then vouches for it.
        let origin = signed.split('\n').next().unwrap_or_default();
        let text = note::open(signed, origin, keys)?;
        Checkpoint::parse(text)
    }
}

/// One line of the checkpoint file, and the `GET /v1/checkpoint` answer in JSON.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Record {
    /// The signed note.
    pub checkpoint: String,
    /// The RFC 3161 token over the whole signed note, DER in base64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
}

impl Record {
    /// The token's DER, if any.
    pub fn token(&self) -> Option<Result<Vec<u8>, CheckpointError>> {
        self.timestamp.as_ref().map(|t| {
            base64::decode(t).ok_or(CheckpointError::Format("the timestamp is not base64"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::SigningKey;

    fn sample() -> Checkpoint {
        Checkpoint {
            origin: "shop.example/consent-log".into(),
            size: 17,
            root: [7; 32],
            chain: "ab".repeat(32),
            time: "2026-12-02T06:30:00.123Z".parse().unwrap(),
        }
    }

    #[test]
    fn a_checkpoint_reads_back_from_its_signed_note() {
        let key = SigningKey::from_bytes(&[3; 32]);
        let signed = sample().sign(&key);
        assert!(signed.starts_with("shop.example/consent-log\n17\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\nchain abab"));
        assert_eq!(
            Checkpoint::open(&signed, &[key.verifying_key()]),
            Ok(sample())
        );
        let other = SigningKey::from_bytes(&[4; 32]).verifying_key();
        assert!(matches!(
            Checkpoint::open(&signed, &[other]),
            Err(CheckpointError::Note(NoteError::Unsigned(_)))
        ));
    }

    #[test]
    fn only_the_canonical_text_parses() {
        let text = sample().text();
        assert!(Checkpoint::parse(&text).is_ok());
        for bad in [
            text.replace("\n17\n", "\n017\n"),
            text.replace("\n17\n", "\n-1\n"),
            text.replace("chain ab", "chain AB"),
            text.replace(".123Z", "+00:00"),
            text.replace("time ", "when "),
            text.trim_end().to_string(),
            format!("{text}extra\n"),
        ] {
            assert!(Checkpoint::parse(&bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_record_is_one_json_line() {
        let record = Record {
            checkpoint: sample().text(),
            timestamp: Some(base64::encode(&[1, 2, 3])),
        };
        let line = serde_json::to_string(&record).unwrap();
        assert!(!line.contains('\n'));
        let back: Record = serde_json::from_str(&line).unwrap();
        assert_eq!(back.token(), Some(Ok(vec![1, 2, 3])));
    }
}
