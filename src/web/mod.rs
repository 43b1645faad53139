//! The core's face to the page: the functions the JS shell in `js/` calls,
//! through the wasm's one export (`bridge`, and `js/core.js` on the shell's
//! side); natively, plain functions the tests call.
//!
//! The shell does the browser's I/O (DOM, WebCrypto, storage, fetch); every
//! decision and every byte that is signed comes from here. Values cross as
//! strings and JSON text, so the bridge stays a few hundred bytes.

use crate::prelude::*;

mod bridge; // the wasm's one export, for js/core.js
mod reply;
mod sealing; // a record from check to signing input
mod slots; // the open widgets, by handle

use crate::config::{Config, Problem};
use crate::i18n::{self, Catalog, Texts};
use crate::record::{absolute, Consented};
use crate::view;
use reply::{pairs, List, Obj};
use slots::Slot;

pub use sealing::{check, finish, seal, withdrawing};

// The page is single-threaded; the free-list allocator is a fraction of dlmalloc's size.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

/// The status and error texts the shell shows without asking again.
const SAY: [&str; 11] = [
    "status.pending",
    "status.invalid",
    "status.sent",
    "status.sent.doi",
    "status.queued",
    "status.later",
    "status.blocked",
    "status.rejected",
    "status.failed",
    "status.withdrawn",
    "manage.error.none",
];

/// Each problem as `{field, code, says, args?}`: `says` is its sentence's
/// number in `form/problems.json`, which the page fetches only where someone
/// reads it (src/web/js/problems.js); `args`, the values the sentence names.
fn problem_list(problems: &[Problem]) -> String {
    let mut out = List::new();
    for p in problems {
        let mut o = Obj::new();
        o.str("field", &p.field).str("code", p.code().as_str()).raw("says", &crate::text::uint(p.says as usize));
        if !p.args.is_empty() {
            o.raw("args", &pairs(&p.args));
        }
        out.raw(&o.end());
    }
    out.end()
}

/// The theme as `[[property, value], ...]`.
fn theme(config: &Config) -> String {
    let mut out = List::new();
    for (k, v) in &config.theme {
        out.raw(&List::new().str(k).str(v).end());
    }
    out.end()
}

/// Opens a widget for a configuration (JSON text). JSON: `{h}`, its handle,
/// and what the shell needs to know of it: for a valid configuration
/// `{endpoint, headers, form, theme}` (the endpoint made absolute against
/// `origin`), else `{problems}` (see [`problem_list`]).
pub fn open(config: &str, origin: &str) -> String {
    let config = Config::from_json(config);
    let mut facts = Obj::new();
    match &config {
        Ok(c) => facts
            .str("endpoint", &absolute(&c.endpoint, origin))
            .raw("headers", &pairs(&c.headers))
            .str("form", &c.form_id)
            .raw("theme", &theme(c)),
        Err(problems) => facts.raw("problems", &problem_list(problems)),
    };
    let h = slots::open(Slot { config, locale: String::new(), catalog: Catalog::default(), pending: Vec::new() });
    facts.raw("h", &crate::text::uint(h as usize)).end()
}

/// Forgets widget `h`.
pub fn close(h: u32) {
    slots::close(h);
}

/// The locale widget `h` shows on a page whose `<html lang>` is `lang`, and
/// the catalog the page must fetch for it: JSON `{locale, catalog, warning}`
/// (`catalog` "" when the configuration's own texts serve the locale;
/// `warning` only when the locale asked for is not the one shown). An
/// invalid configuration shows its "unavailable" line in the page's language.
pub fn locale(h: u32, lang: &str) -> String {
    let lang = Some(lang).filter(|l| !l.trim().is_empty());
    slots::with(h, |slot| {
        let choice = match &slot.config {
            Ok(config) => i18n::choose(config, lang),
            Err(_) => {
                let tag = lang.and_then(i18n::catalog_for).unwrap_or(i18n::FALLBACK_LOCALE);
                i18n::Choice { locale: tag.into(), catalog: Some(tag), warning: None }
            }
        };
        let mut reply = Obj::new();
        reply.str("locale", &choice.locale).str("catalog", choice.catalog.unwrap_or(""));
        if let Some(w) = &choice.warning {
            reply.str("warning", w);
        }
        reply.end()
    })
    .unwrap_or_default()
}

/// Renders widget `h` for a page whose `<html lang>` is `lang`, with the
/// JSON text of the catalog [`locale`] named (fetched by the page; "" when
/// none is needed): JSON `{html, say}`, `say` holding the status texts. For
/// an invalid configuration, `html` is a short neutral message.
pub fn render(h: u32, lang: &str, catalog: &str) -> String {
    let lang = Some(lang).filter(|l| !l.trim().is_empty());
    let catalog = Catalog::parse(catalog).unwrap_or_default();
    slots::with(h, |slot| {
        let Ok(config) = &slot.config else {
            return Obj::new().str("html", &view::unavailable(catalog.get("unavailable").unwrap_or(""))).end();
        };
        slot.locale = i18n::choose(config, lang).locale;
        slot.catalog = catalog;
        let texts = Texts::new(config, &slot.locale, &slot.catalog);
        let mut say = Obj::new();
        for key in &SAY {
            say.str(key, &texts.say(key));
        }
        Obj::new().str("html", &view::plan(config, &texts).html).raw("say", &say.end()).end()
    })
    .unwrap_or_default()
}

/// Sets widget `h`'s locale for its next render; an error message when no
/// catalog and no configured texts serve it, else "".
pub fn set_locale(h: u32, locale: &str) -> String {
    slots::with(h, |slot| {
        let Ok(config) = &mut slot.config else { return "the configuration is invalid" };
        if !i18n::serves(config, locale) {
            return "unknown locale: no catalog and no texts for it";
        }
        config.locale = Some(locale.into());
        ""
    })
    .unwrap_or("the widget is destroyed")
    .into()
}

/// The "manage my choices" section's HTML for the consent summary this
/// browser keeps (`consented`), or "" when there is nothing to withdraw.
pub fn manage(h: u32, consented: &str) -> String {
    slots::with(h, |slot| {
        let (Ok(config), Some(c)) = (&slot.config, Consented::decode(consented)) else { return String::new() };
        if c.purposes.is_empty() {
            return String::new();
        }
        let texts = Texts::new(config, &slot.locale, &slot.catalog);
        view::manage(config, &texts, &c.email, &c.purposes).html
    })
    .unwrap_or_default()
}

/// The RFC 7638 thumbprint input of a public key: Ed25519 when `y` is "",
/// else P-256.
pub fn thumbprint(x: &str, y: &str) -> String {
    sealing::jwk(x, y).thumbprint_input()
}

/// base64url without padding.
pub fn b64u(bytes: &[u8]) -> String {
    consent_proof::base64url::encode(bytes)
}

/// What an attempt's HTTP status (0: no response) means: 0 delivered,
/// 1 try again, 2 refused for good.
pub fn verdict(status: u16) -> u8 {
    match crate::delivery::classify(status) {
        crate::delivery::Verdict::Delivered => 0,
        crate::delivery::Verdict::Retry => 1,
        crate::delivery::Verdict::Rejected => 2,
    }
}

/// The wait in ms before retry `attempt`, `jitter` uniform in [0, 1).
pub fn backoff(attempt: u32, jitter: f64) -> u32 {
    crate::delivery::backoff_ms(attempt, jitter)
}
