//! How a proof JWS is kept: its shown texts set apart (stored once per SHA-256),
//! the rest as is, so the exact JWS can be rebuilt byte for byte.

use consent_proof::jcs;
use serde_json::Value;

use super::verify::VerifiedProof;
use super::view::ProofView;
use crate::crypto::hash::sha256_hex;

/// A proof split for storage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProofParts {
    /// The protected header, base64url as received.
    pub header_b64: String,
    /// The payload's canonical JSON without `texts.shown` (or whole, see `texts`).
    pub body: String,
    /// The signature, base64url as received.
    pub signature_b64: String,
    /// SHA-256 (hex) of the canonical JSON of `texts.shown`, and that JSON;
    /// `None` when the payload had none or could not be rebuilt without it.
    pub texts: Option<(String, String)>,
}

/// Splits a verified proof for storage.
pub fn split(proof: &VerifiedProof) -> ProofParts {
    let mut parts = proof.jws.split('.');
    let header_b64 = parts.next().unwrap_or_default().to_string();
    let _payload = parts.next();
    let signature_b64 = parts.next().unwrap_or_default().to_string();
    let candidate = without_shown(&proof.payload).and_then(|(stripped, shown)| {
        let shown = jcs::canonicalize(shown)?;
        let body = jcs::canonicalize(&stripped)?;
        // Keep the texts apart only if the rebuild gives back the exact payload.
        (rebuild_payload(&body, Some(&shown)).as_deref() == Some(proof.payload_json.as_str())).then(
            || ProofParts {
                header_b64: header_b64.clone(),
                body,
                signature_b64: signature_b64.clone(),
                texts: Some((sha256_hex(&shown), shown)),
            },
        )
    });
    candidate.unwrap_or(ProofParts {
        header_b64,
        // The verifier checked that the payload is its own canonical form.
        body: proof.payload_json.clone(),
        signature_b64,
        texts: None,
    })
}

/// The payload without `texts.shown` (the rest copied, the texts not), and `texts.shown`.
fn without_shown(payload: &Value) -> Option<(Value, &Value)> {
    let texts = payload.get("texts")?.as_object()?;
    let shown = texts.get("shown")?;
    let stripped = payload
        .as_object()?
        .iter()
        .map(|(key, value)| {
            let value = if key == "texts" {
                Value::Object(
                    texts
                        .iter()
                        .filter(|(k, _)| *k != "shown")
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect(),
                )
            } else {
                value.clone()
            };
            (key.clone(), value)
        })
        .collect();
    Some((Value::Object(stripped), shown))
}

/// Rebuilds the JWS from its stored parts; `None` if they do not fit together.
pub fn rebuild(
    header_b64: &str,
    body: &str,
    signature_b64: &str,
    shown: Option<&str>,
) -> Option<String> {
    let payload = rebuild_payload(body, shown)?;
    Some(format!(
        "{header_b64}.{}.{signature_b64}",
        consent_proof::base64url::encode(payload.as_bytes())
    ))
}

/// The signed payload from the stored body and texts: RFC 8785 canonical
/// JSON, as the verifier requires it.
fn rebuild_payload(body: &str, shown: Option<&str>) -> Option<String> {
    match shown {
        None => Some(body.to_string()),
        Some(shown) => {
            let mut value: Value = serde_json::from_str(body).ok()?;
            let shown: Value = serde_json::from_str(shown).ok()?;
            value
                .get_mut("texts")?
                .as_object_mut()?
                .insert("shown".into(), shown);
            jcs::canonicalize(&value)
        }
    }
}

/// The verifier's typed record of a stored proof and its key's thumbprint,
/// from its stored header, body and shown texts (`None` when they are gone
/// or unknown: they read as empty). The proof was verified before it was
/// stored, and `verify-log` re-verifies it; this parses it into the
/// verifier's own record type, whose every field is typed. `None` if the
/// parts do not parse (an erased or tampered row).
pub fn record(
    header_b64: &str,
    body: &str,
    shown: Option<&str>,
) -> Option<(consent_proof::Proof, String)> {
    let header = consent_proof::base64url::decode(header_b64)?;
    let kid = consent_proof::verify::parse_header(&header).ok()?.kid;
    let mut payload: Value = serde_json::from_str(body).ok()?;
    let texts = payload.get_mut("texts")?.as_object_mut()?;
    match shown {
        Some(shown) => {
            texts.insert("shown".into(), serde_json::from_str(shown).ok()?);
        }
        None => {
            texts
                .entry("shown")
                .or_insert_with(|| Value::Object(Default::default()));
        }
    }
    Some((serde_json::from_value(payload).ok()?, kid))
}

/// The view of a stored proof (see [`record`]): the labels are the purpose
/// ids when the shown texts are gone.
pub fn read(header_b64: &str, body: &str, shown: Option<&str>) -> Option<ProofView> {
    let (record, kid) = record(header_b64, body, shown)?;
    Some(ProofView::new(&record, &kid))
}
