// The one-file script tag: the API on window.ConsentWidget, the wasm inlined
// (scripts/package.mjs puts its bytes where WASM_BYTES stands), and every
// [data-consent-widget] element mounted, now and when added later. The texts
// of a locale come from consent-widget.<locale>.js beside this file, a classic
// script added once per page when a form first shows that locale: the page's
// script-src already allows it, and no fetch or CORS is involved.
import init, { initSync, mount, validateConfig, version } from "./api.js";
import { catalogSource } from "./texts.js";
import { trustedScriptURL } from "./widget.js";

if (!window.ConsentWidget) {
  /* global WASM_BYTES, WASM_LENGTH, WASM_SWAPS */
  // A few byte values trade places in the string, so that it needs almost no escapes.
  const text = WASM_BYTES, swaps = WASM_SWAPS;
  // A byte table: an object lookup per byte made the loop a quarter slower.
  const table = new Uint8Array(256);
  for (let c = 0; c < 256; c++) table[c] = swaps[c] ?? c;
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = table[text.charCodeAt(i)];
  if (bytes.length !== WASM_LENGTH) throw new Error("consent-widget: the script was altered or misread; serve consent-widget.js unchanged");
  // Compile at once where the browser allows it (Chrome before 2023 refused
  // synchronous compiles over 4 KB on the main thread); otherwise asynchronously.
  let ready;
  try {
    initSync({ module: bytes });
    ready = Promise.resolve();
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    ready = init({ module_or_path: bytes }).then(() => undefined);
  }
  window.ConsentWidget = Object.freeze({ mount, validateConfig, version, ready });

  // Read now: document.currentScript is this file only while it first runs.
  const me = document.currentScript;
  const base = me?.src || location.href;
  catalogSource(
    (tag) =>
      new Promise((resolve, reject) => {
        const s = document.createElement("script");
        const url = new URL("consent-widget." + tag + ".js", base).href;
        s.src = trustedScriptURL(url);
        if (me?.nonce) s.nonce = me.nonce; // a nonce-based CSP allowed this file: the texts too
        s.onload = () => {
          s.remove();
          const text = self.ConsentWidgetTexts?.[tag];
          text ? resolve(text) : reject(new Error("consent-widget: " + url + " holds no texts for " + tag));
        };
        s.onerror = () => {
          s.remove();
          reject(new Error("consent-widget: the texts for " + tag + " did not load from " + url));
        };
        document.head.append(s);
      }),
  );

  // Auto-mount: the config is in data-config (JSON), or in the
  // <script type="application/json"> that data-config-id names.
  const SELECTOR = "[data-consent-widget]";
  const configOf = (el) => {
    if (el.hasAttribute("data-config")) return el.getAttribute("data-config");
    const id = el.getAttribute("data-config-id");
    const source = id && document.getElementById(id);
    if (source) return source.textContent;
    console.error("consent-widget: " + (id ? "no element with id " + JSON.stringify(id) : "no data-config or data-config-id") + " on", el);
    return "";
  };
  const mountOne = (el) => {
    if (el.consentWidget) return;
    try {
      el.consentWidget = mount(el, configOf(el));
    } catch (e) {
      console.error("consent-widget:", e);
    }
  };
  const mountAll = (root) => {
    if (root.matches?.(SELECTOR)) mountOne(root);
    root.querySelectorAll?.(SELECTOR).forEach(mountOne);
  };
  const start = () => {
    mountAll(document);
    new MutationObserver((records) => {
      for (const r of records) r.addedNodes.forEach((n) => n.nodeType === 1 && mountAll(n));
    }).observe(document.documentElement, { childList: true, subtree: true });
  };
  ready.then(
    () => (document.readyState === "loading" ? document.addEventListener("DOMContentLoaded", start, { once: true }) : start()),
    (e) => console.error("consent-widget: the WebAssembly did not compile:", e),
  );
}
