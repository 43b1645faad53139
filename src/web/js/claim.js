// One sender per proof at a time, across this origin's tabs and page loads.
//
// - A proof's Web Lock (navigator.locks) is held while its POST is out: a tab
//   that finds it taken leaves the proof to the holder and looks again later.
// - A lease in localStorage (holder, expiry) covers what a lock cannot: a
//   request that outlives its page (a keepalive POST, sent on pagehide or by
//   a page closed mid-request) holds no lock once the page is gone, so the
//   next sender waits out the lease before sending again.
// Without navigator.locks (an insecure context, an old browser) the lease
// alone serves. It is not atomic across tabs: two tabs that try one proof in
// the same instant may both send it. Delivery stays at least once either way,
// and the collector keeps one record per id.
import { keep, stored } from "./page.js";

const LEASE = "consent-widget/sending/";
/** This page load, as a lease holder. */
const me = Math.random().toString(36).slice(2);

/** Milliseconds until another sender's lease on `id` ends; 0 if none holds one. */
export function leased(id) {
  const [holder, until] = stored(LEASE + id).split(" ");
  const left = Number(until) - Date.now();
  return holder && holder !== me && left > 0 ? Math.ceil(left) : 0;
}

/** Marks `id` as being sent by this page for `ms`. */
export function lease(id, ms) {
  keep(LEASE + id, me + " " + (Date.now() + ms));
}

/** Ends this page's lease on `id` (another holder's stays). */
export function release(id) {
  if (stored(LEASE + id).startsWith(me + " ")) {
    try {
      localStorage.removeItem(LEASE + id);
    } catch {
      // no storage: nothing to remove
    }
  }
}

/** Runs `send` holding `id`'s lock; false, without running it, if another context holds it. */
export function exclusive(id, send) {
  const locks = globalThis.navigator?.locks;
  if (!locks) return send();
  return locks.request(LEASE + id, { ifAvailable: true }, (lock) => (lock ? send() : false));
}
