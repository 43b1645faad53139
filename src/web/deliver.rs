//! Runs the outbox: every pending proof for an endpoint is POSTed until a
//! 2xx, with backoff and jitter between attempts, again on `online`, on the
//! next page load, and with a keepalive request on `pagehide`.

use crate::prelude::*;

use alloc::rc::Rc;
use core::cell::RefCell;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Element;

use super::convert::{object, s};
use super::{events, storage, transport};
use crate::delivery::{backoff_ms, classify, Entry, State, Verdict};

/// Ids being sent right now, across every widget on the page, so that two
/// flushes never send the same proof at once.
struct InFlight(RefCell<Vec<String>>);

// SAFETY: this wasm module runs on one thread (no atomics, no workers
// sharing its memory), so the cell is never reached concurrently.
unsafe impl Sync for InFlight {}

static IN_FLIGHT: InFlight = InFlight(RefCell::new(Vec::new()));

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

/// Sends the outbox of one endpoint for one host element.
pub struct Courier {
    host: Element,
    endpoint: String,
    headers: Vec<(String, String)>,
    on_outcome: OnOutcome,
    listeners: RefCell<Vec<WindowListener>>,
}

/// A listener on `window`, kept so it can be removed.
type WindowListener = (&'static str, Closure<dyn FnMut()>);

impl Courier {
    /// A courier that fires its events on `host`, listening for `online`
    /// and `pagehide` until dropped.
    pub fn new(host: Element, endpoint: String, headers: Vec<(String, String)>, on_outcome: OnOutcome) -> Rc<Courier> {
        let courier = Rc::new(Courier { host, endpoint, headers, on_outcome, listeners: RefCell::new(Vec::new()) });
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
    }
}

/// Tries every pending proof of this courier's endpoint that is not already
/// being sent.
pub fn flush(courier: &Rc<Courier>) {
    for entry in courier.pending() {
        let taken = {
            let mut f = IN_FLIGHT.0.borrow_mut();
            let free = !f.contains(&entry.id);
            if free {
                f.push(entry.id.clone());
            }
            free
        };
        if taken {
            let courier = courier.clone();
            wasm_bindgen_futures::spawn_local(async move { attempt(courier, entry).await });
        }
    }
}

fn parsed(body: &str) -> JsValue {
    js_sys::JSON::parse(body).unwrap_or_else(|_| s(body))
}

async fn attempt(courier: Rc<Courier>, mut entry: Entry) {
    let reply = transport::post(&courier.endpoint, &courier.headers, &entry.id, &entry.jws, false).await;
    IN_FLIGHT.0.borrow_mut().retain(|id| id != &entry.id);
    let status = JsValue::from(reply.status);
    match classify(reply.status) {
        Verdict::Delivered => {
            storage::outbox_remove(&entry.id);
            let detail = object(&[("id", s(&entry.id)), ("status", status), ("response", parsed(&reply.body))]);
            events::fire(&courier.host, "consent:delivered", &detail);
            (courier.on_outcome)(&entry.id, Outcome::Delivered);
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
            events::fire(&courier.host, "consent:queued", &detail);
            (courier.on_outcome)(&entry.id, Outcome::Queued);
            let weak = Rc::downgrade(&courier);
            let retry = Closure::once_into_js(move || {
                if let Some(c) = weak.upgrade() {
                    flush(&c);
                }
            });
            if let Some(window) = web_sys::window() {
                let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(retry.unchecked_ref(), wait as i32);
            }
        }
        Verdict::Rejected => {
            entry.state = State::Rejected;
            let _ = storage::outbox_put(&entry);
            let detail = object(&[("id", s(&entry.id)), ("status", status), ("response", parsed(&reply.body))]);
            events::fire(&courier.host, "consent:rejected", &detail);
            (courier.on_outcome)(&entry.id, Outcome::Rejected);
        }
    }
}
