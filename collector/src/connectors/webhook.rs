//! Signed webhooks following the Standard Webhooks specification 1.0
//! (standardwebhooks.com, spec/standard-webhooks.md): headers `webhook-id`,
//! `webhook-timestamp` (Unix seconds), `webhook-signature` (space-separated
//! `version,base64` entries), the signed content being
//! `id.timestamp.body`. `v1a` is Ed25519 with the collector's own key (the
//! receiver needs only its public key, `whpk_` + base64, also in the JWKS);
//! `v1` is HMAC-SHA256 with a shared `whsec_` + base64 secret, for
//! receivers that want it. The id is the hand-off's, stable across retries,
//! which is how a receiver drops a redelivery.
//!
//! The body is the change as RFC 8785 JSON: state, subject, purposes and
//! channels, times, the proof's record id, hash and JWS, and the receipt,
//! so the receiver can verify everything offline.

use async_trait::async_trait;
use consent_proof::base64;
use ed25519_dalek::{Signer, SigningKey, Verifier, VerifyingKey};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::http::send;
use super::{Connector, Failure, Handoff, State};

/// The `v1` shared secret: `whsec_` + base64 of the key bytes.
#[derive(Clone)]
pub struct Secret(Vec<u8>);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl Secret {
    /// Parses `whsec_<base64>` (the prefix is optional, as the spec's libraries accept).
    pub fn parse(text: &str) -> Option<Self> {
        let key = base64::decode(text.trim().strip_prefix("whsec_").unwrap_or(text.trim()))?;
        (key.len() >= 16).then_some(Secret(key))
    }

    fn mac(&self, content: &[u8]) -> Vec<u8> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(content);
        mac.finalize().into_bytes().to_vec()
    }
}

/// The content both schemes sign.
fn signed_content(id: &str, timestamp: i64, body: &[u8]) -> Vec<u8> {
    let mut content = format!("{id}.{timestamp}.").into_bytes();
    content.extend_from_slice(body);
    content
}

/// The `webhook-signature` value: `v1a,<sig>` (when `key` is given) and `v1,<mac>`.
pub fn signature(
    id: &str,
    timestamp: i64,
    body: &[u8],
    key: Option<&SigningKey>,
    secret: Option<&Secret>,
) -> String {
    let content = signed_content(id, timestamp, body);
    let mut parts = Vec::new();
    if let Some(key) = key {
        parts.push(format!(
            "v1a,{}",
            base64::encode(&key.sign(&content).to_bytes())
        ));
    }
    if let Some(secret) = secret {
        parts.push(format!("v1,{}", base64::encode(&secret.mac(&content))));
    }
    parts.join(" ")
}

/// The receiver's form of the collector's public key: `whpk_` + base64.
pub fn public_key(key: &SigningKey) -> String {
    format!("whpk_{}", base64::encode(&key.verifying_key().to_bytes()))
}

/// Checks a `webhook-signature` header: true when one entry is a valid
/// `v1` MAC under `secret` or a valid `v1a` signature under `public`.
pub fn verify(
    id: &str,
    timestamp: i64,
    body: &[u8],
    header: &str,
    secret: Option<&Secret>,
    public: Option<&VerifyingKey>,
) -> bool {
    let content = signed_content(id, timestamp, body);
    header.split(' ').any(|entry| {
        let Some((version, sig)) = entry.split_once(',') else {
            return false;
        };
        let Some(sig) = base64::decode(sig) else {
            return false;
        };
        match (version, secret, public) {
            ("v1", Some(secret), _) => {
                let mut mac = Hmac::<Sha256>::new_from_slice(&secret.0).expect("any key length");
                mac.update(&content);
                mac.verify_slice(&sig).is_ok()
            }
            ("v1a", _, Some(public)) => ed25519_dalek::Signature::from_slice(&sig)
                .is_ok_and(|sig| public.verify(&content, &sig).is_ok()),
            _ => false,
        }
    })
}

/// The event type of a change.
pub fn event_type(state: State) -> &'static str {
    match state {
        State::Confirmed => "consent.confirmed",
        State::Withdrawn => "consent.withdrawn",
        State::Erased => "consent.erased",
    }
}

/// A receiver of signed webhooks.
pub struct Webhook {
    name: String,
    url: String,
    key: Option<SigningKey>,
    secret: Option<Secret>,
    client: reqwest::Client,
}

impl Webhook {
    /// Posts to `url`, signed `v1a` with `key` and/or `v1` with `secret`
    /// (at least one: the configuration refuses neither).
    pub fn new(
        name: String,
        url: String,
        key: Option<SigningKey>,
        secret: Option<Secret>,
        client: reqwest::Client,
    ) -> Self {
        Webhook {
            name,
            url,
            key,
            secret,
            client,
        }
    }

    /// The body for a hand-off: `{type, timestamp, data}`, canonical JSON.
    pub fn body(handoff: &Handoff) -> String {
        let event = serde_json::json!({
            "type": event_type(handoff.change.state),
            "timestamp": handoff.change.at,
            "data": handoff.change,
        });
        consent_proof::jcs::canonicalize(&event).expect("a hand-off has no float")
    }
}

#[async_trait]
impl Connector for Webhook {
    fn name(&self) -> &str {
        &self.name
    }

    async fn deliver(&self, handoff: &Handoff) -> Result<(), Failure> {
        let body = Self::body(handoff);
        // A fresh timestamp per attempt: receivers reject old ones (replay
        // protection); the id stays, so they still drop a redelivery.
        let timestamp = chrono::Utc::now().timestamp();
        let id = format!("msg_{}", handoff.id);
        let signature = signature(
            &id,
            timestamp,
            body.as_bytes(),
            self.key.as_ref(),
            self.secret.as_ref(),
        );
        let request = self
            .client
            .post(&self.url)
            .header("content-type", "application/json")
            .header("webhook-id", &id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(body);
        send(&self.name, request, None).await.map(|_| ())
    }
}
