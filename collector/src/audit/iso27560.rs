//! `export --format iso27560`: each consent proof as an ISO/IEC TS 27560:2023
//! consent record, in the JSON-LD the W3C DPVCG guide "Consent Records and
//! Receipts as per ISO/IEC TS 27560:2023 using DPV" defines (profile
//! `dpv-27560#record`, DPV 2 terms). One record per line.
//!
//! A record is one proof from the widget (the notice shown, the choices
//! made); the log's later entries for it (confirmation click, unsubscribe
//! link, widget withdrawal) are added to each purpose's consent states. What
//! the log does not hold, and ISO/IEC TS 27560 requires (the controller's
//! postal address, the retention period and the storage location), comes
//! from the command's options; nothing is made up.

use std::collections::HashMap;

use serde_json::{json, Value};

use super::timeline::{Event, What};

/// The profile every record conforms to.
pub const PROFILE: &str = "https://w3id.org/dpv/schema/dpv-27560#record";

/// What the log does not hold and a 27560 record needs.
#[derive(Clone, Debug)]
pub struct RecordFacts {
    /// The controller's postal address (party address, mandatory).
    pub controller_address: String,
    /// Retention period as an ISO 8601 duration, e.g. `P3Y`.
    pub retention: String,
    /// Where the collector's database is, as a country code, e.g. `FR`.
    pub storage_location: String,
}

/// Why the records cannot be written.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FactsError {
    /// A required option is missing.
    #[error("--format iso27560 needs {0}: ISO/IEC TS 27560 makes it mandatory and the log does not hold it")]
    Missing(&'static str),
    /// An option has a bad value.
    #[error("invalid {0}: {1}")]
    Invalid(&'static str, &'static str),
}

impl RecordFacts {
    /// From the command's options, each required.
    pub fn from_options(
        controller_address: Option<String>,
        retention: Option<String>,
        storage_location: Option<String>,
    ) -> Result<Self, FactsError> {
        let controller_address = controller_address
            .filter(|a| !a.trim().is_empty())
            .ok_or(FactsError::Missing("--controller-address"))?;
        let retention = retention.ok_or(FactsError::Missing("--retention"))?;
        if !retention.starts_with('P') || retention.len() < 3 {
            return Err(FactsError::Invalid(
                "--retention",
                "expected an ISO 8601 duration such as P3Y",
            ));
        }
        let storage_location = storage_location
            .ok_or(FactsError::Missing("--storage-location"))?
            .to_uppercase();
        if storage_location.len() != 2 || !storage_location.bytes().all(|b| b.is_ascii_alphabetic())
        {
            return Err(FactsError::Invalid(
                "--storage-location",
                "expected a two-letter country code such as FR",
            ));
        }
        Ok(RecordFacts {
            controller_address,
            retention,
            storage_location,
        })
    }
}

/// The JSON-LD context of every record.
pub fn context() -> Value {
    json!({
        "dpv": "https://w3id.org/dpv#",
        "pd": "https://w3id.org/dpv/pd#",
        "loc": "https://w3id.org/dpv/loc#",
        "eu-gdpr": "https://w3id.org/dpv/legal/eu/gdpr#",
        "dct": "http://purl.org/dc/terms/",
        "schema": "https://schema.org/",
        "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    })
}

/// One record per consent proof, in log order, from the whole log's events
/// (each with its subject key).
pub fn records(events: &[(Option<String>, Event)], facts: &RecordFacts) -> Vec<Value> {
    // Later entries that act on a consent: by its seq (links) and its hash (widget withdrawals).
    let mut by_seq: HashMap<i64, Vec<&Event>> = HashMap::new();
    let mut by_hash: HashMap<&str, i64> = HashMap::new();
    for (_, e) in events {
        if matches!(e.what, What::Consent | What::Refusal) {
            by_hash.insert(e.proof_sha256.as_str(), e.seq);
        }
    }
    for (_, e) in events {
        let target = match e.what {
            What::Confirmation | What::Unsubscribe => e.refers_to,
            What::Withdrawal => e.prev.as_deref().and_then(|h| by_hash.get(h).copied()),
            _ => None,
        };
        if let Some(seq) = target {
            by_seq.entry(seq).or_default().push(e);
        }
    }
    events
        .iter()
        .filter(|(_, e)| matches!(e.what, What::Consent | What::Refusal))
        .filter_map(|(subject, e)| {
            let later = by_seq.get(&e.seq).map(Vec::as_slice).unwrap_or_default();
            record(subject.as_deref()?, e, later, facts)
        })
        .collect()
}

fn record(subject: &str, e: &Event, later: &[&Event], facts: &RecordFacts) -> Option<Value> {
    let record_id = e.record_id.clone()?;
    let controller = e.controller.clone().unwrap_or_default();
    let origin = e
        .page
        .as_deref()
        .and_then(|p| p.split('/').take(3).collect::<Vec<_>>().join("/").into())
        .unwrap_or_default();
    let controller_id = format!("{origin}#controller");
    let jurisdiction = format!(
        "loc:{}",
        e.jurisdiction.as_deref().unwrap_or_default().to_uppercase()
    );
    let locale = e.locale.clone().unwrap_or_default();
    let form = e.form.clone()?;
    let mut notices = vec![json!({
        "@type": "dpv:ConsentNotice",
        "dct:identifier": e.texts.as_ref().map(|t| format!("sha256:{}", t.sha256)),
        "dct:title": format!("form {} version {}", form.id, form.version),
        "dct:language": locale,
        "dct:source": e.page,
        "dct:description": e.texts.as_ref().and_then(|t| t.shown.clone()),
    })];
    if let Some(policy) = &e.privacy_policy {
        notices.push(json!({
            "@id": policy.url,
            "@type": "dpv:PrivacyNotice",
            "dct:hasVersion": policy.version,
        }));
    }
    let rights: Vec<Value> = [
        ("eu-gdpr:A7-3", "Right to withdraw consent"),
        ("eu-gdpr:A15", "Right of access"),
        ("eu-gdpr:A17", "Right to erasure"),
    ]
    .iter()
    .map(|(term, title)| {
        json!({
            "@type": ["dpv:DataSubjectRight", term],
            "dct:title": title,
            "dpv:isExercisedAt": controller["contact"].as_str().map(|c| format!("mailto:{c}")),
        })
    })
    .collect();
    let processes: Vec<Value> = e
        .purposes
        .iter()
        .filter(|p| p.basis == "consent")
        .map(|p| {
            json!({
                "@type": "dpv:Process",
                "dct:identifier": p.id,
                "dpv:hasPurpose": {
                    "@type": ["dpv:Purpose", "dpv:DirectMarketing"],
                    "dct:identifier": p.id,
                    "dct:description": p.text,
                },
                "dpv:hasPersonalData": if p.channel == "sms" { "pd:TelephoneNumber" } else { "pd:EmailAddress" },
                "dpv:hasDataController": controller_id,
                "dpv:hasRecipient": controller_id,
                "dpv:hasLegalBasis": "dpv:ExpressedConsent",
                "dpv:hasStorageCondition": [
                    { "@type": "dpv:StorageDuration", "dpv:hasDuration": facts.retention },
                    { "@type": "dpv:StorageLocation", "dpv:hasLocation": format!("loc:{}", facts.storage_location) },
                ],
                "dpv:hasConsentControl": {
                    "@type": "dpv:WithdrawConsent",
                    "dpv:isExercisedAt": e.page,
                    "dct:description": "\"Manage my choices\" in the form on this page, or the unsubscribe link in every e-mail",
                },
                "dpv:hasJurisdiction": jurisdiction,
                "dpv:hasRight": rights,
                "dpv:hasConsentStatus": states(e, &p.id, &p.choice, later),
            })
        })
        .collect();
    if processes.is_empty() {
        return None;
    }
    Some(json!({
        "@context": context(),
        "@id": format!("urn:uuid:{record_id}"),
        "@type": "dpv:ConsentRecord",
        "dct:conformsTo": PROFILE,
        "dct:identifier": record_id,
        "dct:created": e.received_at,
        "dct:source": format!("consent-collector log seq {}, proof sha256 {}", e.seq, e.proof_sha256),
        "dpv:hasDataSubject": { "@type": "dpv:DataSubject", "dct:identifier": subject },
        "dpv:hasNotice": notices,
        "dct:language": locale,
        "dpv:hasJurisdiction": jurisdiction,
        "dpv:hasDataController": controller_id,
        "dpv:hasEntity": [{
            "@id": controller_id,
            "@type": ["dpv:Organisation", "dpv:DataController"],
            "dpv:hasName": controller["name"],
            "dpv:hasIdentifier": origin,
            "schema:contactPoint": {
                "@type": "schema:ContactPoint",
                "schema:email": controller["contact"],
                "schema:address": facts.controller_address,
            },
        }],
        "dpv:hasProcess": processes,
    }))
}

/// The consent states of one purpose: the choice on the form, then what the log says happened to it.
fn states(e: &Event, purpose: &str, choice: &str, later: &[&Event]) -> Vec<Value> {
    let until_withdrawn =
        json!({ "@type": "dpv:UntilEventDuration", "rdf:value": "until the consent is withdrawn" });
    let state = |kind: &str, by: &str, method: String, at: &str, seq: i64| {
        json!({
            "@type": kind,
            "dpv:isIndicatedBy": by,
            "dpv:hasIndicationMethod": method,
            "dpv:isIndicatedAtTime": at,
            "dpv:hasDuration": until_withdrawn,
            "dct:source": format!("seq {seq}"),
        })
    };
    let mechanism = e.mechanism.clone().unwrap_or_default();
    let at = e.issued_at.as_deref().unwrap_or(&e.received_at);
    let double = e.double_opt_in.as_deref() == Some("requested");
    let mut out = vec![match choice {
        "granted" if double => state(
            "dpv:ConsentRequested",
            "dpv:DataSubject",
            format!("{mechanism}; confirmation by e-mail requested"),
            at,
            e.seq,
        ),
        "granted" => state("dpv:ConsentGiven", "dpv:DataSubject", mechanism, at, e.seq),
        _ => state(
            "dpv:ConsentRefused",
            "dpv:DataSubject",
            mechanism,
            at,
            e.seq,
        ),
    }];
    for l in later {
        let touches = l.purposes.is_empty() || l.purposes.iter().any(|p| p.id == purpose);
        match l.what {
            What::Confirmation if choice == "granted" && double => out.push(state(
                "dpv:ConsentGiven",
                "dpv:DataSubject",
                "confirmation link in the double opt-in e-mail clicked".into(),
                &l.received_at,
                l.seq,
            )),
            What::Unsubscribe if touches => out.push(state(
                "dpv:ConsentWithdrawn",
                "dpv:DataSubject",
                "unsubscribe link in an e-mail".into(),
                &l.received_at,
                l.seq,
            )),
            What::Withdrawal if touches => out.push(state(
                "dpv:ConsentWithdrawn",
                "dpv:DataSubject",
                l.mechanism
                    .clone()
                    .unwrap_or_else(|| "withdrawal form".into()),
                l.issued_at.as_deref().unwrap_or(&l.received_at),
                l.seq,
            )),
            _ => {}
        }
    }
    out
}
