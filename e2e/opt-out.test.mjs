// B2B and soft opt-in end to end: the widget in Chromium, configured for
// the regime, informs and offers one objection box per purpose; the
// subscriber objects to one; the real collector mails a confirmation (to a
// real SMTP server under scripts/test-collector, else to the demo's
// outbox) listing what it was told it would receive, the link confirms,
// the unsubscribe link withdraws the e-mail purposes, and the export says
// so at each step.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, copyFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { launch, watchErrors } from "./browser.mjs";
import { startCollector } from "./collector.mjs";
import { links, followLink, collectorMailFlags } from "./mailbox.mjs";

const WWW = join(dirname(fileURLToPath(import.meta.url)), "..", "www");

/** A storefront folder whose signup form follows `regime`. */
function storefront(regime) {
  const dir = mkdtempSync(join(tmpdir(), `consent-e2e-${regime}-`));
  const page = readFileSync(join(WWW, "index.html"), "utf8").replace('"regime": "b2c"', `"regime": "${regime}"`);
  assert.ok(page.includes(`"regime": "${regime}"`), "the demo page names its regime");
  writeFileSync(join(dir, "index.html"), page);
  for (const file of ["demo.js", "demo.css", "privacy.html"]) copyFileSync(join(WWW, file), join(dir, file));
  return dir;
}

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

for (const regime of ["b2b", "softOptIn"]) {
  test(`${regime}: submit, mail, confirm, unsubscribe, export`, async () => {
    const collector = await startCollector([...collectorMailFlags, "--www", storefront(regime)]);
    try {
      const context = await browser.newContext();
      const page = await context.newPage();
      const errors = watchErrors(page);
      await page.goto(collector.url + "/");
      await page.locator("#signup #cw-form").waitFor();
      await page.evaluate(() => {
        window.__events = [];
        for (const n of ["consent:submit", "consent:delivered"]) document.addEventListener(n, (e) => window.__events.push({ type: e.type, detail: e.detail }));
      });
      const shadow = (sel) => page.locator("#signup").locator(sel);
      const email = `${regime.toLowerCase()}-${Date.now()}@example.org`;
      await shadow("#cw-email").fill(email);
      await shadow("#cw-phone").fill("06 12 34 56 78");
      // Under these regimes a ticked box is an objection: partners only.
      await shadow("#cw-p-partners").check();
      await shadow("#cw-submit").click();
      await page.waitForFunction(() => window.__events.some((e) => e.type === "consent:delivered"), null, { timeout: 30000 });
      const submitted = await page.evaluate(() => window.__events.find((e) => e.type === "consent:submit").detail.proof);
      const proof = JSON.parse(Buffer.from(submitted.split(".")[1], "base64url").toString("utf8"));
      assert.equal(proof.regime, regime);
      assert.equal(proof.doubleOptIn, "requested");
      assert.deepEqual(proof.purposes.map((p) => [p.id, p.choice]), [["newsletter", "not-objected"], ["partners", "objected"], ["sms", "not-objected"]]);
      assert.match(await shadow("#cw-status").textContent(), /confirm/i);

      const state = () => Object.fromEntries(collector.admin("export", "--subject", email).trim().split("\n").map((l) => JSON.parse(l)).map((r) => [r.purpose, r.state]));
      assert.deepEqual(state(), { newsletter: "pending", partners: "objected", sms: "pending" });

      // The confirmation went out, and its page lists what was not objected to.
      const { confirm, unsubscribe, via } = await links(page, collector.url, email);
      console.log(`# ${regime}: the confirmation arrived by ${via}`);
      const heading = () => page.getByRole("heading", { level: 1 }).textContent();
      const confirmed = await followLink(page, confirm, async () => {
        assert.match(await heading(), /^(Confirmer votre inscription|Confirm your subscription)$/);
        const items = await page.locator("main li").allTextContents();
        assert.equal(items.length, 2, JSON.stringify(items));
        assert.ok(!items.some((t) => /partenaires|partner/i.test(t)), JSON.stringify(items));
        assert.deepEqual(state(), { newsletter: "pending", partners: "objected", sms: "pending" });
      });
      assert.equal(confirmed.status(), 200);
      assert.match(await heading(), /^(Inscription confirmée|Subscription confirmed)$/);
      assert.deepEqual(state(), { newsletter: "confirmed", partners: "objected", sms: "confirmed" });

      const left = await followLink(page, unsubscribe, async () => {
        assert.match(await heading(), /^(Se désinscrire des e-mails|Unsubscribe from e-mails)$/);
        assert.equal(await page.locator("main li").count(), 1, "the newsletter, the one e-mail purpose not objected to");
      });
      assert.equal(left.status(), 200);
      assert.match(await heading(), /^(Désinscription enregistrée|Unsubscribed)$/);
      assert.deepEqual(state(), { newsletter: "withdrawn", partners: "objected", sms: "confirmed" });
      const rows = collector.admin("export", "--subject", email, "--format", "csv");
      assert.match(rows, /,newsletter,email,withdrawn,/);
      assert.match(collector.admin("verify-log"), /^ok: 3 entries, 1 proof signatures/);
      assert.deepEqual(errors, []);
      await context.close();
    } finally {
      collector.stop();
    }
  });
}
