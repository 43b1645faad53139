//! How a proof JWS is kept: its shown texts set apart (stored once per SHA-256),
//! the rest as is, so the exact JWS can be rebuilt byte for byte.

use crate::hash::sha256_hex;
use crate::jws::b64;
use crate::proof_check::VerifiedProof;

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
    let whole =
        serde_json_canonicalizer::to_string(&proof.payload).expect("verified payload serializes");
    let mut stripped = proof.payload.clone();
    let shown = stripped
        .get_mut("texts")
        .and_then(|t| t.as_object_mut())
        .and_then(|t| t.remove("shown"));
    let candidate = shown.map(|shown| {
        let shown = serde_json_canonicalizer::to_string(&shown).expect("json serializes");
        let body = serde_json_canonicalizer::to_string(&stripped).expect("json serializes");
        ProofParts {
            header_b64: header_b64.clone(),
            body,
            signature_b64: signature_b64.clone(),
            texts: Some((sha256_hex(&shown), shown)),
        }
    });
    // Keep the texts apart only if the rebuild gives back the exact JWS.
    match candidate {
        Some(parts)
            if rebuild(
                &parts.header_b64,
                &parts.body,
                &parts.signature_b64,
                parts.texts.as_ref().map(|t| t.1.as_str()),
            )
            .as_deref()
                == Some(proof.jws.as_str()) =>
        {
            parts
        }
        _ => ProofParts {
            header_b64,
            body: whole,
            signature_b64,
            texts: None,
        },
    }
}

/// Rebuilds the JWS from its stored parts; `None` if they do not fit together.
pub fn rebuild(
    header_b64: &str,
    body: &str,
    signature_b64: &str,
    shown: Option<&str>,
) -> Option<String> {
    let payload = match shown {
        None => body.to_string(),
        Some(shown) => {
            let mut value: serde_json::Value = serde_json::from_str(body).ok()?;
            let shown: serde_json::Value = serde_json::from_str(shown).ok()?;
            value
                .get_mut("texts")?
                .as_object_mut()?
                .insert("shown".into(), shown);
            serde_json_canonicalizer::to_string(&value).ok()?
        }
    };
    Some(format!("{header_b64}.{}.{signature_b64}", b64(payload)))
}

/// Reads the header's payload without the texts: what export and unsubscribe read.
pub fn body_json(body: &str) -> Option<serde_json::Value> {
    serde_json::from_str(body).ok()
}
