//! Confirmation mail after the commit: sent at once, retried from the database.
//!
//! Each mail is stored with its proof (`pending_mail`, see
//! [`crate::store::MailOutbox`]) and handed to [`MailQueue::send`] once
//! committed; one task sends whatever is queued, in batches, and deletes the
//! rows of the mail that went out. A mail that fails stays in the database
//! with its next attempt already scheduled, and a second task takes due mail
//! from there: after an SMTP outage, and after a restart for mail that the
//! stopped process had not sent. Delivery is at least once: a collector that
//! dies between sending and deleting, or two collectors on one PostgreSQL
//! database when a send outlasts its retry delay, can send a mail twice,
//! which is better than never (both carry the same links).
//!
//! The retry rule:
//! - a transient failure (unreachable, timeout, 4xx, outbox not writable) is
//!   retried with exponential backoff and jitter until the mail is sent or
//!   its confirm link expires;
//! - a permanent 5xx answer is retried too, since some servers give one for a
//!   passing problem, but the mail is given up at the [`MAX_REJECTIONS`]th
//!   (53x, authentication, counts as transient: it is the collector's own
//!   settings, and the mail should go once they are fixed);
//! - a mail that can never be built (invalid address) is given up at once;
//! - a mail whose confirm link has expired is deleted unsent: the subscriber
//!   can only sign up again.
//!
//! Its proof stays pending whenever a mail is given up.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::Rng;
use tokio::sync::{mpsc, oneshot, Notify};

use crate::granted::{granted, mask_phone};
use crate::mail::{ConfirmationMail, Failure, Mailer};
use crate::messages::Lang;
use crate::store::{PendingMail, Store};

/// The 5xx answers after which a mail is given up.
pub const MAX_REJECTIONS: i64 = 3;

/// The longest wait between two retries of one mail.
pub const MAX_RETRY_DELAY: Duration = Duration::from_secs(30 * 60);

/// How often the retry task looks for due mail when it knows of none: mail
/// that other collectors sharing the database left there.
const POLL: Duration = Duration::from_secs(30);

/// The retry schedule: `first`, doubled per attempt up to `max`, each delay
/// drawn between half and all of that so that mail failed together is not
/// retried together.
#[derive(Clone, Copy, Debug)]
pub struct Retry {
    /// The delay after the first attempt.
    pub first: Duration,
    /// The longest delay.
    pub max: Duration,
}

impl Retry {
    /// The schedule that starts at `first` and stops growing at [`MAX_RETRY_DELAY`].
    pub fn from_first(first: Duration) -> Self {
        Retry {
            first,
            max: MAX_RETRY_DELAY.max(first),
        }
    }

    /// The delay before the next attempt of a mail tried `attempts` times (from 1).
    pub fn delay(&self, attempts: i64) -> Duration {
        let doublings = attempts.clamp(1, 32) as u32 - 1;
        let full = self
            .first
            .saturating_mul(2_u32.saturating_pow(doublings))
            .min(self.max);
        full.mul_f64(rand::thread_rng().gen_range(0.5..=1.0))
    }

    /// When a mail tried `attempts` times may be tried again, from `now`.
    pub fn next_attempt(&self, attempts: i64, now: DateTime<Utc>) -> DateTime<Utc> {
        // Never a panic on overflow: the configuration bounds the delay, and
        // past the end of time is as good as never.
        chrono::Duration::from_std(self.delay(attempts))
            .ok()
            .and_then(|delay| now.checked_add_signed(delay))
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }
}

/// A mail on its way to the [`Mailer`].
struct Queued {
    /// The seq of the proof it confirms, which names its stored row.
    seq: i64,
    mail: ConfirmationMail,
    /// 5xx answers before this attempt.
    rejections: i64,
}

/// Mail this process has queued, is sending, or has sent without deleting
/// its row yet, by seq: the retry task leaves those alone, even when a slow
/// send outlasts their retry delay.
type InFlight = Arc<Mutex<HashSet<i64>>>;

/// The handle that queues confirmation mail once its proof is committed.
#[derive(Clone)]
pub struct MailQueue {
    queue: mpsc::Sender<Queued>,
    in_flight: InFlight,
    rounds: Arc<AtomicU64>,
}

impl MailQueue {
    /// Starts the sending task and the retry task. The sending task ends once
    /// every handle is dropped and the queue is empty (await the returned
    /// handle to let it finish); the retry task ends with it.
    ///
    /// `public_url` is the base of the links of mail taken from the database.
    pub fn spawn(
        mailer: Mailer,
        store: Arc<dyn Store>,
        public_url: String,
        retry: Retry,
        max_batch: usize,
    ) -> (Self, tokio::task::JoinHandle<()>) {
        let (queue, waiting) = mpsc::channel::<Queued>(max_batch * 16);
        let in_flight = InFlight::default();
        let wake = Arc::new(Notify::new());
        let (stop, stopped) = oneshot::channel::<()>();
        let rounds = Arc::new(AtomicU64::new(0));
        let retrier = Retrier {
            rounds: rounds.clone(),
            store: store.clone(),
            queue: queue.downgrade(),
            in_flight: in_flight.clone(),
            public_url,
            retry,
            max_batch,
        };
        tokio::spawn(retrier.run(wake.clone(), stopped));
        let sending = in_flight.clone();
        let task = tokio::spawn(async move {
            send_task(mailer, store, waiting, sending, wake, max_batch).await;
            let _ = stop.send(());
        });
        (
            MailQueue {
                queue,
                in_flight,
                rounds,
            },
            task,
        )
    }

    /// How many times the retry task has looked for due mail: a measure of
    /// how busy it keeps the database, which tests read.
    pub fn retry_rounds(&self) -> u64 {
        self.rounds.load(Ordering::Relaxed)
    }

    /// Queues the mail of the proof committed at `seq`. Never waits: the
    /// proof's answer must not hang on a slow mail server; when the queue is
    /// full (the mailer is behind), a task waits for room instead.
    pub fn send(&self, seq: i64, mail: ConfirmationMail) {
        use tokio::sync::mpsc::error::TrySendError;
        self.in_flight.lock().expect("in-flight set").insert(seq);
        let queued = Queued {
            seq,
            mail,
            rejections: 0,
        };
        match self.queue.try_send(queued) {
            Ok(()) => {}
            Err(TrySendError::Full(queued)) => {
                let queue = self.queue.clone();
                tokio::spawn(async move {
                    if queue.send(queued).await.is_err() {
                        tracing::warn!(
                            seq,
                            "confirmation mail left for the next start: the mail queue has stopped"
                        );
                    }
                });
            }
            // Its row waits in the database for the next start.
            Err(TrySendError::Closed(_)) => {
                tracing::warn!(
                    seq,
                    "confirmation mail left for the next start: the mail queue has stopped"
                );
            }
        }
    }
}

/// How long the rows of sent mail may wait before they are deleted together:
/// one delete per batch sent cost the appends more under load (on SQLite
/// they wait for the same write lock), and the links leave the database
/// moments later all the same.
const FORGET_EVERY: Duration = Duration::from_millis(250);

/// Sends what is queued in batches, records the failures, and deletes the
/// rows of what went out every [`FORGET_EVERY`] and when it ends.
async fn send_task(
    mailer: Mailer,
    store: Arc<dyn Store>,
    mut waiting: mpsc::Receiver<Queued>,
    in_flight: InFlight,
    wake: Arc<Notify>,
    max_batch: usize,
) {
    let mut batch = Vec::with_capacity(max_batch);
    // Sent or given up, rows not yet deleted; they stay in flight until then,
    // so that the retry task does not take them again meanwhile.
    let mut done: Vec<i64> = Vec::new();
    let mut last_forget = tokio::time::Instant::now();
    loop {
        let received = if done.is_empty() {
            waiting.recv_many(&mut batch, max_batch).await
        } else {
            let deadline = last_forget + FORGET_EVERY;
            match tokio::time::timeout_at(deadline, waiting.recv_many(&mut batch, max_batch)).await
            {
                Ok(received) => received,
                Err(_) => {
                    forget(&store, &in_flight, &mut done).await;
                    last_forget = tokio::time::Instant::now();
                    continue;
                }
            }
        };
        if received == 0 {
            break;
        }
        let queued = std::mem::take(&mut batch);
        let results = mailer
            .send_all(queued.iter().map(|q| q.mail.clone()).collect())
            .await;
        let mut failed = Vec::new();
        // 5xx answers before each failed attempt, as read when it was taken.
        let mut read = Vec::new();
        for (q, result) in queued.iter().zip(results) {
            let Err(e) = result else {
                done.push(q.seq);
                continue;
            };
            let failure = e.failure();
            let error = e.to_string();
            if failure == Failure::Undeliverable {
                tracing::error!(
                    seq = q.seq,
                    error,
                    "confirmation mail given up: it cannot be sent; the proof stays pending"
                );
                done.push(q.seq);
                continue;
            }
            failed.push((q.seq, error, failure == Failure::Rejected));
            read.push(q.rejections);
        }
        if !failed.is_empty() {
            // The give-up counts the 5xx answers as stored now: another
            // collector may have recorded some since this attempt's were read.
            let counts = match store.mail_failed(&failed).await {
                Ok(counts) => counts,
                Err(e) => {
                    tracing::error!(error = %e, "cannot record why confirmation mail failed");
                    failed
                        .iter()
                        .zip(&read)
                        .map(|((_, _, rejected), before)| Some(before + i64::from(*rejected)))
                        .collect()
                }
            };
            let mut in_flight = in_flight.lock().expect("in-flight set");
            for ((seq, error, rejected), count) in failed.iter().zip(counts) {
                match count {
                    // Deleted meanwhile (confirmed, withdrawn, pruned): nothing to retry.
                    None => {
                        in_flight.remove(seq);
                    }
                    Some(rejections) if *rejected && rejections >= MAX_REJECTIONS => {
                        tracing::error!(seq, error, rejections, "confirmation mail given up: the smtp server rejected it; the proof stays pending");
                        // Stays in flight until its row is deleted.
                        done.push(*seq);
                    }
                    Some(_) => {
                        tracing::warn!(
                            seq,
                            error,
                            "confirmation mail not sent; it will be retried"
                        );
                        in_flight.remove(seq);
                    }
                }
            }
            drop(in_flight);
            // The retry task may be asleep until later than these mails' retries.
            wake.notify_one();
        }
        if last_forget.elapsed() >= FORGET_EVERY {
            forget(&store, &in_flight, &mut done).await;
            last_forget = tokio::time::Instant::now();
        }
    }
    forget(&store, &in_flight, &mut done).await;
}

/// Deletes the rows of mail that is done with, and lets go of it.
async fn forget(store: &Arc<dyn Store>, in_flight: &InFlight, done: &mut Vec<i64>) {
    if done.is_empty() {
        return;
    }
    if let Err(e) = store.forget_mail(done).await {
        tracing::error!(error = %e, "sent confirmation mail is still stored: it may be sent again");
    }
    let mut in_flight = in_flight.lock().expect("in-flight set");
    for seq in done.drain(..) {
        in_flight.remove(&seq);
    }
}

/// The retry task: takes due mail from the database into the queue.
struct Retrier {
    store: Arc<dyn Store>,
    /// Weak, so that the queue closes when the collector drops its handles.
    queue: mpsc::WeakSender<Queued>,
    in_flight: InFlight,
    public_url: String,
    retry: Retry,
    max_batch: usize,
    /// Rounds of [`Retrier::take_due`] so far.
    rounds: Arc<AtomicU64>,
}

/// What one round of [`Retrier::take_due`] found.
enum Taken {
    /// A full batch was due and taken (claimed, or dropped as expired or
    /// unreadable): there may be more.
    Full,
    /// Fewer; `busy` when some were skipped as this process's own, in flight.
    Some { busy: bool },
    /// The queue has closed: the collector is stopping.
    Stopped,
}

impl Retrier {
    /// Takes due mail, then sleeps until the next one is due, a send fails,
    /// or the sending task has ended.
    async fn run(self, wake: Arc<Notify>, mut stopped: oneshot::Receiver<()>) {
        loop {
            let pause = match self.take_due().await {
                Ok(Taken::Full) => continue,
                Ok(Taken::Stopped) => return,
                Ok(Taken::Some { busy }) => {
                    let until = match self.store.next_mail_due().await {
                        Ok(Some(due)) => (due - Utc::now()).to_std().unwrap_or_default(),
                        Ok(None) => POLL,
                        Err(e) => {
                            tracing::error!(error = %e, "cannot read pending confirmation mail");
                            self.retry.first
                        }
                    };
                    // Due mail this process is still sending stays due: do not spin on it.
                    let floor = if busy { FORGET_EVERY } else { Duration::ZERO };
                    until.clamp(floor, POLL)
                }
                Err(e) => {
                    tracing::error!(error = %e, "cannot read pending confirmation mail");
                    self.retry.first.min(POLL)
                }
            };
            tokio::select! {
                _ = tokio::time::sleep(pause) => {}
                _ = wake.notified() => {}
                _ = &mut stopped => return,
            }
        }
    }

    /// Deletes due mail that can no longer go out, claims the rest and queues what it claimed.
    async fn take_due(&self) -> Result<Taken, crate::store::StoreError> {
        self.rounds.fetch_add(1, Ordering::Relaxed);
        let now = Utc::now();
        // This process's own mail in flight is due too when a send outlasts its
        // retry delay (a server that accepts and never answers holds each send
        // a minute); read past it, or it would fill every batch and the mail
        // behind it, other collectors' included, would never be taken.
        let skip = self.in_flight.lock().expect("in-flight set").len();
        let due = self
            .store
            .due_mail(now, (self.max_batch + skip) as i64)
            .await?;
        let mut dropped = Vec::new();
        let mut claims = Vec::new();
        let mut busy = false;
        let mut others = 0;
        {
            let in_flight = self.in_flight.lock().expect("in-flight set");
            for mail in due {
                if in_flight.contains(&mail.entry_seq) {
                    busy = true;
                    continue;
                }
                if others == self.max_batch {
                    break;
                }
                others += 1;
                if mail.expires_at <= now {
                    tracing::error!(
                        seq = mail.entry_seq,
                        "confirmation mail given up: its confirm link expired before it could be sent"
                    );
                    dropped.push(mail.entry_seq);
                } else if let Some(confirmation) = confirmation(&mail, &self.public_url, now) {
                    // The next attempt never falls after expiry, so that an expired
                    // mail's links leave the database when they stop working.
                    let next = self
                        .retry
                        .next_attempt(mail.attempts + 1, now)
                        .min(mail.expires_at);
                    claims.push(((mail, next), confirmation));
                } else {
                    tracing::error!(
                        seq = mail.entry_seq,
                        "confirmation mail given up: its proof is erased or unreadable"
                    );
                    dropped.push(mail.entry_seq);
                }
            }
        }
        self.store.forget_mail(&dropped).await?;
        // Another round at once only when this one moved something on: a
        // batch of rows it could not take would be read again just the same.
        let full = others == self.max_batch;
        let more = |claimed: bool| {
            if full && (claimed || !dropped.is_empty()) {
                Taken::Full
            } else {
                Taken::Some { busy }
            }
        };
        if claims.is_empty() {
            return Ok(more(false));
        }
        let Some(queue) = self.queue.upgrade() else {
            return Ok(Taken::Stopped);
        };
        let (claims, mails): (Vec<_>, Vec<_>) = claims.into_iter().unzip();
        let taken = self.store.claim_mail(&claims).await?;
        let claimed = taken.iter().any(|t| *t);
        for (((pending, _), mail), taken) in claims.into_iter().zip(mails).zip(taken) {
            if !taken {
                continue; // another collector's attempt
            }
            let seq = pending.entry_seq;
            self.in_flight.lock().expect("in-flight set").insert(seq);
            let queued = Queued {
                seq,
                rejections: pending.rejections,
                mail,
            };
            if queue.send(queued).await.is_err() {
                return Ok(Taken::Stopped);
            }
        }
        Ok(more(claimed))
    }
}

/// The confirmation mail for a proof's payload (canonical JSON, as stored or
/// received) and its two tokens, with links under `public_url`.
pub fn confirmation_mail(
    payload: &serde_json::Value,
    public_url: &str,
    confirm_token: &str,
    unsubscribe_token: &str,
    ttl_hours: i64,
) -> Option<ConfirmationMail> {
    let sender_name = payload["controller"]["name"]
        .as_str()
        .or_else(|| payload["site"]["origin"].as_str())?;
    let granted = granted(payload, None);
    Some(ConfirmationMail {
        sms: granted.iter().any(|g| g.channel == "sms"),
        to: payload["subject"]["email"].as_str()?.trim().to_string(),
        lang: Lang::from_locale(payload["locale"].as_str().unwrap_or_default()),
        sender_name: sender_name.to_string(),
        confirm_url: format!("{public_url}/v1/confirm?token={confirm_token}"),
        unsubscribe_url: format!("{public_url}/v1/unsubscribe?token={unsubscribe_token}"),
        ttl_hours,
        purposes: granted.into_iter().map(|g| g.label).collect(),
        phone: payload["subject"]["phone"].as_str().and_then(mask_phone),
    })
}

/// The mail of a stored row, saying how long its link still works (whole
/// hours, rounded, at least one); `None` when its proof is erased.
fn confirmation(
    mail: &PendingMail,
    public_url: &str,
    now: DateTime<Utc>,
) -> Option<ConfirmationMail> {
    let mut payload: serde_json::Value = serde_json::from_str(mail.proof_body.as_deref()?).ok()?;
    // The stored body keeps the shown texts apart; the mail quotes them.
    let shown = mail
        .proof_shown
        .as_deref()
        .and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok());
    if let (Some(shown), Some(texts)) = (
        shown,
        payload.get_mut("texts").and_then(|t| t.as_object_mut()),
    ) {
        texts.insert("shown".into(), shown);
    }
    let minutes = (mail.expires_at - now).num_minutes();
    confirmation_mail(
        &payload,
        public_url,
        &mail.confirm_token,
        &mail.unsubscribe_token,
        ((minutes + 30) / 60).max(1),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::{outbox_items, outbox_message};

    /// A store in `dir` and its keyring, as `serve` opens them.
    pub(super) async fn store_in(
        dir: &std::path::Path,
    ) -> (Arc<crate::store::SqlStore>, crate::keys::Keyring) {
        let url = format!("sqlite://{}", dir.join("c.db").display());
        let sql = Arc::new(crate::store::SqlStore::open(&url).await.unwrap());
        crate::keys::Keyring::generate(&dir.join("keys"), Utc::now()).unwrap();
        (sql, crate::keys::Keyring::load(&dir.join("keys")).unwrap())
    }

    /// A stored proof for `email` whose mail is next tried at `retry_at`.
    pub(super) fn proof_with_mail(
        email: &str,
        now: DateTime<Utc>,
        retry_at: DateTime<Utc>,
    ) -> crate::store::Append {
        use crate::receipt::EntryKind;
        use crate::store::{Append, NewBody, NewEntry, NewMail};
        let body = serde_json::json!({
            "controller": {"name": "Boutique"},
            "subject": {"email": email},
            "locale": "fr-FR",
            "purposes": [{"id": "newsletter", "channel": "email", "choice": "granted"}],
        });
        Append {
            entry: NewEntry {
                kind: EntryKind::Proof,
                proof_sha256: "00".repeat(32),
                body: NewBody::Event(body.to_string()),
                record_id: None,
                subject: Some(email.into()),
            },
            tokens: Vec::new(),
            consume: None,
            withdraws: None,
            mail: Some(NewMail {
                confirm_token: format!("c-{email}"),
                unsubscribe_token: format!("u-{email}"),
                expires_at: now + chrono::Duration::hours(48),
                retry_at,
            }),
        }
    }

    pub(super) fn mail(i: usize) -> ConfirmationMail {
        ConfirmationMail {
            to: format!("q{i}@example.org"),
            lang: Lang::Fr,
            sender_name: "Boutique".into(),
            confirm_url: format!("http://127.0.0.1/v1/confirm?token=c{i}"),
            unsubscribe_url: format!("http://127.0.0.1/v1/unsubscribe?token=u{i}"),
            ttl_hours: 48,
            purposes: Vec::new(),
            phone: None,
            sms: false,
        }
    }

    #[test]
    fn retries_back_off_with_jitter_up_to_the_cap() {
        let retry = Retry::from_first(Duration::from_secs(30));
        for attempts in 1..40 {
            let full = Duration::from_secs(30 * (1_u64 << (attempts - 1).min(20) as u32))
                .min(MAX_RETRY_DELAY);
            let delay = retry.delay(attempts);
            assert!(
                delay >= full / 2 && delay <= full,
                "{attempts}: {delay:?} of {full:?}"
            );
        }
        // Jitter: ten draws of one step are not all equal.
        let draws: HashSet<Duration> = (0..10).map(|_| retry.delay(3)).collect();
        assert!(draws.len() > 1, "{draws:?}");
        // A first delay above the cap is the cap.
        assert!(Retry::from_first(Duration::from_secs(7200)).delay(5) >= Duration::from_secs(3600));
    }

    #[test]
    fn a_late_mail_says_how_long_its_link_still_works() {
        let now = Utc::now();
        let body = serde_json::json!({
            "controller": {"name": "Boutique"},
            "site": {"origin": "https://boutique.example"},
            "subject": {"email": " Marie@Example.org ", "phone": "+33612345678"},
            "locale": "en-GB",
            "purposes": [{"id": "newsletter", "channel": "email", "choice": "granted"}],
            "texts": {"sha256": "00"},
        })
        .to_string();
        let pending = |hours: i64, minutes: i64| PendingMail {
            entry_seq: 1,
            confirm_token: "c".into(),
            unsubscribe_token: "u".into(),
            expires_at: now + chrono::Duration::hours(hours) + chrono::Duration::minutes(minutes),
            attempts: 2,
            rejections: 0,
            next_attempt_at: String::new(),
            last_error: None,
            proof_body: Some(body.clone()),
            proof_shown: Some(r#"{"purpose.newsletter":"I agree to the newsletter."}"#.into()),
        };
        let mail =
            |hours, minutes| confirmation(&pending(hours, minutes), "http://c", now).unwrap();
        assert_eq!(mail(47, 59).ttl_hours, 48);
        assert_eq!(mail(30, 10).ttl_hours, 30);
        assert_eq!(mail(0, 10).ttl_hours, 1);
        let late = mail(1, 0);
        assert_eq!(
            (late.to.as_str(), late.lang, late.sender_name.as_str()),
            ("Marie@Example.org", Lang::En, "Boutique")
        );
        assert_eq!(late.confirm_url, "http://c/v1/confirm?token=c");
        assert_eq!(late.unsubscribe_url, "http://c/v1/unsubscribe?token=u");
        // The texts stored apart from the body are quoted all the same.
        assert_eq!(
            late.purposes,
            vec!["I agree to the newsletter.".to_string()]
        );
        assert_eq!(late.phone.as_deref(), Some("+33 6 •• •• •• 78"));
        let erased = PendingMail {
            proof_body: None,
            ..pending(1, 0)
        };
        assert_eq!(confirmation(&erased, "http://c", now), None);
    }

    #[tokio::test]
    async fn every_queued_mail_goes_out_even_past_the_queue_size() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::open(&format!("sqlite://{}", dir.path().join("c.db").display()))
            .await
            .unwrap();
        let mailer = Mailer::outbox(dir.path(), "Collector <no-reply@example.org>").unwrap();
        // Room for 16: the other 84 wait in tasks of their own, none in the caller.
        let (queue, task) = MailQueue::spawn(
            mailer,
            store,
            "http://127.0.0.1".into(),
            Retry::from_first(Duration::from_secs(30)),
            1,
        );
        for i in 0..100 {
            queue.send(i as i64 + 1, mail(i));
        }
        drop(queue);
        task.await.unwrap();
        let items = outbox_items(dir.path()).unwrap();
        let mut to: Vec<_> = items.iter().map(|i| i.to.clone()).collect();
        to.sort_unstable();
        to.dedup();
        assert_eq!((items.len(), to.len()), (100, 100));
        let first = items.iter().find(|i| i.to == "q7@example.org").unwrap();
        assert_eq!(
            outbox_message(dir.path(), &first.file),
            first.message.clone()
        );
        assert!(first
            .message
            .as_deref()
            .unwrap()
            .contains("List-Unsubscribe: <http://127.0.0.1/v1/unsubscribe?token=u7>"));
    }
}

#[cfg(test)]
mod rejected_smtp {
    use super::tests::{mail, proof_with_mail, store_in};
    use super::*;
    use sqlx::Row;
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

    /// An SMTP server that refuses every mail with a 550.
    async fn rejecting_smtp() -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let (read, mut write) = socket.into_split();
                    let mut lines = BufReader::new(read).lines();
                    write.write_all(b"220 fake\r\n").await.unwrap();
                    while let Ok(Some(line)) = lines.next_line().await {
                        let answer: &[u8] = match line
                            .get(..4)
                            .unwrap_or_default()
                            .to_ascii_uppercase()
                            .as_str()
                        {
                            "MAIL" => b"550 5.7.1 refused\r\n",
                            "QUIT" => b"221 bye\r\n",
                            _ => b"250 ok\r\n",
                        };
                        if write.write_all(answer).await.is_err() {
                            break;
                        }
                    }
                });
            }
        });
        format!("smtp://{addr}")
    }

    #[tokio::test]
    async fn the_give_up_counts_the_rejections_as_stored_not_as_read() {
        let dir = tempfile::tempdir().unwrap();
        let (sql, keys) = store_in(dir.path()).await;
        let store: Arc<dyn Store> = sql.clone();
        let now = Utc::now();
        // Not due for an hour: only this test's own send tries it.
        let append = proof_with_mail("r@example.org", now, now + chrono::Duration::hours(1));
        let seq = match store
            .append(vec![append], &keys, now)
            .await
            .unwrap()
            .remove(0)
        {
            crate::store::Appended::New(e) => e.seq,
            other => panic!("{other:?}"),
        };
        // Two 5xx already recorded, by another collector, after this one's
        // read: this attempt's 550 is the third, and the last.
        sqlx::query("UPDATE pending_mail SET rejections = 2 WHERE entry_seq = $1")
            .bind(seq)
            .execute(sql.pool())
            .await
            .unwrap();
        let mailer =
            Mailer::smtp(&rejecting_smtp().await, "Collector <no-reply@example.org>").unwrap();
        let (queue, task) = MailQueue::spawn(
            mailer,
            store,
            "http://127.0.0.1".into(),
            Retry::from_first(Duration::from_secs(30)),
            1,
        );
        queue.send(seq, mail(0));
        drop(queue);
        task.await.unwrap();
        let left = sqlx::query("SELECT rejections FROM pending_mail WHERE entry_seq = $1")
            .bind(seq)
            .fetch_optional(sql.pool())
            .await
            .unwrap()
            .map(|row| row.try_get::<i64, _>("rejections").unwrap());
        assert_eq!(left, None, "given up at the third 5xx, its row deleted");
    }
}

#[cfg(test)]
mod stalled_smtp {
    use super::tests::{mail, proof_with_mail, store_in};
    use super::*;
    use crate::store::{Append, SqlStore};
    use sqlx::Row;

    /// An SMTP server that accepts connections and never says a word: each
    /// send waits for lettre's timeout (a minute).
    async fn stalled_smtp() -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((socket, _)) = listener.accept().await {
                held.push(socket);
            }
        });
        format!("smtp://{addr}")
    }

    /// A stored proof whose mail is due `late` seconds ago, as another
    /// collector (or a previous start) left it.
    fn due_proof(email: &str, now: DateTime<Utc>, late: i64) -> Append {
        proof_with_mail(email, now, now - chrono::Duration::seconds(late))
    }

    async fn attempts(store: &SqlStore, seq: i64) -> i64 {
        sqlx::query("SELECT attempts FROM pending_mail WHERE entry_seq = $1")
            .bind(seq)
            .fetch_one(store.pool())
            .await
            .unwrap()
            .try_get("attempts")
            .unwrap()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_stalled_send_neither_spins_the_retry_task_nor_starves_other_mail() {
        let dir = tempfile::tempdir().unwrap();
        let (sql, keys) = store_in(dir.path()).await;
        let store: Arc<dyn Store> = sql.clone();
        let now = Utc::now();
        // The first is due earlier, so that it comes first in a batch of one.
        let seqs: Vec<i64> = store
            .append(
                vec![
                    due_proof("a@example.org", now, 2),
                    due_proof("b@example.org", now, 1),
                ],
                &keys,
                now,
            )
            .await
            .unwrap()
            .into_iter()
            .map(|o| match o {
                crate::store::Appended::New(e) => e.seq,
                other => panic!("{other:?}"),
            })
            .collect();
        let mailer =
            Mailer::smtp(&stalled_smtp().await, "Collector <no-reply@example.org>").unwrap();
        // Batches of one: the first due row is this process's own, stuck in its send.
        let (queue, _task) = MailQueue::spawn(
            mailer,
            store,
            "http://127.0.0.1".into(),
            Retry::from_first(Duration::from_secs(30)),
            1,
        );
        // In flight before the retry task's first query returns.
        queue.send(seqs[0], mail(0));
        // The other due mail is claimed all the same (its attempt counted),
        // although the stuck one is earlier and fills the batch.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while attempts(&sql, seqs[1]).await < 2 {
            assert!(
                tokio::time::Instant::now() < deadline,
                "the second mail was never claimed"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // Both sends now wait on the server: the retry task looks for due
        // mail a few times a second at most (it looked thousands of times a
        // second before), instead of turning over the same rows at full speed.
        let before = queue.retry_rounds();
        tokio::time::sleep(Duration::from_secs(2)).await;
        let rounds = queue.retry_rounds() - before;
        assert!(rounds <= 20, "{rounds} rounds in 2 s");
    }
}
