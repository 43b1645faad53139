//! `erase --subject --reason`: erasure on request (GDPR art. 17).
//!
//! The person's entries lose their content, as with `prune`; their hashes,
//! receipts and chain values stay, so `verify-log` still checks the whole
//! chain. A chained erasure entry records when, why and at whose request,
//! and which entries were erased, and holds no personal data: not the
//! address, and neither of the two free texts may hold one.

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::ledger::events::{self, EVENT_SCHEMA};
use crate::ledger::receipt::EntryKind;
use crate::store::{NewEntry, StoredEntry};

use super::timeline::subject_key;

/// An erasure request as the DPO enters it.
#[derive(Clone, Debug)]
pub struct ErasureRequest {
    /// The person's e-mail address.
    pub subject: String,
    /// Who asked, without personal data: "the data subject", "a court order".
    pub requested_by: String,
    /// Why, without personal data: "art. 17 request, ticket 2026-114".
    pub reason: String,
}

/// Why a request cannot be recorded as given.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RequestError {
    /// A field is empty.
    #[error("{0} is empty: the erasure record must say who asked and why")]
    Empty(&'static str),
    /// A field holds personal data or a line break.
    #[error("{0} must not hold an e-mail address or a line break: the erasure record keeps no personal data; give a ticket number or a role instead")]
    Personal(&'static str),
    /// The address is not one.
    #[error("--subject is not an e-mail address")]
    Subject,
}

impl ErasureRequest {
    /// Checks the request; the subject key it erases.
    pub fn validate(&self) -> Result<String, RequestError> {
        let subject = subject_key(&self.subject);
        if !subject.contains('@') {
            return Err(RequestError::Subject);
        }
        for (name, value) in [
            ("--requested-by", &self.requested_by),
            ("--reason", &self.reason),
        ] {
            if value.trim().is_empty() {
                return Err(RequestError::Empty(name));
            }
            let lower = value.to_lowercase();
            if value.contains('@') || value.contains(['\n', '\r']) || lower.contains(&subject) {
                return Err(RequestError::Personal(name));
            }
        }
        Ok(subject)
    }
}

/// The erasure entry for `erased` seqs: who asked, when, why; no personal data.
pub fn erasure_entry(request: &ErasureRequest, erased: &[i64], now: DateTime<Utc>) -> NewEntry {
    let event = json!({
        "schema": EVENT_SCHEMA,
        "type": "erased",
        "at": crate::store::timestamp(now),
        "requestedBy": request.requested_by.trim(),
        "reason": request.reason.trim(),
        "erased": erased,
    });
    events::entry(EntryKind::Erasure, event, None)
}

/// What `erase` prints once done.
pub fn summary(entry: &StoredEntry) -> String {
    let body: serde_json::Value =
        serde_json::from_str(entry.body.as_deref().unwrap_or("{}")).unwrap_or_default();
    let count = body["erased"].as_array().map_or(0, Vec::len);
    format!(
        "erased: {count} {} (recorded at seq {}); verify-log still checks their hashes and receipts",
        if count == 1 { "entry" } else { "entries" },
        entry.seq
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(by: &str, reason: &str) -> ErasureRequest {
        ErasureRequest {
            subject: " Marie@Example.org ".into(),
            requested_by: by.into(),
            reason: reason.into(),
        }
    }

    #[test]
    fn a_request_keeps_no_personal_data() {
        assert_eq!(
            request("the data subject", "art. 17, ticket 114").validate(),
            Ok("marie@example.org".into())
        );
        assert_eq!(
            request("marie@example.org", "x").validate(),
            Err(RequestError::Personal("--requested-by"))
        );
        assert_eq!(
            request("subject", "asked by mail\nfrom her").validate(),
            Err(RequestError::Personal("--reason"))
        );
        assert_eq!(
            request(" ", "x").validate(),
            Err(RequestError::Empty("--requested-by"))
        );
        let mut bad = request("subject", "x");
        bad.subject = "marie".into();
        assert_eq!(bad.validate(), Err(RequestError::Subject));
    }
}
