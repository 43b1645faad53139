// The script tag on a plain HTML page under a strict CSP: nothing but
// <script src=".../consent-widget.js" defer> and elements carrying
// data-consent-widget. The script fetches consent-widget.wasm from beside
// itself; both ways of giving the config mount, the global API is there, no
// CSP violation, and a valid submission fires consent:submit. Then the same
// under Trusted Types, a server that says the wrong content type, a .wasm of
// another build, a mount before the wasm is there, and the one-file build
// (consent-widget-inlined.js, the wasm inside).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ROOT, startSite, openPage, formAppears, submitValid, sampleConfig, launch } from "./harness.mjs";

let site, browser;
const attr = (s) => s.replaceAll("&", "&amp;").replaceAll('"', "&quot;").replaceAll("'", "&#39;").replaceAll("<", "&lt;");
const PKG = join(ROOT, "pkg/");

function page(collector, script) {
  const inAttribute = JSON.stringify(sampleConfig(collector, { formId: "in-attribute" }));
  const inScript = JSON.stringify(sampleConfig(collector, { formId: "in-script", locale: "fr" }), null, 2);
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Script tag consumer</title>
  <script src="${script}" defer></script>
</head>
<body>
  <h1>Plain page</h1>
  <div id="a" data-consent-widget data-config="${attr(inAttribute)}"></div>
  <div id="b" data-consent-widget data-config-id="signup-config"></div>
  <script type="application/json" id="signup-config">${inScript.replaceAll("<", "\\u003c")}</script>
</body>
</html>`;
}

/** The page, under the site's CSP plus `extraCsp`, loading `script`. */
const pageRoute = (script, extraCsp = "") => (req, res) => {
  res.writeHead(200, { "content-type": "text/html; charset=utf-8", "content-security-policy": site.csp + extraCsp });
  res.end(page(site.collector, script));
};
/** pkg/ as a server that sends every file as application/octet-stream, `change` applied to each body. */
const pkgAs = (prefix, change = (name, body) => body) => async (req, res) => {
  const name = new URL(req.url, "http://x").pathname.slice(prefix.length);
  if (name.includes("/") || name.includes("..")) return res.writeHead(404).end();
  try {
    const body = change(name, await readFile(join(PKG, name)));
    res.writeHead(200, { "content-type": name.endsWith(".wasm") ? "application/octet-stream" : "text/javascript" }).end(body);
  } catch {
    res.writeHead(404).end();
  }
};
const TRUSTED_TYPES = "; require-trusted-types-for 'script'; trusted-types consent-widget";

before(async () => {
  site = await startSite({
    "/dist/": PKG,
    "/": pageRoute("/dist/consent-widget.js"),
    "/trusted-types": pageRoute("/dist/consent-widget.js", TRUSTED_TYPES),
    "/inlined": pageRoute("/dist/consent-widget-inlined.js"),
    "/octet": pageRoute("/octet/consent-widget.js"),
    "/octet/": pkgAs("/octet/"),
    "/other-build": pageRoute("/other-build/consent-widget.js"),
    // The same wasm with one byte more: what a .wasm of another build looks like to the check.
    "/other-build/": pkgAs("/other-build/", (name, body) => (name.endsWith(".wasm") ? Buffer.concat([body, Buffer.from([0])]) : body)),
  });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  site?.close();
});

/** The widget files a page fetched, by path. */
function widgetFetches(page) {
  const seen = [];
  page.on("request", (r) => {
    const path = new URL(r.url()).pathname;
    if (/\/consent-widget[^/]*\.(js|wasm)$/.test(path)) seen.push(path);
  });
  return seen;
}

test("script tag: it fetches consent-widget.wasm beside itself, both elements mount under a strict CSP, and a valid submission reaches the collector and verifies", async () => {
  const { context, page: p, errors, violations } = await openPage(browser, site.base + "/");
  // The first load done (texts files included), what the reload fetches is counted.
  await formAppears(p, "#b");
  const fetched = widgetFetches(p);
  const wasm = p.waitForResponse((r) => r.url().endsWith("/consent-widget.wasm"));
  await p.reload();
  assert.equal((await wasm).headers()["content-type"], "application/wasm");
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
  // validateConfig fetched the problems' sentences (a local page): nothing else but the script, its wasm and two locales.
  assert.deepEqual(fetched.sort(), ["/dist/consent-widget.en.js", "/dist/consent-widget.fr.js", "/dist/consent-widget.js", "/dist/consent-widget.problems.en.js", "/dist/consent-widget.wasm"]);
  assert.deepEqual(await violations(), []);
  assert.deepEqual(errors, []);
  await context.close();
});

test("script tag: a page that enforces Trusted Types, under the strict CSP, gets both forms and sends", async () => {
  const { context, page: p, errors, violations } = await openPage(browser, site.base + "/trusted-types");
  await formAppears(p, "#a");
  await formAppears(p, "#b");
  assert.equal(await p.locator("#b form").getAttribute("lang"), "fr", "the texts file was added through the widget's policy");
  await submitValid(p, "#a");
  assert.deepEqual(await violations(), []);
  assert.deepEqual(errors, []);
  await context.close();
});

test("script tag: a server that sends the .wasm as application/octet-stream still gets the form (compiled from the whole body)", async () => {
  const { context, page: p, errors, violations } = await openPage(browser, site.base + "/octet");
  await formAppears(p, "#b");
  // Which compile ran: recorded from before the widget's script on the reload.
  await p.addInitScript(() => {
    window.__compiled = [];
    for (const name of ["instantiateStreaming", "instantiate"]) {
      const real = WebAssembly[name];
      WebAssembly[name] = function (...args) {
        window.__compiled.push(name);
        return real.apply(this, args);
      };
    }
  });
  await p.reload();
  await formAppears(p, "#a");
  // Streaming is tried first and refused for the MIME type before the body is read: the whole body is compiled then.
  assert.deepEqual(await p.evaluate(() => window.__compiled), ["instantiateStreaming", "instantiate"], "compiled from the whole body once streaming was refused");
  await submitValid(p, "#a");
  assert.deepEqual(await violations(), []);
  assert.deepEqual(errors, []);
  await context.close();
});

test("script tag: a .wasm of another build is refused, no form is drawn, and the console says why", async () => {
  const { context, page: p, errors } = await openPage(browser, site.base + "/other-build");
  const refused = await p.evaluate(() => window.ConsentWidget.ready.then(() => "ready", (e) => "refused: " + e));
  assert.match(refused, /^refused: TypeError/);
  assert.equal(await p.locator("#a form").count(), 0);
  // Console messages may trail the evaluation's answer.
  for (let i = 0; i < 50 && errors.length < 2; i++) await p.waitForTimeout(100);
  assert.ok(errors.some((e) => /integrity/.test(e) && e.includes("/other-build/consent-widget.wasm")), errors.join("\n"));
  assert.ok(errors.some((e) => e.startsWith("consent-widget: the WebAssembly did not load from consent-widget.wasm beside")), errors.join("\n"));
  await context.close();
});

test("script tag: mount before the wasm is there throws a clear error, and works once ready resolves", async (t) => {
  const context = await browser.newContext();
  let release;
  const held = new Promise((resolve) => (release = resolve));
  // Whatever happens, the held request goes on and the context closes.
  t.after(() => (release(), context.close()));
  const page = await context.newPage();
  await page.route("**/consent-widget.wasm", async (route) => {
    await held;
    await route.continue();
  });
  await page.goto(site.base + "/", { waitUntil: "domcontentloaded" });
  await page.waitForFunction(() => window.ConsentWidget);
  const early = await page.evaluate(() => {
    try {
      window.ConsentWidget.mount("#a", {});
      return "mounted";
    } catch (e) {
      return e.message;
    }
  });
  assert.equal(early, "consent-widget: the WebAssembly is not loaded yet; await ConsentWidget.ready first");
  release();
  await page.evaluate(() => window.ConsentWidget.ready);
  await formAppears(page, "#a");
  assert.deepEqual(await page.evaluate(async () => (await window.ConsentWidget.validateConfig({ purposes: [] })).length > 0), true);
});

test("one-file build: consent-widget-inlined.js mounts both forms and fetches no .wasm", async () => {
  const { context, page: p, errors, violations } = await openPage(browser, site.base + "/inlined");
  await formAppears(p, "#b");
  const fetched = widgetFetches(p);
  await p.reload();
  await formAppears(p, "#a");
  await formAppears(p, "#b");
  await submitValid(p, "#a");
  assert.deepEqual(fetched.sort(), ["/dist/consent-widget-inlined.js", "/dist/consent-widget.en.js", "/dist/consent-widget.fr.js"]);
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

test("one-file build: where the browser refuses a synchronous compile (Chrome before 2023), it compiles asynchronously", async () => {
  const context = await browser.newContext();
  await context.addInitScript(() => {
    WebAssembly.Module = function () {
      throw new RangeError("WebAssembly.Compile is disallowed on the main thread, if the buffer size is larger than 4KB.");
    };
  });
  const page = await context.newPage();
  await page.goto(site.base + "/inlined");
  await formAppears(page, "#a");
  assert.match(await page.evaluate(() => window.ConsentWidget.ready.then(() => window.ConsentWidget.version())), /^\d+\.\d+\.\d+/);
  await submitValid(page, "#a");
  await context.close();
});
