//! A proof record into a compact JWS, with WebCrypto doing the hashing and
//! signing over the bytes the `consent-proof` crate defines.

use crate::prelude::*;

use consent_proof::{base64url, jws, Canonical, Proof, ProtectedHeader};
use wasm_bindgen::JsValue;

use super::crypto::{self, Key};

/// The lowercase hex SHA-256 of each input, in order.
///
/// # Errors
/// When WebCrypto refuses.
pub async fn hashes(inputs: &[String]) -> Result<Vec<String>, JsValue> {
    let mut out = Vec::with_capacity(inputs.len());
    for input in inputs {
        out.push(crypto::sha256_hex(input).await?);
    }
    Ok(out)
}

/// Signs `proof` with `key`: header `{alg, typ, jwk, kid}` where `kid` is the
/// RFC 7638 thumbprint, over RFC 8785 canonical JSON.
///
/// # Errors
/// When WebCrypto refuses.
pub async fn sign(key: &Key, proof: &Proof) -> Result<String, JsValue> {
    let kid = base64url::encode(&crypto::sha256(key.jwk.thumbprint_input().as_bytes()).await?);
    let header = ProtectedHeader::new(key.jwk.clone(), kid).to_canonical_json();
    let input = jws::signing_input(&header, &proof.to_canonical_json());
    let signature = crypto::sign(&key.private, input.as_bytes()).await?;
    Ok(jws::compact(&input, &signature))
}
