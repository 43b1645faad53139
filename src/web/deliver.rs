//! Runs the outbox: every pending proof for an endpoint is POSTed until a
//! 2xx, with backoff and jitter between attempts, again on `online`, on the
//! next page load, and with a keepalive request on `pagehide`. Events go to
//! the widget whose form made the proof.

use crate::prelude::*;

use alloc::rc::{Rc, Weak};
use core::cell::RefCell;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Element;

use super::convert::{object, s};
use super::{events, storage, transport};
use crate::delivery::{backoff_ms, classify, Entry, State, Verdict};

/// State shared by every widget on the page.
struct Shared {
    /// Ids being sent right now, so that no proof is sent twice at once.
    in_flight: RefCell<Vec<String>>,
    /// The page's couriers, to route each proof's events to its own form.
    couriers: RefCell<Vec<Weak<Courier>>>,
}

// SAFETY: this wasm module runs on one thread (no atomics, no workers
// sharing its memory), so the cells are never reached concurrently.
unsafe impl Sync for Shared {}

static PAGE: Shared = Shared { in_flight: RefCell::new(Vec::new()), couriers: RefCell::new(Vec::new()) };

/// What the subscriber's own submission became, for the status region.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Delivered.
    Delivered,
    /// Failed; will be retried.
    Queued,
    /// Refused for good.
    Rejected,
}

/// Called with the record id and what became of it.
pub type OnOutcome = Rc<dyn Fn(&str, Outcome)>;

/// A listener on `window`, kept so it can be removed.
type WindowListener = (&'static str, Closure<dyn FnMut()>);

/// Sends the outbox of one endpoint, for one widget.
pub struct Courier {
    host: Element,
    endpoint: String,
    form: String,
    headers: Vec<(String, String)>,
    on_outcome: OnOutcome,
    /// Record ids this widget signed on this page.
    own: RefCell<Vec<String>>,
    listeners: RefCell<Vec<WindowListener>>,
}

impl Courier {
    /// A courier that fires its form's events on `host`, listening for
    /// `online` and `pagehide` until dropped.
    pub fn new(host: Element, endpoint: String, form: String, headers: Vec<(String, String)>, on_outcome: OnOutcome) -> Rc<Courier> {
        let courier = Rc::new(Courier { host, endpoint, form, headers, on_outcome, own: RefCell::new(Vec::new()), listeners: RefCell::new(Vec::new()) });
        PAGE.couriers.borrow_mut().push(Rc::downgrade(&courier));
        let weak = Rc::downgrade(&courier);
        let online = Closure::<dyn FnMut()>::new(move || {
            if let Some(c) = weak.upgrade() {
                flush(&c);
            }
        });
        let weak = Rc::downgrade(&courier);
        let pagehide = Closure::<dyn FnMut()>::new(move || {
            if let Some(c) = weak.upgrade() {
                c.beacon();
            }
        });
        if let Some(window) = web_sys::window() {
            let _ = window.add_event_listener_with_callback("online", online.as_ref().unchecked_ref());
            let _ = window.add_event_listener_with_callback("pagehide", pagehide.as_ref().unchecked_ref());
        }
        courier.listeners.borrow_mut().extend([("online", online), ("pagehide", pagehide)]);
        courier
    }

    /// Takes a record this widget just signed: its events come here.
    pub fn adopt(&self, id: &str) {
        self.own.borrow_mut().push(id.into());
    }

    fn pending(&self) -> Vec<Entry> {
        storage::outbox_all().into_iter().filter(|e| e.state == State::Pending && e.endpoint == self.endpoint).collect()
    }

    /// On `pagehide`: one keepalive request per pending proof. The entries
    /// stay in the outbox; a duplicate is harmless, since the backend
    /// deduplicates on the record id.
    fn beacon(&self) {
        for entry in self.pending() {
            let (endpoint, headers) = (self.endpoint.clone(), self.headers.clone());
            wasm_bindgen_futures::spawn_local(async move {
                transport::post(&endpoint, &headers, &entry.id, &entry.jws, true).await;
            });
        }
    }
}

impl Drop for Courier {
    fn drop(&mut self) {
        if let Some(window) = web_sys::window() {
            for (name, closure) in self.listeners.borrow().iter() {
                let _ = window.remove_event_listener_with_callback(name, closure.as_ref().unchecked_ref());
            }
        }
        PAGE.couriers.borrow_mut().retain(|c| c.strong_count() > 0);
    }
}

/// The widget that signed `entry` on this page, or else (a proof from an
/// earlier page) the first live widget of its form.
fn owner(entry: &Entry) -> Option<Rc<Courier>> {
    let live: Vec<Rc<Courier>> = PAGE.couriers.borrow().iter().filter_map(Weak::upgrade).collect();
    let signed_here = live.iter().find(|c| c.own.borrow().contains(&entry.id)).cloned();
    signed_here.or_else(|| live.into_iter().find(|c| c.form == entry.form && c.endpoint == entry.endpoint))
}

/// Claims `id` for one attempt; false if it is being sent already.
fn claim(id: &str) -> bool {
    let mut f = PAGE.in_flight.borrow_mut();
    let free = !f.iter().any(|i| i == id);
    if free {
        f.push(id.into());
    }
    free
}

/// Tries every pending proof of this courier's endpoint that is not already
/// being sent (proofs of other forms too: nothing waits for its own form).
pub fn flush(courier: &Rc<Courier>) {
    for entry in courier.pending() {
        if claim(&entry.id) {
            let courier = courier.clone();
            wasm_bindgen_futures::spawn_local(async move { attempt(courier, entry).await });
        }
    }
}

/// Tries one proof again, if it is still pending and not being sent.
fn retry(courier: &Rc<Courier>, id: &str) {
    let entry = storage::outbox_get(id).filter(|e| e.state == State::Pending && e.endpoint == courier.endpoint);
    if let Some(entry) = entry.filter(|e| claim(&e.id)) {
        let courier = courier.clone();
        wasm_bindgen_futures::spawn_local(async move { attempt(courier, entry).await });
    }
}

fn parsed(body: &str) -> JsValue {
    js_sys::JSON::parse(body).unwrap_or_else(|_| s(body))
}

/// Fires `name` on the proof's own widget, and tells it the outcome.
fn report(entry: &Entry, name: &str, detail: &JsValue, outcome: Outcome) {
    if let Some(owner) = owner(entry) {
        events::fire(&owner.host, name, detail);
        (owner.on_outcome)(&entry.id, outcome);
    }
}

async fn attempt(courier: Rc<Courier>, mut entry: Entry) {
    let reply = transport::post(&courier.endpoint, &courier.headers, &entry.id, &entry.jws, false).await;
    PAGE.in_flight.borrow_mut().retain(|id| id != &entry.id);
    let status = JsValue::from(reply.status);
    match classify(reply.status) {
        Verdict::Delivered => {
            storage::outbox_remove(&entry.id);
            let detail = object(&[("id", s(&entry.id)), ("status", status), ("response", parsed(&reply.body))]);
            report(&entry, "consent:delivered", &detail, Outcome::Delivered);
        }
        Verdict::Retry => {
            entry.attempts += 1;
            let _ = storage::outbox_put(&entry);
            let wait = backoff_ms(entry.attempts, js_sys::Math::random());
            let detail = object(&[
                ("id", s(&entry.id)),
                ("status", status),
                ("attempt", JsValue::from(entry.attempts)),
                ("retryInMs", JsValue::from(wait)),
            ]);
            report(&entry, "consent:queued", &detail, Outcome::Queued);
            // This proof alone is tried again: others keep their own pace.
            let weak = Rc::downgrade(&courier);
            let id = entry.id.clone();
            let again = Closure::once_into_js(move || {
                if let Some(c) = weak.upgrade() {
                    retry(&c, &id);
                }
            });
            if let Some(window) = web_sys::window() {
                let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(again.unchecked_ref(), wait as i32);
            }
        }
        Verdict::Rejected => {
            entry.state = State::Rejected;
            let _ = storage::outbox_put(&entry);
            let detail = object(&[("id", s(&entry.id)), ("status", status), ("response", parsed(&reply.body))]);
            report(&entry, "consent:rejected", &detail, Outcome::Rejected);
        }
    }
}
