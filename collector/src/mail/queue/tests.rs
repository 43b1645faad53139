//! The retry schedule, late mail, and a queue past its size.

use super::*;
use crate::i18n::lang::Lang;
use crate::mail::compose::{confirmation, stored_view};
use crate::mail::{outbox_items, outbox_message};
use crate::store::PendingMail;
use chrono::{DateTime, Utc};

/// A store in `dir` and its keyring, as `serve` opens them.
pub(super) async fn store_in(
    dir: &std::path::Path,
) -> (Arc<crate::store::SqlStore>, crate::ledger::keys::Keyring) {
    let url = format!("sqlite://{}", dir.join("c.db").display());
    let sql = Arc::new(crate::store::SqlStore::open(&url).await.unwrap());
    crate::ledger::keys::Keyring::generate(&dir.join("keys"), Utc::now()).unwrap();
    (
        sql,
        crate::ledger::keys::Keyring::load(&dir.join("keys")).unwrap(),
    )
}

/// Appends `appends` in one batch at `now`: the seqs they were stored at.
pub(super) async fn stored(
    store: &dyn Store,
    keys: &crate::ledger::keys::Keyring,
    appends: Vec<crate::store::Append>,
    now: DateTime<Utc>,
) -> Vec<i64> {
    let outcomes = store.append(appends, keys, now).await.unwrap();
    outcomes
        .into_iter()
        .map(|o| match o {
            crate::store::Appended::New(e) => e.seq,
            other => panic!("{other:?}"),
        })
        .collect()
}

/// The shared fixture proof for `email` in `locale`, signed and verified.
pub(super) fn verified(email: &str, locale: &str) -> crate::proof::verify::VerifiedProof {
    let mut record = consent_proof::fixture::proof();
    record.subject.email = email.into();
    record.locale = locale.into();
    let key = consent_proof::sign::SigningKey::ed25519_from_seed(&[7; 32]);
    crate::proof::verify::verify_stored(&consent_proof::sign::sign(&record, &key)).unwrap()
}

/// A stored proof for `email` whose mail is next tried at `retry_at`.
pub(super) fn proof_with_mail(
    email: &str,
    now: DateTime<Utc>,
    retry_at: DateTime<Utc>,
) -> crate::store::Append {
    use crate::ledger::receipt::EntryKind;
    use crate::store::{Append, NewBody, NewEntry, NewMail};
    let proof = verified(email, "fr-FR");
    Append {
        entry: NewEntry {
            kind: EntryKind::Proof,
            proof_sha256: proof.sha256.clone(),
            body: NewBody::Proof(crate::proof::stored::split(&proof)),
            record_id: None,
            subject: Some(email.into()),
        },
        tokens: Vec::new(),
        consume: None,
        withdraws: None,
        held: None,
        starts: Vec::new(),
        handoff: None,
        mail: Some(NewMail {
            confirm_token: format!("c-{email}"),
            unsubscribe_token: format!("u-{email}"),
            expires_at: now + chrono::Duration::hours(48),
            retry_at,
        }),
    }
}

/// The first attempt of a mail stored at `now`, as the commit takes it
/// (with the 30 s first retry delay of these tests' queues).
pub(super) fn first_attempt(now: DateTime<Utc>) -> super::Attempt {
    let retry = Retry::from_first(Duration::from_secs(30));
    let expires_at = now + chrono::Duration::hours(48);
    super::Attempt::new(1, retry.lease_end(now, expires_at), expires_at, &retry)
}

pub(super) fn mail(i: usize) -> ConfirmationMail {
    ConfirmationMail {
        to: format!("q{i}@example.org"),
        lang: Lang::FR,
        sender_name: "Boutique".into(),
        confirm_url: format!("http://127.0.0.1/v1/confirm?token=c{i}"),
        unsubscribe_url: format!("http://127.0.0.1/v1/unsubscribe?token=u{i}"),
        ttl_hours: 48,
        purposes: Vec::new(),
        phone: None,
        informed: false,
        sms: false,
        preferences_url: None,
        preferences_days: 30,
        renewal: false,
    }
}

#[test]
fn retries_back_off_with_jitter_up_to_the_cap() {
    let retry = Retry::from_first(Duration::from_secs(30));
    for attempts in 1..40 {
        let full =
            Duration::from_secs(30 * (1_u64 << (attempts - 1).min(20) as u32)).min(MAX_RETRY_DELAY);
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
    let parts = crate::proof::stored::split(&verified("Marie@Example.org", "en-GB"));
    let pending = |hours: i64, minutes: i64| PendingMail {
        entry_seq: 1,
        confirm_token: "c".into(),
        unsubscribe_token: "u".into(),
        expires_at: now + chrono::Duration::hours(hours) + chrono::Duration::minutes(minutes),
        attempts: 2,
        rejections: 0,
        next_attempt_at: String::new(),
        last_error: None,
        proof_body: Some(parts.body.clone()),
        proof_shown: parts.texts.clone().map(|(_, shown)| shown),
        proof_header: Some(parts.header_b64.clone()),
    };
    let mail = |hours, minutes| {
        let row = pending(hours, minutes);
        confirmation(&row, stored_view(&row).unwrap(), "http://c", now, None)
    };
    assert_eq!(mail(47, 59).ttl_hours, 48);
    assert_eq!(mail(30, 10).ttl_hours, 30);
    assert_eq!(mail(0, 10).ttl_hours, 1);
    let late = mail(1, 0);
    assert_eq!(
        (late.to.as_str(), late.lang, late.sender_name.as_str()),
        ("Marie@Example.org", Lang::EN, "Boutique Exemple SAS")
    );
    assert_eq!(late.confirm_url, "http://c/v1/confirm?token=c");
    assert_eq!(late.unsubscribe_url, "http://c/v1/unsubscribe?token=u");
    // The texts stored apart from the body are quoted all the same.
    assert_eq!(
        late.purposes,
        [
            "J'accepte de recevoir la newsletter « Les nouveautés » par e-mail.",
            "J'accepte de recevoir des offres par SMS. Répondez STOP pour ne plus en recevoir."
        ]
    );
    assert!(late.sms && !late.informed);
    assert_eq!(late.phone.as_deref(), Some("+33 6 •• •• •• 78"));
    let erased = PendingMail {
        proof_body: None,
        ..pending(1, 0)
    };
    assert_eq!(stored_view(&erased), None);
    // A retried mail speaks in the registered form's voice, as the first
    // attempt does: its controller, never the stored proof's string.
    let mut record = consent_proof::fixture::proof();
    record.locale = "en-GB".into();
    record.controller.name = "Boutique Exemple (registered)".into();
    let version = crate::registry::derive::from_held(&[record]).unwrap();
    let row = pending(1, 0);
    let spoken = confirmation(&row, stored_view(&row).unwrap(), "http://c", now, Some(&version));
    assert_eq!(spoken.sender_name, "Boutique Exemple (registered)");
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
        "http://127.0.0.1",
        Retry::from_first(Duration::from_secs(30)),
        1,
    );
    for i in 0..100 {
        queue.send(i as i64 + 1, mail(i), None);
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
