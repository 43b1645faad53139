//! Registered versions as the service reads them: a version never changes
//! once registered, so each one read is kept; a version not found is asked
//! for again next time (`forms add` may have registered it meanwhile).

use std::sync::RwLock;

use sqlx::AnyPool;

use super::FormVersion;

/// The versions read so far.
#[derive(Debug, Default)]
pub struct Cache {
    known: RwLock<Vec<FormVersion>>,
}

impl Cache {
    /// The registered version `form_id` `version`, if there is one.
    pub async fn lookup(
        &self,
        pool: &AnyPool,
        form_id: &str,
        version: &str,
    ) -> Result<Option<FormVersion>, sqlx::Error> {
        let found = |known: &[FormVersion]| {
            known
                .iter()
                .find(|v| v.form_id == form_id && v.version == version)
                .cloned()
        };
        if let Some(hit) = found(&self.known.read().unwrap_or_else(|e| e.into_inner())) {
            return Ok(Some(hit));
        }
        let read = super::sql::version(pool, form_id, version).await?;
        if let Some(read) = &read {
            let mut known = self.known.write().unwrap_or_else(|e| e.into_inner());
            if found(&known).is_none() {
                known.push(read.clone());
            }
        }
        Ok(read)
    }
}
