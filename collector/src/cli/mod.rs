//! The command line: `serve`, `keygen`, `export`, `verify-log`, `unsubscribe-link`, `prune`,
//! `forms`, and the DPO's `history`, `audit-bundle`, `verify-bundle`, `access`, `erase`.

mod args; // the commands and their flags
mod audit; // the DPO's commands
mod data; // where a command finds the log, opened without creating anything
mod forms; // the forms registry's commands
mod run; // what each command does
mod witnesses; // the checkpoints and receipts verify-log is given

pub use args::{Cli, Command};
pub use audit::{AccessFormat, AuditCommand};
pub use data::{DataArgs, OpenError};
pub use run::{run, CliError};
