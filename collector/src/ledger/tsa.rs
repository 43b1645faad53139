//! Asks an RFC 3161 timestamp authority to stamp a message, over HTTP (RFC 3161 section 3.4).

use std::time::Duration;

use der::asn1::{Int, OctetString};
use der::{Decode, Encode};
use sha2::{Digest, Sha256};
use x509_cert::spki::AlgorithmIdentifier;
use x509_tsp::{MessageImprint, TimeStampReq, TimeStampResp, TspVersion};

use super::tsa_verify::{Authority, Stamp, TokenError, SHA256};

/// Why no token was obtained.
#[derive(Debug, thiserror::Error)]
pub enum StampError {
    /// The authority could not be reached or answered with an HTTP error.
    #[error("timestamp authority {url}: {detail}")]
    Http {
        /// The authority's URL.
        url: String,
        /// What went wrong.
        detail: String,
    },
    /// The answer is not a granted timestamp response.
    #[error("timestamp authority {url} refused: {detail}")]
    Refused {
        /// The authority's URL.
        url: String,
        /// Its status, or why the answer is unreadable.
        detail: String,
    },
    /// The token does not verify with the authority's certificate.
    #[error("timestamp authority {url} sent a token that does not verify: {source}")]
    Token {
        /// The authority's URL.
        url: String,
        /// Why.
        source: TokenError,
    },
}

/// A configured authority: where to ask, and whose certificate must sign.
#[derive(Clone, Debug)]
pub struct TimestampClient {
    url: String,
    authority: Authority,
    http: reqwest::Client,
}

impl TimestampClient {
    /// A client for the authority at `url` whose tokens must verify with `authority`.
    pub fn new(url: String, authority: Authority) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .expect("an http client with a timeout builds");
        TimestampClient {
            url,
            authority,
            http,
        }
    }

    /// Gets a token for `message`, checks it (signer, imprint, nonce) and returns its DER.
    pub async fn stamp(&self, message: &[u8]) -> Result<(Vec<u8>, Stamp), StampError> {
        let nonce = nonce();
        let query = query(message, &nonce);
        let http = |detail: String| StampError::Http {
            url: self.url.clone(),
            detail,
        };
        let response = self
            .http
            .post(&self.url)
            .header(reqwest::header::CONTENT_TYPE, "application/timestamp-query")
            .body(query)
            .send()
            .await
            .map_err(|e| http(e.to_string()))?;
        if !response.status().is_success() {
            return Err(http(format!("http status {}", response.status())));
        }
        let body = response.bytes().await.map_err(|e| http(e.to_string()))?;
        let token = granted_token(&body).map_err(|detail| StampError::Refused {
            url: self.url.clone(),
            detail,
        })?;
        let stamp = self
            .authority
            .verify(&token, message)
            .map_err(|source| StampError::Token {
                url: self.url.clone(),
                source,
            })?;
        // A replayed answer to an earlier query would carry an earlier nonce.
        if stamp.nonce.as_deref() != Some(hex::encode(&nonce).as_str()) {
            return Err(StampError::Refused {
                url: self.url.clone(),
                detail: "the token does not carry the query's nonce".into(),
            });
        }
        Ok((token, stamp))
    }
}

/// A positive 63-bit nonce, minimally encoded as DER wants it.
fn nonce() -> Vec<u8> {
    let n = rand::random::<u64>() >> 1 | 1 << 56;
    let bytes = n.to_be_bytes();
    let first = bytes.iter().position(|b| *b != 0).unwrap_or(7);
    bytes[first..].to_vec()
}

/// A DER `TimeStampReq` for the SHA-256 of `message`, asking for the signer's certificate.
pub fn query(message: &[u8], nonce: &[u8]) -> Vec<u8> {
    TimeStampReq {
        version: TspVersion::V1,
        message_imprint: MessageImprint {
            hash_algorithm: AlgorithmIdentifier {
                oid: SHA256,
                parameters: None,
            },
            hashed_message: OctetString::new(Sha256::digest(message).to_vec())
                .expect("a digest fits an octet string"),
        },
        req_policy: None,
        nonce: Some(Int::new(nonce).expect("a positive nonce is an integer")),
        cert_req: true,
        extensions: None,
    }
    .to_der()
    .expect("a timestamp query encodes")
}

/// The token of a `TimeStampResp` whose status is granted (with or without modifications).
pub fn granted_token(response: &[u8]) -> Result<Vec<u8>, String> {
    use cmpv2::status::PkiStatus;
    let response =
        TimeStampResp::from_der(response).map_err(|e| format!("not a timestamp response: {e}"))?;
    match response.status.status {
        PkiStatus::Accepted | PkiStatus::GrantedWithMods => {}
        other => return Err(format!("status {other:?}")),
    }
    let token = response
        .time_stamp_token
        .ok_or("a granted response without a token")?;
    token.to_der().map_err(|e| e.to_string())
}
