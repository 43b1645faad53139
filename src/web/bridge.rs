//! The wasm's exports: one entry, `cw`, that the shell's bridge
//! (`js/core.js`) calls with an op code, three numbers and up to three
//! strings, and that answers with one string (or, for two ops, a number).
//!
//! A hand-written bridge instead of wasm-bindgen's: its glue had one wrapper
//! per function (each copying strings in and out, with its own shim in the
//! wasm) and a runtime the core never used (externref tables, closures).
//! Here the shell writes every argument into one buffer ([`cw_in`]), `cw`
//! reads them from it, and the reply stays in the wasm's memory until the
//! next call ([`cw_out`]): nothing for the shell to free.
#![cfg(target_arch = "wasm32")]

use crate::prelude::*;

use core::cell::Cell;

/// The arguments of the call being made and the last reply. Cells taken and
/// put back: no borrow flag, so no panic path.
struct Io {
    args: Cell<Vec<u8>>,
    reply: Cell<String>,
}

// SAFETY: this wasm module runs on one thread (no atomics, no workers
// sharing its memory), so the cells are never reached concurrently.
unsafe impl Sync for Io {}

static IO: Io = Io { args: Cell::new(Vec::new()), reply: Cell::new(String::new()) };

/// Room for `len` bytes of arguments, where the shell writes them before
/// calling [`cw`]: each string's UTF-8 (or a byte array) one after another.
#[no_mangle]
pub extern "C" fn cw_in(len: usize) -> *mut u8 {
    let mut args = vec![0; len];
    let at = args.as_mut_ptr();
    IO.args.set(args);
    at
}

/// Where the last reply's bytes are (its length is what [`cw`] returned).
#[no_mangle]
pub extern "C" fn cw_out() -> *const u8 {
    let reply = IO.reply.take();
    let at = reply.as_ptr();
    IO.reply.set(reply);
    at
}

/// The arguments' bytes as text: the shell's `TextEncoder` writes UTF-8.
fn text(bytes: &[u8]) -> &str {
    core::str::from_utf8(bytes).unwrap_or_default()
}

/// The ops, by code, as `js/core.js` numbers them.
mod op {
    pub const OPEN: u32 = 0;
    pub const CLOSE: u32 = 1;
    pub const LOCALE: u32 = 2;
    pub const RENDER: u32 = 3;
    pub const SET_LOCALE: u32 = 4;
    pub const MANAGE: u32 = 5;
    pub const THUMBPRINT: u32 = 6;
    pub const B64U: u32 = 7;
    pub const VERDICT: u32 = 8;
    pub const BACKOFF: u32 = 9;
    pub const CHECK: u32 = 10;
    pub const WITHDRAWING: u32 = 11;
    pub const SEAL: u32 = 12;
    pub const FINISH: u32 = 13;
}

/// Runs op `op` of [`super`] with widget `h`, `t` (a ticket, or for
/// `verdict` nothing), `n` (a time or a jitter), and the arguments in the
/// buffer: the first `l0` bytes, the next `l1`, then the rest. The reply's
/// length in bytes; for `verdict` and `backoff`, their number.
#[no_mangle]
pub extern "C" fn cw(op: u32, h: u32, t: u32, n: f64, l0: usize, l1: usize) -> u32 {
    let args = IO.args.take();
    // `get`, not `split_at`: no panic path (the shell's lengths always fit).
    let arg = |from: usize, to: usize| args.get(from..to.min(args.len())).unwrap_or_default();
    let (a, b, c) = (arg(0, l0), arg(l0, l0 + l1), arg(l0 + l1, usize::MAX));
    let reply = match op {
        op::OPEN => super::open(text(a), text(b)),
        op::CLOSE => {
            super::close(h);
            String::new()
        }
        op::LOCALE => super::locale(h, text(a)),
        op::RENDER => super::render(h, text(a), text(b)),
        op::SET_LOCALE => super::set_locale(h, text(a)),
        op::MANAGE => super::manage(h, text(a)),
        op::THUMBPRINT => super::thumbprint(text(a), text(b)),
        op::B64U => super::b64u(a),
        op::VERDICT => return super::verdict(h as u16).into(),
        op::BACKOFF => return super::backoff(h, n),
        op::CHECK => super::check(h, text(a), text(b), text(c)),
        op::WITHDRAWING => super::withdrawing(h, text(a), text(b)),
        op::SEAL => super::seal(h, t, n, a, text(b)),
        op::FINISH => super::finish(h, t, text(a)),
        _ => String::new(),
    };
    let len = reply.len() as u32;
    IO.reply.set(reply);
    len
}
