// The widget's public API, shared by both ways in (index.js, the ESM entry;
// script-tag.js): mount, validateConfig, version, and the WebAssembly's
// initialisers. The core (src/web/*.rs, compiled to wasm) makes every
// decision and every signed byte; this shell is the browser side: DOM,
// events, WebCrypto, storage, fetch, and the locale files.
import init, { close, initSync, open } from "./core.js";
import { Widget, configText } from "./widget.js";
import { explain } from "./problems.js";

export { init as default, initSync, Widget };

/** The widget's version (the build puts Cargo.toml's here). */
export function version() {
  return VERSION;
}

/** Mounts the signup form on `target` (an element or a CSS selector). */
export function mount(target, config) {
  const host = typeof target === "string" ? document.querySelector(target) : target;
  if (!(host instanceof Element)) throw new Error("mount: the target element was not found");
  return new Widget(host, configText(config));
}

/** Resolves with every problem of a configuration, `{field, code, message}`; [] when valid.
 * The check is the core's, at once; the sentences are fetched (once per page) only for a configuration that has problems. */
export function validateConfig(config) {
  const opened = JSON.parse(open(configText(config), location.origin));
  close(opened.h);
  return explain(opened.problems ?? []);
}
