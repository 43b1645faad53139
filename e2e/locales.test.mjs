// The form in each of its 25 languages, in Chromium through the ESM entry:
// it renders in that language (the catalog's own texts, lang attribute), axe
// finds no violation, a screenshot is written to e2e/out/locales/, the page
// fetched that locale's file and no other, and a submission's proof records
// the locale. Then the fallback cases, each with its console warning: a page
// in a language with no texts, a configured fallbackLocale, and de_DE read
// as de-DE. One browser for the file, one context per locale.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, readdirSync } from "node:fs";
import { AxeBuilder } from "@axe-core/playwright";
import { config, inRoot, mount, open, payloadOf, setup, submitOnce } from "./widget-page.mjs";

setup();

const CATALOGS = new URL("../form/catalogs/", import.meta.url);
const LOCALES = readdirSync(CATALOGS).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -5)).sort();
const catalog = (tag) => JSON.parse(readFileSync(new URL(`${tag}.json`, CATALOGS), "utf8"));
const OUT = new URL("./out/locales/", import.meta.url);
mkdirSync(OUT, { recursive: true });

// Purposes without merchant labels: every word on the form is the catalog's.
const PURPOSES = [
  { id: "newsletter", channel: "email" },
  { id: "sms", channel: "sms" },
];

/** The locale modules the page fetched, by tag. */
function localeFetches(page) {
  const seen = [];
  page.on("request", (r) => {
    const m = new URL(r.url()).pathname.match(/^\/pkg\/locales\/([^/]+)\.js$/);
    if (m) seen.push(m[1]);
  });
  return seen;
}

/** The console warnings the page logs. */
function warnings(page) {
  const seen = [];
  page.on("console", (m) => m.type() === "warning" && seen.push(m.text()));
  return seen;
}

test("there are 25 locales: the 24 official EU languages and Norwegian Bokmål", () => {
  assert.deepEqual(LOCALES, ["bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "ga", "hr", "hu", "it", "lt", "lv", "mt", "nb", "nl", "pl", "pt", "ro", "sk", "sl", "sv"]);
});

for (const tag of LOCALES) {
  test(`${tag}: the form in ${tag}, axe clean, a screenshot, only ${tag}'s texts fetched, the proof records ${tag}`, async (t) => {
    const { page, errors } = await open(t, { expect: ["refusedProof"] });
    const fetched = localeFetches(page);
    const said = warnings(page);
    assert.deepEqual(await mount(page, "a", config({ locale: tag, purposes: PURPOSES })), []);
    const want = catalog(tag);
    const seen = await inRoot(page, "a", (root) => ({
      lang: root.getElementById("cw-form").getAttribute("lang"),
      submit: root.getElementById("cw-submit").textContent,
      legend: root.querySelector("fieldset > legend").textContent,
      link: root.querySelector("a").textContent,
    }));
    assert.equal(seen.lang, tag);
    assert.equal(seen.submit, want.submit);
    assert.equal(seen.legend, want["purposes.legend"]);
    assert.ok(seen.link.startsWith(want["privacy.link"]), seen.link);
    const results = await new AxeBuilder({ page }).include("#a").analyze();
    assert.deepEqual(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(", ")}`), []);
    assert.ok(results.passes.length > 10, "axe ran its checks");
    await page.locator("#a").screenshot({ path: new URL(`${tag}.png`, OUT).pathname });
    const { proof } = await submitOnce(page, "a", 1);
    assert.equal(payloadOf(proof).locale, tag, "the proof records the locale shown");
    assert.deepEqual(fetched, [tag], "the page fetched this locale's texts and no other");
    assert.deepEqual(said, []);
    assert.deepEqual(errors, []);
  });
}

const WARNING = (asked, shown) =>
  `consent-widget: no texts for locale "${asked}" (no catalog, none in the configuration's texts): the form is shown in "${shown}", the fallbackLocale`;

test("a page in a language without texts: the English form, a warning, the problem under the form on a local page only", async (t) => {
  for (const host of [undefined, "shop.test"]) {
    const { page, errors } = await open(t, { host, expect: ["refusedProof"] });
    const said = warnings(page);
    await page.evaluate(() => (document.documentElement.lang = "ja"));
    await mount(page, "a", config({ locale: undefined, purposes: PURPOSES }));
    const seen = await inRoot(page, "a", (root) => ({
      lang: root.getElementById("cw-form").getAttribute("lang"),
      submit: root.getElementById("cw-submit").textContent,
      problems: [...root.querySelectorAll(".cw-problems li")].map((li) => li.textContent),
    }));
    assert.equal(seen.lang, "en");
    assert.equal(seen.submit, "Subscribe");
    assert.deepEqual(said, [WARNING("ja", "en")]);
    assert.deepEqual(seen.problems, host ? [] : [`locale: ${WARNING("ja", "en")}`], host ? "a storefront shows shoppers no problem" : "a local page shows it");
    // http://shop.test is no secure context, so WebCrypto cannot sign there: the proof is checked on the local page.
    if (!host) {
      const { proof } = await submitOnce(page, "a", 1);
      assert.equal(payloadOf(proof).locale, "en", "the proof records the locale shown, not the one asked for");
    }
    assert.deepEqual(errors, []);
  }
});

test("a configured fallbackLocale is the one shown, and the warning names it", async (t) => {
  const { page, errors } = await open(t);
  const said = warnings(page);
  const fetched = localeFetches(page);
  await page.evaluate(() => (document.documentElement.lang = "zh-Hant"));
  await mount(page, "a", config({ locale: undefined, fallbackLocale: "de", purposes: PURPOSES }));
  assert.equal(await inRoot(page, "a", (root) => root.getElementById("cw-submit").textContent), "Anmelden");
  assert.deepEqual(said, [WARNING("zh-Hant", "de")]);
  assert.deepEqual(fetched, ["de"]);
  assert.deepEqual(errors, []);
});

test("locale de_DE with texts under de_DE: the German form with those texts, recorded as de-DE", async (t) => {
  const { page, errors } = await open(t, { expect: ["refusedProof"] });
  const said = warnings(page);
  await mount(page, "a", config({ locale: "de_DE", texts: { de_DE: { submit: "Jetzt anmelden" } }, purposes: PURPOSES }));
  const seen = await inRoot(page, "a", (root) => ({
    lang: root.getElementById("cw-form").getAttribute("lang"),
    submit: root.getElementById("cw-submit").textContent,
    legend: root.querySelector("fieldset > legend").textContent,
  }));
  assert.deepEqual(seen, { lang: "de-DE", submit: "Jetzt anmelden", legend: catalog("de")["purposes.legend"] });
  const { proof } = await submitOnce(page, "a", 1);
  assert.equal(payloadOf(proof).locale, "de-DE");
  assert.deepEqual(said, []);
  assert.deepEqual(errors, []);
});

test("setLocale fetches the new locale's texts once and keeps what was typed", async (t) => {
  const { page, errors } = await open(t);
  const fetched = localeFetches(page);
  await mount(page, "a", config({ purposes: PURPOSES }));
  await page.locator("#a #cw-email").fill("marie@example.org");
  await page.evaluate(() => window.widgets.a.setLocale("pl"));
  await page.evaluate(() => window.widgets.a.setLocale("en"));
  await page.evaluate(() => window.widgets.a.setLocale("pl"));
  const seen = await inRoot(page, "a", (root) => ({ submit: root.getElementById("cw-submit").textContent, email: root.getElementById("cw-email").value }));
  assert.deepEqual(seen, { submit: catalog("pl").submit, email: "marie@example.org" });
  assert.deepEqual(fetched, ["en", "pl"], "each locale fetched once per page");
  assert.deepEqual(errors, []);
});
