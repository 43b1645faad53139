//! A record from the subscriber's check to the bytes the browser signs: the
//! shell hashes and signs with WebCrypto in between, and stores the results.

use crate::prelude::*;

use consent_proof::{jws, Canonical, Jwk, ProtectedHeader, ShownTexts};

use super::reply::{pairs, string, strings, List, Obj};
use super::slots::{self, Pending, Subject};
use crate::config::{Channel, Config};
use crate::form::{self, Field, Input};
use crate::i18n::Texts;
use crate::record::{self, Consented, Context};
use crate::rules;
use crate::text::{cat, parts, uint};
use crate::view::{self, ids};

/// A public key as the JWS header carries it: Ed25519 when `y` is "".
pub fn jwk(x: &str, y: &str) -> Jwk {
    if y.is_empty() {
        Jwk::Ed25519 { x: x.into() }
    } else {
        Jwk::P256 { x: x.into(), y: y.into() }
    }
}

/// The non-empty lines of `text`: how id lists cross (purpose ids are
/// letters, digits, `-` and `_`).
fn ids(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for line in &parts(text, b'\n') {
        if !line.is_empty() {
            out.push(*line);
        }
    }
    out
}

/// The input ids a field's error marks, as a JSON array.
fn inputs(field: Field, config: &Config) -> String {
    let mut out = List::new();
    match field {
        Field::Email => _ = out.str(ids::EMAIL),
        Field::Phone => _ = out.str(ids::PHONE),
        Field::Purposes => {
            for p in &config.purposes {
                out.str(&cat(&[ids::PURPOSE_PREFIX, &p.id]));
            }
        }
    }
    out.end()
}

/// Checks what was entered in widget `h` (`ticked`: the ticked purpose
/// ids, one per line). JSON `{fields, ok}`: per field its message id, its inputs and its
/// error text or null, in form order. When `ok`, also `ticket` (the record's,
/// for [`seal`] and [`finish`]), `hash` (the strings to SHA-256, in order),
/// `doi`, and `detail` for `consent:submit`.
pub fn check(h: u32, email: &str, phone: &str, ticked: &str) -> String {
    slots::with(h, |slot| {
        let Ok(config) = &slot.config else { return String::new() };
        let texts = Texts::new(config, &slot.locale, &slot.catalog);
        let input = Input { email, phone, ticked: ids(ticked) };
        let result = form::check(config, &input);
        // Phone messages give an example in the default country's format.
        let example = crate::phone::example(config.default_country);
        let none = Vec::new();
        let errors = result.as_ref().err().unwrap_or(&none);
        let mut fields = List::new();
        for &field in &Field::ALL {
            let text = errors.iter().find(|e| e.field == field).map_or("null".into(), |e| string(&texts.say_with(e.key, &[("example", &example)])));
            fields.raw(&Obj::new().str("msg", field.message_id()).raw("inputs", &inputs(field, config)).raw("text", &text).end());
        }
        let mut reply = Obj::new();
        reply.raw("fields", &fields.end());
        let Ok(sub) = result else { return reply.bool("ok", false).end() };
        let shown = view::plan(config, &texts).shown;
        let mut ids = Vec::new();
        let mut purposes = List::new();
        for o in &sub.outcomes {
            ids.push(o.id.as_str());
            purposes.raw(&Obj::new().str("id", &o.id).str("channel", o.channel.as_str()).str("choice", o.choice.as_str()).end());
        }
        let hash = record::hash_inputs(&ShownTexts(shown.clone()), &ids);
        let purposes = purposes.end();
        let detail = Obj::new()
            .str("email", &sub.email)
            .raw("phone", &sub.phone.as_deref().map_or("null".into(), string))
            .str("locale", texts.locale())
            .str("regime", config.regime.as_str())
            .str("formId", &config.form_id)
            .str("formVersion", &config.form_version)
            .bool("doubleOptIn", config.double_opt_in)
            .raw("purposes", &purposes)
            .raw("texts", &pairs(&shown))
            .end();
        let doi = record::asks_confirmation(config, &sub);
        let locale = texts.locale().to_string();
        let ticket = pend(slot, Subject::Consent(sub), shown, &locale);
        reply
            .bool("ok", true)
            .raw("ticket", &uint(ticket as usize))
            .raw("hash", &strings(&hash))
            .bool("doi", doi)
            .raw("detail", &detail)
            .end()
    })
    .unwrap_or_default()
}

/// Starts a withdrawal of `purposes` (ids, one per line) in widget `h`,
/// from the consent summary this browser keeps. JSON `{error}` when it
/// cannot be made (no consent, a purpose not consented to, none named),
/// else `{ticket, hash, purposes}`, as for [`check`].
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
        for id in &ids(purposes) {
            let Some(given) = consented.purposes.iter().find(|(p, _)| p == id) else {
                return fail(&cat(&["no consent to withdraw for purpose ", id]));
            };
            if !chosen.iter().any(|(p, _)| *p == *id) {
                chosen.push(given.clone());
            }
        }
        if chosen.is_empty() {
            return fail("name at least one purpose to withdraw");
        }
        let texts = Texts::new(config, &slot.locale, &slot.catalog);
        let shown = view::manage(config, &texts, &consented.email, &chosen).shown;
        let mut ids = Vec::new();
        let mut listed = List::new();
        for (id, _) in &chosen {
            ids.push(id.as_str());
            listed.str(id);
        }
        let hash = record::hash_inputs(&ShownTexts(shown.clone()), &ids);
        let mut reply = Obj::new();
        reply.raw("hash", &strings(&hash)).raw("purposes", &listed.end());
        let locale = texts.locale().to_string();
        let ticket = pend(slot, Subject::Withdrawal(consented, chosen), shown, &locale);
        reply.raw("ticket", &uint(ticket as usize)).end()
    })
    .unwrap_or_default()
}

/// Builds widget `h`'s record `ticket` at `now` (ms), its id from 16
/// `random` bytes. `lines` are, one per line: the page's origin and path,
/// the hash of this browser's last proof ("" for none), the browser's public
/// key `x`, `y` ("" for Ed25519) and thumbprint, then the SHA-256 hex of each
/// string [`check`] or [`withdrawing`] gave. JSON `{id, input}`: the record
/// id and the JWS signing input to sign; "" for an unknown ticket.
pub fn seal(h: u32, ticket: u32, now: f64, random: &[u8], lines: &str) -> String {
    let lines = parts(lines, b'\n');
    let line = |i: usize| lines.get(i).copied().unwrap_or_default();
    let (origin, path, prev, x, y, kid) = (line(0), line(1), line(2), line(3), line(4), line(5));
    let mut hashes = Vec::new();
    for hash in lines.get(6..).unwrap_or_default() {
        hashes.push(String::from(*hash));
    }
    slots::with(h, |slot| {
        let Ok(config) = &slot.config else { return String::new() };
        let Some(p) = slot.pending.iter().find(|p| p.ticket == ticket) else { return String::new() };
        let mut bytes = [0u8; 16];
        bytes.iter_mut().zip(random).for_each(|(b, r)| *b = *r);
        let prev = match &p.subject {
            Subject::Withdrawal(consented, _) => Some(consented.proof_hash.clone()),
            Subject::Consent(_) => Some(prev.to_string()).filter(|p| !p.is_empty()),
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
        let shown = ShownTexts(p.shown.clone());
        let proof = match &p.subject {
            Subject::Consent(sub) => record::consent(config, &p.locale, sub, shown, &hashes, ctx),
            Subject::Withdrawal(consented, purposes) => {
                let subject = consent_proof::Subject { email: consented.email.clone(), phone: consented.phone.clone() };
                record::withdrawal(config, &p.locale, subject, purposes, shown, &hashes, ctx)
            }
        };
        let header = ProtectedHeader::new(jwk(x, y), kid.into()).to_canonical_json();
        Obj::new().str("id", &id).str("input", &jws::signing_input(&header, &proof.to_canonical_json())).end()
    })
    .unwrap_or_default()
}

/// Ends widget `h`'s record `ticket`. Signed and in the outbox with JWS
/// hash `proof_hash`, it gives the consent summary this browser keeps for
/// withdrawals afterwards; with `proof_hash` "" (it failed) it is dropped,
/// and so is an unknown ticket: "" then.
pub fn finish(h: u32, ticket: u32, proof_hash: &str) -> String {
    slots::with(h, |slot| {
        let at = slot.pending.iter().position(|p| p.ticket == ticket)?;
        let p = slot.pending.swap_remove(at);
        if proof_hash.is_empty() {
            return None;
        }
        let summary = match p.subject {
            Subject::Consent(sub) => Consented {
                proof_hash: proof_hash.into(),
                email: sub.email,
                phone: sub.phone,
                purposes: allowed(&sub.outcomes),
            },
            Subject::Withdrawal(mut consented, withdrawn) => {
                // The rest, in order, copied: neither `retain` nor `remove`
                // (its bounds panic) of its own in the wasm.
                let mut kept = Vec::new();
                for (p, channel) in &consented.purposes {
                    if !withdrawn.iter().any(|(w, _)| w == p) {
                        kept.push((p.clone(), *channel));
                    }
                }
                consented.purposes = kept;
                consented
            }
        };
        Some(summary.encode())
    })
    .flatten()
    .unwrap_or_default()
}

/// The purposes messages may be sent for, with their channels.
fn allowed(outcomes: &[form::Outcome]) -> Vec<(String, Channel)> {
    let mut out = Vec::new();
    for o in outcomes {
        if rules::allows_sending(o.choice) {
            out.push((o.id.clone(), o.channel));
        }
    }
    out
}

/// Keeps a record for [`seal`] and [`finish`]; its ticket.
fn pend(slot: &mut slots::Slot, subject: Subject, shown: Vec<(String, String)>, locale: &str) -> u32 {
    let ticket = slots::fresh();
    slot.pending.push(Pending { ticket, subject, shown, locale: locale.into() });
    ticket
}
