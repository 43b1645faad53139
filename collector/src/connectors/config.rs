//! The `[connectors]` section of the collector's config file.
//!
//! Secrets never sit in the file: each is named by the environment variable
//! that holds it (`token-env = "SHOPIFY_ADMIN_TOKEN"`), read once at start,
//! and never logged (errors name the variable, not its value). Every tool
//! takes a `base-url`, for regional endpoints and for tests.
//!
//! ```toml
//! [connectors.shopify]
//! shop = "example.myshopify.com"
//! token-env = "SHOPIFY_ADMIN_TOKEN"
//! webhook-secret-env = "SHOPIFY_WEBHOOK_SECRET"
//! ```

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use ed25519_dalek::{SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};

use super::webhook::{Secret, Webhook};
use super::worker::{Backoff, Settings, MAX_ATTEMPTS};
use super::{brevo, klaviyo, mailchimp, shopify, Connector};

/// Why the section cannot be used; printed at start.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConnectorConfigError {
    /// A variable the section names is unset or empty.
    #[error("connectors.{tool}: environment variable {var} is not set")]
    MissingEnv {
        /// The tool.
        tool: &'static str,
        /// The variable.
        var: String,
    },
    /// A setting has an invalid value.
    #[error("connectors.{tool}: {message}")]
    Invalid {
        /// The tool.
        tool: &'static str,
        /// What is wrong.
        message: String,
    },
}

/// The whole section.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ConnectorsConfig {
    /// Per-request timeout [default: 10s].
    pub timeout: Option<String>,
    /// First retry delay, doubling up to 1h [default: 30s].
    pub retry_first: Option<String>,
    /// Attempts before a hand-off is given up [default: 16].
    pub max_attempts: Option<i64>,
    /// Signed webhooks out, any number.
    #[serde(default)]
    pub webhook: Vec<WebhookConfig>,
    /// Shopify.
    pub shopify: Option<ShopifyConfig>,
    /// Klaviyo.
    pub klaviyo: Option<KlaviyoConfig>,
    /// Mailchimp.
    pub mailchimp: Option<MailchimpConfig>,
    /// Brevo.
    pub brevo: Option<BrevoConfig>,
    /// Signed webhooks in (withdrawals from other tools).
    pub inbound: Option<InboundConfig>,
}

/// `[[connectors.webhook]]`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct WebhookConfig {
    /// Its name; the connector is `webhook-<name>`.
    pub name: String,
    /// Where to post.
    pub url: String,
    /// `v1a` (Ed25519, collector's key), `v1` (HMAC), or `both` [default: v1a].
    pub sign: Option<String>,
    /// Variable holding the `whsec_` secret (for v1 and both).
    pub secret_env: Option<String>,
}

/// `[connectors.shopify]`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ShopifyConfig {
    /// `<shop>.myshopify.com`.
    pub shop: Option<String>,
    /// Overrides `https://<shop>`.
    pub base_url: Option<String>,
    /// Admin API version [default: 2025-10].
    pub api_version: Option<String>,
    /// Variable holding the Admin API access token.
    pub token_env: String,
    /// Variable holding the app's client secret, which signs its webhooks.
    pub webhook_secret_env: Option<String>,
}

/// `[connectors.klaviyo]`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct KlaviyoConfig {
    /// Variable holding the private API key.
    pub private_key_env: String,
    /// The list subscribers join.
    pub list: Option<String>,
    /// API revision [default: 2025-01-15].
    pub revision: Option<String>,
    /// Send the log's consent time and skip Klaviyo's own double opt-in [default: true].
    pub historical_import: Option<bool>,
    /// [default: https://a.klaviyo.com].
    pub base_url: Option<String>,
}

/// `[connectors.mailchimp]`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct MailchimpConfig {
    /// Variable holding the API key (`...-usN`).
    pub api_key_env: String,
    /// The audience id.
    pub list: String,
    /// Purpose id → the audience's marketing permission id.
    #[serde(default)]
    pub marketing_permissions: BTreeMap<String, String>,
    /// Variable holding the secret put in the webhook URL.
    pub webhook_secret_env: Option<String>,
    /// [default: https://<dc>.api.mailchimp.com].
    pub base_url: Option<String>,
}

/// `[connectors.brevo]`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct BrevoConfig {
    /// Variable holding the API key.
    pub api_key_env: String,
    /// Lists subscribers join.
    #[serde(default)]
    pub lists: Vec<i64>,
    /// Brevo attribute → change field (consentedAt, confirmedAt, optIn, locale, recordId).
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
    /// [default: https://api.brevo.com].
    pub base_url: Option<String>,
}

/// `[connectors.inbound]`: who may post signed withdrawals.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct InboundConfig {
    /// Variable holding a `whsec_` secret (v1).
    pub secret_env: Option<String>,
    /// A sender's `whpk_` public key (v1a).
    pub public_key: Option<String>,
}

/// The keys inbound webhooks are checked with.
#[derive(Clone, Debug, Default)]
pub struct InboundKeys {
    /// Shopify's client secret.
    pub shopify: Option<Vec<u8>>,
    /// Mailchimp's URL secret and audience.
    pub mailchimp: Option<(String, String)>,
    /// Signed webhooks in.
    pub signed: Option<(Option<Secret>, Option<VerifyingKey>)>,
}

/// What the section builds.
pub struct Built {
    /// The connectors, by name.
    pub connectors: Vec<Arc<dyn Connector>>,
    /// The inbound keys.
    pub inbound: InboundKeys,
    /// The dispatcher's settings.
    pub settings: Settings,
}

fn secret(
    tool: &'static str,
    var: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<String, ConnectorConfigError> {
    env(var)
        .filter(|v| !v.trim().is_empty())
        .map(|v| v.trim().to_string())
        .ok_or_else(|| ConnectorConfigError::MissingEnv {
            tool,
            var: var.to_string(),
        })
}

fn duration(
    tool: &'static str,
    text: Option<&str>,
    default: &str,
) -> Result<Duration, ConnectorConfigError> {
    humantime::parse_duration(text.unwrap_or(default)).map_err(|e| ConnectorConfigError::Invalid {
        tool,
        message: format!("{:?} is not a duration: {e}", text.unwrap_or(default)),
    })
}

impl ConnectorsConfig {
    /// The connector names the section configures, without reading any
    /// secret (what `prune` queues erasures for).
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .webhook
            .iter()
            .map(|w| format!("webhook-{}", w.name))
            .collect();
        for (name, on) in [
            ("shopify", self.shopify.is_some()),
            ("klaviyo", self.klaviyo.is_some()),
            ("mailchimp", self.mailchimp.is_some()),
            ("brevo", self.brevo.is_some()),
        ] {
            if on {
                names.push(name.to_string());
            }
        }
        names
    }

    /// Builds the connectors; `key` is the collector's signing key (for
    /// `v1a`), `env` reads the environment.
    pub fn build(
        &self,
        key: &SigningKey,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Built, ConnectorConfigError> {
        let timeout = duration("timeout", self.timeout.as_deref(), "10s")?;
        let client = super::http::client(timeout);
        let max_attempts = self.max_attempts.unwrap_or(MAX_ATTEMPTS);
        if max_attempts < 1 {
            return Err(ConnectorConfigError::Invalid {
                tool: "max-attempts",
                message: "must be at least 1".into(),
            });
        }
        let settings = Settings {
            backoff: Backoff {
                first: duration("retry-first", self.retry_first.as_deref(), "30s")?,
                ..Backoff::default()
            },
            max_attempts,
            // The longest delivery: four requests (Shopify's find, create,
            // e-mail and SMS updates), each bounded by the timeout, and a margin.
            lease: timeout * 5 + Duration::from_secs(5),
        };
        let mut connectors: Vec<Arc<dyn Connector>> = Vec::new();
        let mut inbound = InboundKeys::default();
        for hook in &self.webhook {
            let (v1a, v1) = match hook.sign.as_deref().unwrap_or("v1a") {
                "v1a" => (true, false),
                "v1" => (false, true),
                "both" => (true, true),
                other => {
                    return Err(ConnectorConfigError::Invalid {
                        tool: "webhook",
                        message: format!("sign = {other:?}: use v1a, v1 or both"),
                    })
                }
            };
            let secret = if v1 {
                let var = hook
                    .secret_env
                    .as_deref()
                    .ok_or(ConnectorConfigError::Invalid {
                        tool: "webhook",
                        message: format!("{}: v1 needs secret-env", hook.name),
                    })?;
                Some(Secret::parse(&secret("webhook", var, env)?).ok_or(
                    ConnectorConfigError::Invalid {
                        tool: "webhook",
                        message: format!("{var} is not a whsec_ base64 secret of 16 bytes or more"),
                    },
                )?)
            } else {
                None
            };
            if hook.name.is_empty()
                || !hook
                    .name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-')
            {
                return Err(ConnectorConfigError::Invalid {
                    tool: "webhook",
                    message: format!("name {:?}: letters, digits and - only", hook.name),
                });
            }
            connectors.push(Arc::new(Webhook::new(
                format!("webhook-{}", hook.name),
                hook.url.clone(),
                v1a.then(|| key.clone()),
                secret,
                client.clone(),
            )));
        }
        if let Some(s) = &self.shopify {
            let base = match (&s.base_url, &s.shop) {
                (Some(url), _) => url.clone(),
                (None, Some(shop)) => format!("https://{shop}"),
                (None, None) => {
                    return Err(ConnectorConfigError::Invalid {
                        tool: "shopify",
                        message: "set shop = \"<shop>.myshopify.com\"".into(),
                    })
                }
            };
            let token = secret("shopify", &s.token_env, env)?;
            connectors.push(Arc::new(shopify::Shopify::new(
                &base,
                s.api_version.as_deref().unwrap_or(shopify::API_VERSION),
                token,
                client.clone(),
            )));
            if let Some(var) = &s.webhook_secret_env {
                inbound.shopify = Some(secret("shopify", var, env)?.into_bytes());
            }
        }
        if let Some(k) = &self.klaviyo {
            connectors.push(Arc::new(klaviyo::Klaviyo::new(
                k.base_url
                    .clone()
                    .unwrap_or_else(|| "https://a.klaviyo.com".into()),
                secret("klaviyo", &k.private_key_env, env)?,
                k.revision
                    .clone()
                    .unwrap_or_else(|| klaviyo::REVISION.into()),
                k.list.clone(),
                k.historical_import.unwrap_or(true),
                client.clone(),
            )));
        }
        if let Some(m) = &self.mailchimp {
            let key = secret("mailchimp", &m.api_key_env, env)?;
            let base = match (&m.base_url, mailchimp::data_centre(&key)) {
                (Some(url), _) => url.clone(),
                (None, Some(dc)) => format!("https://{dc}.api.mailchimp.com"),
                (None, None) => {
                    return Err(ConnectorConfigError::Invalid {
                        tool: "mailchimp",
                        message: format!(
                            "{} has no -usN data centre suffix; set base-url",
                            m.api_key_env
                        ),
                    })
                }
            };
            connectors.push(Arc::new(mailchimp::Mailchimp::new(
                base,
                key,
                m.list.clone(),
                m.marketing_permissions.clone(),
                client.clone(),
            )));
            if let Some(var) = &m.webhook_secret_env {
                inbound.mailchimp = Some((secret("mailchimp", var, env)?, m.list.clone()));
            }
        }
        if let Some(b) = &self.brevo {
            if let Some((name, field)) = b
                .attributes
                .iter()
                .find(|(_, f)| !brevo::ATTRIBUTE_FIELDS.contains(&f.as_str()))
            {
                return Err(ConnectorConfigError::Invalid {
                    tool: "brevo",
                    message: format!(
                        "attribute {name} = {field:?}: use one of {:?}",
                        brevo::ATTRIBUTE_FIELDS
                    ),
                });
            }
            connectors.push(Arc::new(brevo::Brevo::new(
                b.base_url
                    .clone()
                    .unwrap_or_else(|| "https://api.brevo.com".into()),
                secret("brevo", &b.api_key_env, env)?,
                b.lists.clone(),
                b.attributes.clone(),
                client.clone(),
            )));
        }
        if let Some(i) = &self.inbound {
            let secret = match &i.secret_env {
                Some(var) => Some(Secret::parse(&secret("inbound", var, env)?).ok_or(
                    ConnectorConfigError::Invalid {
                        tool: "inbound",
                        message: format!("{var} is not a whsec_ base64 secret"),
                    },
                )?),
                None => None,
            };
            let public = match &i.public_key {
                Some(text) => Some(parse_public(text).ok_or(ConnectorConfigError::Invalid {
                    tool: "inbound",
                    message: "public-key is not a whpk_ base64 Ed25519 key".into(),
                })?),
                None => None,
            };
            if secret.is_none() && public.is_none() {
                return Err(ConnectorConfigError::Invalid {
                    tool: "inbound",
                    message: "set secret-env or public-key".into(),
                });
            }
            inbound.signed = Some((secret, public));
        }
        Ok(Built {
            connectors,
            inbound,
            settings,
        })
    }
}

/// Parses `whpk_<base64 of 32 bytes>`.
pub fn parse_public(text: &str) -> Option<VerifyingKey> {
    let raw = consent_proof::base64::decode(text.trim().strip_prefix("whpk_")?)?;
    VerifyingKey::from_bytes(&raw.try_into().ok()?).ok()
}
