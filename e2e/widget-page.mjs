// The harness of the widget's page tests (widget*.test.mjs): a test page
// with the ESM entry, a server that refuses proofs, and helpers that reach
// the widget through its public JS API and its open shadow root only. Every
// test gets its own browser context (fresh storage) and fails on any console
// error it does not cause on purpose.
import { before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { compactVerify, importJWK, decodeProtectedHeader, calculateJwkThumbprint } from "jose";
import { serve } from "./serve.mjs";
import { launch, watchErrors } from "./browser.mjs";

export const EVENTS = ["consent:submit", "consent:error", "consent:delivered", "consent:queued", "consent:rejected", "consent:withdraw"];
export const WAIT = { timeout: 30_000 };

/** Where the proofs go in most tests: the test server answers 404, so the backend refuses them for good. */
export const NO_COLLECTOR = "/no-collector-here";
/** Unreachable (Chromium refuses port 9 outright): every attempt is a network error, retried later. */
export const REFUSED = "http://127.0.0.1:9/v1/proofs";

export const CONFIG = {
  endpoint: NO_COLLECTOR,
  controller: { name: "Boutique Exemple", contact: "dpo@boutique.example" },
  privacyPolicyUrl: "https://boutique.example/confidentialite",
  locale: "en",
  phone: "optional",
  purposes: [
    { id: "newsletter", channel: "email" },
    { id: "partners", channel: "email", label: "offers from our partners" },
    { id: "sms", channel: "sms" },
  ],
};
export const config = (changes = {}) => ({ ...structuredClone(CONFIG), ...changes });

// The test page: the ESM entry, and a record of every widget event that
// reaches the document (they must bubble out of the shadow root).
const PAGE = `<!doctype html>
<html>
<head><meta charset="utf-8"><title>consent-widget test page</title><link rel="icon" href="data:,"></head>
<body>
<script type="module">
  import init, { mount, validateConfig, version } from "/pkg/consent_widget.js";
  await init();
  const events = [];
  for (const type of ${JSON.stringify(EVENTS)}) {
    document.addEventListener(type, (e) => events.push({
      type: e.type, host: e.target.id, bubbles: e.bubbles, composed: e.composed, detail: e.detail,
    }));
  }
  Object.assign(window, { mount, validateConfig, version, events, widgets: {} });
  window.ready = true;
</script>
</body>
</html>`;

let server, browser, base;
let pages = 0;
export const posts = []; // what was POSTed to NO_COLLECTOR: { referer, body }

/** Starts the server and the browser for the calling test file. */
export function setup() {
before(async () => {
  server = await serve({
    onRequest: async (req, res) => {
      const { pathname, searchParams } = new URL(req.url, "http://x");
      if (pathname === "/widget-test.html") {
        const csp = searchParams.get("csp");
        res.writeHead(200, { "content-type": "text/html; charset=utf-8", ...(csp && { "content-security-policy": csp }) }).end(PAGE);
        return true;
      }
      if (pathname === NO_COLLECTOR && req.method === "POST") {
        let body = "";
        for await (const chunk of req) body += chunk;
        posts.push({ referer: req.headers.referer ?? "", body });
        res.writeHead(404, { "content-type": "text/plain" }).end("not found");
        return true;
      }
      return false;
    },
  });
  base = `http://127.0.0.1:${server.address().port}`;
  // shop.test reaches the same server under a name that is not a local one,
  // as a storefront's is.
  browser = await launch(["--host-resolver-rules=MAP shop.test 127.0.0.1"]);
});
after(async () => {
  await browser?.close();
  server?.close();
});
}

/** The console errors a test may cause on purpose, matched precisely. */
const expectedErrors = {
  /** The one console.error an invalid configuration logs. */
  invalidConfig: ({ text }) => text.startsWith("consent-widget: invalid configuration, no form rendered:"),
  /** Chromium's log line for the backend's 404 to a proof. */
  refusedProof: ({ text, url }) =>
    url === base + NO_COLLECTOR && text === "Failed to load resource: the server responded with a status of 404 (Not Found)",
  /** Chromium's report of a Trusted Types policy name the page's CSP does not list. */
  policyRefused: ({ text }) => text.startsWith("Creating a TrustedTypePolicy named 'consent-widget' violates"),
  /** Chromium's log line for an attempt to reach REFUSED (an unsafe port to Chromium, refused elsewhere). */
  unreachable: ({ text, url }) => url === REFUSED && /^Failed to load resource: net::ERR_(UNSAFE_PORT|CONNECTION_REFUSED)$/.test(text),
};

/**
 * A fresh context and page with the widget's ESM entry loaded. `expect`
 * lists the kinds of console error this test causes on purpose; `init` runs
 * in the page before any of its scripts; `csp` is sent as the page's
 * Content-Security-Policy; `host` is the page's host name instead of
 * 127.0.0.1 (e.g. "shop.test"). Closed when the test ends.
 */
export async function open(t, { expect = [], init, csp, host } = {}) {
  const context = await browser.newContext();
  t.after(() => context.close());
  const page = await context.newPage();
  const errors = watchErrors(page, (e) => expect.some((kind) => expectedErrors[kind](e)));
  if (init) await page.addInitScript(init);
  // Each page has its own address, so the proofs it POSTs can be told apart.
  const origin = host ? base.replace("127.0.0.1", host) : base;
  const url = `${origin}/widget-test.html?page=${++pages}${csp ? `&csp=${encodeURIComponent(csp)}` : ""}`;
  await page.goto(url);
  await page.waitForFunction(() => window.ready === true, null, WAIT);
  return { page, context, errors, url };
}

/** Mounts a widget on a new host `<div id=hostId>`; once it is drawn (its
 * locale's texts fetched), returns the handle's `problems`. */
export function mount(page, hostId, cfg) {
  return page.evaluate(
    async ([id, cfg]) => {
      const host = document.createElement("div");
      host.id = id;
      document.body.append(host);
      window.widgets[id] = window.mount(host, cfg);
      await window.widgets[id].ready;
      return window.widgets[id].problems;
    },
    [hostId, cfg],
  );
}

/** Runs `fn(shadowRoot, arg)` in the page. */
export function inRoot(page, hostId, fn, arg) {
  return page.locator(`#${hostId}`).evaluate((host, [src, arg]) => new Function(`return (${src})`)()(host.shadowRoot, arg), [String(fn), arg]);
}

/** Waits until `fn(shadowRoot, arg)` is truthy. */
export function until(page, hostId, fn, arg) {
  return page.waitForFunction(
    ([id, src, arg]) => new Function(`return (${src})`)()(document.getElementById(id).shadowRoot, arg),
    [hostId, String(fn), arg],
    WAIT,
  );
}

export const field = (page, hostId, id) => page.locator(`#${hostId} #${id}`);
export const submit = (page, hostId) => field(page, hostId, "cw-submit").click();
export const activeId = (page, hostId) => inRoot(page, hostId, (root) => root.activeElement?.id ?? "");

/** The events of `type` fired so far (by `hostId`'s widget, if given). */
export function fired(page, type, hostId) {
  return page.evaluate(([type, host]) => window.events.filter((e) => e.type === type && (!host || e.host === host)), [type, hostId]);
}

/** Waits until `type` has fired `count` times; returns the details. */
export async function waitFor(page, type, count, hostId) {
  await page.waitForFunction(
    ([type, count, host]) => window.events.filter((e) => e.type === type && (!host || e.host === host)).length >= count,
    [type, count, hostId],
    WAIT,
  );
  return (await fired(page, type, hostId)).map((e) => e.detail);
}

/** Enters an e-mail, ticks the newsletter, submits; returns the `n`th consent:submit detail. */
export async function submitOnce(page, hostId, n) {
  await field(page, hostId, "cw-email").fill("marie@example.org");
  await field(page, hostId, "cw-p-newsletter").check();
  await submit(page, hostId);
  const details = await waitFor(page, "consent:submit", n, hostId);
  assert.equal(details.length, n, "consent:submit fired once per submission");
  assert.equal(typeof details[n - 1].proof, "string", "a JWS");
  return details[n - 1];
}

export const storage = (page) => page.evaluate(() => Object.fromEntries(Object.entries(localStorage)));
export const sha256hex = (text) => createHash("sha256").update(text).digest("hex");
export const decodePart = (part) => JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
export const payloadOf = (jws) => decodePart(jws.split(".")[1]);

/** Verifies a compact JWS with jose, from the key in its own header; returns header and payload. */
export async function verify(jws) {
  const header = decodeProtectedHeader(jws);
  assert.equal(header.typ, "consent-proof+jws");
  assert.equal(header.kid, await calculateJwkThumbprint(header.jwk, "sha256"), "kid is the RFC 7638 thumbprint of jwk");
  const { payload, protectedHeader } = await compactVerify(jws, await importJWK(header.jwk, header.alg));
  assert.deepEqual(protectedHeader, header);
  return { header, payload: JSON.parse(new TextDecoder().decode(payload)) };
}

