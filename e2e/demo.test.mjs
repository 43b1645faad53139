// The demo storefront in Chromium: axe finds nothing in French and English,
// the form works with the keyboard alone, targets are at least 24×24 px, a
// screenshot of each language is written to e2e/out/, and the demo's own
// texts come in each of the form's 25 languages (no English inside another).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdir, readFile, readdir } from "node:fs/promises";
import { AxeBuilder } from "@axe-core/playwright";
import { serve } from "./serve.mjs";
import { launch, watchErrors } from "./browser.mjs";

let server, browser, base;
before(async () => {
  server = await serve();
  base = `http://127.0.0.1:${server.address().port}`;
  browser = await launch();
  await mkdir(new URL("./out/", import.meta.url), { recursive: true });
});
after(async () => {
  await browser?.close();
  server?.close();
});

async function openDemo() {
  const context = await browser.newContext({ viewport: { width: 1100, height: 1400 } });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(base + "/");
  await page.locator("#signup #cw-form").waitFor();
  return { page, context, errors };
}

for (const lang of ["fr", "en"]) {
  test(`axe reports no violation and a screenshot is written (${lang})`, async () => {
    const { page, context, errors } = await openDemo();
    if (lang === "en") await page.click("button[data-lang=en]");
    await page.locator(`#signup #cw-form[lang=${lang}]`).waitFor();
    const page_ = await page.evaluate(() => ({ lang: document.documentElement.lang, title: document.title, photo: document.querySelector(".product-photo").getAttribute("aria-label") }));
    assert.deepEqual(page_, lang === "en"
      ? { lang: "en", title: "Glazed stoneware mug · Example Shop", photo: "Blue stoneware mug" }
      : { lang: "fr", title: "Tasse en grès émaillé · Boutique Exemple", photo: "Tasse en grès bleu" }, "the whole page speaks the language chosen");
    const results = await new AxeBuilder({ page }).include("#signup").analyze();
    assert.deepEqual(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(", ")}`), []);
    assert.ok(results.passes.length > 10, "axe ran its checks");
    const shot = (name) => page.screenshot({ path: new URL(`./out/${name}.png`, import.meta.url).pathname, fullPage: true });
    await shot(`demo-${lang}`);
    // The error state must be clean too.
    await page.locator("#signup #cw-submit").click();
    const invalid = await new AxeBuilder({ page }).include("#signup").analyze();
    assert.deepEqual(invalid.violations.map((v) => v.id), []);
    await shot(`demo-${lang}-errors`);
    assert.deepEqual(errors, []);
    await context.close();
  });
}

test("the whole form works with the keyboard alone", async () => {
  const { page, context, errors } = await openDemo();
  const submitted = page.evaluate(
    () => new Promise((resolve) => document.addEventListener("consent:submit", (e) => resolve(e.detail), { once: true })),
  );
  await page.locator("#signup").evaluate((host) => host.shadowRoot.getElementById("cw-email").focus());
  await page.keyboard.type("marie@example.org");
  await page.keyboard.press("Tab"); // phone
  await page.keyboard.type("06 12 34 56 78");
  await page.keyboard.press("Tab"); // newsletter box
  await page.keyboard.press("Space");
  await page.keyboard.press("Tab"); // partners box, left unticked
  await page.keyboard.press("Tab"); // sms box
  await page.keyboard.press("Space");
  const focused = await page.locator("#signup").evaluate((host) => host.shadowRoot.activeElement.id);
  assert.equal(focused, "cw-p-sms");
  const outline = await page.locator("#signup").evaluate((host) => getComputedStyle(host.shadowRoot.activeElement).outlineStyle);
  assert.notEqual(outline, "none", "the focused box shows a focus ring");
  await page.keyboard.press("Tab"); // privacy link
  await page.keyboard.press("Tab"); // submit
  await page.keyboard.press("Enter");
  const detail = await submitted;
  assert.equal(detail.email, "marie@example.org");
  assert.equal(detail.phone, "+33612345678");
  assert.deepEqual(detail.purposes.map((p) => p.choice), ["granted", "refused", "granted"]);
  assert.deepEqual(errors, []);
  await context.close();
});

test("every target is at least 24×24 CSS px and the theme CSS stays out", async () => {
  const { page, context } = await openDemo();
  const sizes = await page.locator("#signup").evaluate((host) =>
    [...host.shadowRoot.querySelectorAll("input, button")].map((el) => {
      const r = el.getBoundingClientRect();
      return { id: el.id, width: r.width, height: r.height, transform: getComputedStyle(el).transform };
    }),
  );
  assert.ok(sizes.length >= 6);
  for (const s of sizes) {
    assert.ok(s.width >= 24 && s.height >= 24, `${s.id} is ${s.width}×${s.height}`);
    assert.equal(s.transform, "none", `${s.id} is transformed by page CSS`);
  }
  const label = await page.locator("#signup").evaluate((host) => getComputedStyle(host.shadowRoot.querySelector("label")).textTransform);
  assert.equal(label, "none", "the page's uppercase labels do not reach the form");
  await context.close();
});

test("the demo's own texts (partner label, SMS description) exist in every language the form speaks, and each form shows them in its own", async () => {
  const demo = await readFile(new URL("../www/index.html", import.meta.url), "utf8");
  const config = JSON.parse(demo.match(/id="signup-config">([\s\S]*?)<\/script>/)[1]);
  const own = { label: config.purposes.find((p) => p.id === "partners").label, description: config.purposes.find((p) => p.id === "sms").description };
  const locales = (await readdir(new URL("../form/catalogs/", import.meta.url))).map((f) => f.replace(/\.json$/, "")).sort();
  assert.equal(locales.length, 25);
  for (const texts of Object.values(own)) assert.deepEqual(Object.keys(texts).sort(), locales);
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = watchErrors(page);
  for (const tag of locales) {
    await page.goto(`${base}/?lang=${tag}`);
    await page.locator(`#signup #cw-form[lang=${tag}]`).waitFor();
    const text = await page.locator("#signup").evaluate((host) => host.shadowRoot.getElementById("cw-form").textContent);
    for (const [what, texts] of Object.entries(own)) {
      assert.ok(text.includes(texts[tag]), `${tag}: the ${what} in ${tag}`);
      if (tag !== "en") assert.ok(!text.includes(texts.en), `${tag}: no English ${what}`);
    }
  }
  assert.deepEqual(errors, []);
  await context.close();
});
