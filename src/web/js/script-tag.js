// The script tag: the API on window.ConsentWidget, the wasm fetched from
// consent-widget.wasm beside this file (its URL resolved from this script's
// own src, its bytes checked against the hash the build wrote here), and
// every [data-consent-widget] element mounted, now and when added later. The
// one-file build (consent-widget-inlined.js, for hosts that cannot serve
// .wasm) carries the wasm inside instead (./inlined.js; scripts/bundle.mjs
// sets INLINED). The texts of a locale come from consent-widget.<locale>.js
// beside this file, a classic script added once per page when a form first
// shows that locale: the page's script-src already allows it.
import init, { mount, validateConfig, version } from "./api.js";
import { compileInlined } from "./inlined.js";
import { catalogSource } from "./texts.js";
import { trustedScriptURL } from "./widget.js";

if (!window.ConsentWidget) {
  /* global INLINED, WASM_INTEGRITY */
  // Read now: document.currentScript is this file only while it first runs.
  const me = document.currentScript;
  const base = me?.src || location.href;
  // Fetched at once, and compiled by instantiateStreaming where the server
  // says application/wasm; the bridge (./core.js) falls back to compiling the whole body
  // where it does not. The integrity check refuses a .wasm from another build
  // than this file's (it also means the body arrives whole before compiling).
  const loading = INLINED
    ? compileInlined()
    : init({ module_or_path: fetch(new URL("consent-widget.wasm", base), { integrity: WASM_INTEGRITY }) });
  // The inlined build compiles synchronously where it can: mount works at once then.
  let up = !loading;
  const ready = Promise.resolve(loading).then(() => {
    up = true;
  });
  const loaded = (f) => (...args) => {
    if (!up) throw new Error("consent-widget: the WebAssembly is not loaded yet; await ConsentWidget.ready first");
    return f(...args);
  };
  window.ConsentWidget = Object.freeze({ mount: loaded(mount), validateConfig: loaded(validateConfig), version, ready });

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
    (e) => console.error("consent-widget: the WebAssembly did not load" + (INLINED ? ":" : " from consent-widget.wasm beside " + base + ":"), e),
  );
}
