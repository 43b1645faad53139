//! What each command does.

use std::process::ExitCode;

use chrono::Utc;

use super::args::{Cli, Command, ConnectorsAction};
use crate::audit::export::{self, Filter};
use super::data::{self, OpenError};
use crate::audit::verify_log::{verify_log_against, VerifyLogError};
use crate::config::{ConfigError, Settings};
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
    /// There is no log where the command looked.
    #[error(transparent)]
    Open(#[from] OpenError),
    /// An audit bundle does not verify.
    #[error("bundle broken: {0}")]
    Bundle(crate::audit::verify_bundle::BundleFault),
    /// ISO/IEC TS 27560 export without the facts the log lacks.
    #[error(transparent)]
    Facts(#[from] crate::audit::iso27560::FactsError),
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
        Command::Keygen { data_dir } => {
            let settings = Settings { data_dir, ..Settings::default() }.over_file(file)?;
            let dir = settings.data_dir().join("keys");
            let kid = Keyring::generate(&dir, Utc::now())?;
            println!("{kid}");
        }
        Command::Export {
            format,
            subject,
            since,
            until,
            output,
            controller_address,
            retention,
            storage_location,
            data,
        } => {
            let store = data::open_existing(&data.settings(file)?).await?;
            if format == export::Format::Iso27560 {
                let facts = crate::audit::iso27560::RecordFacts::from_options(
                    controller_address,
                    retention,
                    storage_location,
                )?;
                let events = crate::audit::timeline::all_events(store.as_ref()).await?;
                let records = crate::audit::iso27560::records(&events, &facts);
                super::audit::write_lines(output.as_deref(), &records)?;
                return Ok(ExitCode::SUCCESS);
            }
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
            tsa_cert,
            data,
        } => {
            let settings = data.settings(file)?;
            let tsa_cert = tsa_cert.or(settings.tsa_cert.clone());
            // The log first: a wrong folder is named as such, not as a missing key.
            let store = data::open_existing(&settings).await?;
            let keys = match jwks {
                Some(path) => {
                    let bytes = std::fs::read(&path).map_err(|e| {
                        CliError::Io(format!("cannot read {}: {e}", path.display()))
                    })?;
                    PublicKeys::from_jwks(&bytes)?
                }
                None => Keyring::load(&settings.data_dir().join("keys"))
                    .map_err(|e| CliError::Io(format!("{e}; verify-log needs only the public keys: give them with --jwks FILE (the document /.well-known/jwks.json serves)")))?
                    .public(),
            };
            let witnesses =
                super::witnesses::read(&keys, &checkpoint, &receipt, tsa_cert.as_deref())?;
            let stamped = tsa_cert.is_some();
            match verify_log_against(store.as_ref(), &keys, witnesses.all).await {
                Ok(report) => {
                    println!(
                        "ok: {} entries, {} proof signatures re-verified, {} erased by prune or erasure request",
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
        Command::UnsubscribeLink { subject, public_url, data } => {
            let mut settings = data.settings(file)?;
            settings.public_url = public_url.or(settings.public_url);
            let public_url = settings.public_url.clone().ok_or(ConfigError::Missing("no public url: set --public-url to the collector's address as subscribers reach it"))?;
            let store = data::open_existing(&settings).await?;
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
        Command::Connectors { action } => {
            let (ConnectorsAction::Status { settings } | ConnectorsAction::Retry { settings, .. }) =
                &action;
            let settings = settings.clone().over_file(file)?;
            // The store migrates; the queue then reads its table.
            crate::store::open(&settings.database()).await?;
            let queue = crate::connectors::queue::Queue::connect(&settings.database())
                .await
                .map_err(crate::store::StoreError::from)?;
            match action {
                ConnectorsAction::Status { .. } => {
                    let all = queue
                        .status()
                        .await
                        .map_err(crate::store::StoreError::from)?;
                    if all.is_empty() {
                        announce("no hand-offs yet");
                    }
                    for s in all {
                        announce(&s.line());
                    }
                }
                ConnectorsAction::Retry { connector, .. } => {
                    let (requeued, superseded) = queue
                        .retry_given_up(connector.as_deref(), Utc::now())
                        .await
                        .map_err(crate::store::StoreError::from)?;
                    announce(&format!(
                        "re-queued {requeued} given-up hand-off(s); {superseded} overtaken by a newer delivered change marked superseded"
                    ));
                }
            }
        }
        Command::Prune { inactive, data } => {
            let settings = data.settings(file)?;
            let inactive = crate::config::duration("--inactive", Some(&inactive), "3y")?;
            let cutoff = Utc::now()
                - chrono::Duration::from_std(inactive)
                    .map_err(|_| CliError::Io("--inactive is too large".into()))?;
            let store = data::open_existing(&settings).await?;
            let keys = Keyring::load(&settings.data_dir().join("keys"))?;
            // Each erasure reaches the merchant's tools through `serve`.
            let handoff_to = settings.connectors.clone().unwrap_or_default().names();
            match store.prune(cutoff, &keys, Utc::now(), &handoff_to).await? {
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
        Command::Audit(command) => super::audit::run(command, file).await?,
    }
    Ok(ExitCode::SUCCESS)
}
