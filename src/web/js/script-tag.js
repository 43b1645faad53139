// The one-file script tag: the API on window.ConsentWidget, the wasm inlined
// (scripts/package.mjs puts its bytes where WASM_BYTES stands), and every
// [data-consent-widget] element mounted, now and when added later.
import init, { initSync, mount, validateConfig, version } from "./index.js";

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
