// The merchant's tools, end to end through the widget in Chromium: the real
// collector (real SMTP under scripts/test-collector) with a Mailchimp
// connector pointed at a local audience that enforces Mailchimp's contract
// (e2e/tools/mailchimp.mjs) and a signed webhook to the receiver example
// (docs/examples/consent-webhook-receiver.py, which verifies v1a with
// PyNaCl). Sign up, confirm by the mailed link: both tools hold the
// subscriber, confirmed opt-in; unsubscribe by the link: both have them
// unsubscribed; Mailchimp's own unsubscribe webhook reaches the chain and
// the other tool, not Mailchimp again.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync, existsSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { launch, watchErrors } from "./browser.mjs";
import { startCollector } from "./collector.mjs";
import { links, followLink, collectorMailFlags, smtp } from "./mailbox.mjs";
import { startMailchimp } from "./tools/mailchimp.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const python = process.env.CONSENT_TEST_PYTHON;
let collector, browser, mailchimp, receiver, events;

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

async function eventually(what, check) {
  for (let i = 0; i < 300; i++) {
    const value = await check();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gave up waiting: ${what}`);
}

const received = () =>
  existsSync(events) ? readFileSync(events, "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l).event) : [];

before(async () => {
  assert.ok(python && smtp, "run scripts/test-collector: it sets CONSENT_TEST_PYTHON and the SMTP server");
  const dir = mkdtempSync(join(tmpdir(), "consent-connectors-"));
  mailchimp = await startMailchimp({ apiKey: "mc-e2e-us6", list: "L1" });
  const hookPort = await freePort();
  process.env.E2E_MAILCHIMP_KEY = "mc-e2e-us6";
  process.env.E2E_MAILCHIMP_HOOK = "mc-hook-secret";
  const config = join(dir, "collector.toml");
  writeFileSync(config, `
[connectors]
timeout = "2s"
retry-first = "300ms"
[[connectors.webhook]]
name = "crm"
url = "http://127.0.0.1:${hookPort}/"
sign = "v1a"
[connectors.mailchimp]
base-url = "${mailchimp.url}"
api-key-env = "E2E_MAILCHIMP_KEY"
list = "L1"
webhook-secret-env = "E2E_MAILCHIMP_HOOK"
`);
  collector = await startCollector([...collectorMailFlags, "--config", config]);
  // The receiver needs only the collector's public key: the x of its JWKS.
  const jwks = await (await fetch(collector.url + "/.well-known/jwks.json")).json();
  const whpk = "whpk_" + Buffer.from(jwks.keys.at(-1).x, "base64url").toString("base64");
  events = join(dir, "events.jsonl");
  receiver = spawn(python, [join(ROOT, "docs/examples/consent-webhook-receiver.py"), String(hookPort), events], {
    env: { ...process.env, CONSENT_WHPK: whpk, CONSENT_WHSEC: "" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise((resolve) => receiver.stdout.once("data", resolve));
  browser = await launch();
});
after(async () => {
  await browser?.close();
  collector?.stop();
  receiver?.kill();
  mailchimp?.close();
});

async function signUp(email) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(collector.url + "/");
  await page.locator("#signup #cw-form").waitFor();
  const shadow = (sel) => page.locator("#signup").locator(sel);
  await shadow("#cw-email").fill(email);
  await shadow("#cw-p-newsletter").check();
  await shadow("#cw-submit").click();
  await page.waitForFunction(() => document.querySelector("#signup")?.shadowRoot?.querySelector("[role=status]")?.textContent.match(/confirm/i));
  return { context, page, errors };
}

test("confirm and unsubscribe by the mailed links reach Mailchimp and the signed webhook", async () => {
  const email = "louise@example.org";
  const { context, page, errors } = await signUp(email);
  const { confirm, unsubscribe } = await links(page, collector.url, email);
  assert.equal(mailchimp.member(email), undefined, "nothing reaches a tool before the confirmation");
  assert.deepEqual(received(), []);

  assert.equal((await followLink(page, confirm)).status(), 200);
  const member = await eventually("Mailchimp has the subscriber", () => mailchimp.member(email));
  assert.equal(member.status, "subscribed");
  assert.ok(!Number.isNaN(Date.parse(member.timestamp_opt)), "the confirmation time from the log");
  assert.match(member.language, /^(fr|en)$/, "the form's language");
  const [confirmed] = await eventually("the webhook receiver verified the confirmation", () => received().length && received());
  assert.equal(confirmed.type, "consent.confirmed");
  assert.equal(confirmed.data.optIn, "confirmed");
  assert.equal(confirmed.data.email, email);

  assert.equal((await followLink(page, unsubscribe)).status(), 200);
  await eventually("Mailchimp has them unsubscribed", () => mailchimp.member(email)?.status === "unsubscribed");
  const withdrawn = await eventually("the receiver got the withdrawal", () => received().find((e) => e.type === "consent.withdrawn"));
  assert.equal(withdrawn.data.source, "unsubscribe-link");
  assert.deepEqual(errors, []);
  await context.close();
});

test("Mailchimp's own unsubscribe webhook reaches the chain and the other tool", async () => {
  const email = "jean@example.org";
  const { context, page } = await signUp(email);
  const { confirm } = await links(page, collector.url, email);
  await followLink(page, confirm);
  await eventually("Mailchimp has the subscriber", () => mailchimp.member(email)?.status === "subscribed");
  await context.close();

  const refused = await mailchimp.unsubscribe(`${collector.url}/v1/connectors/mailchimp?secret=guess`, email);
  assert.equal(refused.status, 401);
  const answer = await (await mailchimp.unsubscribe(`${collector.url}/v1/connectors/mailchimp?secret=mc-hook-secret`, email)).json();
  assert.equal(answer.recorded, true);
  const told = await eventually("the receiver got Mailchimp's withdrawal", () =>
    received().find((e) => e.type === "consent.withdrawn" && e.data.email === email));
  assert.equal(told.data.source, "mailchimp");
  assert.equal(told.data.evidence.seq, answer.seq, "the withdrawal entry in the chain");
  const rows = collector.admin("export", "--subject", email).trim().split("\n").map((l) => JSON.parse(l));
  assert.ok(rows.some((r) => r.purpose === "newsletter" && r.state === "withdrawn"), JSON.stringify(rows));
  assert.equal(mailchimp.member(email).writes, 1, "Mailchimp is not told back its own news");
  assert.match(collector.admin("verify-log"), /^ok: /);
});
