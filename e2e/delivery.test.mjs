// Delivery with nothing lost: a backend that first refuses connections, then
// answers 503, then hangs; 50 submissions across page reloads against a
// flaky backend; a page closed while offline. Every proof arrives, verified
// here with `jose`, and is stored once per record id.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { compactVerify, importJWK, decodeProtectedHeader } from "jose";
import { serve } from "./serve.mjs";
import { launch } from "./browser.mjs";

/** A backend on another origin whose behaviour the test switches. */
function backend(port) {
  const state = { mode: "ok", posts: 0, stored: new Map(), flip: false, server: null };
  const cors = { "access-control-allow-origin": "*", "access-control-allow-headers": "content-type, idempotency-key" };
  state.server = createServer(async (req, res) => {
    if (req.method === "OPTIONS") return res.writeHead(204, { ...cors, "access-control-allow-methods": "POST" }).end();
    let body = "";
    for await (const chunk of req) body += chunk;
    state.posts++;
    const mode = state.mode === "flaky" ? ((state.flip = !state.flip) ? "503" : "ok") : state.mode;
    if (mode === "hang") return; // never answers: the widget must give up and retry
    if (mode === "503") return res.writeHead(503, cors).end();
    const header = decodeProtectedHeader(body);
    const { payload } = await compactVerify(body, await importJWK(header.jwk, header.alg));
    const proof = JSON.parse(new TextDecoder().decode(payload));
    assert.equal(req.headers["idempotency-key"], proof.id);
    state.stored.set(proof.id, (state.stored.get(proof.id) ?? 0) + 1);
    res.writeHead(201, { ...cors, "content-type": "application/json" }).end(JSON.stringify({ stored: proof.id }));
  });
  state.listen = () => new Promise((r) => state.server.listen(port, "127.0.0.1", r));
  state.close = () => new Promise((r) => { state.server.closeAllConnections(); state.server.close(r); });
  return state;
}

async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

let site, browser, api, apiPort;
before(async () => {
  apiPort = await freePort();
  api = backend(apiPort);
  const page = (await import("node:fs")).readFileSync(new URL("../www/index.html", import.meta.url), "utf8")
    .replace('"endpoint": "/v1/proofs"', `"endpoint": "http://127.0.0.1:${apiPort}/v1/proofs"`);
  site = await serve({
    onRequest: (req, res) => {
      if (req.url !== "/delivery.html") return false;
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(page);
      return true;
    },
  });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  site?.close();
  await api?.close();
});

const base = () => `http://127.0.0.1:${site.address().port}/delivery.html`;

async function open(context) {
  const page = await context.newPage();
  await page.addInitScript(() => {
    window.__events = [];
    for (const n of ["consent:submit", "consent:delivered", "consent:queued", "consent:rejected", "consent:error"]) {
      document.addEventListener(n, (e) => window.__events.push({ type: e.type, detail: e.detail }));
    }
  });
  await page.goto(base());
  await page.locator("#signup #cw-form").waitFor();
  return page;
}

const count = (page, type) => page.evaluate((t) => window.__events.filter((e) => e.type === t).length, type);
const waitCount = (page, type, n, timeout = 60000) =>
  page.waitForFunction(([t, c]) => window.__events.filter((e) => e.type === t).length >= c, [type, n], { timeout });

async function submit(page, email) {
  const before = await count(page, "consent:submit");
  const shadow = (sel) => page.locator("#signup").locator(sel);
  await shadow("#cw-email").fill(email);
  await shadow("#cw-p-newsletter").check();
  await shadow("#cw-submit").click();
  await waitCount(page, "consent:submit", before + 1);
  return page.evaluate((i) => window.__events.filter((e) => e.type === "consent:submit")[i].detail.id, before);
}

test("refused, then 503, then a hang: the proof still arrives, once", async () => {
  const context = await browser.newContext();
  const page = await open(context);
  const id = await submit(page, "first@example.org"); // nothing listens yet: connection refused
  await waitCount(page, "consent:queued", 1);
  assert.match(await page.locator("#signup").locator("#cw-status").textContent(), /envoyé automatiquement|sent automatically/);
  api.mode = "503";
  await api.listen();
  await waitCount(page, "consent:queued", 2);
  api.mode = "hang";
  await waitCount(page, "consent:queued", 3, 60000); // the hung request is abandoned
  api.mode = "ok";
  await waitCount(page, "consent:delivered", 1, 60000);
  assert.equal(api.stored.get(id), 1);
  await context.close();
});

test("50 submissions across reloads against a flaky backend all arrive", async () => {
  api.mode = "flaky";
  api.stored.clear();
  const context = await browser.newContext();
  const ids = [];
  for (let load = 0; load < 10; load++) {
    const page = await open(context);
    for (let i = 0; i < 5; i++) ids.push(await submit(page, `user${load * 5 + i}@example.org`));
    await page.close({ runBeforeUnload: true }); // leave before delivery is done
  }
  api.mode = "ok"; // the backend recovers
  const page = await open(context); // and the next load resumes the outbox at once
  const deadline = Date.now() + 90000;
  while (api.stored.size < ids.length && Date.now() < deadline) await page.waitForTimeout(250);
  assert.equal(new Set(ids).size, 50);
  assert.deepEqual([...api.stored.keys()].sort(), [...ids].sort(), "every record id arrived");
  // Keepalive requests on pagehide may repeat a proof; the backend keeps one per id.
  console.log(`# 50 proofs, ${api.posts} POSTs, ${[...api.stored.values()].reduce((a, b) => a + b, 0)} accepted`);
  await page.waitForFunction(() => Object.keys(localStorage).filter((k) => k.includes("/outbox/")).length === 0, null, { timeout: 30000 });
  await context.close();
});

test("a page closed while offline delivers on the next load", async () => {
  api.mode = "ok";
  const context = await browser.newContext();
  const page = await open(context);
  await context.setOffline(true);
  const id = await submit(page, "offline@example.org");
  await waitCount(page, "consent:queued", 1);
  await page.close();
  assert.equal(api.stored.has(id), false);
  await context.setOffline(false);
  const next = await open(context);
  // The next page sent it and got its 2xx. The first page's keepalive on
  // pagehide can get through too (Chromium's offline emulation does not
  // hold requests that outlive their page): a repeat the backend keeps once.
  await next.waitForFunction((i) => window.__events.some((e) => e.type === "consent:delivered" && e.detail.id === i), id, { timeout: 30000 });
  assert.ok(api.stored.get(id) >= 1);
  assert.equal(await next.evaluate(() => Object.keys(localStorage).filter((k) => k.includes("/outbox/")).length), 0, "the outbox is empty");
  await context.close();
});
