//! The commands and their flags.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand};

use crate::audit::export::Format;
use crate::config::Settings;

use super::audit::AuditCommand;
use super::data::DataArgs;

/// consent-collector: verifies, stores, countersigns and hash-chains consent proofs.
#[derive(Debug, Parser)]
#[command(version, about)]
pub struct Cli {
    /// TOML config file; flags and CONSENT_* variables override it.
    #[arg(long, global = true, env = "CONSENT_CONFIG")]
    pub config: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
// `serve` carries every setting, the others a few: parsed once per run, the size does not matter.
#[allow(clippy::large_enum_variant)]
pub enum Command {
    /// Run the HTTP service.
    Serve {
        /// Demo defaults: SQLite in data/, a key made on first start, mail to data/outbox
        /// listed at /outbox, www/ served at / and pkg/ at /pkg/.
        #[arg(long)]
        demo: bool,
        /// Settings.
        #[command(flatten)]
        settings: Settings,
    },
    /// Generate a collector signing key; the newest key signs, older ones stay in the JWKS.
    Keygen {
        /// The collector's data folder: keys go to its keys/ [default: data].
        #[arg(long, env = "CONSENT_DATA_DIR")]
        data_dir: Option<PathBuf>,
    },
    /// Export the current state per subject and purpose.
    Export {
        /// Output format.
        #[arg(long, value_enum, default_value = "jsonl")]
        format: Format,
        /// Only this e-mail address.
        #[arg(long)]
        subject: Option<String>,
        /// Only states that changed at or after this RFC 3339 time.
        #[arg(long)]
        since: Option<DateTime<Utc>>,
        /// Only states that changed before this RFC 3339 time.
        #[arg(long)]
        until: Option<DateTime<Utc>>,
        /// Write here instead of standard output.
        #[arg(long)]
        output: Option<PathBuf>,
        /// For iso27560: the controller's postal address (mandatory in ISO/IEC TS 27560; proofs do not carry it).
        #[arg(long)]
        controller_address: Option<String>,
        /// For iso27560: how long records are kept, as an ISO 8601 duration, e.g. P3Y.
        #[arg(long)]
        retention: Option<String>,
        /// For iso27560: the country the database is in, e.g. FR.
        #[arg(long)]
        storage_location: Option<String>,
        /// Where the log is.
        #[command(flatten)]
        data: DataArgs,
    },
    /// Re-verify every proof signature, receipt and chain link, offline.
    VerifyLog {
        /// Public keys as served at /.well-known/jwks.json [default: the keys in <data-dir>/keys].
        #[arg(long)]
        jwks: Option<PathBuf>,
        /// Checkpoints seen earlier (the collector's checkpoint file, or a note from
        /// /v1/checkpoint); the log must reach and agree with each. Repeatable.
        #[arg(long)]
        checkpoint: Vec<PathBuf>,
        /// Receipts seen earlier, one per line; the log must reach and agree with each. Repeatable.
        #[arg(long)]
        receipt: Vec<PathBuf>,
        /// The timestamp authority's certificate (PEM): every checkpoint must then
        /// carry its RFC 3161 token, and each must verify.
        #[arg(long, env = "CONSENT_TSA_CERT")]
        tsa_cert: Option<PathBuf>,
        /// Where the log is.
        #[command(flatten)]
        data: DataArgs,
    },
    /// Print a new one-click unsubscribe URL for a subscriber, to put in a marketing mail
    /// (in the body and as List-Unsubscribe, with List-Unsubscribe-Post: List-Unsubscribe=One-Click).
    UnsubscribeLink {
        /// The subscriber's e-mail address.
        #[arg(long)]
        subject: String,
        /// The collector's public base URL, as subscribers reach it.
        #[arg(long, env = "CONSENT_PUBLIC_URL")]
        public_url: Option<String>,
        /// Where the log is.
        #[command(flatten)]
        data: DataArgs,
    },
    /// Hand-offs to the merchant's tools (docs/connectors.md).
    Connectors {
        /// What to do.
        #[command(subcommand)]
        action: ConnectorsAction,
    },
    /// Erase subjects inactive for longer than a duration, keeping a chained record of it.
    Prune {
        /// Inactivity after which a subject is erased, e.g. 3y (CNIL: at most 3 years for prospects).
        #[arg(long)]
        inactive: String,
        /// Where the log is.
        #[command(flatten)]
        data: DataArgs,
    },
    /// The DPO's commands.
    #[command(flatten)]
    Audit(AuditCommand),
    /// The forms registry: register form versions, read them, read and approve held proofs.
    Forms {
        /// What to do.
        #[command(subcommand)]
        command: super::forms::FormsCommand,
    },
}

/// `connectors` subcommands.
#[derive(Debug, Subcommand)]
pub enum ConnectorsAction {
    /// Per connector: delivered, waiting, given-up and superseded hand-offs, and the last error.
    Status {
        /// Settings (only --database is used).
        #[command(flatten)]
        settings: Settings,
    },
    /// Re-queue the given-up hand-offs (those a newer delivered change overtook become superseded).
    Retry {
        /// Only this connector's (e.g. shopify, webhook-crm).
        #[arg(long)]
        connector: Option<String>,
        /// Settings (only --database is used).
        #[command(flatten)]
        settings: Settings,
    },
}
