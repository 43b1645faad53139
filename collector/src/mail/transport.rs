//! Where mail goes: an SMTP server, or the demo's outbox folder.

use std::path::{Path, PathBuf};

use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tokio::time::Instant;

use super::message::{build, parse_mailbox, ConfirmationMail, MailError};
use super::outbox::write_outbox;

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
        let mut results = self.send_all(vec![(mail.clone(), None)]).await;
        results.pop().unwrap_or(Ok(()))
    }

    /// Sends several mails, each by its deadline if it has one: a send not
    /// ended by then is stopped and answers [`MailError::Late`] (the mail
    /// queue's leases, see [`crate::mail::queue::Attempt`]). The outbox
    /// writes them in one blocking call, one after the other; SMTP sends up
    /// to [`SMTP_PARALLEL`] at once over pooled connections. One result per
    /// mail, in order.
    pub async fn send_all(
        &self,
        mails: Vec<(ConfirmationMail, Option<Instant>)>,
    ) -> Vec<Result<(), MailError>> {
        match self {
            Mailer::Smtp { transport, from } => {
                let sends = mails
                    .iter()
                    .map(|(mail, deadline)| {
                        let (message, _) = build(from, mail)?;
                        let transport = transport.clone();
                        let send = async move { smtp_send(&transport, message).await };
                        Ok(match *deadline {
                            Some(deadline) => Box::pin(async move {
                                tokio::time::timeout_at(deadline, send)
                                    .await
                                    .unwrap_or(Err(MailError::Late))
                            }) as SendTask,
                            None => Box::pin(send) as SendTask,
                        })
                    })
                    .collect();
                run_parallel(sends).await
            }
            // A local file write, in the demo's single collector: no send
            // outlasts a lease there.
            Mailer::Outbox { dir, from } => {
                let mails: Vec<ConfirmationMail> = mails.into_iter().map(|(mail, _)| mail).collect();
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::Failure;

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
}
