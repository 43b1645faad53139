// The widget's lifecycle and concurrency, through its public JS API: records
// signed at the same time stay each what it is, a destroyed handle reaches
// nothing, mounting again replaces, a record being signed survives destroy,
// Trusted Types pages work, and proofs stored by earlier builds still go out.
import { test } from "node:test";
import assert from "node:assert/strict";
import { config, field, fired, mount, open, payloadOf, posts, setup, sha256hex, storage, submit, submitOnce, verify, waitFor } from "./widget-page.mjs";

setup();

const both = () => config({ phone: "off", purposes: [{ id: "newsletter", channel: "email" }, { id: "partners", channel: "email", label: "offers from our partners by e-mail" }] });

test("two withdrawals at once each withdraw their own purpose", async (t) => {
  const { page, errors } = await open(t, { expect: ["refusedProof"] });
  await mount(page, "a", both());
  await field(page, "a", "cw-email").fill("marie@example.org");
  await field(page, "a", "cw-p-newsletter").check();
  await field(page, "a", "cw-p-partners").check();
  await submit(page, "a");
  const [consent] = await waitFor(page, "consent:submit", 1, "a");
  const ids = await page.evaluate(() => Promise.all([window.widgets.a.withdraw(["newsletter"]), window.widgets.a.withdraw(["partners"])]));
  const events = await waitFor(page, "consent:withdraw", 2, "a");
  assert.deepEqual(events.map((e) => e.id), ids, "each promise resolves with its own record");
  for (const [i, purpose] of ["newsletter", "partners"].entries()) {
    const { payload } = await verify(events[i].proof);
    assert.deepEqual(events[i].purposes, [purpose]);
    assert.equal(payload.kind, "withdrawal");
    assert.deepEqual(payload.purposes.map((p) => [p.id, p.choice]), [[purpose, "withdrawn"]], "the signed record is the event's");
    assert.equal(payload.prev, sha256hex(consent.proof), "linked to the consent");
  }
  const summary = (await storage(page))["consent-widget/consented/signup"];
  assert.ok(summary.startsWith("cw1\n") && !summary.includes("newsletter") && !summary.includes("partners"), summary);
  assert.equal(await page.locator("#a #cw-manage-toggle").count(), 0, "nothing left to withdraw");
  assert.deepEqual(errors, []);
});

test("a withdrawal and a new consent at once stay a withdrawal and a consent", async (t) => {
  const { page, errors } = await open(t, { expect: ["refusedProof"] });
  await mount(page, "a", both());
  await submitOnce(page, "a", 1);
  await field(page, "a", "cw-email").fill("other@example.org");
  const id = await page.evaluate(() => {
    const w = window.widgets.a.withdraw(["newsletter"]);
    document.getElementById("a").shadowRoot.getElementById("cw-form").requestSubmit();
    return w;
  });
  const [withdrawal] = await waitFor(page, "consent:withdraw", 1, "a");
  assert.equal(withdrawal.id, id);
  const { payload } = await verify(withdrawal.proof);
  assert.equal(payload.kind, "withdrawal");
  assert.equal(payload.subject.email, "marie@example.org");
  // The second consent is ignored while the widget signs, or signed as itself.
  for (const detail of (await fired(page, "consent:submit", "a")).map((e) => e.detail)) {
    assert.equal(payloadOf(detail.proof).kind, "consent");
    assert.equal(payloadOf(detail.proof).subject.email, detail.email);
  }
  assert.deepEqual(errors, []);
});

test("a destroyed handle reaches nothing, and destroy twice is harmless", async (t) => {
  const { page, errors } = await open(t, { expect: ["refusedProof"] });
  await mount(page, "a", config());
  await page.evaluate(() => window.widgets.a.destroy());
  await mount(page, "b", config());
  const stale = await page.evaluate(async () => {
    const a = window.widgets.a;
    a.destroy(); // again: as framework cleanups do
    const said = [];
    try {
      a.setLocale("fr");
    } catch (e) {
      said.push(e.message);
    }
    await a.withdraw(["newsletter"]).catch((e) => said.push(e.message));
    return said;
  });
  assert.deepEqual(stale, ["the widget is destroyed", "the widget is destroyed"]);
  const detail = await submitOnce(page, "b", 1);
  assert.equal(payloadOf(detail.proof).locale, "en", "b kept its own locale");
  assert.equal(await page.locator("#b #cw-submit").textContent(), "Subscribe");
  assert.deepEqual(errors, []);
});

test("mounting again on the same host replaces the widget: one proof per click", async (t) => {
  const { page, errors } = await open(t, { expect: ["refusedProof"] });
  await mount(page, "a", config());
  await page.evaluate((cfg) => (window.widgets.again = window.mount(document.getElementById("a"), cfg)), config());
  await submitOnce(page, "a", 1);
  await waitFor(page, "consent:rejected", 1, "a");
  assert.equal((await fired(page, "consent:submit", "a")).length, 1, "one consent:submit for one click");
  await page.evaluate(() => window.widgets.a.destroy()); // the replaced one: the form stays
  assert.equal(await page.locator("#a #cw-form").count(), 1);
  assert.deepEqual(errors, []);
});

test("a proof being signed when the widget is destroyed still reaches the outbox", async (t) => {
  const { page, errors } = await open(t, { expect: ["refusedProof"] });
  await mount(page, "a", config());
  await field(page, "a", "cw-email").fill("marie@example.org");
  await field(page, "a", "cw-p-newsletter").check();
  await page.evaluate(() => {
    document.getElementById("a").shadowRoot.getElementById("cw-form").requestSubmit();
    window.widgets.a.destroy();
  });
  await page.waitForFunction(() => Object.keys(localStorage).some((k) => k.startsWith("consent-widget/outbox/")), null, { timeout: 30_000 });
  const stored = Object.entries(await storage(page)).filter(([k]) => k.startsWith("consent-widget/outbox/"));
  assert.equal(stored.length, 1);
  const entry = JSON.parse(stored[0][1]);
  assert.equal(entry.state, "pending", "sent from there by the next widget or page");
  assert.equal((await verify(entry.jws)).payload.subject.email, "marie@example.org");
  assert.equal(await page.locator("#a form").count(), 0, "the form is gone");
  assert.deepEqual(errors, []);
});

test("a page that enforces Trusted Types gets the form", async (t) => {
  const { page, errors } = await open(t, { csp: "require-trusted-types-for 'script'; trusted-types consent-widget" });
  assert.deepEqual(await mount(page, "a", config()), []);
  assert.equal(await page.locator("#a #cw-form").count(), 1);
  assert.deepEqual(errors, []);
});

test("a page whose Trusted Types list leaves the widget out, without enforcing them, still gets the form", async (t) => {
  const { page, errors } = await open(t, { csp: "trusted-types other-policy", expect: ["policyRefused"] });
  assert.deepEqual(await mount(page, "a", config()), []);
  assert.equal(await page.locator("#a #cw-form").count(), 1);
  assert.deepEqual(errors, []);
});

test("a proof an earlier build left in the outbox is still sent", async (t) => {
  const jws = "eyJhbGciOiJFZERTQSJ9.e30.c2ln";
  const { page, errors } = await open(t, {
    expect: ["refusedProof"],
    init: `localStorage.setItem("consent-widget/outbox/early", ["cw2", "pending", "3", "early", location.origin + "/no-collector-here", "signup", ${JSON.stringify(jws)}].join("\\n"))`,
  });
  const before = posts.length;
  await mount(page, "a", config());
  const [rejected] = await waitFor(page, "consent:rejected", 1, "a");
  assert.equal(rejected.id, "early");
  assert.ok(posts.slice(before).some((p) => p.body === jws), "POSTed as stored");
  const entry = JSON.parse((await storage(page))["consent-widget/outbox/early"]);
  assert.deepEqual([entry.state, entry.jws], ["rejected", jws], "kept, marked rejected");
  assert.deepEqual(errors, []);
});
