// The demo end to end: the widget in Chromium signs a proof, the real
// collector verifies, stores and countersigns it and mails a confirmation
// (to a real SMTP server under scripts/test-collector, else to the demo's
// outbox); the mailed link, opened, shows a button and changes nothing, and
// its button confirms; the same for the unsubscribe link, which withdraws;
// verify-log is clean. The proof and the receipt are verified here with
// `jose`, and the payload checked against `canonicalize` (RFC 8785): code we
// did not write. The demo collector also serves the script tag's files, the
// .wasm as application/wasm.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { compactVerify, importJWK, decodeProtectedHeader, createLocalJWKSet } from "jose";
import canonicalize from "canonicalize";
import { launch, watchErrors } from "./browser.mjs";
import { startCollector } from "./collector.mjs";
import { links, followLink, collectorMailFlags } from "./mailbox.mjs";

let collector, browser;
before(async () => {
  collector = await startCollector(collectorMailFlags);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  collector?.stop();
});

const events = (page, names) =>
  page.evaluate((names) => {
    window.__events = [];
    for (const n of names) document.addEventListener(n, (e) => window.__events.push({ type: e.type, detail: e.detail }));
  }, names);
const waitEvent = (page, type, count = 1) =>
  page.waitForFunction(([t, c]) => window.__events.filter((e) => e.type === t).length >= c, [type, count], { timeout: 30000 })
    .then(() => page.evaluate((t) => window.__events.filter((e) => e.type === t), type));

async function verifyProof(jws) {
  const header = decodeProtectedHeader(jws);
  const key = await importJWK(header.jwk, header.alg);
  const { payload } = await compactVerify(jws, key);
  const text = new TextDecoder().decode(payload);
  assert.equal(text, canonicalize(JSON.parse(text)), "the payload is RFC 8785 canonical JSON");
  return JSON.parse(text);
}

test("sign up, confirm by the mailed link, unsubscribe, and the log verifies", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(collector.url + "/");
  await page.locator("#signup #cw-form").waitFor();
  await events(page, ["consent:submit", "consent:delivered", "consent:queued", "consent:rejected", "consent:error", "consent:withdraw"]);
  const shadow = (sel) => page.locator("#signup").locator(sel);
  await shadow("#cw-email").fill("marie@example.org");
  await shadow("#cw-phone").fill("06 12 34 56 78");
  await shadow("#cw-p-newsletter").check();
  await shadow("#cw-p-sms").check();
  await shadow("#cw-submit").click();

  const [submitted] = await waitEvent(page, "consent:submit");
  const proof = await verifyProof(submitted.detail.proof);
  assert.equal(proof.subject.email, "marie@example.org");
  assert.equal(proof.subject.phone, "+33612345678");
  assert.deepEqual(proof.purposes.map((p) => [p.id, p.choice]), [["newsletter", "granted"], ["partners", "refused"], ["sms", "granted"]]);
  assert.equal(proof.privacyPolicy.url, collector.url + "/privacy.html");

  const [delivered] = await waitEvent(page, "consent:delivered");
  assert.equal(delivered.detail.id, proof.id);
  const jwks = createLocalJWKSet(await (await fetch(collector.url + "/.well-known/jwks.json")).json());
  const receiptJws = delivered.detail.response.receipt ?? delivered.detail.response;
  const { payload: receiptBytes } = await compactVerify(receiptJws, jwks);
  const receipt = JSON.parse(new TextDecoder().decode(receiptBytes));
  assert.equal(receipt.schema, "consent-receipt/1");
  assert.match(await shadow("#cw-status").textContent(), /confirm/i);

  const state = () => collector.admin("export", "--subject", "marie@example.org").trim().split("\n").map((l) => JSON.parse(l));
  assert.ok(state().some((r) => r.purpose === "newsletter" && r.state === "pending"), JSON.stringify(state()));

  const { confirm, unsubscribe, via } = await links(page, collector.url, "marie@example.org");
  console.log(`# the confirmation arrived by ${via}`);
  const lang = proof.locale.split("-")[0];
  const heading = () => page.getByRole("heading", { level: 1 }).textContent();
  const confirmed = await followLink(page, confirm, async () => {
    // Opened, as a mail scanner would: a page in the subscriber's language
    // naming the shop and the boxes ticked, with one button; nothing confirmed.
    assert.equal(await page.locator("html").getAttribute("lang"), lang);
    assert.match(await heading(), /^(Confirmer votre inscription|Confirm your subscription)$/);
    assert.match(await page.locator("main").textContent(), new RegExp(proof.controller.name));
    assert.equal(await page.locator("main li").count(), 2, "newsletter and sms, not the refused partners");
    assert.equal(await page.getByRole("button").count(), 1);
    assert.ok(state().some((r) => r.purpose === "newsletter" && r.state === "pending"), JSON.stringify(state()));
  });
  assert.equal(confirmed.status(), 200);
  assert.match(await heading(), /^(Inscription confirmée|Subscription confirmed)$/);
  assert.ok(state().some((r) => r.purpose === "newsletter" && r.state === "confirmed"), JSON.stringify(state()));
  assert.ok(!state().some((r) => r.purpose === "partners" && ["granted", "confirmed", "pending"].includes(r.state)));

  const reused = await page.goto(confirm);
  assert.equal(reused.status(), 200, "a confirm link works once; afterwards it says so");
  assert.match(await heading(), /^(Inscription déjà confirmée|Subscription already confirmed)$/);
  assert.equal(await page.getByRole("button").count(), 0);

  const left = await followLink(page, unsubscribe, async () => {
    assert.match(await heading(), /^(Se désinscrire des e-mails|Unsubscribe from e-mails)$/);
    assert.match(await page.locator("main").textContent(), /SMS|text messages/);
    assert.ok(!state().some((r) => r.state === "withdrawn"), JSON.stringify(state()));
  });
  assert.equal(left.status(), 200);
  assert.match(await heading(), /^(Désinscription enregistrée|Unsubscribed)$/);
  assert.ok(state().some((r) => r.purpose === "newsletter" && r.state === "withdrawn"), JSON.stringify(state()));
  assert.ok(state().some((r) => r.purpose === "sms" && r.state === "confirmed"), "the e-mail link leaves SMS consent");
  const exported = state().find((r) => r.purpose === "sms");
  assert.equal(exported.phone, "+33612345678", "the export says which number to text");

  const verdict = collector.admin("verify-log");
  assert.match(verdict, /^ok: /);
  // No console error: no 410 any more, and nothing the pages' CSP blocked.
  assert.deepEqual(errors, []);
  await context.close();
});

test("a withdrawal from the same browser is signed, chained and recorded", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(collector.url + "/");
  await page.locator("#signup #cw-form").waitFor();
  await events(page, ["consent:submit", "consent:delivered", "consent:withdraw"]);
  const shadow = (sel) => page.locator("#signup").locator(sel);
  await shadow("#cw-email").fill("paul@example.org");
  await shadow("#cw-p-newsletter").check();
  await shadow("#cw-p-partners").check();
  await shadow("#cw-submit").click();
  const [submitted] = await waitEvent(page, "consent:submit");
  await waitEvent(page, "consent:delivered");

  await shadow("#cw-manage-toggle").click();
  assert.equal(await shadow("#cw-manage-toggle").getAttribute("aria-expanded"), "true");
  await shadow("#cw-w-partners").check();
  await shadow("#cw-manage button[type=submit]").click();
  const [withdrawn] = await waitEvent(page, "consent:withdraw");
  const record = await verifyProof(withdrawn.detail.proof);
  assert.equal(record.kind, "withdrawal");
  assert.deepEqual(record.purposes.map((p) => [p.id, p.choice]), [["partners", "withdrawn"]]);
  const { createHash } = await import("node:crypto");
  assert.equal(record.prev, createHash("sha256").update(submitted.detail.proof).digest("hex"), "linked to the consent");
  await waitEvent(page, "consent:delivered", 2);
  // The withdrawal's outcome shows in the manage section's own status line.
  assert.match(await shadow("#cw-manage-status").textContent(), /withdrawal is recorded|retrait est enregistré/);
  const rows = collector.admin("export", "--subject", "paul@example.org").trim().split("\n").map((l) => JSON.parse(l));
  assert.ok(rows.some((r) => r.purpose === "partners" && r.state === "withdrawn"), JSON.stringify(rows));
  assert.ok(rows.some((r) => r.purpose === "newsletter" && r.state !== "withdrawn"), JSON.stringify(rows));
  assert.match(collector.admin("verify-log"), /^ok: /);
  await context.close();
});

test("the demo collector serves the script tag's wasm as application/wasm, and the script tag mounts from it", async () => {
  for (const file of ["consent-widget.wasm", "consent_widget_bg.wasm"]) {
    const response = await fetch(`${collector.url}/pkg/${file}`);
    assert.equal(response.status, 200, file);
    assert.equal(response.headers.get("content-type"), "application/wasm", file);
  }
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = watchErrors(page);
  // A page of the collector's origin with only the script tag: the wasm comes from the collector's /pkg/.
  await page.route(collector.url + "/script-tag.html", (route) =>
    route.fulfill({
      contentType: "text/html; charset=utf-8",
      body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>script tag</title><link rel="icon" href="data:,">
<script src="/pkg/consent-widget.js" defer></script></head>
<body><div id="signup" data-consent-widget data-config-id="cfg"></div>
<script type="application/json" id="cfg">${JSON.stringify({ endpoint: "/v1/proofs", controller: { name: "Boutique Exemple SAS", contact: "dpo@boutique.example" }, privacyPolicyUrl: "/privacy.html", purposes: [{ id: "newsletter", channel: "email" }] })}</script></body></html>`,
    }),
  );
  const wasm = page.waitForResponse((r) => r.url() === `${collector.url}/pkg/consent-widget.wasm`);
  await page.goto(collector.url + "/script-tag.html");
  assert.equal((await wasm).headers()["content-type"], "application/wasm");
  await page.locator("#signup #cw-form").waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});
