//! WebCrypto: the browser's signing key, signatures and SHA-256. The private
//! key is generated non-extractable and never leaves WebCrypto; no Rust
//! crypto ships in the wasm.

use crate::prelude::*;

use consent_proof::Jwk;
use core::cell::RefCell;

use js_sys::{Array, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CryptoKey, SubtleCrypto};

use super::convert::{object, s};
use super::storage;

const KEY_NAME: &str = "signing-key";

/// The browser's signing key: the private half stays inside WebCrypto.
#[derive(Clone)]
pub struct Key {
    /// The non-extractable private key.
    pub private: CryptoKey,
    /// The public key, as the JWS header carries it.
    pub jwk: Jwk,
}

fn subtle() -> Result<SubtleCrypto, JsValue> {
    Ok(web_sys::window().ok_or(JsValue::NULL)?.crypto()?.subtle())
}

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &s(key)).unwrap_or(JsValue::UNDEFINED)
}

/// Whether a key signs with Ed25519 (else ECDSA P-256).
fn is_ed25519(key: &CryptoKey) -> bool {
    get(&key.algorithm().map(JsValue::from).unwrap_or(JsValue::UNDEFINED), "name").as_string().as_deref() == Some("Ed25519")
}

fn generate_params(ed25519: bool) -> Object {
    let params = if ed25519 {
        object(&[("name", s("Ed25519"))])
    } else {
        object(&[("name", s("ECDSA")), ("namedCurve", s("P-256"))])
    };
    params.unchecked_into()
}

async fn generate(ed25519: bool) -> Result<JsValue, JsValue> {
    let usages: Array = [s("sign"), s("verify")].into_iter().collect();
    JsFuture::from(subtle()?.generate_key_with_object(&generate_params(ed25519), false, &usages)?).await
}

async fn from_pair(pair: &JsValue) -> Result<Key, JsValue> {
    let private: CryptoKey = get(pair, "privateKey").dyn_into()?;
    let public: CryptoKey = get(pair, "publicKey").dyn_into()?;
    let jwk = JsFuture::from(subtle()?.export_key("jwk", &public)?).await?;
    let coordinate = |name| get(&jwk, name).as_string().unwrap_or_default();
    let jwk = if is_ed25519(&private) {
        Jwk::Ed25519 { x: coordinate("x") }
    } else {
        Jwk::P256 { x: coordinate("x"), y: coordinate("y") }
    };
    Ok(Key { private, jwk })
}

/// The page's one key request, so that two first submissions at once do
/// not each make (and store) a key of their own.
struct KeyRequest(RefCell<Option<Promise>>);

// SAFETY: this wasm module runs on one thread, so the cell is never reached
// concurrently.
unsafe impl Sync for KeyRequest {}

static KEY_REQUEST: KeyRequest = KeyRequest(RefCell::new(None));

/// The stored key pair, or a new one, stored for next time.
async fn pair() -> Result<JsValue, JsValue> {
    let stored = storage::key_get(KEY_NAME).await.unwrap_or(JsValue::UNDEFINED);
    if stored.is_object() && from_pair(&stored).await.is_ok() {
        return Ok(stored);
    }
    let pair = match generate(true).await {
        Ok(pair) => pair,
        Err(_) => generate(false).await?,
    };
    let _ = storage::key_put(KEY_NAME, &pair).await;
    Ok(pair)
}

/// This browser's key: the stored one, or a new non-extractable Ed25519 key
/// (ECDSA P-256 where Ed25519 is unavailable), stored for next time. Where
/// IndexedDB cannot store it (some private modes), the new key still signs:
/// the proof is as valid, only not linkable to this browser's later records.
///
/// # Errors
/// When WebCrypto is unavailable.
pub async fn key() -> Result<Key, JsValue> {
    let request = KEY_REQUEST.0.borrow_mut().get_or_insert_with(|| wasm_bindgen_futures::future_to_promise(pair())).clone();
    match JsFuture::from(request).await {
        Ok(pair) => from_pair(&pair).await,
        Err(error) => {
            KEY_REQUEST.0.borrow_mut().take(); // let a later submission try again
            Err(error)
        }
    }
}

/// Signs `data`: Ed25519, or ECDSA P-256 with SHA-256 (raw r‖s, as JWS wants).
///
/// # Errors
/// When WebCrypto refuses.
pub async fn sign(key: &CryptoKey, data: &[u8]) -> Result<Vec<u8>, JsValue> {
    let params = if is_ed25519(key) {
        object(&[("name", s("Ed25519"))])
    } else {
        object(&[("name", s("ECDSA")), ("hash", s("SHA-256"))])
    };
    let signature = JsFuture::from(subtle()?.sign_with_object_and_u8_array(params.unchecked_ref(), key, data)?).await?;
    Ok(Uint8Array::new(&signature).to_vec())
}

/// SHA-256 of `data`.
///
/// # Errors
/// When WebCrypto refuses.
pub async fn sha256(data: &[u8]) -> Result<Vec<u8>, JsValue> {
    let digest = JsFuture::from(subtle()?.digest_with_str_and_u8_array("SHA-256", data)?).await?;
    Ok(Uint8Array::new(&digest).to_vec())
}

/// Lowercase hex SHA-256 of a string's UTF-8 bytes.
///
/// # Errors
/// When WebCrypto refuses.
pub async fn sha256_hex(text: &str) -> Result<String, JsValue> {
    Ok(crate::record::hex(&sha256(text.as_bytes()).await?))
}

/// 16 random bytes from `crypto.getRandomValues`.
pub fn random16() -> [u8; 16] {
    let mut bytes = [0u8; 16];
    if let Some(crypto) = web_sys::window().and_then(|w| w.crypto().ok()) {
        let _ = crypto.get_random_values_with_u8_array(&mut bytes);
    }
    bytes
}
