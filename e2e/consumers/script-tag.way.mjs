// The one-file script tag on a plain HTML page under a strict CSP: nothing
// but <script src=".../consent-widget.js" defer> and elements carrying
// data-consent-widget. Both ways of giving the config mount, the global API is
// there, no CSP violation, and a valid submission fires consent:submit.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT, startSite, openPage, formAppears, submitValid, sampleConfig, launch } from "./harness.mjs";

let site, browser;
const attr = (s) => s.replaceAll("&", "&amp;").replaceAll('"', "&quot;").replaceAll("'", "&#39;").replaceAll("<", "&lt;");

function page(collector) {
  const inAttribute = JSON.stringify(sampleConfig(collector, { formId: "in-attribute" }));
  const inScript = JSON.stringify(sampleConfig(collector, { formId: "in-script", locale: "fr" }), null, 2);
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Script tag consumer</title>
  <script src="/dist/consent-widget.js" defer></script>
</head>
<body>
  <h1>Plain page</h1>
  <div id="a" data-consent-widget data-config="${attr(inAttribute)}"></div>
  <div id="b" data-consent-widget data-config-id="signup-config"></div>
  <script type="application/json" id="signup-config">${inScript.replaceAll("<", "\\u003c")}</script>
</body>
</html>`;
}

before(async () => {
  site = await startSite({
    "/dist/": join(ROOT, "pkg/"),
    "/": (req, res) => {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "content-security-policy": site.csp });
      res.end(page(site.collector));
    },
  });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  site?.close();
});

test("script tag: both elements mount under a strict CSP, and a valid submission reaches the collector and verifies", async () => {
  const { context, page: p, errors, violations } = await openPage(browser, site.base + "/");
  await formAppears(p, "#a");
  await formAppears(p, "#b");
  assert.equal(await p.locator("#b form").getAttribute("lang"), "fr");
  const api = await p.evaluate(async () => ({
    keys: Object.keys(window.ConsentWidget).sort(),
    ready: window.ConsentWidget.ready instanceof Promise,
    version: window.ConsentWidget.version(),
    problems: await window.ConsentWidget.validateConfig({ purposes: [] }),
  }));
  assert.deepEqual(api.keys, ["mount", "ready", "validateConfig", "version"]);
  assert.ok(api.ready);
  assert.match(api.version, /^\d+\.\d+\.\d+/);
  // The sentences come from consent-widget.problems.en.js beside the script, under this page's strict CSP.
  assert.ok(api.problems.some((p) => p.field === "purposes" && p.code === "empty" && p.message === "must list at least one purpose"), JSON.stringify(api.problems));
  const detail = await submitValid(p, "#a");
  assert.equal(detail.formId, "in-attribute");
  assert.equal((await submitValid(p, "#b", "jean@example.org")).formId, "in-script");
  assert.deepEqual(await violations(), []);
  assert.deepEqual(errors, []);
  await context.close();
});

test("script tag: an element added later mounts, and a bad config shows no form and fires consent:error", async () => {
  const { context, page: p, violations } = await openPage(browser, site.base + "/");
  await formAppears(p, "#a");
  const late = JSON.stringify(sampleConfig(site.collector, { formId: "late" }));
  await p.evaluate((config) => {
    const el = Object.assign(document.createElement("div"), { id: "late" });
    el.dataset.consentWidget = "";
    el.dataset.config = config;
    document.body.append(el);
  }, late);
  await formAppears(p, "#late");
  const error = p.evaluate(() => new Promise((resolve) => document.addEventListener("consent:error", (e) => resolve(e.detail.problems.map((x) => x.code)), { once: true })));
  await p.evaluate((config) => {
    const el = Object.assign(document.createElement("div"), { id: "bad" });
    el.dataset.consentWidget = "";
    el.dataset.config = config;
    document.body.append(el);
  }, JSON.stringify(sampleConfig(site.collector, { purposes: [{ id: "newsletter", channel: "email", checked: true }] })));
  assert.ok((await error).includes("pre-checked"));
  assert.equal(await p.locator("#bad form").count(), 0);
  assert.deepEqual(await violations(), []);
  await context.close();
});

test("script tag: where the browser refuses a synchronous compile (Chrome before 2023), it compiles asynchronously", async () => {
  const context = await browser.newContext();
  await context.addInitScript(() => {
    WebAssembly.Module = function () {
      throw new RangeError("WebAssembly.Compile is disallowed on the main thread, if the buffer size is larger than 4KB.");
    };
  });
  const page = await context.newPage();
  await page.goto(site.base + "/");
  await formAppears(page, "#a");
  assert.match(await page.evaluate(() => window.ConsentWidget.ready.then(() => window.ConsentWidget.version())), /^\d+\.\d+\.\d+/);
  await submitValid(page, "#a");
  await context.close();
});
