//! Double opt-in mail: over SMTP, or into a local outbox folder in demo mode.

use std::path::{Path, PathBuf};

use lettre::message::header::{
    ContentTransferEncoding, ContentType, HeaderName, HeaderValue, MIME_VERSION_1_0,
};
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
    /// The SMTP server could not be reached, timed out, or answered 4xx: try again later.
    #[error("smtp: {0}")]
    Smtp(String),
    /// The SMTP server answered with a permanent (5xx) error.
    #[error("smtp rejected: {0}")]
    Rejected(String),
    /// The outbox folder could not be written.
    #[error("outbox: {0}")]
    Outbox(#[from] std::io::Error),
}

/// What a failed send means for the next attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// Worth retrying: the server was unreachable, slow, or said "later" (4xx),
    /// or the outbox could not be written.
    Transient,
    /// The server said no for good (5xx, except 53x: authentication is the
    /// collector's configuration). Some servers say so for a passing problem,
    /// so a few of these are allowed before giving up.
    Rejected,
    /// The same mail can never be sent: its address or content is invalid.
    Undeliverable,
}

impl MailError {
    /// How a retry of the same mail would fare.
    pub fn failure(&self) -> Failure {
        match self {
            MailError::Smtp(_) | MailError::Outbox(_) => Failure::Transient,
            MailError::Rejected(_) => Failure::Rejected,
            MailError::Address(_) | MailError::Url(_) | MailError::Build(_) => {
                Failure::Undeliverable
            }
        }
    }
}

/// A confirmation mail to send.
#[derive(Clone, Debug, PartialEq, Eq)]
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
    /// The texts next to the boxes the subscriber ticked, so the mail says
    /// what a click confirms.
    pub purposes: Vec<String>,
    /// The phone number given, masked (see [`crate::granted::mask_phone`]).
    pub phone: Option<String>,
    /// Whether an SMS box was ticked: the unsubscribe link stops e-mail
    /// only, so the mail says how SMS stops (STOP).
    pub sms: bool,
}

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
    /// The whole RFC 5322 message, exactly as SMTP would carry it; `None` in
    /// the `.json` files older collectors wrote beside a `.eml` file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
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
    /// A folder holding one append-only file, [`OUTBOX_INDEX`]: every message
    /// with its links, one JSON line each (demo mode).
    Outbox {
        /// The folder.
        dir: PathBuf,
        /// The From address.
        from: Mailbox,
    },
}

impl Mailer {
    /// SMTP from a URL such as `smtp://127.0.0.1:2525` (plain) or `smtps://user:pass@host`;
    /// connections are pooled and reused between mails.
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
        let mut results = self.send_all(vec![mail.clone()]).await;
        results.pop().unwrap_or(Ok(()))
    }

    /// Sends several mails: the outbox writes them in one blocking call, one
    /// after the other; SMTP sends up to [`SMTP_PARALLEL`] at once over pooled
    /// connections. One result per mail, in order.
    pub async fn send_all(&self, mails: Vec<ConfirmationMail>) -> Vec<Result<(), MailError>> {
        match self {
            Mailer::Smtp { transport, from } => {
                let sends = mails
                    .iter()
                    .map(|mail| {
                        let (message, _) = build(from, mail)?;
                        let transport = transport.clone();
                        Ok(
                            Box::pin(async move { smtp_send(&transport, message).await })
                                as SendTask,
                        )
                    })
                    .collect();
                run_parallel(sends).await
            }
            Mailer::Outbox { dir, from } => {
                let count = mails.len();
                let (dir, from) = (dir.clone(), from.clone());
                match tokio::task::spawn_blocking(move || write_outbox(&dir, &from, &mails)).await {
                    Ok(Ok(results)) => results,
                    Ok(Err(e)) => (0..count)
                        .map(|_| {
                            Err(MailError::Outbox(std::io::Error::new(
                                e.kind(),
                                e.to_string(),
                            )))
                        })
                        .collect(),
                    Err(e) => (0..count)
                        .map(|_| Err(MailError::Outbox(std::io::Error::other(e.to_string()))))
                        .collect(),
                }
            }
        }
    }
}

/// How many SMTP sends [`Mailer::send_all`] keeps in flight.
pub const SMTP_PARALLEL: usize = 8;

/// One send, spawned by [`run_parallel`].
type SendTask = std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), MailError>> + Send>>;

/// Sends one message over SMTP, sorting the failure (see [`Failure`]).
async fn smtp_send(
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    message: Message,
) -> Result<(), MailError> {
    transport.send(message).await.map(|_| ()).map_err(|e| {
        let text = e.to_string().to_lowercase();
        // 530-539 (authentication) is the collector's own
        // configuration, not the recipient: retry until fixed.
        let auth = e
            .status()
            .map(u16::from)
            .is_some_and(|c| (530..540).contains(&c));
        if e.is_permanent() && !auth {
            MailError::Rejected(text)
        } else {
            MailError::Smtp(text)
        }
    })
}

/// Runs the sends, up to [`SMTP_PARALLEL`] at once; one result per send, in
/// order, a send that could not start keeping its error.
async fn run_parallel(sends: Vec<Result<SendTask, MailError>>) -> Vec<Result<(), MailError>> {
    let mut results: Vec<Result<(), MailError>> = Vec::with_capacity(sends.len());
    let mut running = tokio::task::JoinSet::new();
    for (i, send) in sends.into_iter().enumerate() {
        // Failed until its task reports: a task that panics or is cancelled
        // reports nothing, and a send counted as done would have its stored
        // copy deleted, the mail never sent. Retried as transient.
        results.push(Err(MailError::Smtp("send task failed".into())));
        let send = match send {
            Ok(send) => send,
            Err(e) => {
                results[i] = Err(e);
                continue;
            }
        };
        while running.len() >= SMTP_PARALLEL {
            if let Some(joined) = running.join_next().await {
                record(&mut results, joined);
            }
        }
        running.spawn(async move { (i, send.await) });
    }
    while let Some(joined) = running.join_next().await {
        record(&mut results, joined);
    }
    results
}

/// Keeps a finished send's result; a crashed one leaves its error in place.
fn record(
    results: &mut [Result<(), MailError>],
    joined: Result<(usize, Result<(), MailError>), tokio::task::JoinError>,
) {
    match joined {
        Ok((i, result)) => results[i] = result,
        Err(e) => {
            tracing::error!(error = %e, "a confirmation mail's send task failed; it will be retried")
        }
    }
}

/// The message for a confirmation mail, and its subject.
fn build(from: &Mailbox, mail: &ConfirmationMail) -> Result<(Message, String), MailError> {
    let (subject, body) = messages::confirmation_mail(mail);
    let mut message = Message::builder()
        .from(from.clone())
        .to(parse_mailbox(&mail.to)?)
        .subject(subject.clone())
        // Receiving servers penalise mail without a Message-ID; one under the
        // sender's own domain, not this host's name, is what they check it against.
        .message_id(Some(message_id(from)))
        // `.body()` sets no MIME-Version, and a quoted-printable body is only MIME with it.
        .header(MIME_VERSION_1_0)
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
    Ok((message, subject))
}

/// A fresh `<random@domain>` Message-ID, the domain being the From address's.
fn message_id(from: &Mailbox) -> String {
    format!(
        "<{}.{}@{}>",
        chrono::Utc::now().format("%Y%m%d%H%M%S"),
        &crate::tokens::new_token().1[..24],
        from.email.domain()
    )
}

/// The outbox: one [`OutboxItem`] per line, the message inside, appended.
/// One append per batch of mail, and no file per message: creating a file
/// costs more than building the message.
pub const OUTBOX_INDEX: &str = "outbox.jsonl";

/// Appends the mails to the outbox in one write.
/// The outer error is that write (every mail of the call then counts as unsent).
fn write_outbox(
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
                    &crate::tokens::new_token().1[..8]
                ),
                to: mail.to.clone(),
                subject,
                confirm_url: mail.confirm_url.clone(),
                unsubscribe_url: mail.unsubscribe_url.clone(),
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

fn parse_mailbox(text: &str) -> Result<Mailbox, MailError> {
    text.parse()
        .map_err(|_| MailError::Address(text.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail() -> ConfirmationMail {
        ConfirmationMail {
            to: "marie@example.org".into(),
            lang: Lang::Fr,
            sender_name: "Boutique".into(),
            confirm_url: "http://127.0.0.1/v1/confirm?token=c".into(),
            unsubscribe_url: "http://127.0.0.1/v1/unsubscribe?token=u".into(),
            ttl_hours: 48,
            purposes: vec!["J'accepte la newsletter.".into()],
            phone: Some("+33 6 •• •• •• 78".into()),
            sms: false,
        }
    }

    #[tokio::test]
    async fn a_send_whose_task_crashed_is_a_failure_not_a_success() {
        let mut sends: Vec<Result<SendTask, MailError>> = vec![
            Ok(Box::pin(async { Ok(()) })),
            Ok(Box::pin(async { panic!("the send task crashed") })),
            Err(MailError::Address("x".into())),
        ];
        // More than run at once, so that some are joined while others start.
        for _ in 0..SMTP_PARALLEL {
            sends.push(Ok(Box::pin(async { panic!("the send task crashed") })));
        }
        let results = run_parallel(sends).await;
        assert!(results[0].is_ok());
        assert!(matches!(&results[2], Err(MailError::Address(_))));
        for (i, result) in results
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != 0 && *i != 2)
        {
            // Counted as sent, its stored copy would be deleted and the mail never go out.
            match result {
                Err(e) => assert_eq!(e.failure(), Failure::Transient, "{i}: {e}"),
                Ok(()) => panic!("{i}: a crashed send counted as sent"),
            }
        }
    }

    /// The header lines of a raw message, before the blank line.
    fn headers(raw: &str) -> Vec<&str> {
        raw.split("\r\n").take_while(|l| !l.is_empty()).collect()
    }

    #[test]
    fn the_message_is_mime_with_a_message_id_in_the_senders_domain() {
        let from = parse_mailbox("Boutique <no-reply@boutique.example>").unwrap();
        let (message, _) = build(&from, &mail()).unwrap();
        let raw = String::from_utf8(message.formatted()).unwrap();
        let headers = headers(&raw);
        assert!(headers.contains(&"MIME-Version: 1.0"), "{raw}");
        assert!(
            headers.contains(&"Content-Transfer-Encoding: quoted-printable"),
            "{raw}"
        );
        let ids: Vec<&str> = headers
            .iter()
            .filter_map(|l| l.strip_prefix("Message-ID: "))
            .collect();
        assert_eq!(ids.len(), 1, "{raw}");
        assert!(
            ids[0].starts_with('<') && ids[0].ends_with("@boutique.example>"),
            "{raw}"
        );
        // Each message its own id.
        let (again, _) = build(&from, &mail()).unwrap();
        let again = String::from_utf8(again.formatted()).unwrap();
        assert!(!again.contains(ids[0]), "{again}");
    }
}
