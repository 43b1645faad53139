//! The proofs held for want of a registered form version, as `forms held`,
//! `forms approve` and the dashboard read them: each re-verified from its
//! stored parts, grouped by the version it claims, with the version that
//! approving would register.

use crate::flows::release::held_proof;
use crate::registry::derive::{self, DeriveError};
use crate::registry::{sql, FormVersion};
use crate::store::{Store, StoreError};

/// One held proof: its row, and its record (`None` once erased).
pub struct HeldProof {
    /// Seq, claimed form and why it is held.
    pub row: sql::Held,
    /// The proof as verified again from the log.
    pub record: Option<consent_proof::Proof>,
}

/// The held proofs of one claimed form version.
pub struct HeldVersion {
    /// The form id they claim.
    pub form_id: String,
    /// The version they claim.
    pub version: String,
    /// Its held proofs, in log order.
    pub proofs: Vec<HeldProof>,
    /// Whether this id and version is registered already: its proofs are
    /// then held for differing from it, and approving cannot change it.
    pub registered: bool,
}

impl HeldVersion {
    /// The records still in the log.
    pub fn records(&self) -> Vec<consent_proof::Proof> {
        self.proofs
            .iter()
            .filter_map(|p| p.record.clone())
            .collect()
    }

    /// What `forms approve` would register from them, or why it cannot.
    pub fn derived(&self) -> Result<FormVersion, DeriveError> {
        derive::from_held(&self.records())
    }

    /// Why its proofs are held, each reason once, in order of first seq.
    pub fn reasons(&self) -> Vec<&str> {
        let mut reasons: Vec<&str> = Vec::new();
        for p in &self.proofs {
            if !reasons.contains(&p.row.reason.as_str()) {
                reasons.push(&p.row.reason);
            }
        }
        reasons
    }

    /// The command that approves it, with its arguments quoted for a POSIX
    /// shell: the ids come from the proofs, not from the merchant.
    pub fn approve_command(&self) -> String {
        let quote =
            |s: &str| shlex::try_quote(s).map_or_else(|_| "'?'".to_string(), |q| q.into_owned());
        format!(
            "consent-collector forms approve {} {}",
            quote(&self.form_id),
            quote(&self.version)
        )
    }
}

/// The unreleased held proofs (of one version, or all), in log order.
pub async fn held_proofs(
    store: &dyn Store,
    form: Option<(&str, &str)>,
) -> Result<Vec<HeldProof>, StoreError> {
    let mut out = Vec::new();
    for row in sql::held(store.sql_pool(), form).await? {
        let record = match store.entry(row.seq).await? {
            Some(entry) => held_proof(store, &entry).await?.map(|p| p.record),
            None => None,
        };
        out.push(HeldProof { row, record });
    }
    Ok(out)
}

/// Every form version with held proofs, by form id and version.
pub async fn held_versions(store: &dyn Store) -> Result<Vec<HeldVersion>, StoreError> {
    let mut versions: Vec<HeldVersion> = Vec::new();
    for proof in held_proofs(store, None).await? {
        let (id, version) = (&proof.row.form_id, &proof.row.version);
        match versions
            .iter_mut()
            .find(|v| &v.form_id == id && &v.version == version)
        {
            Some(v) => v.proofs.push(proof),
            None => versions.push(HeldVersion {
                registered: sql::version(store.sql_pool(), id, version).await?.is_some(),
                form_id: id.clone(),
                version: version.clone(),
                proofs: vec![proof],
            }),
        }
    }
    versions.sort_by(|a, b| (&a.form_id, &a.version).cmp(&(&b.form_id, &b.version)));
    Ok(versions)
}
