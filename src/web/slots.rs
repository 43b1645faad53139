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

struct Slots(RefCell<Vec<Option<Slot>>>);

// SAFETY: this wasm module runs on one thread (no atomics, no workers
// sharing its memory), so the cell is never reached concurrently.
unsafe impl Sync for Slots {}

static SLOTS: Slots = Slots(RefCell::new(Vec::new()));

/// Keeps `slot`, returning its handle.
pub fn open(slot: Slot) -> u32 {
    let mut slots = SLOTS.0.borrow_mut();
    let free = slots.iter().position(Option::is_none);
    let at = free.unwrap_or(slots.len());
    if free.is_some() {
        slots[at] = Some(slot);
    } else {
        slots.push(Some(slot));
    }
    at as u32
}

/// Forgets the widget `h`.
pub fn close(h: u32) {
    if let Some(slot) = SLOTS.0.borrow_mut().get_mut(h as usize) {
        *slot = None;
    }
}

/// Runs `f` on widget `h`; `None` when it is not open.
pub fn with<T>(h: u32, f: impl FnOnce(&mut Slot) -> T) -> Option<T> {
    SLOTS.0.borrow_mut().get_mut(h as usize)?.as_mut().map(f)
}
