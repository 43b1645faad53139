//! The demo's outbox: one append-only file holding every message with its links.

use std::path::Path;

use lettre::message::Mailbox;
use serde::{Deserialize, Serialize};

use super::message::{build, ConfirmationMail, MailError};

/// One message in the outbox, as its index keeps it (one JSON line each).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct OutboxItem {
    /// The message's name, `<time>-<random>.eml`: `/outbox/<file>` serves it.
    pub file: String,
    /// Recipient.
    pub to: String,
    /// Subject line.
    pub subject: String,
    /// The confirm link.
    pub confirm_url: String,
    /// The unsubscribe link.
    pub unsubscribe_url: String,
    /// The link to the preference page, if the mail carries one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferences_url: Option<String>,
    /// The language the mail is written in (`fr`, `en`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    /// The body as the subscriber reads it (decoded, plain text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The whole RFC 5322 message, exactly as SMTP would carry it; `None` in
    /// the `.json` files older collectors wrote beside a `.eml` file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// The outbox: one [`OutboxItem`] per line, the message inside, appended.
/// One append per batch of mail, and no file per message: creating a file
/// costs more than building the message.
pub const OUTBOX_INDEX: &str = "outbox.jsonl";

/// Appends the mails to the outbox in one write.
/// The outer error is that write (every mail of the call then counts as unsent).
pub(super) fn write_outbox(
    dir: &Path,
    from: &Mailbox,
    mails: &[ConfirmationMail],
) -> std::io::Result<Vec<Result<(), MailError>>> {
    use std::io::Write;
    let mut results = Vec::with_capacity(mails.len());
    let mut lines = Vec::new();
    for mail in mails {
        results.push(build(from, mail).map(|(message, subject)| {
            let item = OutboxItem {
                file: format!(
                    "{}-{}.eml",
                    chrono::Utc::now().format("%Y%m%dT%H%M%S%.6fZ"),
                    &crate::crypto::tokens::new_token().1[..8]
                ),
                to: mail.to.clone(),
                subject,
                confirm_url: mail.confirm_url.clone(),
                unsubscribe_url: mail.unsubscribe_url.clone(),
                preferences_url: mail.preferences_url.clone(),
                lang: Some(mail.lang.tag().to_string()),
                text: Some(super::text::mail_text(mail).1),
                message: Some(String::from_utf8_lossy(&message.formatted()).into_owned()),
            };
            serde_json::to_writer(&mut lines, &item).expect("item serializes");
            lines.push(b'\n');
        }));
    }
    if !lines.is_empty() {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join(OUTBOX_INDEX))?
            .write_all(&lines)?;
    }
    Ok(results)
}

/// The outbox's messages, newest first: the outbox file, and the `.json`
/// files older collectors wrote beside each `.eml` message.
pub fn outbox_items(dir: &Path) -> std::io::Result<Vec<OutboxItem>> {
    let mut items = Vec::new();
    match std::fs::read_to_string(dir.join(OUTBOX_INDEX)) {
        Ok(index) => items.extend(
            index
                .lines()
                .filter_map(|line| serde_json::from_str::<OutboxItem>(line).ok()),
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
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

/// The raw message named `file` in the outbox, if there is one.
pub fn outbox_message(dir: &Path, file: &str) -> Option<String> {
    let item = outbox_items(dir)
        .ok()?
        .into_iter()
        .find(|i| i.file == file)?;
    match item.message {
        Some(message) => Some(message),
        // An older outbox: the message is a file beside its item (the name
        // comes from the outbox itself, not from the request).
        None => std::fs::read_to_string(dir.join(&item.file)).ok(),
    }
}
