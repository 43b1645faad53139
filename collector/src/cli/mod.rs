//! The command line: `serve`, `keygen`, `export`, `verify-log`, `unsubscribe-link`, `prune`, `forms`.

mod args; // the commands and their flags
mod forms; // the forms registry's commands
mod run; // what each command does
mod witnesses; // the checkpoints and receipts verify-log is given

pub use args::{Cli, Command};
pub use run::{run, CliError};
