// The admin dashboard in Chromium: signed in with the configured credential,
// the figures and SVG charts of a seeded log, axe with no violation at desktop
// and phone sizes, keyboard only, no CSP violation, and CSRF refused.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { AxeBuilder } from "@axe-core/playwright";
import { launch, watchErrors } from "./browser.mjs";
import { startCollector, seed, CREDENTIAL } from "./seed.mjs";

const SHOTS = join(dirname(fileURLToPath(import.meta.url)), "..", "target", "screenshots");
let collector, browser;

before(async () => {
  collector = await startCollector();
  await seed(collector);
  browser = await launch();
  mkdirSync(SHOTS, { recursive: true });
});
after(async () => {
  await browser?.close();
  collector?.stop();
});

async function axe(page) {
  const { violations } = await new AxeBuilder({ page }).analyze();
  assert.deepEqual(violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(" ")}`), []);
}

/** Signs in with the keyboard only: Tab to the field, type, Enter. */
async function signIn(page) {
  await page.goto(`${collector.url}/admin`);
  await page.keyboard.press("Tab"); // the skip link
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.id), "credential");
  await page.keyboard.type(CREDENTIAL);
  await Promise.all([page.waitForURL(`${collector.url}/admin`), page.keyboard.press("Enter")]);
  await page.getByRole("heading", { name: "Per form and purpose" }).waitFor();
}

for (const [name, viewport] of [["desktop", { width: 1280, height: 900 }], ["phone", { width: 390, height: 844 }]]) {
  test(`dashboard at ${name} size: figures, charts, axe, keyboard`, async () => {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${collector.url}/admin`);
    await axe(page);
    await signIn(page);
    const rows = await page.locator("table").first().locator("tbody tr").allInnerTexts();
    const row = (form, purpose) => rows.find((r) => r.startsWith(`${form}\t${purpose}\t`))?.split("\t");
    // marie, paul, nina (erased since: her sign-up is gone) on footer-signup v3; lea on popup v1; hugo refused all.
    assert.deepEqual(row("footer-signup v3", "newsletter"), ["footer-signup v3", "newsletter", "2", "1", "50%", "1", "1"]);
    assert.deepEqual(row("popup v1", "newsletter"), ["popup v1", "newsletter", "1", "0", "0%", "0", "0"]);
    assert.match(await page.locator("main").innerText(), /Entries erased \(requests and prunes\): 1\./);
    const charts = page.locator("svg.chart[role=img]");
    assert.ok((await charts.count()) >= 6, "one chart per form and purpose, and the erasures");
    assert.match(await charts.first().locator("desc").textContent(), /sign-ups: 2, confirmations: 1, refusals: 1, withdrawals: 1/);
    // Keyboard: reach "Verify the whole log now" by Tab alone and press it.
    let focused = "";
    for (let i = 0; i < 40 && focused !== "Verify the whole log now"; i++) {
      await page.keyboard.press("Tab");
      focused = await page.evaluate(() => document.activeElement.textContent.trim());
    }
    assert.equal(focused, "Verify the whole log now");
    await Promise.all([page.waitForURL(/\/admin#log$/), page.keyboard.press("Enter")]);
    assert.match(await page.locator("#log ~ p .ok").innerText(), /^Verified: 10 entries, 5 proof signatures re-verified, 1 erased$/);
    await axe(page);
    await page.screenshot({ path: join(SHOTS, `dashboard-${name}.png`), fullPage: true });
    assert.deepEqual(errors, [], "no console error, no CSP violation");
    await context.close();
  });
}

test("the dashboard refuses strangers, other origins and posts without the form token", async () => {
  const url = `${collector.url}/admin`;
  const page = await fetch(url);
  assert.equal(page.status, 200);
  const csp = page.headers.get("content-security-policy");
  assert.match(csp, /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'$/);
  assert.doesNotMatch(await page.text(), /Per form and purpose/, "nothing shown before signing in");
  const form = (body) => ({ method: "POST", redirect: "manual", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(body) });
  const wrong = await fetch(`${url}/login`, form({ credential: "not-the-credential-at-all-nope" }));
  assert.equal(wrong.status, 401);
  const login = await fetch(`${url}/login`, form({ credential: CREDENTIAL }));
  assert.equal(login.status, 303);
  const cookie = login.headers.get("set-cookie");
  assert.match(cookie, /^consent_admin=[A-Za-z0-9_-]+; HttpOnly; SameSite=Strict; Path=\/admin; Max-Age=28800$/);
  const session = cookie.split(";")[0];
  const signedIn = await (await fetch(url, { headers: { cookie: session } })).text();
  const csrf = signedIn.match(/name="csrf" value="([^"]+)"/)[1];
  const post = (body, headers = {}) => fetch(`${url}/verify`, { ...form(body), headers: { ...form(body).headers, cookie: session, ...headers } });
  assert.equal((await post({ csrf: "forged" })).status, 403, "a wrong form token");
  assert.equal((await post({ csrf }, { origin: "https://evil.example" })).status, 403, "another origin");
  assert.equal((await fetch(`${url}/verify`, form({ csrf }))).status, 303, "no session: back to sign-in");
  assert.equal((await post({ csrf }, { origin: collector.url })).status, 303, "the page's own form");
});
