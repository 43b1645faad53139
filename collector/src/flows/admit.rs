//! What a verified proof does on arrival, from the registry and the
//! subject's stored history (see [`super::intake`]).

use consent_proof::Proof;

use super::intake::{decide, Decision, History, Refusal, UnknownForms};
use super::replay::kid_of;
use crate::registry::cache::Cache;
use crate::registry::FormVersion;
use crate::store::{HeldMark, Store, StoreError};

/// The decision, owned.
#[derive(Clone, Debug)]
pub enum Admission {
    /// Stored, held: no mail, no state change.
    Held {
        /// Why, for `forms held`.
        reason: String,
    },
    /// Stored, and it counts under this version.
    Counts {
        /// The registered version it matches: mail and pages speak from it.
        version: Box<FormVersion>,
        /// Whether a confirmation mail goes out.
        mail: bool,
        /// The pending consent whose confirmation it re-sends instead.
        resend: Option<i64>,
    },
}

impl Admission {
    /// Whether a confirmation mail goes out.
    pub fn mail(&self) -> bool {
        matches!(self, Admission::Counts { mail: true, .. })
    }

    /// The pending consent whose confirmation a repeated sign-up re-sends.
    pub fn resend(&self) -> Option<i64> {
        match self {
            Admission::Counts { resend, .. } => *resend,
            Admission::Held { .. } => None,
        }
    }

    /// The mark its append carries.
    pub fn mark(&self, proof: &Proof) -> Option<HeldMark> {
        match self {
            Admission::Held { reason } => Some(HeldMark::Hold {
                form_id: proof.form.id.clone(),
                version: proof.form.version.clone(),
                reason: reason.clone(),
            }),
            Admission::Counts { .. } => None,
        }
    }
}

/// Why a proof is not admitted.
#[derive(Debug, thiserror::Error)]
pub enum AdmitError {
    /// Refused, nothing stored (422).
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// The database failed (503).
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Decides what `proof` (the JWS `jws`, for `subject`) does.
pub async fn admit(
    store: &dyn Store,
    registry: &Cache,
    unknown: UnknownForms,
    proof: &Proof,
    jws: &str,
    subject: &str,
) -> Result<Admission, AdmitError> {
    let version = registry
        .lookup(store.sql_pool(), &proof.form.id, &proof.form.version)
        .await
        .map_err(StoreError::from)?;
    let (entries, held) = store.subject_history(subject).await?;
    let kid = kid_of(jws.split('.').next().unwrap_or_default()).unwrap_or_default();
    let versions: Vec<FormVersion> = version.into_iter().collect();
    let history = History {
        entries: &entries,
        held: held.into_iter().collect(),
    };
    Ok(
        match decide(&versions, unknown, history, proof, &kid, subject)? {
            Decision::Held { reason } => Admission::Held { reason },
            Decision::Counts { version, mail, resend } => Admission::Counts {
                version: Box::new(version.clone()),
                mail,
                resend,
            },
        },
    )
}
