//! The command line: `serve`, `keygen`, `export`, `verify-log`, `unsubscribe-link`, `prune`.

mod args; // the commands and their flags
mod run; // what each command does

pub use args::{Cli, Command};
pub use run::{run, CliError};
