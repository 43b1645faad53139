//! `forms`: register form versions from the widget's configuration, read
//! them, and read and approve the proofs held for want of one.

use std::path::PathBuf;

use clap::Subcommand;

use super::data::{open_existing, DataArgs};
use super::run::CliError;
use crate::config::Settings;
use crate::flows::release::{self, held_proof, Registered};
use crate::flows::submit::MailTiming;
use crate::ledger::keys::Keyring;
use crate::registry::{derive, sql, FormVersion};
use crate::store::{Store, StoreError};

/// The settings of `forms add` and `forms approve`: the log, and the timing
/// of the confirmation mail that released proofs may send.
#[derive(Clone, Debug, clap::Args)]
pub struct WriteArgs {
    #[command(flatten)]
    data: DataArgs,
    /// How long a confirm link works [default: 48h].
    #[arg(long, env = "CONSENT_TOKEN_TTL")]
    token_ttl: Option<String>,
    /// First retry delay of a confirmation mail that could not be sent [default: 30s].
    #[arg(long, env = "CONSENT_MAIL_RETRY")]
    mail_retry: Option<String>,
}

impl WriteArgs {
    /// These flags over the config file's settings.
    fn over_file(&self, file: Option<&std::path::Path>) -> Result<Settings, crate::config::ConfigError> {
        let mut settings = self.data.settings(file)?;
        settings.token_ttl = self.token_ttl.clone().or(settings.token_ttl);
        settings.mail_retry = self.mail_retry.clone().or(settings.mail_retry);
        Ok(settings)
    }
}

/// The `forms` subcommands.
#[derive(Debug, Subcommand)]
pub enum FormsCommand {
    /// Register a form version from the widget configuration it is given (JSON); held proofs it matches then count.
    Add {
        /// The widget configuration: the JSON given to `mount` or in the script tag.
        #[arg(value_name = "CONFIG.json")]
        widget_config: PathBuf,
        /// A page origin the form runs on (scheme://host[:port]); repeat for more.
        #[arg(long = "origin", required = true)]
        origins: Vec<String>,
        /// Where the log is, and the mail timing of the confirmations it releases.
        #[command(flatten)]
        settings: WriteArgs,
    },
    /// List the registered form versions.
    List {
        /// Where the log is.
        #[command(flatten)]
        settings: DataArgs,
    },
    /// Show everything a registered version fixes, texts per locale included (JSON).
    Show {
        /// Form id.
        form_id: String,
        /// Form version.
        version: String,
        /// Where the log is.
        #[command(flatten)]
        settings: DataArgs,
    },
    /// List the proofs held for want of a registered version, with what they claim and every text they showed.
    Held {
        /// Where the log is.
        #[command(flatten)]
        settings: DataArgs,
    },
    /// Register a form version from its held proofs, once read (`forms held`); they then count.
    Approve {
        /// Form id.
        form_id: String,
        /// Form version.
        version: String,
        /// Where the log is, and the mail timing of the confirmations it releases.
        #[command(flatten)]
        settings: WriteArgs,
    },
}

fn store_err(e: sqlx::Error) -> CliError {
    CliError::Store(StoreError::from(e))
}

/// Runs a `forms` subcommand.
pub async fn run(command: FormsCommand, file: Option<&std::path::Path>) -> Result<(), CliError> {
    match command {
        FormsCommand::Add {
            widget_config: config,
            origins,
            settings,
        } => {
            let settings = settings.over_file(file)?;
            let json = std::fs::read_to_string(&config)
                .map_err(|e| CliError::Io(format!("cannot read {}: {e}", config.display())))?;
            let version =
                derive::from_config(&json, &origins).map_err(|e| CliError::Io(e.to_string()))?;
            register(&settings, &version).await?;
        }
        FormsCommand::List { settings } => {
            let store = open_existing(&settings.settings(file)?).await?;
            for listed in sql::versions(store.sql_pool()).await.map_err(store_err)? {
                let v = &listed.version;
                let locales: Vec<&str> = v.locales.iter().map(|l| l.locale.as_str()).collect();
                println!(
                    "{} {} sha256={} registered {} locales {} double-opt-in {} origins {}",
                    v.form_id,
                    v.version,
                    listed.sha256,
                    listed.registered_at,
                    locales.join(","),
                    if v.double_opt_in { "yes" } else { "NO" },
                    v.origins.join(","),
                );
            }
        }
        FormsCommand::Show { form_id, version, settings } => {
            let store = open_existing(&settings.settings(file)?).await?;
            let found = sql::version(store.sql_pool(), &form_id, &version).await.map_err(store_err)?;
            let found = found.ok_or_else(|| CliError::Io(format!("form {form_id} version {version} is not registered")))?;
            println!("{}", serde_json::to_string_pretty(&found).expect("a form version serializes"));
        }
        FormsCommand::Held { settings } => {
            let store = open_existing(&settings.settings(file)?).await?;
            let held = sql::held(store.sql_pool(), None).await.map_err(store_err)?;
            if held.is_empty() {
                println!("no held proof");
            }
            for row in held {
                let Some(entry) = store.entry(row.seq).await? else {
                    continue;
                };
                match held_proof(store.as_ref(), &entry).await? {
                    Some(proof) => print!("{}", describe(row.seq, &row.reason, &proof.record)),
                    None => println!(
                        "seq {}: form {} version {} ({}): erased",
                        row.seq, row.form_id, row.version, row.reason
                    ),
                }
            }
        }
        FormsCommand::Approve {
            form_id,
            version,
            settings,
        } => {
            let settings = settings.over_file(file)?;
            let store = open_existing(&settings).await?;
            let held = sql::held(store.sql_pool(), Some((&form_id, &version))).await.map_err(store_err)?;
            let mut proofs = Vec::new();
            for row in held {
                if let Some(entry) = store.entry(row.seq).await? {
                    proofs.extend(held_proof(store.as_ref(), &entry).await?.map(|p| p.record));
                }
            }
            let version = derive::from_held(&proofs).map_err(|e| CliError::Io(e.to_string()))?;
            register(&settings, &version).await?;
        }
    }
    Ok(())
}

async fn register(settings: &Settings, version: &FormVersion) -> Result<(), CliError> {
    let (token_ttl, mail_retry) = settings.mail_timing()?;
    let keys = Keyring::load(&settings.data_dir().join("keys"))?;
    let store: std::sync::Arc<dyn Store> = crate::store::open(&settings.database()).await?;
    let preferences_ttl = crate::config::duration("--preferences-ttl", settings.preferences_ttl.as_deref(), "30d")
        .ok()
        .and_then(|d| chrono::Duration::from_std(d).ok())
        .unwrap_or_else(|| chrono::Duration::days(30));
    let timing = MailTiming { token_ttl, mail_retry, preferences_ttl };
    // Released proofs that count without a click reach the merchant's tools.
    let handoff_to = settings.connectors.clone().unwrap_or_default().names();
    let Registered { new, released } = release::register(store.as_ref(), &keys, timing, version, &handoff_to)
        .await
        .map_err(|e| match e {
            release::RegisterError::Store(e) => CliError::Store(e),
            other => CliError::Io(other.to_string()),
        })?;
    let mails = released.iter().filter(|(_, mail)| *mail).count();
    println!(
        "{} form {} version {} (sha256={}); released {} held proofs, {} confirmation mails stored to send",
        if new { "registered" } else { "already registered:" },
        version.form_id,
        version.version,
        version.sha256(),
        released.len(),
        mails,
    );
    Ok(())
}

/// What `forms held` prints of one held proof: what it claims, then every
/// text it showed (quoted, so that a line break or a link shows as such).
fn describe(seq: i64, reason: &str, proof: &consent_proof::Proof) -> String {
    let grants = proof
        .purposes
        .iter()
        .any(|p| consent_form::rules::allows_sending(p.choice));
    let single = proof.double_opt_in == consent_proof::DoubleOptIn::NotRequested && grants;
    let mut out = format!(
        "seq {seq}: form {} version {} ({reason})\n  controller {:?} contact {:?}\n  origin {} regime {} jurisdiction {} locale {}\n  privacy policy {} version {:?}\n  double opt-in {}\n",
        proof.form.id,
        proof.form.version,
        proof.controller.name,
        proof.controller.contact,
        proof.site.origin,
        proof.regime.as_str(),
        proof.jurisdiction,
        proof.locale,
        proof.privacy_policy.url,
        proof.privacy_policy.version,
        if single { "NOT REQUESTED: approving makes its consents count without the mailbox click" } else { "requested" },
    );
    for p in &proof.purposes {
        out.push_str(&format!(
            "  purpose {} ({}) {}\n",
            p.id,
            p.channel.as_str(),
            p.choice.as_str()
        ));
    }
    for (key, text) in &proof.texts.shown.0 {
        out.push_str(&format!("  text {key}: {text:?}\n"));
    }
    out
}
