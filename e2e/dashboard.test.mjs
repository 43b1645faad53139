// The admin dashboard in Chromium: signed in with the configured credential,
// the figures and SVG charts of a seeded log, the held form version to
// approve with its texts, the connector status (a signed webhook to a closed
// port: waiting, with its last error), the last checkpoint with its RFC 3161
// token from a real `openssl ts` authority, axe with no violation at desktop
// and phone sizes, keyboard only, no CSP violation, and CSRF refused.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, existsSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { AxeBuilder } from "@axe-core/playwright";
import { launch, watchErrors } from "./browser.mjs";
import { startCollector, seed, CREDENTIAL } from "./seed.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const SHOTS = join(ROOT, "e2e", "out");
let collector, browser, tsa;

/** A port nothing listens on: the webhook's deliveries fail and wait. */
const closedPort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

/** The authority scripts/test-collector runs, or one of our own from scripts/tsa. */
async function authority() {
  if (process.env.CONSENT_TEST_TSA_URL) return { url: process.env.CONSENT_TEST_TSA_URL, cert: process.env.CONSENT_TEST_TSA_CERT };
  const dir = mkdtempSync(join(tmpdir(), "consent-dashboard-tsa-"));
  execFileSync("bash", ["-c", 'source scripts/tsa/rig.sh && tsa_make "$0" ec', dir], { cwd: ROOT });
  const child = spawn("python3", [join(ROOT, "scripts/tsa/server.py"), join(dir, "port"), join(dir, "tsa.cnf")], { stdio: "ignore" });
  for (let i = 0; i < 100 && !existsSync(join(dir, "port")); i++) await new Promise((r) => setTimeout(r, 100));
  return { url: `http://127.0.0.1:${readFileSync(join(dir, "port"), "utf8").trim()}/`, cert: join(dir, "tsa.pem"), child };
}

before(async () => {
  tsa = await authority();
  const dir = mkdtempSync(join(tmpdir(), "consent-dashboard-"));
  const config = join(dir, "collector.toml");
  writeFileSync(config, `[connectors]\ntimeout = "2s"\nretry-first = "60s"\n[[connectors.webhook]]\nname = "crm"\nurl = "http://127.0.0.1:${await closedPort()}/hook"\n`);
  collector = await startCollector(["--config", config, "--checkpoint-interval", "1s", "--tsa-url", tsa.url, "--tsa-cert", tsa.cert]);
  await seed(collector, { held: true });
  browser = await launch();
  mkdirSync(SHOTS, { recursive: true });
});
after(async () => {
  await browser?.close();
  collector?.stop();
  tsa?.child?.kill();
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

/** Reloads until `done(page)` holds: the collector delivers and publishes on its own time. */
async function until(page, what, done) {
  for (let i = 0; i < 150; i++) {
    if (await done(page)) return;
    await new Promise((r) => setTimeout(r, 200));
    await page.reload();
  }
  throw new Error(`gave up waiting: ${what}`);
}

/** Tabs until the focused element's text is `text`; returns how many presses it took. */
async function tabTo(page, text) {
  for (let i = 1; i <= 120; i++) {
    await page.keyboard.press("Tab");
    if ((await page.evaluate(() => document.activeElement.textContent.trim())) === text) return i;
  }
  throw new Error(`Tab never reached ${text}`);
}

const dd = (page, section, term) => page.locator(`#${section} ~ dl dt:text-is("${term}") + dd`).first().innerText();

for (const [name, viewport] of [["desktop", { width: 1280, height: 900 }], ["phone", { width: 390, height: 844 }]]) {
  test(`dashboard at ${name} size: figures, charts, held forms, connectors, checkpoint, axe, keyboard`, async () => {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${collector.url}/admin`);
    await axe(page);
    await signIn(page);
    const rows = await page.locator("table").first().locator("tbody tr").allInnerTexts();
    const row = (form, purpose) => rows.find((r) => r.startsWith(`${form}\t${purpose}\t`))?.split("\t");
    // On footer-signup v3: marie confirmed, hugo refused all, nina is erased; paul's (in English) and
    // marie's withdrawal are held for differing from the version registered, and count for nothing. Lea on popup v1.
    assert.deepEqual(row("footer-signup v3", "newsletter"), ["footer-signup v3", "newsletter", "1", "1", "100%", "1", "0"]);
    assert.deepEqual(row("popup v1", "newsletter"), ["popup v1", "newsletter", "1", "0", "0%", "0", "0"]);
    assert.equal(row("banner v2", "newsletter"), undefined, "a held proof counts for nothing until approved");
    assert.match(await page.locator("main").innerText(), /Entries erased \(requests and prunes\): 1\./);
    const charts = page.locator("svg.chart[role=img]");
    assert.ok((await charts.count()) >= 6, "one chart per form and purpose, and the erasures");
    assert.match(await charts.first().locator("desc").textContent(), /sign-ups: 1, confirmations: 1, refusals: 1, withdrawals: 0/);

    // The held version: its count, what approving registers, its texts and the command.
    const held = page.locator("section", { has: page.getByRole("heading", { name: "banner version 2" }) });
    assert.match(await held.innerText(), /^banner version 2\n+1 held proof, first at seq 11\.\n+Held because: unknown form version\./);
    assert.equal(await held.locator("dt:text-is('Double opt-in') + dd").innerText(), "requested");
    assert.equal(await held.locator("pre code").innerText(), "consent-collector forms approve banner 2");
    const differing = page.locator("section", { has: page.getByRole("heading", { name: "footer-signup version 3" }) });
    assert.match(await differing.innerText(), /^footer-signup version 3\n+2 held proofs, first at seq 5\.\n+Held because: locale differs from the registered form version; mechanism differs from the registered form version\.\n+This version is registered already/);
    assert.equal(await differing.locator("pre").count(), 0, "no approve command for a registered version");

    // Connectors: Marie's confirmation waits for the webhook (her withdrawal is held), with the refusal's error.
    await until(page, "the webhook's first attempt failed", async (p) => !(await p.locator("#connectors ~ div tbody tr").first().innerText()).endsWith("none"));
    const hook = (await page.locator("#connectors ~ div tbody tr").first().innerText()).split("\t");
    assert.deepEqual(hook.slice(0, 5), ["webhook-crm", "0", "1", "0", "0"]);
    assert.match(hook[5], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z: .+/);

    // The last checkpoint covers the whole log, stamped by the authority.
    await until(page, "a checkpoint of the whole log", async (p) => (await dd(p, "checkpoint", "Size")) === "11 entries");
    assert.match(await dd(page, "checkpoint", "Root hash (RFC 6962, base64)"), /^[A-Za-z0-9+/]{43}=$/);
    assert.match(await dd(page, "checkpoint", "RFC 3161 timestamp"), /^present and valid: the configured authority stamped it at \d{4}-\d\d-\d\dT[\d:.]+Z \(serial [0-9a-f]+\)$/);
    await axe(page);

    // Keyboard: open the held texts, read the SMS text as shown (its line break kept), then verify the log.
    await tabTo(page, "Texts shown in fr (6 strings)");
    await page.keyboard.press("Enter");
    const sms = held.locator("tr", { has: page.locator("th:text-is('purpose.sms')") }).locator("td");
    assert.equal(await sms.innerText(), "J'accepte de recevoir des offres par SMS.\nRépondez STOP pour ne plus en recevoir.");
    await held.screenshot({ path: join(SHOTS, `dashboard-${name}-held.png`) });
    await tabTo(page, "Verify the whole log now");
    await Promise.all([page.waitForURL(/\/admin#log$/), page.keyboard.press("Enter")]);
    assert.match(await page.locator("#log ~ p .ok").innerText(), /^Verified: 11 entries, 6 proof signatures re-verified, 1 erased$/);
    await axe(page);
    await page.screenshot({ path: join(SHOTS, `dashboard-${name}.png`), fullPage: true });
    // The desk's lower half at full scale: connectors and log, then the checkpoint.
    for (const id of ["connectors", "checkpoint"]) {
      await page.evaluate((id) => document.getElementById(id).scrollIntoView(), id);
      await page.screenshot({ path: join(SHOTS, `dashboard-${name}-${id}.png`) });
    }
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
  const stranger = await page.text();
  for (const section of ["Per form and purpose", "Forms to approve", "Connectors", "Last checkpoint", "banner"]) {
    assert.doesNotMatch(stranger, new RegExp(section), `nothing shown before signing in: ${section}`);
  }
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
