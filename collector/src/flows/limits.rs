//! Rate limits: submissions per client network, and confirmation mails (not sign-ups) per address.
//!
//! Anyone can sign any address up, with a fresh key each time. Refusing
//! sign-ups past a count (429) would let three forged ones an hour keep the
//! owner of the address from ever signing up. Instead every sign-up is
//! stored and answered `pending`, and only the mail is limited: a repeated
//! sign-up while a confirmation is pending re-sends that confirmation at
//! most once per `--resend-after`, and every mail counts against
//! `--rate-email` per address per hour. The counters live in the database,
//! so every collector on it shares them and a restart keeps them.

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::store::limits::Window;
use crate::store::{Store, StoreError};

/// Whether a sign-up's confirmation mail goes out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mail {
    /// It is queued.
    Queued,
    /// One went to this address less than `--resend-after` ago.
    RecentlySent,
    /// The address had its `--rate-email` mails this hour.
    LimitReached,
}

impl Mail {
    /// As the answer's `mail` member says it.
    pub fn as_str(self) -> &'static str {
        match self {
            Mail::Queued => "queued",
            Mail::RecentlySent => "recently_sent",
            Mail::LimitReached => "limit_reached",
        }
    }
}

fn windows(config: &Config, subject: &str) -> [(String, Window); 2] {
    [
        (
            format!("resend:{subject}"),
            Window {
                // Zero turns the interval off.
                limit: u32::from(!config.resend_after.is_zero()),
                seconds: config.resend_after.as_secs().max(1) as i64,
            },
        ),
        (
            format!("mail:{subject}"),
            Window {
                limit: config.rate_email_per_hour,
                seconds: 3600,
            },
        ),
    ]
}

/// Counts the re-sending of a pending confirmation to `subject` if both
/// limits allow it: at most one per `--resend-after`, within the hour's.
pub async fn take(
    store: &dyn Store,
    config: &Config,
    subject: &str,
    now: DateTime<Utc>,
) -> Result<Mail, StoreError> {
    let [(resend, resend_window), (hourly, hourly_window)] = windows(config, subject);
    if !store.take_limit(&resend, resend_window, now).await? {
        return Ok(Mail::RecentlySent);
    }
    if !store.take_limit(&hourly, hourly_window, now).await? {
        store.give_back_limit(&resend, resend_window, now).await?;
        return Ok(Mail::LimitReached);
    }
    Ok(Mail::Queued)
}

/// Counts a new confirmation mail to `subject` (some purpose became
/// pending) against the hour's limit only: a purpose never asked for before
/// is not held back by the interval. It starts the interval, so that a
/// repeated sign-up does not re-send it at once: the window this returns
/// with [`Mail::Queued`] is taken in the proof's append (see
/// [`crate::store::Append::starts`]), one write less per sign-up, and
/// none for a replay.
pub async fn take_new(
    store: &dyn Store,
    config: &Config,
    subject: &str,
    now: DateTime<Utc>,
) -> Result<(Mail, Option<(String, Window)>), StoreError> {
    let [resend, (hourly, hourly_window)] = windows(config, subject);
    if !store.take_limit(&hourly, hourly_window, now).await? {
        return Ok((Mail::LimitReached, None));
    }
    Ok((Mail::Queued, Some(resend)))
}

/// Gives back the hour's count [`take_new`] took for a mail that did not go
/// out (a replay, a failed append); its interval was never started.
pub async fn give_back_new(
    store: &dyn Store,
    config: &Config,
    subject: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let [_, (hourly, window)] = windows(config, subject);
    store.give_back_limit(&hourly, window, now).await
}

/// Counts a mail to `subject` that is not a sign-up's confirmation (a new
/// preference link the subscriber asked for) against the hourly per-address
/// limit only: `--resend-after` spaces repeated sign-ups, not these.
pub async fn take_other(store: &dyn Store, config: &Config, subject: &str, now: DateTime<Utc>) -> Result<Mail, StoreError> {
    let [_, (hourly, hourly_window)] = windows(config, subject);
    if store.take_limit(&hourly, hourly_window, now).await? {
        Ok(Mail::Queued)
    } else {
        Ok(Mail::LimitReached)
    }
}

/// Gives back a re-sent mail [`take`] counted that did not go out (a replay, a failed append).
pub async fn give_back(
    store: &dyn Store,
    config: &Config,
    subject: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    for (key, window) in windows(config, subject) {
        store.give_back_limit(&key, window, now).await?;
    }
    Ok(())
}

/// Counts a submission from a client network; `false` past `--rate-ip` this minute.
pub async fn take_network(
    store: &dyn Store,
    config: &Config,
    network: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let window = Window {
        limit: config.rate_ip_per_minute,
        seconds: 60,
    };
    store
        .take_limit(&format!("ip:{network}"), window, now)
        .await
}
