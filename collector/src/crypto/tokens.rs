//! Confirm and unsubscribe tokens: random, and stored only as a hash.

use rand::RngCore;

use crate::crypto::hash::sha256_hex;
use consent_proof::base64url;

/// A fresh token (256 random bits, base64url) and the hash that is stored.
pub fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = base64url::encode(&bytes);
    let hash = hash(&token);
    (token, hash)
}

/// The preference-page token mailed beside an unsubscribe token: derived
/// from it (one-way), so the mail waiting to be sent needs no third secret
/// kept in the clear, and knowing it does not give the unsubscribe link.
pub fn preferences_token(unsubscribe_token: &str) -> String {
    use sha2::Digest;
    base64url::encode(&sha2::Sha256::digest(
        format!("consent-preferences:{unsubscribe_token}").as_bytes(),
    ))
}

/// The stored form of a token.
pub fn hash(token: &str) -> String {
    sha256_hex(token.as_bytes())
}
