//! The widgets open on the page, by handle: what the core keeps between
//! the page's calls.

use crate::prelude::*;

use core::cell::RefCell;

use crate::config::{Channel, Config, Problem};
use crate::form::Submission;
use crate::record::Consented;

/// A record between its check and its signature.
pub enum Pending {
    /// A consent, as checked.
    Consent(Submission),
    /// A withdrawal of `purposes` from an earlier consent.
    Withdrawal(Consented, Vec<(String, Channel)>),
}

/// One open widget.
pub struct Slot {
    /// The configuration, or every problem it has.
    pub config: Result<Config, Vec<Problem>>,
    /// The locale the form was last rendered in: what a proof records.
    pub locale: String,
    /// The record being signed, with the texts it showed.
    pub pending: Option<(Pending, Vec<(String, String)>)>,
}

type List = Vec<Option<Slot>>;

#[cfg(target_arch = "wasm32")]
fn slots<T>(f: impl FnOnce(&mut List) -> T) -> T {
    struct Slots(RefCell<List>);
    // SAFETY: this wasm module runs on one thread (no atomics, no workers
    // sharing its memory), so the cell is never reached concurrently.
    unsafe impl Sync for Slots {}
    static SLOTS: Slots = Slots(RefCell::new(Vec::new()));
    f(&mut SLOTS.0.borrow_mut())
}

// Natively (the tests) each thread has its own widgets.
#[cfg(not(target_arch = "wasm32"))]
fn slots<T>(f: impl FnOnce(&mut List) -> T) -> T {
    std::thread_local! { static SLOTS: RefCell<List> = const { RefCell::new(Vec::new()) }; }
    SLOTS.with(|s| f(&mut s.borrow_mut()))
}

/// Keeps `slot`, returning its handle.
pub fn open(slot: Slot) -> u32 {
    slots(|slots| {
        let at = slots.iter().position(Option::is_none).unwrap_or(slots.len());
        if at == slots.len() {
            slots.push(None);
        }
        slots[at] = Some(slot);
        at as u32
    })
}

/// Forgets the widget `h`.
pub fn close(h: u32) {
    slots(|slots| {
        if let Some(slot) = slots.get_mut(h as usize) {
            *slot = None;
        }
    });
}

/// Runs `f` on widget `h`; `None` when it is not open.
pub fn with<T>(h: u32, f: impl FnOnce(&mut Slot) -> T) -> Option<T> {
    slots(|slots| slots.get_mut(h as usize)?.as_mut().map(f))
}
