// What the subscriber reads after pressing the button is true: one message
// for each way a delivery ends (sent; kept and retried when the network or
// the server fails; refused for now on 429; cannot be sent from this page
// when the endpoint refuses the page's origin), and on a merchant's local
// page the reason too. The manage section's errors and outcomes stay in the
// manage section.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { existsSync, readFileSync } from "node:fs";
import { serve } from "./serve.mjs";
import { launch, watchErrors } from "./browser.mjs";

/** A backend on another origin whose answer the test chooses. */
function backend() {
  const state = { mode: "ok", server: null };
  const cors = { "access-control-allow-origin": "*", "access-control-allow-headers": "content-type, idempotency-key" };
  state.server = createServer(async (req, res) => {
    // "nocors": a collector that does not list this page's origin: it answers, without CORS headers.
    const allow = state.mode === "nocors" ? {} : cors;
    if (req.method === "OPTIONS") return res.writeHead(204, { ...allow, "access-control-allow-methods": "POST" }).end();
    for await (const _ of req);
    if (req.method !== "POST") return res.writeHead(405, allow).end();
    if (state.mode === "503") return res.writeHead(503, allow).end();
    if (state.mode === "429") return res.writeHead(429, { ...allow, "retry-after": "60" }).end();
    res.writeHead(201, { ...allow, "content-type": "application/json" }).end("{}");
  });
  return state;
}

const CONFIG = (endpoint) => ({
  endpoint,
  controller: { name: "Boutique Exemple", contact: "dpo@boutique.example" },
  privacyPolicyUrl: "/privacy.html",
  locale: "en",
  phone: "off",
  doubleOptIn: false,
  formId: "status-test",
  purposes: [
    { id: "newsletter", channel: "email" },
    { id: "partners", channel: "email", label: "offers from our partner makers by e-mail" },
  ],
});

const PAGE = (config) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Status</title>
<link rel="icon" href="data:,"><script type="module">
import init, { mount } from "/pkg/consent_widget.js";
await init();
window.widget = mount(document.getElementById("w"), ${JSON.stringify(JSON.stringify(config))});
window.ready = true;
</script></head><body><main><div id="w"></div></main></body></html>`;

let site, browser, api, apiBase, downBase;
before(async () => {
  api = backend();
  await new Promise((r) => api.server.listen(0, "127.0.0.1", r));
  apiBase = `http://127.0.0.1:${api.server.address().port}`;
  // A port nobody listens on: the network fails.
  const gone = createServer();
  await new Promise((r) => gone.listen(0, "127.0.0.1", r));
  downBase = `http://127.0.0.1:${gone.address().port}`;
  await new Promise((r) => gone.close(r));
  site = await serve({
    onRequest: (req, res) => {
      const url = new URL(req.url, "http://x");
      if (url.pathname !== "/status.html") return false;
      const endpoint = (url.searchParams.get("api") === "down" ? downBase : apiBase) + "/v1/proofs";
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(PAGE(CONFIG(endpoint)));
      return true;
    },
  });
  // shop.test is the same server under a name that is not local: a
  // subscriber's view. Treated as secure, as an https shop would be, so that
  // WebCrypto signs there.
  const shop = `http://shop.test:${site.address().port}`;
  browser = await launch(["--host-resolver-rules=MAP shop.test 127.0.0.1", `--unsafely-treat-insecure-origin-as-secure=${shop}`]);
});
after(async () => {
  await browser?.close();
  site?.close();
  api?.server.closeAllConnections();
  api?.server.close();
});

/** The English texts, from the widget's own catalog: a JSON file per locale, or the Rust catalog. */
function catalog(lang) {
  const json = new URL(`../form/catalogs/${lang}.json`, import.meta.url);
  if (existsSync(json)) return JSON.parse(readFileSync(json, "utf8"));
  const rust = readFileSync(new URL(`../form/src/i18n/${lang}.rs`, import.meta.url), "utf8");
  return Object.fromEntries([...rust.matchAll(/\(\s*"([^"]+)",\s*"((?:[^"\\]|\\.)*)",?\s*\)/g)].map(([, k, v]) => [k, JSON.parse(`"${v.replace(/\\u\{([0-9a-f]+)\}/g, "\\u00$1")}"`)]));
}
const say = Object.fromEntries(Object.entries(catalog("en")).map(([k, v]) => [k, v.replaceAll("{contact}", "dpo@boutique.example")]));

async function open({ host = "127.0.0.1", api: which = "up" } = {}) {
  const context = await browser.newContext();
  const page = await context.newPage();
  // A refused or failed request shows as a console error: expected here.
  const errors = watchErrors(page, (e) => /CORS|Failed to load|ERR_|status of (429|503)/.test(e.text));
  await page.goto(`http://${host}:${site.address().port}/status.html?api=${which}`);
  await page.waitForFunction(() => window.ready);
  return { context, page, errors, shadow: (sel) => page.locator("#w").locator(sel) };
}

async function submit(shadow) {
  await shadow("#cw-email").fill("marie@example.org");
  await shadow("#cw-p-newsletter").check();
  await shadow("#cw-submit").click();
}

const statusIs = (page, text) =>
  page
    .waitForFunction((t) => document.querySelector("#w").shadowRoot.getElementById("cw-status")?.textContent === t, text, { timeout: 20000 })
    .catch(async (e) => {
      const shown = await page.evaluate(() => document.querySelector("#w").shadowRoot.getElementById("cw-status")?.textContent);
      throw new Error(`status ${JSON.stringify(shown)}, expected ${JSON.stringify(text)} at ${page.url()}: ${e.message}`);
    });

test("sent: the collector stored it", async () => {
  api.mode = "ok";
  const { context, page, shadow, errors } = await open();
  await submit(shadow);
  await statusIs(page, say["status.sent"]);
  assert.deepEqual(errors, []);
  await context.close();
});

test("kept and retried: the server fails (503), or the network is down", async () => {
  api.mode = "503";
  let { context, page, shadow } = await open();
  await submit(shadow);
  await statusIs(page, say["status.queued"]);
  await context.close();

  ({ context, page, shadow } = await open({ api: "down" }));
  await submit(shadow);
  await statusIs(page, say["status.queued"]);
  await context.close();
});

test("refused for now: 429 says to try again later", async () => {
  api.mode = "429";
  const { context, page, shadow } = await open();
  await submit(shadow);
  await statusIs(page, say["status.later"]);
  assert.notEqual(say["status.later"], say["status.queued"]);
  await context.close();
});

test("cannot be sent from this page: CORS refused; the reason shows on a local page only", async () => {
  api.mode = "nocors";
  let { context, page, shadow } = await open();
  await submit(shadow);
  await statusIs(page, say["status.blocked"]);
  const reason = await shadow(".cw-unsendable").textContent();
  assert.match(reason, /does not allow requests from http:\/\/127\.0\.0\.1:\d+ \(CORS\)/);
  await context.close();

  ({ context, page, shadow } = await open({ host: "shop.test" }));
  await submit(shadow);
  await statusIs(page, say["status.blocked"]);
  assert.equal(await shadow(".cw-unsendable").count(), 0, "a subscriber is not shown the merchant's problem");
  await context.close();
  for (const k of ["status.sent", "status.queued", "status.later", "status.blocked"]) {
    assert.ok(say[k], k);
  }
  assert.equal(new Set(["status.sent", "status.queued", "status.later", "status.blocked"].map((k) => say[k])).size, 4, "four distinct messages");
});

test("the manage section's errors and outcomes stay in the manage section", async () => {
  api.mode = "ok";
  const { context, page, shadow, errors } = await open();
  await submit(shadow);
  await statusIs(page, say["status.sent"]);
  await shadow("#cw-manage-toggle").click();
  await shadow("#cw-manage button[type=submit]").click();
  assert.equal(await shadow("#cw-manage-error").textContent(), say["manage.error.none"]);
  assert.equal(await shadow("#cw-status").textContent(), say["status.sent"], "the sign-up form's status is untouched");
  await shadow("#cw-manage input[type=checkbox]").first().check();
  await shadow("#cw-manage button[type=submit]").click();
  await page.waitForFunction(
    (t) => document.querySelector("#w").shadowRoot.getElementById("cw-manage-status")?.textContent === t,
    say["status.withdrawn"],
  );
  assert.equal(await shadow("#cw-status").textContent(), say["status.sent"], "the withdrawal shows in the manage section only");
  assert.deepEqual(errors, []);
  await context.close();
});
