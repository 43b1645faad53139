//! The DPO's commands: `history`, `audit-bundle`, `verify-bundle`, `access`, `erase`.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use clap::{ArgGroup, Subcommand, ValueEnum};

use crate::audit::{access, bundle, erase, history, timeline, verify_bundle};
use crate::ledger::keys::Keyring;

use super::data::{open_existing, DataArgs};
use super::CliError;

/// The DPO's subcommands, flattened into the main command list.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Every entry of one person, in order: consents, refusals, confirmations,
    /// withdrawals, with the texts shown, the form, the page and the receipts.
    History {
        /// The person's e-mail address.
        #[arg(long)]
        subject: String,
        /// JSON instead of text.
        #[arg(long)]
        json: bool,
        /// Where the log is.
        #[command(flatten)]
        data: DataArgs,
    },
    /// Write a self-contained audit bundle (proofs as received, receipts, texts,
    /// public keys, signed manifest, README) that anyone can verify without the collector.
    #[command(group(ArgGroup::new("scope").required(true).multiple(true).args(["subject", "since", "until", "all"])))]
    AuditBundle {
        /// Every entry of this e-mail address.
        #[arg(long, conflicts_with_all = ["since", "until", "all"])]
        subject: Option<String>,
        /// Every entry received at or after this RFC 3339 time.
        #[arg(long)]
        since: Option<DateTime<Utc>>,
        /// Every entry received before this RFC 3339 time.
        #[arg(long)]
        until: Option<DateTime<Utc>>,
        /// The whole log.
        #[arg(long, conflicts_with_all = ["since", "until"])]
        all: bool,
        /// The folder to write (new, or empty).
        #[arg(long)]
        output: PathBuf,
        /// Where the log is.
        #[command(flatten)]
        data: DataArgs,
    },
    /// Check an audit bundle offline; exits 1 naming the entry at fault.
    VerifyBundle {
        /// The bundle's folder.
        dir: PathBuf,
        /// The collector's JWKS fetched separately (/.well-known/jwks.json) [default: the bundle's jwks.json].
        #[arg(long)]
        jwks: Option<PathBuf>,
    },
    /// What the collector holds on one person (GDPR art. 15), as JSON or as a page in their language.
    Access {
        /// The person's e-mail address.
        #[arg(long)]
        subject: String,
        /// Output format.
        #[arg(long, value_enum, default_value = "json")]
        format: AccessFormat,
        /// Write here instead of standard output.
        #[arg(long)]
        output: Option<PathBuf>,
        /// Where the log is.
        #[command(flatten)]
        data: DataArgs,
    },
    /// Erase one person's data on request (GDPR art. 17), keeping a chained
    /// erasure entry that says who asked, when and why, without personal data.
    Erase {
        /// The person's e-mail address.
        #[arg(long)]
        subject: String,
        /// Why, without personal data, e.g. "art. 17 request, ticket 2026-114".
        #[arg(long)]
        reason: String,
        /// Who asked, without personal data, e.g. "the data subject".
        #[arg(long, default_value = "the data subject")]
        requested_by: String,
        /// Where the log is.
        #[command(flatten)]
        data: DataArgs,
    },
}

/// `access` output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AccessFormat {
    /// Machine-readable.
    Json,
    /// A page in the person's language.
    Html,
}

/// Runs one of the DPO's commands.
pub async fn run(command: AuditCommand, file: Option<&Path>) -> Result<(), CliError> {
    match command {
        AuditCommand::History {
            subject,
            json,
            data,
        } => {
            let store = open_existing(&data.settings(file)?).await?;
            let events = timeline::subject_events(store.as_ref(), &subject).await?;
            let handoffs = history::handoffs(store.as_ref(), &subject).await?;
            let key = timeline::subject_key(&subject);
            let text = if json {
                format!("{:#}\n", history::to_json(&key, &events, &handoffs))
            } else {
                history::to_text(&key, &events, &handoffs)
            };
            write_out(None, text.as_bytes())?;
        }
        AuditCommand::AuditBundle {
            subject,
            since,
            until,
            all,
            output,
            data,
        } => {
            let settings = data.settings(file)?;
            let store = open_existing(&settings).await?;
            let keys = Keyring::load(&settings.data_dir().join("keys"))?;
            let scope = match (subject, all) {
                (Some(s), _) => bundle::Scope::Subject(s),
                (None, true) => bundle::Scope::All,
                (None, false) => bundle::Scope::range(since, until),
            };
            // The latest checkpoint the collector published, if any: the
            // bundle's chain must agree with it.
            let checkpoint = latest_checkpoint(&settings.checkpoint_path())?;
            let written =
                bundle::write_bundle(store.as_ref(), &keys, scope, checkpoint, &output, Utc::now())
                    .await
                    .map_err(|e| CliError::Io(e.to_string()))?;
            println!(
                "wrote {}: {} entries, chain to seq {}; check it with: consent-collector verify-bundle {}",
                written.dir.display(),
                written.manifest.entries.len(),
                written.manifest.head_seq,
                written.dir.display()
            );
        }
        AuditCommand::VerifyBundle { dir, jwks } => {
            let jwks =
                match jwks {
                    Some(path) => Some(std::fs::read(&path).map_err(|e| {
                        CliError::Io(format!("cannot read {}: {e}", path.display()))
                    })?),
                    None => None,
                };
            match verify_bundle::verify_bundle(&dir, jwks.as_deref()) {
                Ok(c) => println!(
                    "ok: {} entries, {} proof signatures re-verified, {} receipts chained to head seq {}{}",
                    c.entries,
                    c.proofs,
                    c.chain,
                    c.head_seq,
                    match c.checkpoint {
                        Some((size, true)) => format!("; the checkpoint of size {size} agrees with the chain"),
                        Some((size, false)) => format!("; the checkpoint of size {size} is signed (its seq precedes the bundled chain)"),
                        None => String::new(),
                    }
                ),
                Err(fault) => return Err(CliError::Bundle(fault)),
            }
        }
        AuditCommand::Access {
            subject,
            format,
            output,
            data,
        } => {
            let store = open_existing(&data.settings(file)?).await?;
            let events = timeline::subject_events(store.as_ref(), &subject).await?;
            let key = timeline::subject_key(&subject);
            let filter = crate::audit::export::Filter {
                subject: Some(key.clone()),
                ..Default::default()
            };
            let states = crate::audit::export::current_states(store.as_ref(), &filter).await?;
            let out = match format {
                AccessFormat::Json => format!("{:#}\n", access::to_json(&key, &states, &events)),
                AccessFormat::Html => {
                    access::to_html(&key, &states, &events, access::lang_of(&events))
                }
            };
            write_out(output.as_deref(), out.as_bytes())?;
        }
        AuditCommand::Erase {
            subject,
            reason,
            requested_by,
            data,
        } => {
            let request = erase::ErasureRequest {
                subject,
                requested_by,
                reason,
            };
            let key = request
                .validate()
                .map_err(|e| CliError::Io(e.to_string()))?;
            let settings = data.settings(file)?;
            let store = open_existing(&settings).await?;
            let keys = Keyring::load(&settings.data_dir().join("keys"))?;
            let now = Utc::now();
            let record = |seqs: Vec<i64>| erase::erasure_entry(&request, &seqs, now);
            // The merchant's tools hear of it, as of a prune.
            let handoff_to = settings.connectors.clone().unwrap_or_default().names();
            match store.erase_subject(&key, &record, &keys, now, &handoff_to).await? {
                Some(entry) => println!("{}", erase::summary(&entry)),
                None => {
                    return Err(CliError::Io(format!(
                        "no entry holds {key}: nothing erased, nothing recorded"
                    )))
                }
            }
        }
    }
    Ok(())
}

/// Writes one JSON document per line, to a file or standard output.
pub fn write_lines(path: Option<&Path>, values: &[serde_json::Value]) -> Result<(), CliError> {
    let mut text = String::new();
    for value in values {
        text.push_str(&value.to_string());
        text.push('\n');
    }
    write_out(path, text.as_bytes())
}

/// Writes to a file, or to standard output (a closed pipe is not an error).
fn write_out(path: Option<&Path>, bytes: &[u8]) -> Result<(), CliError> {
    match path {
        Some(path) => std::fs::write(path, bytes)
            .map_err(|e| CliError::Io(format!("cannot write {}: {e}", path.display()))),
        None => {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(bytes).and_then(|()| out.flush());
            Ok(())
        }
    }
}

/// The signed note of the last checkpoint in the checkpoint file; `None`
/// when the collector has published none (no file, or an empty one).
fn latest_checkpoint(path: &std::path::Path) -> Result<Option<String>, CliError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(CliError::Io(format!("cannot read {}: {e}", path.display()))),
    };
    let Some(line) = text.lines().rev().find(|l| !l.trim().is_empty()) else {
        return Ok(None);
    };
    let record: crate::ledger::checkpoint::Record = serde_json::from_str(line)
        .map_err(|e| CliError::Io(format!("{}: its last line is not a checkpoint record: {e}", path.display())))?;
    Ok(Some(record.checkpoint))
}
