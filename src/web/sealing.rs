//! A record from the subscriber's check to the bytes the browser signs: the
//! shell hashes and signs with WebCrypto in between, and stores the results.

use crate::prelude::*;

use consent_proof::{jws, Canonical, Jwk, ProtectedHeader, ShownTexts, Subject};

use super::reply::{list, pairs, string, strings, Obj};
use super::slots::{self, Pending};
use crate::config::{Channel, Config};
use crate::form::{self, Field, Input};
use crate::i18n::Texts;
use crate::record::{self, Consented, Context};
use crate::rules;
use crate::text::cat;
use crate::value::Value;
use crate::view::{self, ids};

/// A public key as the JWS header carries it: Ed25519 when `y` is "".
pub fn jwk(x: &str, y: &str) -> Jwk {
    if y.is_empty() {
        Jwk::Ed25519 { x: x.into() }
    } else {
        Jwk::P256 { x: x.into(), y: y.into() }
    }
}

/// The strings of a JSON array (others skipped); none for anything else.
fn string_list(json: &str) -> Vec<String> {
    match crate::json::parse(json) {
        Ok(Value::Arr(items)) => items.into_iter().filter_map(|v| if let Value::Str(s) = v { Some(s) } else { None }).collect(),
        _ => Vec::new(),
    }
}

/// The input ids a field's error marks.
fn inputs(field: Field, config: &Config) -> Vec<String> {
    match field {
        Field::Email => vec![ids::EMAIL.into()],
        Field::Phone => vec![ids::PHONE.into()],
        Field::Purposes => config.purposes.iter().map(|p| cat(&[ids::PURPOSE_PREFIX, &p.id])).collect(),
    }
}

/// Checks what was entered in widget `h` (`ticked`: a JSON array of purpose
/// ids). JSON `{fields, ok}`: per field its message id, its inputs and its
/// error text or null, in form order. When `ok`, also `hash` (the strings
/// to SHA-256, in order), `doi`, and `detail` for `consent:submit`; the
/// record then waits for [`seal`].
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn check(h: u32, email: &str, phone: &str, ticked: &str) -> String {
    slots::with(h, |slot| {
        slot.pending = None;
        let Ok(config) = &slot.config else { return String::new() };
        let texts = Texts::resolve(config, Some(&slot.locale));
        let ticked = string_list(ticked);
        let input = Input { email, phone, ticked: ticked.iter().map(String::as_str).collect() };
        let result = form::check(config, &input);
        let errors = result.as_ref().err().cloned().unwrap_or_default();
        let fields = list(Field::ALL.into_iter().map(|field| {
            let text = errors.iter().find(|e| e.field == field).map_or("null".into(), |e| string(texts.get(e.key)));
            let ids = inputs(field, config);
            Obj::new().str("msg", field.message_id()).raw("inputs", &strings(ids.iter().map(String::as_str))).raw("text", &text).end()
        }));
        let reply = Obj::new().raw("fields", &fields);
        let Ok(sub) = result else { return reply.bool("ok", false).end() };
        let shown = view::plan(config, &texts).shown;
        let ids: Vec<&str> = sub.outcomes.iter().map(|o| o.id.as_str()).collect();
        let shown_texts: ShownTexts = shown.iter().cloned().collect();
        let hash = record::hash_inputs(&shown_texts, &ids);
        let purposes = list(sub.outcomes.iter().map(|o| {
            Obj::new().str("id", &o.id).str("channel", o.channel.as_str()).str("choice", o.choice.as_str()).end()
        }));
        let detail = Obj::new()
            .str("email", &sub.email)
            .raw("phone", &sub.phone.as_deref().map_or("null".into(), string))
            .str("locale", texts.locale())
            .str("regime", config.regime.as_str())
            .str("formId", &config.form_id)
            .str("formVersion", &config.form_version)
            .bool("doubleOptIn", config.double_opt_in)
            .raw("purposes", &purposes)
            .raw("texts", &pairs(shown.iter().map(|(k, v)| (k.as_str(), v.as_str()))))
            .end();
        let doi = record::asks_confirmation(config, &sub);
        slot.pending = Some((Pending::Consent(sub), shown));
        reply.bool("ok", true).raw("hash", &strings(hash.iter().map(String::as_str))).bool("doi", doi).raw("detail", &detail).end()
    })
    .unwrap_or_default()
}

/// Starts a withdrawal of `purposes` (a JSON array of ids) in widget `h`,
/// from the consent summary this browser keeps. JSON `{error}` when it
/// cannot be made (no consent, a purpose not consented to, none named),
/// else `{hash, purposes}`; the record then waits for [`seal`].
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn withdrawing(h: u32, purposes: &str, consented: &str) -> String {
    let fail = |why: &str| Obj::new().str("error", why).end();
    slots::with(h, |slot| {
        let Ok(config) = &slot.config else { return fail("the configuration is invalid") };
        let Some(consented) = Consented::decode(consented) else {
            return fail("no consent from this browser with this form to withdraw");
        };
        // Only purposes this browser consented to, each once, and at least
        // one: anything else would make a record the collector must refuse.
        let mut chosen: Vec<(String, Channel)> = Vec::new();
        for id in string_list(purposes) {
            let Some(given) = consented.purposes.iter().find(|(p, _)| *p == id) else {
                return fail(&cat(&["no consent to withdraw for purpose ", &id]));
            };
            if !chosen.iter().any(|(p, _)| *p == id) {
                chosen.push(given.clone());
            }
        }
        if chosen.is_empty() {
            return fail("name at least one purpose to withdraw");
        }
        let texts = Texts::resolve(config, Some(&slot.locale));
        let shown = view::manage(config, &texts, &chosen).shown;
        let ids: Vec<&str> = chosen.iter().map(|(id, _)| id.as_str()).collect();
        let hash = record::hash_inputs(&shown.iter().cloned().collect(), &ids);
        let reply = Obj::new().raw("hash", &strings(hash.iter().map(String::as_str))).raw("purposes", &strings(ids)).end();
        slot.pending = Some((Pending::Withdrawal(consented, chosen), shown));
        reply
    })
    .unwrap_or_default()
}

/// Builds widget `h`'s pending record: `hashes` (a JSON array) are the
/// SHA-256 hex of the strings [`check`] or [`withdrawing`] gave, `random`
/// 16 random bytes for its id, `prev` the hash of this browser's last proof
/// ("" for none), `now` the clock in ms, and `x`, `y`, `kid` the browser's
/// public key and its thumbprint. JSON `{id, input}`: the record id and the
/// JWS signing input to sign.
#[wasm_bindgen::prelude::wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn seal(h: u32, hashes: &str, origin: &str, path: &str, now: f64, random: &[u8], prev: &str, x: &str, y: &str, kid: &str) -> String {
    slots::with(h, |slot| {
        let (Ok(config), Some((pending, shown))) = (&slot.config, &slot.pending) else { return String::new() };
        let hashes = string_list(hashes);
        let mut bytes = [0u8; 16];
        bytes.iter_mut().zip(random).for_each(|(b, r)| *b = *r);
        let prev = match pending {
            Pending::Withdrawal(consented, _) => Some(consented.proof_hash.clone()),
            Pending::Consent(_) => Some(prev.to_string()).filter(|p| !p.is_empty()),
        };
        let ctx = Context {
            page: cat(&[origin, path]),
            origin: origin.into(),
            now_ms: now as i64,
            id: record::uuid_v4(bytes),
            prev,
            widget: record::widget_build(),
        };
        let id = ctx.id.clone();
        let shown: ShownTexts = shown.iter().cloned().collect();
        let proof = match pending {
            Pending::Consent(sub) => record::consent(config, &slot.locale, sub, shown, &hashes, ctx),
            Pending::Withdrawal(consented, purposes) => {
                let subject = Subject { email: consented.email.clone(), phone: consented.phone.clone() };
                record::withdrawal(config, &slot.locale, subject, purposes, shown, &hashes, ctx)
            }
        };
        let header = ProtectedHeader::new(jwk(x, y), kid.into()).to_canonical_json();
        Obj::new().str("id", &id).str("input", &jws::signing_input(&header, &proof.to_canonical_json())).end()
    })
    .unwrap_or_default()
}

/// Ends widget `h`'s pending record, signed and in the outbox with JWS hash
/// `proof_hash`: the consent summary this browser keeps for withdrawals
/// afterwards ("" when there is none).
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn summary(h: u32, proof_hash: &str) -> String {
    slots::with(h, |slot| {
        let Some((pending, _)) = slot.pending.take() else { return String::new() };
        match pending {
            Pending::Consent(sub) => Consented {
                proof_hash: proof_hash.into(),
                email: sub.email,
                phone: sub.phone,
                purposes: sub.outcomes.into_iter().filter(|o| rules::allows_sending(o.choice)).map(|o| (o.id, o.channel)).collect(),
            },
            Pending::Withdrawal(mut consented, withdrawn) => {
                consented.purposes.retain(|(p, _)| !withdrawn.iter().any(|(w, _)| w == p));
                consented
            }
        }
        .encode()
    })
    .unwrap_or_default()
}
