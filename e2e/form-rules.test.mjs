// The form's rules in Chromium. Two purposes that would read the same are
// refused, naming both, and no form is shown. The phone field: a landline
// cannot receive SMS and is refused
// for SMS (with a mobile example in the default country's format), accepted
// for calls; a UK form gives a UK example; the notice speaks of STOP only
// when an SMS purpose is shown; "Facultatif" is said once.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serve } from "./serve.mjs";
import { launch, watchErrors } from "./browser.mjs";

const config = (over) => ({
  endpoint: "/v1/proofs",
  controller: { name: "Boutique Exemple", contact: "dpo@boutique.example" },
  privacyPolicyUrl: "/privacy.html",
  phone: "optional",
  doubleOptIn: false,
  purposes: [{ id: "newsletter", channel: "email" }, { id: "sms", channel: "sms" }],
  ...over,
});

let site, browser;
before(async () => {
  site = await serve({
    onRequest: (req, res) => {
      const url = new URL(req.url, "http://x");
      if (url.pathname !== "/phone.html") return false;
      const cfg = JSON.parse(url.searchParams.get("config"));
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(`<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Phone</title>
<link rel="icon" href="data:,"><script type="module">
import init, { mount } from "/pkg/consent_widget.js";
await init();
window.widget = mount(document.getElementById("w"), ${JSON.stringify(JSON.stringify(cfg))});
window.ready = true;
</script></head><body><main><div id="w"></div></main></body></html>`);
      return true;
    },
  });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  site?.close();
});

async function open(cfg) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(`http://127.0.0.1:${site.address().port}/phone.html?config=${encodeURIComponent(JSON.stringify(cfg))}`);
  await page.waitForFunction(() => window.ready);
  return { context, page, errors, shadow: (sel) => page.locator("#w").locator(sel) };
}

async function phoneError(shadow, number, box) {
  await shadow("#cw-email").fill("marie@example.org");
  await shadow("#cw-phone").fill(number);
  await shadow(`#cw-p-${box}`).check();
  await shadow("#cw-submit").click();
  const error = shadow("#cw-phone-error");
  return (await error.isHidden()) ? null : error.textContent();
}

test("a French landline is refused for SMS, with a French mobile as the example", async () => {
  const { context, shadow, errors } = await open(config({ locale: "fr" }));
  assert.equal(await phoneError(shadow, "01 23 45 67 89", "sms"), "Ce numéro ne peut pas recevoir de SMS. Indiquez un numéro de mobile, par exemple 06 12 34 56 78.");
  assert.equal(await shadow("#cw-phone").getAttribute("aria-invalid"), "true");
  const text = await shadow("#cw-form").textContent();
  assert.equal(text.toLowerCase().split("facultatif").length - 1, 1, "Facultatif is said once");
  assert.match(await shadow("#cw-phone-notice").textContent(), /STOP/);
  assert.match(text, /saisir l’autorité de protection des données.*dpo@boutique\.example/, "the rights line, with the contact");
  assert.deepEqual(errors, []);
  await context.close();
});

test("a UK form reads UK numbers and gives a UK example", async () => {
  const { context, shadow } = await open(config({ locale: "en", defaultCountry: "GB" }));
  assert.equal(await phoneError(shadow, "020 7946 0018", "sms"), "This number cannot receive SMS. Enter a mobile number, for example 07112 345 678.");
  await shadow("#cw-phone").fill("12");
  await shadow("#cw-submit").click();
  assert.equal(await shadow("#cw-phone-error").textContent(), "This phone number is not valid. Example: 07112 345 678");
  await shadow("#cw-phone").fill("07700 900123");
  await shadow("#cw-submit").click();
  assert.ok(await shadow("#cw-phone-error").isHidden(), "a UK mobile is accepted");
  await context.close();
});

test("calls only: a landline is fine, and the notice does not speak of SMS or STOP", async () => {
  const { context, shadow } = await open(config({ locale: "fr", purposes: [{ id: "newsletter", channel: "email" }, { id: "calls", channel: "phone" }] }));
  const notice = await shadow("#cw-phone-notice").textContent();
  assert.doesNotMatch(notice, /STOP|SMS/, notice);
  assert.equal(await phoneError(shadow, "01 23 45 67 89", "calls"), null);
  await context.close();
});

test("two purposes that read the same: no form, and the problem names both", async () => {
  const twins = config({ locale: "en", phone: "off", purposes: [{ id: "newsletter", channel: "email" }, { id: "partners", channel: "email" }] });
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = watchErrors(page, (e) => /invalid configuration/.test(e.text));
  await page.addInitScript(() => document.addEventListener("consent:error", (e) => (window.problem = e.detail)));
  await page.goto(`http://127.0.0.1:${site.address().port}/phone.html?config=${encodeURIComponent(JSON.stringify(twins))}`);
  await page.waitForFunction(() => window.ready && window.problem);
  const detail = await page.evaluate(() => window.problem);
  assert.equal(detail.code, "config");
  assert.deepEqual(detail.problems, [{ field: "purposes[1].label", code: "duplicate" }]);
  const shadow = (sel) => page.locator("#w").locator(sel);
  assert.equal(await shadow("#cw-form").count(), 0, "no form");
  assert.match(await shadow(".cw-problems").textContent(), /purposes\[1\]\.label: reads the same as purposes\[0\] \("newsletter"\)/, "listed for the merchant on a local page, naming both");
  assert.deepEqual(errors, []);
  await context.close();
});
