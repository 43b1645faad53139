// The outbox and its courier. A signed proof is written to localStorage
// (synchronously, before the first attempt) and POSTed until a 2xx: with
// backoff and jitter per proof, again on `online` and on the next page load,
// and on `pagehide` for those not out already. A proof is out at most once at
// a time across tabs and loads (./claim.js); requests are keepalive while the
// browser's budget for them lasts, so one a closed page left out still lands.
// Events go to the widget whose form signed the proof. What a status means
// and how long to wait are the core's decisions.
import { backoff, verdict } from "./core.js";
import { fire, stored } from "./page.js";
import { exclusive, lease, leased, release } from "./claim.js";

const PREFIX = "consent-widget/outbox/";
/** A request that has not answered (body included) within this long is abandoned and retried. */
const TIMEOUT_MS = 15000;
/** Ids being sent right now, page-wide: no proof is sent twice at once. */
const inFlight = new Set();
/** Body bytes of this page's keepalive requests still out: browsers refuse
 * more than 64 KiB in all, and a refused request would only cost a retry. */
let keepaliveBytes = 0;
const KEEPALIVE_BUDGET = 48 * 1024;
/** The page's live couriers, to route each proof's events to its own form. */
const couriers = new Set();

/** Writes an entry; throws where storage is unavailable or full (the proof must not be sent then). */
export function put(entry) {
  localStorage.setItem(PREFIX + entry.id, JSON.stringify(entry));
}

/** Updates an entry already sent once: its attempts and state are advisory. */
function update(entry) {
  try {
    put(entry);
  } catch {
    // kept as it was
  }
}

function get(id) {
  const text = stored(PREFIX + id);
  // Entries from the first builds: "cw2", state, attempts, id, endpoint, form, jws, one per line.
  const [v, state, attempts, ...rest] = text.split("\n");
  if (v === "cw2" && rest.length === 4) return { state, attempts: Number(attempts) || 0, id: rest[0], endpoint: rest[1], form: rest[2], jws: rest[3] };
  try {
    return JSON.parse(text || "null");
  } catch {
    return null;
  }
}

function all() {
  const out = [];
  try {
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i);
      if (key?.startsWith(PREFIX)) out.push(get(key.slice(PREFIX.length)));
    }
  } catch {
    // no storage: nothing pending
  }
  return out.filter((e) => e?.id && e.jws);
}

function parsed(body) {
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

/** POSTs a compact JWS with the configured headers and `Idempotency-Key`; status 0 for no answer. */
async function post(c, entry) {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), TIMEOUT_MS);
  const size = entry.jws.length;
  const keepalive = keepaliveBytes + size <= KEEPALIVE_BUDGET;
  if (keepalive) keepaliveBytes += size;
  lease(entry.id, TIMEOUT_MS);
  try {
    const headers = new Headers(c.headers);
    headers.set("Content-Type", "application/jose");
    headers.set("Idempotency-Key", entry.id);
    const res = await fetch(c.endpoint, { method: "POST", headers, body: entry.jws, keepalive, signal: abort.signal });
    return { status: res.status, body: await res.text() };
  } catch {
    return { status: 0, body: "" };
  } finally {
    clearTimeout(timer);
    if (keepalive) keepaliveBytes -= size;
  }
}

/** Sends the outbox of one endpoint for one widget, until stopped. */
export class Courier {
  constructor(host, facts, onOutcome) {
    Object.assign(this, { host, onOutcome, endpoint: facts.endpoint, headers: facts.headers, form: facts.form, own: new Set() });
    this.online = () => this.flush();
    // The page is going: what is not out yet goes now, keepalive, without
    // waiting for a lock (a request this page has out already goes on). The
    // lease it takes at once keeps other tabs from sending it meanwhile.
    this.hide = () => {
      for (const e of this.pending()) {
        if (inFlight.has(e.id) || leased(e.id)) continue;
        if (keepaliveBytes + e.jws.length > KEEPALIVE_BUDGET) break; // the rest wait for the next load
        inFlight.add(e.id);
        this.send(e.id).finally(() => inFlight.delete(e.id));
      }
    };
    addEventListener("online", this.online);
    addEventListener("pagehide", this.hide);
    couriers.add(this);
  }

  stop() {
    removeEventListener("online", this.online);
    removeEventListener("pagehide", this.hide);
    couriers.delete(this);
  }

  /** Takes a proof this widget just signed: its events come here. */
  adopt(id) {
    this.own.add(id);
  }

  pending() {
    return all().filter((e) => e.state === "pending" && e.endpoint === this.endpoint);
  }

  /** Tries every pending proof of this endpoint, whichever form made it. */
  flush() {
    this.pending().forEach((e) => this.attempt(e));
  }

  async attempt(entry) {
    if (inFlight.has(entry.id)) return;
    inFlight.add(entry.id);
    let wait = 0;
    try {
      const sent = await exclusive(entry.id, () => this.send(entry.id));
      // Another tab holds it: it sends it, and this one looks again later.
      wait = sent === false ? backoff(entry.attempts + 1, Math.random()) : sent;
    } finally {
      inFlight.delete(entry.id);
    }
    if (wait) {
      // This proof alone is tried again: others keep their own pace.
      setTimeout(() => {
        const again = get(entry.id);
        if (couriers.has(this) && again?.state === "pending") this.attempt(again);
      }, wait);
    }
  }

  /** Sends one proof, its lock held; the milliseconds until it should be tried again, or 0. */
  async send(id) {
    // Read again under the lock: another tab may have delivered it meanwhile.
    const entry = get(id);
    if (entry?.state !== "pending") return 0;
    // A request a closed page left out may still land: let it, first.
    const busy = leased(id);
    if (busy) return busy;
    const { status, body } = await post(this, entry);
    release(id);
    const v = verdict(status);
    if (v === 0) {
      try {
        localStorage.removeItem(PREFIX + id);
      } catch {
        // no storage: nothing to remove
      }
      report(entry, "consent:delivered", { id, status, response: parsed(body) }, "delivered");
      return 0;
    }
    if (v === 1) {
      entry.attempts++;
      update(entry);
      const wait = backoff(entry.attempts, Math.random());
      report(entry, "consent:queued", { id, status, attempt: entry.attempts, retryInMs: wait }, "queued");
      return wait;
    }
    entry.state = "rejected"; // kept as evidence
    update(entry);
    report(entry, "consent:rejected", { id, status, response: parsed(body) }, "rejected");
    return 0;
  }
}

/** The widget that signed `entry` on this page, else (a proof from an earlier page) the first live one of its form. */
function owner(entry) {
  const live = [...couriers];
  return live.find((c) => c.own.has(entry.id)) ?? live.find((c) => c.form === entry.form && c.endpoint === entry.endpoint);
}

function report(entry, name, detail, outcome) {
  const c = owner(entry);
  if (c) {
    fire(c.host, name, detail);
    c.onOutcome(entry.id, outcome);
  }
}
