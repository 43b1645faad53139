// Shared by the consumer tests (one per way in): a static site served with a
// strict CSP, the real collector on another origin (started here unless
// COLLECTOR_URL names one), a browser, and the submit-a-valid-form step,
// which checks that the proof reached the collector and verifies.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { compactVerify, importJWK, decodeProtectedHeader } from "jose";
import { launch, watchErrors } from "../browser.mjs";
import { startCollector } from "../collector.mjs";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const OUT = join(ROOT, "e2e/out/consumers");

/** The CSP the docs give merchants: nothing inline, no eval, wasm compiled. */
export function strictCsp(collectorUrl) {
  const connect = collectorUrl && !collectorUrl.startsWith("/") ? ` ${new URL(collectorUrl).origin}` : "";
  return `default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'${connect}`;
}

const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".wasm": "application/wasm", ".json": "application/json" };

/**
 * Serves `routes` ({"/prefix/": "/abs/dir/" | (req, res, body) => handled}) under a
 * strict CSP, with a real collector accepting proofs from the site's origin.
 * Records what function routes receive in `site.received` as
 * {path, contentType, body}.
 */
export async function startSite(routes) {
  const received = [];
  let csp = "";
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    const body = req.method === "POST" ? await text(req) : "";
    if (req.method === "POST") received.push({ path, contentType: req.headers["content-type"], body });
    if (path === "/favicon.ico") return res.writeHead(204).end();
    const prefix = Object.keys(routes).filter((p) => path.startsWith(p)).sort((a, b) => b.length - a.length)[0];
    if (prefix === undefined) return res.writeHead(404).end();
    const route = routes[prefix];
    if (typeof route === "function") return route(req, res, body);
    let rel = path.slice(prefix.length);
    if (rel === "" || rel.endsWith("/")) rel += "index.html";
    const file = normalize(join(route, rel));
    if (!file.startsWith(normalize(route))) return res.writeHead(403).end();
    try {
      const data = await readFile(file);
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "content-security-policy": csp });
      res.end(data);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${server.address().port}`;
  const real = process.env.COLLECTOR_URL ? null : await startCollector(["--allowed-origins", base]);
  const collector = process.env.COLLECTOR_URL ?? `${real.url}/v1/proofs`;
  csp = strictCsp(collector);
  const close = () => {
    server.close();
    real?.stop();
  };
  return { base, csp, collector, received, close };
}

function text(req) {
  return new Promise((resolve) => {
    let data = "";
    req.setEncoding("utf8");
    req.on("data", (c) => (data += c));
    req.on("end", () => resolve(data));
  });
}

/** A fresh context and page that record console errors and CSP violations. */
export async function openPage(browser, url) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(url);
  return { context, page, errors, violations: () => page.evaluate(() => window.__violations) };
}

/** Waits for the form in `host`'s shadow root and checks it is styled. */
export async function formAppears(page, host) {
  const form = page.locator(`${host} #cw-form`);
  await form.waitFor();
  const boxes = await page.locator(`${host} input[type=checkbox]`).count();
  assert.ok(boxes >= 1, "at least one purpose box");
  assert.equal(await page.locator(`${host} input[type=checkbox]:checked`).count(), 0, "nothing pre-checked");
  // The stylesheet applied (a constructed sheet under strict CSP): the submit button is at least 24 px high.
  const height = await page.locator(`${host} #cw-submit`).evaluate((b) => b.getBoundingClientRect().height);
  assert.ok(height >= 24, `the form is styled (submit button ${height}px high)`);
}

/**
 * Types an e-mail, ticks the first box, submits; checks that the proof
 * verifies (with `jose`) and that the collector accepted it
 * (`consent:delivered` with its receipt); resolves with the consent:submit detail.
 */
export async function submitValid(page, host, email = "marie@example.org") {
  const submitted = page.locator(host).evaluate(
    (el) =>
      new Promise((resolve, reject) => {
        let proof;
        el.addEventListener("consent:submit", (e) => (proof = e.detail));
        el.addEventListener("consent:delivered", (e) => e.detail.id === proof?.id && resolve({ ...proof, delivered: e.detail }));
        el.addEventListener("consent:rejected", (e) => reject(new Error("the collector refused the proof: " + JSON.stringify(e.detail))));
      }),
  );
  // A page need not keep the handle mount() returned: collect garbage first.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("HeapProfiler.collectGarbage");
  await page.waitForTimeout(50); // finalizers run after the collection
  await cdp.detach();
  await page.locator(`${host} input[name=email]`).fill(email);
  await page.locator(`${host} #cw-form input[type=checkbox]`).first().check();
  await page.locator(`${host} #cw-submit`).click();
  const detail = await submitted;
  assert.equal(detail.email, email);
  assert.equal(detail.purposes[0].choice, "granted");
  const header = decodeProtectedHeader(detail.proof);
  const { payload } = await compactVerify(detail.proof, await importJWK(header.jwk, header.alg));
  assert.equal(JSON.parse(new TextDecoder().decode(payload)).subject.email, email, "the proof verifies");
  assert.ok(detail.delivered.response.receipt ?? detail.delivered.response, "the collector sent a receipt");
  return detail;
}

/** The config every consumer mounts, pointing at the collector. */
export function sampleConfig(collector, extra = {}) {
  return {
    endpoint: collector,
    controller: { name: "Boutique Exemple SAS", contact: "dpo@boutique.example" },
    privacyPolicyUrl: "/privacy",
    locale: "en",
    purposes: [{ id: "newsletter", channel: "email" }],
    ...extra,
  };
}

export { launch };
