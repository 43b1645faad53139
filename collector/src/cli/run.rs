//! What each command does.

use std::process::ExitCode;

use chrono::Utc;

use super::args::{Cli, Command};
use crate::audit::export::{self, Filter};
use crate::audit::verify_log::{verify_log_against, VerifyLogError};
use crate::config::ConfigError;
use crate::ledger::keys::{Keyring, PublicKeys};

/// Why a command failed; printed as `error: ...`.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Bad configuration.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The service could not start.
    #[error(transparent)]
    Start(#[from] crate::http::StartError),
    /// Keys missing or unreadable.
    #[error(transparent)]
    Keys(#[from] crate::ledger::keys::KeyError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// A file could not be read or written.
    #[error("{0}")]
    Io(String),
    /// No link could be made.
    #[error(transparent)]
    Link(#[from] crate::flows::unsubscribe_link::LinkError),
    /// The log is broken.
    #[error("log broken at {0}")]
    Broken(crate::audit::verify_log::Broken),
}

/// Prints a line to stdout, ignoring a closed or broken stdout.
fn announce(line: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}").and_then(|()| out.flush());
}

/// Runs the parsed command.
pub async fn run(cli: Cli) -> Result<ExitCode, CliError> {
    let file = cli.config.as_deref();
    match cli.command {
        Command::Serve { demo, settings } => {
            let config = settings.over_file(file)?.resolve(demo)?;
            let outbox = matches!(config.mail, crate::config::MailConfig::Outbox { .. });
            let running = crate::http::start(config).await?;
            let url = running.url.clone();
            // Signals are handled from here on, before readiness is announced.
            let stopped = running.wait();
            // Tests and scripts read this first line to learn the port. A
            // reader that has gone away must not bring the server down, so
            // write errors (a closed pipe) are ignored.
            announce(&format!("listening on {url}"));
            if outbox {
                announce(&format!("mail goes to the outbox: {url}/outbox"));
            }
            stopped
                .await
                .map_err(|e| CliError::Io(format!("server: {e}")))?;
        }
        Command::Keygen { settings } => {
            let dir = settings.over_file(file)?.data_dir().join("keys");
            let kid = Keyring::generate(&dir, Utc::now())?;
            println!("{kid}");
        }
        Command::Export {
            format,
            subject,
            since,
            until,
            output,
            settings,
        } => {
            let store = crate::store::open(&settings.over_file(file)?.database()).await?;
            let rows = export::current_states(
                store.as_ref(),
                &Filter {
                    subject,
                    since,
                    until,
                },
            )
            .await?;
            let io = |e: std::io::Error| CliError::Io(format!("export: {e}"));
            match output {
                Some(path) => {
                    export::write(&rows, format, &mut std::fs::File::create(path).map_err(io)?)
                        .map_err(io)?
                }
                None => export::write(&rows, format, &mut std::io::stdout().lock()).map_err(io)?,
            }
        }
        Command::VerifyLog {
            jwks,
            checkpoint,
            receipt,
            settings,
        } => {
            let settings = settings.over_file(file)?;
            let tsa_cert = settings.tsa_cert.clone();
            let keys = match jwks {
                Some(path) => {
                    let bytes = std::fs::read(&path).map_err(|e| {
                        CliError::Io(format!("cannot read {}: {e}", path.display()))
                    })?;
                    PublicKeys::from_jwks(&bytes)?
                }
                None => Keyring::load(&settings.data_dir().join("keys"))?.public(),
            };
            let witnesses =
                super::witnesses::read(&keys, &checkpoint, &receipt, tsa_cert.as_deref())?;
            let stamped = tsa_cert.is_some();
            let store = crate::store::open(&settings.database()).await?;
            match verify_log_against(store.as_ref(), &keys, witnesses.all).await {
                Ok(report) => {
                    println!(
                        "ok: {} entries, {} proof signatures re-verified, {} erased by prune",
                        report.entries, report.proofs, report.erased
                    );
                    if report.witnesses > 0 {
                        println!(
                            "agrees with {} checkpoints{} and {} receipts seen earlier",
                            witnesses.checkpoints,
                            if stamped {
                                " (their timestamps verified)"
                            } else {
                                ""
                            },
                            witnesses.receipts
                        );
                    }
                }
                Err(VerifyLogError::Broken(broken)) => return Err(CliError::Broken(broken)),
                Err(VerifyLogError::Store(e)) => return Err(e.into()),
            }
        }
        Command::UnsubscribeLink { subject, settings } => {
            let settings = settings.over_file(file)?;
            let public_url = settings.public_url.clone().ok_or(ConfigError::Missing("no public url: set --public-url to the collector's address as subscribers reach it"))?;
            let store = crate::store::open(&settings.database()).await?;
            println!(
                "{}",
                crate::flows::unsubscribe_link::unsubscribe_link(
                    store.as_ref(),
                    &subject,
                    &public_url
                )
                .await?
            );
        }
        Command::Forms { command } => super::forms::run(command, file).await?,
        Command::Prune { inactive, settings } => {
            let settings = settings.over_file(file)?;
            let inactive = crate::config::duration("--inactive", Some(&inactive), "3y")?;
            let cutoff = Utc::now()
                - chrono::Duration::from_std(inactive)
                    .map_err(|_| CliError::Io("--inactive is too large".into()))?;
            let keys = Keyring::load(&settings.data_dir().join("keys"))?;
            let store = crate::store::open(&settings.database()).await?;
            match store.prune(cutoff, &keys, Utc::now()).await? {
                Some(entry) => println!(
                    "pruned: {} (recorded at seq {})",
                    entry.body.unwrap_or_default(),
                    entry.seq
                ),
                None => println!(
                    "nothing to prune: no subject inactive since {}",
                    crate::store::timestamp(cutoff)
                ),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
