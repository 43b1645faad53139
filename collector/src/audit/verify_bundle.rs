//! `verify-bundle`: checks an audit bundle offline, with nothing but its files
//! (and, if given, the collector's JWKS fetched separately).
//!
//! Every check the bundle's README describes, in the same order: the signed
//! manifest, each entry (receipt, content hash, proof signature, texts), the
//! chain from the first bundled entry to the head, and that no file was
//! changed, added or removed. The first failure is returned, naming the entry.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::crypto::hash::sha256_hex;
use crate::ledger::chain;
use crate::ledger::keys::PublicKeys;
use crate::ledger::receipt::{EntryKind, Receipt, RECEIPT_SCHEMA};
use crate::proof::verify as proof_check;

use super::bundle::{Manifest, ManifestEntry, MANIFEST_SCHEMA, MANIFEST_TYP};

/// What a clean bundle holds.
#[derive(Debug, PartialEq, Eq)]
pub struct Checked {
    /// Entries checked.
    pub entries: usize,
    /// Browser signatures re-verified.
    pub proofs: usize,
    /// Receipts walked in the chain, up to the head.
    pub chain: usize,
    /// Seq of the head the chain reaches.
    pub head_seq: i64,
    /// The bundled checkpoint's size, and whether the bundled chain reaches
    /// its seq (then its chain value was compared); `None` without one.
    pub checkpoint: Option<(u64, bool)>,
}

/// Why a bundle does not verify.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BundleFault {
    /// A bundle-wide problem.
    #[error("{0}")]
    Bundle(String),
    /// One entry is at fault.
    #[error("seq {seq}{}: {reason}", record.as_ref().map(|r| format!(" (record {r})")).unwrap_or_default())]
    Entry {
        /// Its seq.
        seq: i64,
        /// Its record id, for proofs.
        record: Option<String>,
        /// What is wrong.
        reason: String,
    },
}

/// Checks the bundle in `dir`; `jwks` overrides the bundle's own `jwks.json`.
pub fn verify_bundle(dir: &Path, jwks: Option<&[u8]>) -> Result<Checked, BundleFault> {
    let bad = |m: String| BundleFault::Bundle(m);
    let read = |name: &str| -> Result<Vec<u8>, BundleFault> {
        std::fs::read(dir.join(name))
            .map_err(|e| bad(format!("cannot read {}: {e}", dir.join(name).display())))
    };
    let own_jwks = read("jwks.json")?;
    let keys =
        PublicKeys::from_jwks(jwks.unwrap_or(&own_jwks)).map_err(|e| bad(format!("jwks: {e}")))?;
    let manifest = manifest(&keys, &read("manifest.jws")?)?;
    if let Ok(copy) = std::fs::read(dir.join("manifest.json")) {
        let payload = consent_proof::jcs::to_string(&manifest).expect("manifest serializes");
        if copy != payload.as_bytes() {
            return Err(bad(
                "manifest.json differs from the signed manifest.jws".into()
            ));
        }
    }
    let mut checked = Checked {
        entries: 0,
        proofs: 0,
        chain: 0,
        head_seq: manifest.head_seq,
        checkpoint: None,
    };
    let mut receipts = BTreeMap::new();
    for entry in &manifest.entries {
        let fault = |reason: String| BundleFault::Entry {
            seq: entry.seq,
            record: entry.record_id.clone(),
            reason,
        };
        let receipt = check_entry(dir, &keys, &manifest, entry).map_err(fault)?;
        if entry.kind == EntryKind::Proof.as_str() && !entry.erased {
            checked.proofs += 1;
        }
        receipts.insert(entry.seq, receipt);
        checked.entries += 1;
    }
    let chain = check_chain(&keys, &manifest, &read("chain/receipts.jsonl")?, &receipts)?;
    checked.chain = chain.len();
    check_files(dir, &manifest)?;
    if manifest.files.contains_key("checkpoint.txt") {
        checked.checkpoint = Some(check_checkpoint(&keys, &manifest, &read("checkpoint.txt")?, &chain)?);
    }
    Ok(checked)
}

/// The manifest, once its signature verifies with a collector key.
fn manifest(keys: &PublicKeys, jws_bytes: &[u8]) -> Result<Manifest, BundleFault> {
    let bad = |m: &str| BundleFault::Bundle(format!("manifest.jws: {m}"));
    let text = std::str::from_utf8(jws_bytes).map_err(|_| bad("not text"))?;
    let opened = keys
        .verify_document(text.trim_end())
        .ok_or_else(|| bad("its signature does not verify with any collector key"))?;
    if opened.header.typ.as_deref() != Some(MANIFEST_TYP) {
        return Err(bad("not an audit bundle manifest (typ)"));
    }
    let manifest: Manifest =
        serde_json::from_slice(&opened.payload).map_err(|e| bad(&format!("unreadable: {e}")))?;
    if manifest.schema != MANIFEST_SCHEMA {
        return Err(bad(&format!("unknown schema {:?}", manifest.schema)));
    }
    Ok(manifest)
}

/// One entry: its receipt, its content against the receipt, its proof signature and texts.
fn check_entry(
    dir: &Path,
    keys: &PublicKeys,
    manifest: &Manifest,
    entry: &ManifestEntry,
) -> Result<Receipt, String> {
    let file = |name: &str| -> Result<Vec<u8>, String> {
        let path = format!("{}/{name}", entry.dir);
        let bytes = std::fs::read(dir.join(&path)).map_err(|e| format!("{path}: {e}"))?;
        // The manifest's hash first: a changed byte is named by its file.
        match manifest.files.get(&path) {
            Some(sha) if *sha == sha256_hex(&bytes) => Ok(bytes),
            Some(_) => Err(format!(
                "{path} differs from the hash the signed manifest lists"
            )),
            None => Err(format!("{path} is not listed in the manifest")),
        }
    };
    let receipt_text =
        String::from_utf8(file("receipt.jws")?).map_err(|_| "receipt.jws is not text")?;
    let receipt = keys
        .verify_receipt(&receipt_text)
        .ok_or("receipt signature does not verify with any collector key")?;
    let kind = EntryKind::parse(&entry.kind).ok_or("unknown entry kind")?;
    if receipt.schema != RECEIPT_SCHEMA || receipt.seq != entry.seq as u64 || receipt.entry != kind
    {
        return Err("the receipt is for another entry".into());
    }
    if chain::link(
        &receipt.prev_chain,
        &receipt.proof,
        receipt.seq,
        &receipt.received_at,
    )
    .as_deref()
        != Some(receipt.chain.as_str())
    {
        return Err(
            "the receipt's chain value is not sha-256(prevChain || proof || seq || receivedAt)"
                .into(),
        );
    }
    if entry.erased {
        return Ok(receipt);
    }
    if kind == EntryKind::Proof {
        let jws_text =
            String::from_utf8(file("proof.jws")?).map_err(|_| "proof.jws is not text")?;
        if sha256_hex(&jws_text) != receipt.proof {
            return Err("proof.jws is not the proof the receipt was signed for (sha-256)".into());
        }
        let proof = proof_check::verify_stored(&jws_text)
            .map_err(|e| format!("proof does not verify: {e}"))?;
        if entry.record_id.as_deref() != Some(proof.record.id.as_str()) {
            return Err("the manifest's record id is not the proof's".into());
        }
        check_texts(dir, manifest, &proof.record.texts.shown)?;
    } else {
        let event = file("event.json")?;
        if sha256_hex(&event) != receipt.proof {
            return Err("event.json is not the entry the receipt was signed for (sha-256)".into());
        }
        let text = std::str::from_utf8(&event).map_err(|_| "event.json is not text")?;
        if consent_proof::jcs::canonicalize_str(text).ok().as_deref() != Some(text) {
            return Err("event.json is not RFC 8785 canonical JSON".into());
        }
    }
    Ok(receipt)
}

/// The separate texts file, when there is one, holds exactly the signed `texts.shown`.
fn check_texts(
    dir: &Path,
    manifest: &Manifest,
    shown: &consent_proof::ShownTexts,
) -> Result<(), String> {
    let shown = serde_json::to_value(shown).map_err(|_| "texts.shown does not serialize")?;
    let canonical = consent_proof::jcs::canonicalize(&shown).ok_or("texts.shown is not JSON")?;
    let path = format!("texts/{}.json", sha256_hex(&canonical));
    if !manifest.files.contains_key(&path) {
        return Err(format!("{path}, the texts this proof signed, is missing"));
    }
    let bytes = std::fs::read(dir.join(&path)).map_err(|e| format!("{path}: {e}"))?;
    if bytes != canonical.as_bytes() {
        return Err(format!("{path} differs from the texts the proof signed"));
    }
    Ok(())
}

/// The chain from the first bundled entry to the head: each receipt verifies,
/// seqs follow each other, each links from the one before, bundled entries'
/// receipts are the chain's, and the last is the manifest's head.
fn check_chain(
    keys: &PublicKeys,
    manifest: &Manifest,
    lines: &[u8],
    bundled: &BTreeMap<i64, Receipt>,
) -> Result<Vec<Receipt>, BundleFault> {
    let text = std::str::from_utf8(lines)
        .map_err(|_| BundleFault::Bundle("chain/receipts.jsonl is not text".into()))?;
    let mut walked: Vec<Receipt> = Vec::new();
    for line in text.lines() {
        let previous = walked.last();
        let seq = previous.map_or_else(
            || bundled.keys().next().copied().unwrap_or(0),
            |p| p.seq as i64 + 1,
        );
        let fault = |reason: &str| BundleFault::Entry {
            seq,
            record: manifest
                .entries
                .iter()
                .find(|e| e.seq == seq)
                .and_then(|e| e.record_id.clone()),
            reason: format!("chain/receipts.jsonl: {reason}"),
        };
        let receipt = keys
            .verify_receipt(line)
            .ok_or_else(|| fault("a receipt does not verify with any collector key"))?;
        if receipt.seq as i64 != seq {
            return Err(fault(&format!("expected seq {seq}, found {}", receipt.seq)));
        }
        if let Some(p) = previous {
            if receipt.prev_chain != p.chain {
                return Err(fault(
                    "prevChain is not the chain value of the entry before",
                ));
            }
        }
        if chain::link(
            &receipt.prev_chain,
            &receipt.proof,
            receipt.seq,
            &receipt.received_at,
        )
        .as_deref()
            != Some(receipt.chain.as_str())
        {
            return Err(fault("chain value does not match its fields"));
        }
        if bundled
            .get(&(receipt.seq as i64))
            .is_some_and(|b| *b != receipt)
        {
            return Err(fault("the entry's receipt differs from the chain's"));
        }
        walked.push(receipt);
    }
    let (last_seq, last_chain) = walked
        .last()
        .map_or((0, chain::GENESIS), |p| (p.seq as i64, p.chain.as_str()));
    if (!walked.is_empty() || !bundled.is_empty())
        && (last_seq != manifest.head_seq || last_chain != manifest.head_chain)
    {
        return Err(BundleFault::Bundle(format!(
            "chain/receipts.jsonl ends at seq {last_seq}, not at the head the manifest signs (seq {})",
            manifest.head_seq
        )));
    }
    Ok(walked)
}

/// The bundled checkpoint: a note signed by a collector key, no larger than
/// the head the manifest signs, and, when the bundled chain reaches its
/// seq, with that receipt's chain value (`chain`: the receipts
/// [`check_chain`] walked). Its size and whether it was compared.
fn check_checkpoint(
    keys: &PublicKeys,
    manifest: &Manifest,
    note: &[u8],
    chain: &[Receipt],
) -> Result<(u64, bool), BundleFault> {
    let bad = |m: String| BundleFault::Bundle(format!("checkpoint.txt: {m}"));
    let text = std::str::from_utf8(note).map_err(|_| bad("not text".into()))?;
    let checkpoint = crate::ledger::checkpoint::Checkpoint::open(text, &keys.ed25519())
        .map_err(|e| bad(format!("not a checkpoint signed by the bundle's keys: {e}")))?;
    if checkpoint.size > manifest.head_seq.max(0) as u64 {
        return Err(bad(format!(
            "its size {} is past the head the manifest signs (seq {})",
            checkpoint.size, manifest.head_seq
        )));
    }
    let at_size = chain.iter().find(|r| r.seq == checkpoint.size);
    match at_size {
        Some(receipt) if receipt.chain != checkpoint.chain => Err(bad(format!(
            "its chain value at size {} differs from the receipt of seq {} (a fork)",
            checkpoint.size, checkpoint.size
        ))),
        Some(_) => Ok((checkpoint.size, true)),
        None => Ok((checkpoint.size, false)),
    }
}

/// Every listed file has its hash; no file is there that the manifest does not list.
fn check_files(dir: &Path, manifest: &Manifest) -> Result<(), BundleFault> {
    for (path, sha) in &manifest.files {
        let bytes = std::fs::read(dir.join(path))
            .map_err(|e| BundleFault::Bundle(format!("{path}: {e}")))?;
        if sha256_hex(&bytes) != *sha {
            return Err(BundleFault::Bundle(format!(
                "{path} differs from the hash the signed manifest lists"
            )));
        }
    }
    for path in
        walk(dir).map_err(|e| BundleFault::Bundle(format!("cannot list the bundle: {e}")))?
    {
        let name = path
            .strip_prefix(dir)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        if !name.starts_with("manifest.") && !manifest.files.contains_key(&name) {
            return Err(BundleFault::Bundle(format!(
                "{name} is not listed in the manifest"
            )));
        }
    }
    Ok(())
}

fn walk(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            files.extend(walk(&path)?);
        } else {
            files.push(path);
        }
    }
    Ok(files)
}
