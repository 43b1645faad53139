// The six pages of the widget bench and the server that counts what each
// page fetches. Every page is the same storefront; only the widget differs.
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { extname, join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, "..", "..");
const MODULES = join(HERE, "node_modules");

// `root` is what the instrumentation waits for: a selector, or "shadow" for
// the first content put into a shadow root (ours renders there, out of reach
// of document-level selectors). The baseline watches a selector that never
// matches, so it pays the same observer cost as the peers' pages.
export const PAGES = {
  baseline: { root: "#never-present", head: "" },
  ours: {
    root: "shadow",
    head: `<script src="/pkg/consent-widget.js" defer></script>`,
    // The demo's own form and config (fr, three purposes, phone optional),
    // mounted by the script tag (which fetches consent-widget.wasm beside
    // itself) instead of the demo's module script.
    form: true,
  },
  // The same, from the one-file build (the Shopify extension's): the wasm
  // inlined in the script as a string, compiled synchronously.
  "ours-inlined": {
    root: "shadow",
    head: `<script src="/pkg/consent-widget-inlined.js" defer></script>`,
    form: true,
  },
  // The same form from the npm package's ESM entry: the wasm fetched and
  // compiled by streaming, as the script tag does, through an ES module.
  "ours-esm": {
    root: "shadow",
    head: `<script type="module">
import init, { mount } from "/pkg/consent_widget.js";
await init();
mount("#signup", document.getElementById("signup-config").textContent);
</script>`,
    form: true,
  },
  "vanilla-cookieconsent": {
    root: "#cc-main .cm",
    head: `<link rel="stylesheet" href="/peers/vanilla-cookieconsent/dist/cookieconsent.css">
<script src="/peers/vanilla-cookieconsent/dist/cookieconsent.umd.js" defer></script>
<script src="/init/vanilla-cookieconsent.js" defer></script>`,
  },
  klaro: {
    root: "#klaro .cookie-notice, #klaro .cookie-modal",
    // klaro reads window.klaroConfig when it runs: the config script goes first.
    head: `<script src="/init/klaro.js" defer></script>
<script src="/peers/klaro/dist/klaro.js" data-config="klaroConfig" defer></script>`,
  },
};

// Each peer's documented minimal setup, French texts, one locale.
const INIT = {
  "vanilla-cookieconsent.js": `CookieConsent.run({
  hideFromBots: false, // it hides from headless Chromium otherwise
  categories: { necessary: { enabled: true, readOnly: true }, marketing: {} },
  language: { default: "fr", translations: { fr: {
    consentModal: { title: "Newsletter et cookies", description: "Nous utilisons des cookies pour la newsletter.",
      acceptAllBtn: "Tout accepter", acceptNecessaryBtn: "Tout refuser", showPreferencesBtn: "Préférences" },
    preferencesModal: { title: "Préférences", acceptAllBtn: "Tout accepter", acceptNecessaryBtn: "Tout refuser",
      savePreferencesBtn: "Enregistrer", sections: [{ title: "Marketing", description: "Newsletter", linkedCategory: "marketing" }] },
  } } },
});`,
  "klaro.js": `window.klaroConfig = {
  version: 1, elementID: "klaro", lang: "fr", acceptAll: true, mustConsent: false,
  privacyPolicy: "/privacy.html",
  services: [{ name: "newsletter", title: "Newsletter", purposes: ["marketing"] }],
};`,
};

// Identical on every page, before anything else: records when the widget's
// root first exists (ms since navigation start) and every long task. Read
// once at the end through CDP, so nothing polls the page.
function instrumentation(root) {
  return `<script>
(() => {
  const root = ${JSON.stringify(root)};
  const b = (window.__bench = { rootAt: null, longTasks: [] });
  new PerformanceObserver((list) => { for (const e of list.getEntries()) b.longTasks.push(e.duration); })
    .observe({ type: "longtask", buffered: true });
  const mark = () => { if (b.rootAt === null) b.rootAt = performance.now(); };
  if (root === "shadow") {
    const attach = Element.prototype.attachShadow;
    Element.prototype.attachShadow = function (init) {
      const r = attach.call(this, init);
      new MutationObserver((_, o) => { o.disconnect(); mark(); }).observe(r, { childList: true });
      return r;
    };
  } else {
    new MutationObserver((_, o) => { if (document.querySelector(root)) { o.disconnect(); mark(); } })
      .observe(document, { childList: true, subtree: true });
  }
})();
</script>`;
}

// The demo storefront itself (www/index.html), less its demo script and its
// signup form: every page is that, plus one widget.
const STORE = readFileSync(join(ROOT, "www", "index.html"), "utf8");
const DEMO_SCRIPT = `<script type="module" src="/demo.js"></script>`;
const FORM = `<div id="signup" data-consent-widget></div>`;
const CONFIG = /<script type="application\/json" id="signup-config">[\s\S]*?<\/script>/;
if (!STORE.includes(DEMO_SCRIPT) || !STORE.includes(FORM) || !CONFIG.test(STORE)) {
  throw new Error("bench: www/index.html changed; update DEMO_SCRIPT, FORM and CONFIG in bench/widget/pages.mjs");
}

// The storefront's config with the merchant's own texts (a purpose's label
// or description, given per language on the demo's page in all 25) as one
// French string each: one locale, as each peer's config carries. (A map with
// French alone would not do: the other languages would show the partner
// box with the newsletter's words, and the widget refuses such a form.)
const FRENCH = (() => {
  const [, open, json, close] = STORE.match(/(<script type="application\/json" id="signup-config">)([\s\S]*?)(<\/script>)/);
  const config = JSON.parse(json);
  for (const p of config.purposes) for (const k of ["label", "description"]) if (p[k] && typeof p[k] === "object") p[k] = p[k].fr;
  return `${open}${JSON.stringify(config, null, 1)}${close}`;
})();

function page({ root, head, form }) {
  const html = STORE.replace(DEMO_SCRIPT, `${instrumentation(root)}\n${head}`);
  return form
    ? html.replace(FORM, `<div id="signup" data-consent-widget data-config-id="signup-config"></div>`).replace(CONFIG, FRENCH)
    : html.replace(FORM, "").replace(CONFIG, "");
}

const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".wasm": "application/wasm" };

/** The bytes behind a URL path, or null: generated pages, init scripts, our pkg/, the storefront CSS, the peers' files. */
function resolve(path) {
  if (path === "/blank.html") return "<!doctype html><title>blank</title><link rel=\"icon\" href=\"data:,\">";
  const name = path.slice(1).replace(/\.html$/, "");
  if (PAGES[name]) return page(PAGES[name]);
  if (path.startsWith("/init/")) return INIT[path.slice(6)] ?? null;
  const file = path === "/demo.css" ? join(ROOT, "www", "demo.css")
    : path.startsWith("/pkg/") ? join(ROOT, "pkg", path.slice(5))
    : path.startsWith("/peers/") ? join(MODULES, path.slice(7))
    : null;
  if (!file || file.includes("..")) return null;
  try { return readFileSync(file); } catch { return null; }
}

// Compressed sizes are computed once per distinct body: the figure is what a
// server with gzip -9 or brotli -q 11 would send, as scripts/size.mjs counts it.
const sizes = new Map();
function sizeOf(path, body) {
  if (!sizes.has(path)) {
    const raw = Buffer.from(body);
    sizes.set(path, {
      raw: raw.length,
      gzip: gzipSync(raw, { level: 9 }).length,
      brotli: brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length } }).length,
    });
  }
  return sizes.get(path);
}

/** Serves the pages; `take()` returns and clears the bytes fetched since the last call. */
export async function startServer() {
  let fetched = [];
  const server = createServer((req, res) => {
    const path = new URL(req.url, "http://x").pathname;
    const body = resolve(path);
    if (body === null) return res.writeHead(404).end();
    if (path !== "/blank.html") fetched.push({ path, ...sizeOf(path, body) });
    res.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream", "cache-control": "no-store" });
    res.end(body);
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    take() {
      const total = { raw: 0, gzip: 0, brotli: 0, files: fetched.map((f) => f.path) };
      for (const f of fetched) for (const k of ["raw", "gzip", "brotli"]) total[k] += f[k];
      fetched = [];
      return total;
    },
    close: () => server.close(),
  };
}
