// The subscriber's side, from the mail: a preference page reached from the
// mailed link in a fresh browser (no key, no storage from the sign-up), SMS
// withdrawn alone, then e-mail; the confirm and unsubscribe pages saying
// what holds now; the shop's name, logo, accent and link back on every page
// under the pages' CSP; an expired link renewed by mail; the demo outbox
// showing each mail's text; axe finding nothing on any of these pages.
// Screenshots of the preference and confirm pages at desktop and phone
// sizes go to e2e/out/pages/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { AxeBuilder } from "@axe-core/playwright";
import { launch, watchErrors } from "./browser.mjs";
import { startCollector } from "./collector.mjs";
import { links, collectorMailFlags } from "./mailbox.mjs";

const OUT = new URL("./out/pages/", import.meta.url).pathname;
const SHOP = { name: "Atelier Exemple", url: "https://atelier.example/", accent: "#1a5fb4" };
const logo = join(mkdtempSync(join(tmpdir(), "consent-logo-")), "logo.svg");
writeFileSync(logo, '<svg xmlns="http://www.w3.org/2000/svg" width="96" height="48"><rect width="96" height="48" rx="8" fill="#1a5fb4"/><text x="48" y="31" font-size="20" text-anchor="middle" fill="#fff">AE</text></svg>');
/** Moves the expiry of every preference link of an SQLite log into the past. */
const EXPIRE = "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute(\"UPDATE tokens SET expires_at = '2000-01-01T00:00:00.000Z' WHERE purpose = 'preferences'\"); c.commit()";
const brandFlags = ["--shop-name", SHOP.name, "--shop-url", SHOP.url, "--shop-accent", SHOP.accent, "--shop-logo", logo];

let collector, browser;
before(async () => {
  mkdirSync(OUT, { recursive: true });
  collector = await startCollector([...collectorMailFlags, ...brandFlags]);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  collector?.stop();
});

const state = (c, email) =>
  Object.fromEntries(c.admin("export", "--subject", email).trim().split("\n").map((l) => JSON.parse(l)).map((r) => [r.purpose, r.state]));

/** A page of the collector, checked: the shop's identity, the CSP held, axe clean. */
async function checkPage(page, what) {
  const header = page.locator("header.shop");
  assert.match(await header.textContent(), new RegExp(SHOP.name), `${what}: the shop's name`);
  assert.match(await header.locator("img").getAttribute("src"), /^data:image\/svg\+xml;base64,/, `${what}: the logo, inline`);
  assert.equal(await page.locator(`footer a[href="${SHOP.url}"]`).count(), 1, `${what}: a link back to the shop`);
  const band = await header.evaluate((el) => getComputedStyle(el).backgroundColor);
  assert.equal(band, "rgb(26, 95, 180)", `${what}: the accent colour, so the inline style passed the CSP`);
  const { violations } = await new AxeBuilder({ page }).analyze();
  assert.deepEqual(violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(", ")}`), [], `${what}: axe`);
}

async function signUp(email) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(collector.url + "/");
  await page.locator("#signup #cw-form").waitFor();
  const shadow = (sel) => page.locator("#signup").locator(sel);
  await shadow("#cw-email").fill(email);
  await shadow("#cw-phone").fill("06 12 34 56 78");
  await shadow("#cw-p-newsletter").check();
  await shadow("#cw-p-sms").check();
  const delivered = page.locator("#signup").evaluate((el) => new Promise((r) => el.addEventListener("consent:delivered", r, { once: true })));
  await shadow("#cw-submit").click();
  await delivered;
  const mailed = await links(page, collector.url, email);
  await context.close();
  return mailed;
}

async function shoot(page, url, name) {
  for (const [size, viewport] of [["desktop", { width: 1280, height: 900 }], ["phone", { width: 390, height: 844 }]]) {
    await page.setViewportSize(viewport);
    await page.goto(url);
    await page.screenshot({ path: join(OUT, `${name}-${size}.png`), fullPage: true });
  }
}

test("from the mail, on a fresh browser: withdraw SMS only, then e-mail; every page tells the state now", async () => {
  const email = "lea@example.org";
  const { confirm, unsubscribe, preferences } = await signUp(email);
  assert.ok(preferences, "the mail carries a link to the preference page");
  assert.deepEqual(state(collector, email), { newsletter: "pending", partners: "refused", sms: "pending" });

  // A fresh browser profile: nothing from the sign-up (no key, no storage).
  const context = await browser.newContext();
  const page = await context.newPage();
  // The 422 of pressing the button with nothing ticked is on purpose.
  const errors = watchErrors(page, (e) => /status of 422/.test(e.text));
  const opened = await page.goto(preferences);
  assert.equal(opened.status(), 200);
  assert.equal(await page.locator("html").getAttribute("lang"), "fr", "in the language of the sign-up");
  assert.equal(await page.getByRole("heading", { level: 1 }).textContent(), "Vos choix");
  assert.match(await page.locator("main").textContent(), /l•••@example\.org/);
  const stateOf = (id) => page.locator(`#state-${id}`).getAttribute("data-state");
  assert.equal(await stateOf("sms"), "pending");
  assert.equal(await stateOf("newsletter"), "pending");
  assert.equal(await stateOf("partners"), "refused");
  assert.equal(await page.locator("input[type=checkbox]").count(), 2, "only what may be sent can be withdrawn");
  await checkPage(page, "preference page");
  await shoot(page, preferences, "preferences");
  await shoot(page, confirm, "confirm");
  await page.setViewportSize({ width: 1280, height: 900 });

  // Nothing ticked: said on the page, nothing recorded.
  await page.goto(preferences);
  const empty = await Promise.all([page.waitForResponse((r) => r.request().method() === "POST"), page.getByRole("button").click()]);
  assert.equal(empty[0].status(), 422);
  assert.match(await page.getByRole("alert").textContent(), /Cochez au moins une case/);
  assert.deepEqual(state(collector, email), { newsletter: "pending", partners: "refused", sms: "pending" });

  // SMS only.
  await page.locator("#w-sms").check();
  await Promise.all([page.waitForResponse((r) => r.request().method() === "POST" && r.status() === 200), page.getByRole("button").click()]);
  await page.waitForLoadState("load");
  assert.match(await page.getByRole("status").textContent(), /C’est enregistré : vous ne recevrez plus.*SMS/s);
  assert.equal(await stateOf("sms"), "withdrawn");
  assert.equal(await stateOf("newsletter"), "pending");
  assert.deepEqual(state(collector, email), { newsletter: "pending", partners: "refused", sms: "withdrawn" });
  await checkPage(page, "preference page after a withdrawal");

  // The confirm page no longer lists SMS; the unsubscribe page no longer says SMS consent stays.
  await page.goto(confirm);
  assert.equal(await page.getByRole("heading", { level: 1 }).textContent(), "Confirmer votre inscription");
  const ticked = await page.locator("main li").allTextContents();
  assert.equal(ticked.length, 1, JSON.stringify(ticked));
  assert.doesNotMatch(ticked[0], /SMS/);
  await checkPage(page, "confirm page");
  await page.goto(unsubscribe);
  assert.doesNotMatch(await page.locator("main").textContent(), /SMS/, "SMS is withdrawn already: no word of it staying");
  await checkPage(page, "unsubscribe page");

  // Then e-mail: nothing left to withdraw.
  await page.goto(preferences);
  await page.locator("#w-newsletter").check();
  await Promise.all([page.waitForResponse((r) => r.request().method() === "POST" && r.status() === 200), page.getByRole("button").click()]);
  await page.waitForLoadState("load");
  assert.equal(await stateOf("newsletter"), "withdrawn");
  assert.equal(await page.locator("input[type=checkbox]").count(), 0);
  assert.match(await page.locator("main").textContent(), /il n’y a rien à retirer/);
  assert.deepEqual(state(collector, email), { newsletter: "withdrawn", partners: "refused", sms: "withdrawn" });
  await checkPage(page, "preference page, all withdrawn");

  // The confirm link now confirms nothing.
  await page.goto(confirm);
  assert.equal(await page.getByRole("heading", { level: 1 }).textContent(), "Rien à confirmer");
  await checkPage(page, "confirm page after withdrawal");

  // Each change is a chained event: the log still verifies, and says how.
  assert.match(collector.admin("verify-log"), /^ok: /);
  assert.deepEqual(errors, []);
  await context.close();
});

test("an expired preference link offers a new one by mail, which works", async () => {
  const short = await startCollector(brandFlags);
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(short.url + "/");
    await page.locator("#signup #cw-form").waitFor();
    const shadow = (sel) => page.locator("#signup").locator(sel);
    await shadow("#cw-email").fill("tom@example.org");
    await shadow("#cw-p-newsletter").check();
    const delivered = page.locator("#signup").evaluate((el) => new Promise((r) => el.addEventListener("consent:delivered", r, { once: true })));
    await shadow("#cw-submit").click();
    await delivered;
    const { preferences } = await links(page, short.url, "tom@example.org");
    // Time passes: the link's expiry, as stored, is moved into the past.
    execFileSync("python3", ["-c", EXPIRE, join(short.dataDir, "collector.db")]);
    const gone = await page.goto(preferences);
    assert.equal(gone.status(), 410);
    assert.equal(await page.getByRole("heading", { level: 1 }).textContent(), "Lien expiré");
    await checkPage(page, "expired link page");
    await Promise.all([page.waitForResponse((r) => r.request().method() === "POST" && r.status() === 200), page.getByRole("button").click()]);
    await page.waitForLoadState("load");
    assert.equal(await page.getByRole("heading", { level: 1 }).textContent(), "Nouveau lien envoyé");
    await checkPage(page, "new link sent page");

    // The outbox shows each mail's text, decoded and in its language; the newest is the new link.
    // The mail goes out from the queue, after the page: wait for it.
    const newest = page.locator("ul.outbox > li").first();
    for (let i = 0; i < 100; i++) {
      await page.goto(short.url + "/outbox");
      if (/^Vos choix/.test(await newest.locator("h2").textContent())) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.match(await newest.locator("h2").textContent(), /^Vos choix – Atelier Exemple$/);
    assert.equal(await newest.locator("article").getAttribute("lang"), "fr");
    assert.match(await newest.locator("article pre").textContent(), /Voici un nouveau lien pour voir et changer ce que Atelier Exemple peut vous envoyer/);
    const renewed = new URL(await newest.locator("a[href*='/v1/preferences']").getAttribute("href"), short.url).href;
    assert.notEqual(renewed, preferences);
    const { violations } = await new AxeBuilder({ page }).analyze();
    assert.deepEqual(violations.map((v) => v.id), [], "outbox: axe");
    const csp = (await page.goto(short.url + "/outbox")).headers()["content-security-policy"];
    assert.match(csp, /default-src 'none'/, "the outbox is under the pages' CSP");

    const fresh = await page.goto(renewed);
    assert.equal(fresh.status(), 200, "the renewed link works");
    assert.equal(await page.locator("#state-newsletter").getAttribute("data-state"), "pending");
    await context.close();
  } finally {
    short.stop();
  }
});

test("unknown preference links lead nowhere, and say so", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const res = await page.goto(collector.url + "/v1/preferences?token=not-a-token");
  assert.equal(res.status(), 404);
  await checkPage(page, "unknown link page");
  await context.close();
});
