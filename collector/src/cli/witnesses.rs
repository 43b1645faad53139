//! The checkpoints and receipts `verify-log` holds the log against.

use std::path::{Path, PathBuf};

use super::run::CliError;
use crate::ledger::keys::PublicKeys;
use crate::ledger::tsa_verify::Authority;
use crate::ledger::witness::{read_checkpoints, read_receipts, Witness};

/// Everything read, and how many of each kind.
pub struct Read {
    /// Every checkpoint and receipt.
    pub all: Vec<Witness>,
    /// Checkpoints among them.
    pub checkpoints: usize,
    /// Receipts among them.
    pub receipts: usize,
}

/// Reads and checks (signatures, and timestamp tokens with `tsa_cert`) every file given.
pub fn read(
    keys: &PublicKeys,
    checkpoints: &[PathBuf],
    receipts: &[PathBuf],
    tsa_cert: Option<&Path>,
) -> Result<Read, CliError> {
    let authority = match tsa_cert {
        None => None,
        Some(path) => {
            let pem = std::fs::read(path)
                .map_err(|e| CliError::Io(format!("cannot read {}: {e}", path.display())))?;
            Some(
                Authority::from_pem(&pem)
                    .map_err(|e| CliError::Io(format!("--tsa-cert {}: {e}", path.display())))?,
            )
        }
    };
    let witness_error = |e: crate::ledger::witness::WitnessError| CliError::Io(e.to_string());
    let mut all = Vec::new();
    for path in checkpoints {
        all.extend(
            read_checkpoints(path, &keys.ed25519(), authority.as_ref()).map_err(witness_error)?,
        );
    }
    let checkpoints = all.len();
    for path in receipts {
        all.extend(read_receipts(path, keys).map_err(witness_error)?);
    }
    let receipts = all.len() - checkpoints;
    Ok(Read {
        all,
        checkpoints,
        receipts,
    })
}
