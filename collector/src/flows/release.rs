//! Registering a form version (`forms add`, `forms approve`, the demo's
//! start): the version is written once, and the held proofs it matches
//! then count, in seq order, as if they arrived now: a chained `release`
//! entry each, with the confirmation mail the state table gives it.

use chrono::Utc;

use super::admit::{admit, Admission};
use super::handoff;
use super::intake::UnknownForms;
use super::submit::{to_append, withdraws, MailTiming};
use crate::ledger::events;
use crate::ledger::keys::Keyring;
use crate::proof::stored;
use crate::proof::verify::{verify_stored, VerifiedProof};
use crate::registry::cache::Cache;
use crate::registry::{sql, FormVersion};
use crate::store::{timestamp, Appended, HeldMark, Store, StoreError, StoredEntry};

/// What registering did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Registered {
    /// Whether the version was new (`false`: the same was registered already).
    pub new: bool,
    /// Seqs of the held proofs released, each with whether a mail went out.
    pub released: Vec<(i64, bool)>,
}

/// Why a version was not registered.
#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    /// That id and version are registered with other content.
    #[error("form {0} version {1} is registered already with another {2}: a changed form is a new formVersion")]
    Conflict(String, String, &'static str),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The first field in which two versions of one id and version differ
/// (the configuration's JSON text is not compared: only what it derives).
pub fn first_difference(a: &FormVersion, b: &FormVersion) -> Option<&'static str> {
    let fields = [
        ("controller", a.controller == b.controller),
        ("origins", a.origins == b.origins),
        ("jurisdiction", a.jurisdiction == b.jurisdiction),
        ("regime", a.regime == b.regime),
        ("purposes", a.purposes == b.purposes),
        ("doubleOptIn", a.double_opt_in == b.double_opt_in),
        ("phone", a.phone == b.phone),
        ("privacyPolicy", a.privacy_policy == b.privacy_policy),
        ("texts", a.locales == b.locales),
    ];
    fields
        .into_iter()
        .find(|(_, same)| !same)
        .map(|(field, _)| field)
}

/// Registers `version` and releases the held proofs it matches.
pub async fn register(
    store: &dyn Store,
    keys: &Keyring,
    timing: MailTiming,
    version: &FormVersion,
    handoff_to: &[String],
) -> Result<Registered, RegisterError> {
    let handoff_to = std::sync::Arc::new(handoff_to.to_vec());
    let pool = store.sql_pool();
    let new = {
        let mut conn = pool.acquire().await.map_err(StoreError::from)?;
        sql::insert(&mut conn, version, &timestamp(Utc::now()))
            .await
            .map_err(StoreError::from)?
    };
    if !new {
        let stored = sql::version(pool, &version.form_id, &version.version)
            .await
            .map_err(StoreError::from)?;
        if let Some(field) = stored.as_ref().and_then(|s| first_difference(s, version)) {
            return Err(RegisterError::Conflict(
                version.form_id.clone(),
                version.version.clone(),
                field,
            ));
        }
    }
    let held = sql::held(pool, Some((&version.form_id, &version.version)))
        .await
        .map_err(StoreError::from)?;
    let registry = Cache::default();
    let mut released = Vec::new();
    for row in held {
        let Some(entry) = store.entry(row.seq).await? else {
            continue;
        };
        let Some(proof) = held_proof(store, &entry).await? else {
            continue;
        };
        // Decided as a proof arriving now: the registry, then the subject's history.
        let admission = match admit(
            store,
            &registry,
            UnknownForms::Hold,
            &proof.record,
            &proof.jws,
            &proof.subject_key(),
        )
        .await
        {
            Ok(admission) => admission,
            // A withdrawal no longer linked (its consent erased) stays held.
            Err(_) => continue,
        };
        let Admission::Counts { mail, .. } = admission else {
            continue;
        };
        let now = Utc::now();
        let mut append = to_append(timing, &proof, mail, now);
        append.entry = events::release(
            entry.seq,
            &entry.proof_sha256,
            (&version.form_id, &version.version),
            &timestamp(now),
            proof.subject_key(),
        );
        append.withdraws = withdraws(&proof);
        append.held = Some(HeldMark::Release {
            proof_seq: entry.seq,
        });
        // What counts now without a confirmation reaches the tools, as on
        // arrival: a widget withdrawal, or a single opt-in the registered
        // form allows. A double opt-in waits for its click.
        if !mail {
            let at = timestamp(now);
            let change = handoff::widget_withdrawal(&proof, &at).or_else(|| {
                (!version.double_opt_in)
                    .then(|| handoff::single_opt_in(&proof, &at))
                    .flatten()
            });
            append.handoff = handoff::to(change, &handoff_to);
        }
        // The release's mail goes out from the collector that serves: its
        // retry task sends stored mail that is due.
        if let Some(Appended::New(_)) = store
            .append(vec![append], keys, now)
            .await?
            .into_iter()
            .next()
        {
            released.push((entry.seq, mail));
        }
    }
    Ok(Registered { new, released })
}

/// A stored proof, verified again from its stored parts.
pub async fn held_proof(
    store: &dyn Store,
    entry: &StoredEntry,
) -> Result<Option<VerifiedProof>, StoreError> {
    let (Some(header), Some(body), Some(signature)) =
        (&entry.jws_header, &entry.body, &entry.jws_signature)
    else {
        return Ok(None);
    };
    let shown = match &entry.texts_sha256 {
        Some(sha) => store.text(sha).await?,
        None => None,
    };
    Ok(stored::rebuild(header, body, signature, shown.as_deref())
        .and_then(|jws| verify_stored(&jws).ok()))
}
