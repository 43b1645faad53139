//! Double opt-in mail: over SMTP, or into a local outbox folder in demo mode.

use std::path::{Path, PathBuf};

use lettre::message::header::{ContentTransferEncoding, ContentType, HeaderName, HeaderValue};
use lettre::message::{Body, Mailbox};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::{Deserialize, Serialize};

use crate::messages::{self, Lang};

/// Why a mail could not be built or sent.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// An address does not parse.
    #[error("invalid address {0:?}")]
    Address(String),
    /// The SMTP URL does not parse.
    #[error("invalid smtp url: {0}")]
    Url(String),
    /// The message could not be built.
    #[error("cannot build message: {0}")]
    Build(String),
    /// The SMTP server refused or could not be reached.
    #[error("smtp: {0}")]
    Smtp(String),
    /// The outbox folder could not be written.
    #[error("outbox: {0}")]
    Outbox(#[from] std::io::Error),
}

/// A confirmation mail to send.
#[derive(Clone, Debug)]
pub struct ConfirmationMail {
    /// The subscriber's address.
    pub to: String,
    /// The subscriber's language.
    pub lang: Lang,
    /// Who the subscriber signed up with (the controller's name).
    pub sender_name: String,
    /// The single-use confirm link.
    pub confirm_url: String,
    /// The one-click unsubscribe link.
    pub unsubscribe_url: String,
    /// How long the confirm link works.
    pub ttl_hours: i64,
}

/// What the outbox keeps beside each message, for the `/outbox` page.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct OutboxItem {
    /// File name of the `.eml` message.
    pub file: String,
    /// Recipient.
    pub to: String,
    /// Subject line.
    pub subject: String,
    /// The confirm link.
    pub confirm_url: String,
    /// The unsubscribe link.
    pub unsubscribe_url: String,
}

/// Where mail goes.
pub enum Mailer {
    /// A real SMTP server.
    Smtp {
        /// The transport.
        transport: AsyncSmtpTransport<Tokio1Executor>,
        /// The From address.
        from: Mailbox,
    },
    /// A folder of `.eml` files with a JSON index beside each (demo mode).
    Outbox {
        /// The folder.
        dir: PathBuf,
        /// The From address.
        from: Mailbox,
    },
}

impl Mailer {
    /// SMTP from a URL such as `smtp://127.0.0.1:2525` (plain) or `smtps://user:pass@host`.
    pub fn smtp(url: &str, from: &str) -> Result<Self, MailError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| MailError::Url(e.to_string()))?
            .build();
        Ok(Mailer::Smtp {
            transport,
            from: parse_mailbox(from)?,
        })
    }

    /// A local outbox folder.
    pub fn outbox(dir: &Path, from: &str) -> Result<Self, MailError> {
        std::fs::create_dir_all(dir)?;
        Ok(Mailer::Outbox {
            dir: dir.to_path_buf(),
            from: parse_mailbox(from)?,
        })
    }

    /// Sends a confirmation mail.
    pub async fn send(&self, mail: &ConfirmationMail) -> Result<(), MailError> {
        let (subject, body) = messages::confirmation_mail(
            mail.lang,
            &mail.sender_name,
            &mail.confirm_url,
            &mail.unsubscribe_url,
            mail.ttl_hours,
        );
        let from = match self {
            Mailer::Smtp { from, .. } | Mailer::Outbox { from, .. } => from.clone(),
        };
        let mut message = Message::builder()
            .from(from)
            .to(parse_mailbox(&mail.to)?)
            .subject(subject.clone())
            .header(ContentType::TEXT_PLAIN)
            // Quoted-printable keeps the links readable in the raw message and 7-bit safe.
            .body(
                Body::new_with_encoding(body, ContentTransferEncoding::QuotedPrintable)
                    .map_err(|_| MailError::Build("body cannot be encoded".into()))?,
            )
            .map_err(|e| MailError::Build(e.to_string().to_lowercase()))?;
        // RFC 8058: mail clients offer one-click unsubscribe with these two headers.
        let headers = message.headers_mut();
        headers.insert_raw(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe"),
            format!("<{}>", mail.unsubscribe_url),
        ));
        headers.insert_raw(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
            "List-Unsubscribe=One-Click".into(),
        ));
        match self {
            Mailer::Smtp { transport, .. } => {
                transport
                    .send(message)
                    .await
                    .map_err(|e| MailError::Smtp(e.to_string().to_lowercase()))?;
            }
            Mailer::Outbox { dir, .. } => {
                let stem = format!(
                    "{}-{}",
                    chrono::Utc::now().format("%Y%m%dT%H%M%S%.6fZ"),
                    &crate::tokens::new_token().1[..8]
                );
                let item = OutboxItem {
                    file: format!("{stem}.eml"),
                    to: mail.to.clone(),
                    subject,
                    confirm_url: mail.confirm_url.clone(),
                    unsubscribe_url: mail.unsubscribe_url.clone(),
                };
                tokio::fs::write(dir.join(&item.file), message.formatted()).await?;
                tokio::fs::write(
                    dir.join(format!("{stem}.json")),
                    serde_json::to_vec_pretty(&item).expect("item serializes"),
                )
                .await?;
            }
        }
        Ok(())
    }
}

/// The outbox's messages, newest first.
pub fn outbox_items(dir: &Path) -> std::io::Result<Vec<OutboxItem>> {
    let mut items = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().and_then(|e| e.to_str()) == Some("json") {
            if let Ok(item) = serde_json::from_slice::<OutboxItem>(&std::fs::read(&path)?) {
                items.push(item);
            }
        }
    }
    items.sort_by(|a, b| b.file.cmp(&a.file));
    Ok(items)
}

fn parse_mailbox(text: &str) -> Result<Mailbox, MailError> {
    text.parse()
        .map_err(|_| MailError::Address(text.to_string()))
}
