//! The commands and their flags.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand};

use crate::audit::export::Format;
use crate::config::Settings;

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
        /// Settings (only --data-dir is used).
        #[command(flatten)]
        settings: Settings,
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
        /// Settings (only --database and --data-dir are used).
        #[command(flatten)]
        settings: Settings,
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
        /// Settings (--database and --data-dir; with --tsa-cert, the timestamp
        /// authority's certificate, every checkpoint must carry its RFC 3161 token
        /// and each must verify).
        #[command(flatten)]
        settings: Settings,
    },
    /// Print a new one-click unsubscribe URL for a subscriber, to put in a marketing mail
    /// (in the body and as List-Unsubscribe, with List-Unsubscribe-Post: List-Unsubscribe=One-Click).
    UnsubscribeLink {
        /// The subscriber's e-mail address.
        #[arg(long)]
        subject: String,
        /// Settings (--database, --data-dir and --public-url are used).
        #[command(flatten)]
        settings: Settings,
    },
    /// Erase subjects inactive for longer than a duration, keeping a chained record of it.
    Prune {
        /// Inactivity after which a subject is erased, e.g. 3y (CNIL: at most 3 years for prospects).
        #[arg(long)]
        inactive: String,
        /// Settings (only --database and --data-dir are used).
        #[command(flatten)]
        settings: Settings,
    },
    /// The forms registry: register form versions, read them, read and approve held proofs.
    Forms {
        /// What to do.
        #[command(subcommand)]
        command: super::forms::FormsCommand,
    },
}
