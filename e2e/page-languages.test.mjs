// The subscriber's pages in their language, through the widget in Chromium:
// the demo form shown in German and in Greek (the page's <html lang>, the
// catalog's own purpose texts), a sign-up, its mail, then the confirm page
// (before and after the button) and the preference page opened in a browser
// whose reader prefers French: each in the sign-up's language (`lang`,
// `Content-Language`, the collector catalog's words), axe clean.
// Screenshots at desktop and phone sizes go to e2e/out/pages/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AxeBuilder } from "@axe-core/playwright";
import { launch } from "./browser.mjs";
import { startCollector } from "./collector.mjs";
import { links, collectorMailFlags } from "./mailbox.mjs";

const OUT = new URL("./out/pages/", import.meta.url).pathname;
const texts = (tag) => JSON.parse(readFileSync(new URL(`../collector/catalogs/${tag}.json`, import.meta.url), "utf8"));
// The demo's form, its purposes without the demo's fr/en labels: every word is a catalog's.
const demo = readFileSync(new URL("../www/index.html", import.meta.url), "utf8");
const config = {
  ...JSON.parse(demo.match(/id="signup-config">([\s\S]*?)<\/script>/)[1]),
  formId: "page-languages",
  purposes: [{ id: "newsletter", channel: "email" }, { id: "sms", channel: "sms" }],
};

let collector, browser;
before(async () => {
  mkdirSync(OUT, { recursive: true });
  collector = await startCollector([...collectorMailFlags, "--shop-name", "Atelier Exemple", "--shop-url", "https://atelier.example/"]);
  const file = join(mkdtempSync(join(tmpdir(), "consent-form-")), "signup.json");
  writeFileSync(file, JSON.stringify(config));
  collector.admin("forms", "add", file, "--origin", collector.url);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  collector?.stop();
});

/** Signs `email` up on the demo page shown in `tag`; the mailed links. */
async function signUp(tag, email) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.route(collector.url + "/", async (route) => {
    const response = await route.fetch();
    const body = (await response.text())
      .replace(/<html lang="[^"]*"/, `<html lang="${tag}"`)
      .replace(/(id="signup-config">)[\s\S]*?(<\/script>)/, `$1${JSON.stringify(config)}$2`);
    await route.fulfill({ response, body });
  });
  await page.goto(collector.url + "/");
  const shadow = (sel) => page.locator("#signup").locator(sel);
  await shadow("#cw-form").waitFor();
  assert.equal(await shadow("#cw-form").getAttribute("lang"), tag, "the form is shown in the page's language");
  await shadow("#cw-email").fill(email);
  await shadow("#cw-phone").fill("06 12 34 56 78");
  await shadow("#cw-p-newsletter").check();
  await shadow("#cw-p-sms").check();
  const delivered = page.locator("#signup").evaluate((el) => new Promise((r) => el.addEventListener("consent:delivered", (e) => r(e.detail), { once: true })));
  await shadow("#cw-submit").click();
  assert.equal((await delivered).response.status, "pending", "counted, and a confirmation mailed");
  await page.unroute(collector.url + "/");
  const mailed = await links(page, collector.url, email);
  if (mailed.via === "outbox") {
    const mail = page.locator("li", { hasText: email }).first();
    assert.equal(await mail.locator("article").getAttribute("lang"), tag);
    assert.match(await mail.locator("h2").textContent(), new RegExp(`^${texts(tag)["mail.subject"].split(" {")[0]}`));
  }
  await context.close();
  return mailed;
}

/** Opens `url`: in `tag` (`lang`, `Content-Language`, the h1), axe clean, shot at two sizes. */
async function check(page, url, tag, title, name) {
  for (const [size, viewport] of [["desktop", { width: 1280, height: 900 }], ["phone", { width: 390, height: 844 }]]) {
    await page.setViewportSize(viewport);
    const response = await page.goto(url);
    assert.equal(response.status(), 200);
    assert.equal(response.headers()["content-language"], tag);
    assert.equal(await page.locator("html").getAttribute("lang"), tag);
    assert.equal(await page.getByRole("heading", { level: 1 }).textContent(), title);
    await page.screenshot({ path: join(OUT, `${name}-${tag}-${size}.png`), fullPage: true });
  }
  const { violations } = await new AxeBuilder({ page }).analyze();
  assert.deepEqual(violations.map((v) => v.id), [], `${name} in ${tag}: axe`);
}

for (const tag of ["de", "el"]) {
  test(`${tag}: the mail, the confirm page and the preference page speak ${tag}, not the reader's French`, async () => {
    const words = texts(tag);
    const { confirm, preferences } = await signUp(tag, `${tag}-pages@example.org`);
    const context = await browser.newContext({ locale: "fr-FR" });
    const page = await context.newPage();
    await check(page, confirm, tag, words["page.confirm_ask.title"], "confirm");
    // Who they signed up with, as the mail and the preference page say it:
    // the shop's name (the boxes quoted below keep the texts they saw).
    const intro = await page.locator("main p").first().textContent();
    assert.ok(intro.includes("Atelier Exemple") && !intro.includes(config.controller.name), intro);
    await page.getByRole("button", { name: words["page.confirm_ask.button"] }).click();
    await page.getByRole("heading", { level: 1, name: words["page.confirmed.title"] }).waitFor();
    await check(page, preferences, tag, words["prefs.title"], "preferences");
    assert.equal(await page.locator("ul.state em").first().textContent(), words["prefs.state.confirmed"]);
    assert.equal(await page.locator("fieldset legend").textContent(), words["prefs.legend"]);
    await context.close();
  });
}
