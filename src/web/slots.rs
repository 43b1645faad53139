//! The widgets open on the page, by handle, and the records they are
//! signing, by ticket: what the core keeps between the page's calls.
//! Handles and tickets are never reused, so a stale one reaches nothing.

use crate::prelude::*;

use core::cell::{Cell, UnsafeCell};

use crate::config::{Channel, Config, Problem};
use crate::i18n::Catalog;
use crate::form::Submission;
use crate::record::Consented;

/// What a record is about.
pub enum Subject {
    /// A consent, as checked.
    Consent(Submission),
    /// A withdrawal of `purposes` from an earlier consent.
    Withdrawal(Consented, Vec<(String, Channel)>),
}

/// A record between its check and its signature, with what the subscriber
/// saw then: a later render in another locale does not change it.
pub struct Pending {
    /// Its ticket.
    pub ticket: u32,
    /// What it records.
    pub subject: Subject,
    /// `(key, text)` of every string shown, in display order.
    pub shown: Vec<(String, String)>,
    /// The locale they were shown in.
    pub locale: String,
}

/// One open widget.
pub struct Slot {
    /// The configuration, or every problem it has.
    pub config: Result<Config, Vec<Problem>>,
    /// The locale the form was last rendered in.
    pub locale: String,
    /// That locale's catalog, as the page fetched it.
    pub catalog: Catalog,
    /// The records being signed.
    pub pending: Vec<Pending>,
}

/// The widgets sit in an `UnsafeCell`, not a `RefCell`: a `RefCell`'s
/// borrow check ships a panic path and its formatting code in the wasm
/// (measured: 254 B brotli with the script tag). Instead, uses never nest
/// ([`all`] says why), and debug builds, the tests', check that they do not.
#[derive(Default)]
struct Open {
    next: Cell<u32>,
    slots: UnsafeCell<Vec<(u32, Slot)>>,
    #[cfg(debug_assertions)]
    busy: Cell<bool>,
}

#[cfg(target_arch = "wasm32")]
fn open_slots<T>(f: impl FnOnce(&Open) -> T) -> T {
    struct Slots(Open);
    // SAFETY: this wasm module runs on one thread (no atomics, no workers
    // sharing its memory), so the cells are never reached concurrently.
    unsafe impl Sync for Slots {}
    static SLOTS: Slots = Slots(Open {
        next: Cell::new(0),
        slots: UnsafeCell::new(Vec::new()),
        #[cfg(debug_assertions)]
        busy: Cell::new(false),
    });
    f(&SLOTS.0)
}

// Natively (the tests) each thread has its own widgets.
#[cfg(not(target_arch = "wasm32"))]
fn open_slots<T>(f: impl FnOnce(&Open) -> T) -> T {
    std::thread_local! { static SLOTS: Open = Open::default(); }
    SLOTS.with(f)
}

/// A fresh number, for a handle or a ticket.
pub fn fresh() -> u32 {
    open_slots(|o| {
        o.next.set(o.next.get() + 1);
        o.next.get()
    })
}

/// Runs `f` on the open widgets. Never nested: `f` is one of the three
/// below, and the only code they run on a slot, [`with`]'s callers in this
/// module's parent, draws [`fresh`] numbers (another cell) and nothing else.
fn all<T>(f: impl FnOnce(&mut Vec<(u32, Slot)>) -> T) -> T {
    open_slots(|o| {
        #[cfg(debug_assertions)]
        assert!(!o.busy.replace(true), "slots: nested use");
        // SAFETY: one thread, and no other reference to the list lives
        // while `f` runs: uses do not nest (checked in debug builds).
        let out = f(unsafe { &mut *o.slots.get() });
        #[cfg(debug_assertions)]
        o.busy.set(false);
        out
    })
}

/// Keeps `slot`, returning its handle.
pub fn open(slot: Slot) -> u32 {
    let h = fresh();
    all(|slots| slots.push((h, slot)));
    h
}

/// Forgets the widget `h`.
pub fn close(h: u32) {
    // Handles are unique and the order of the slots is no one's business.
    all(|slots| {
        if let Some(at) = slots.iter().position(|(k, _)| *k == h) {
            slots.swap_remove(at);
        }
    });
}

/// Runs `f` on widget `h`; `None` when it is not open.
pub fn with<T>(h: u32, f: impl FnOnce(&mut Slot) -> T) -> Option<T> {
    all(|slots| slots.iter_mut().find(|(k, _)| *k == h).map(|(_, slot)| f(slot)))
}
