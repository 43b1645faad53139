// The widget's public API, shared by both ways in (index.js, the ESM entry;
// script-tag.js): mount, validateConfig, version, and the WebAssembly's
// initialisers. The core (src/web/*.rs, compiled to wasm) makes every
// decision and every signed byte; this shell is the browser side: DOM,
// events, WebCrypto, storage, fetch, and the locale files.
import init, { close, initSync, open } from "./core.js";
import { Widget, configText } from "./widget.js";

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

/** Every problem of a configuration, each naming its field; [] when valid. */
export function validateConfig(config) {
  const opened = JSON.parse(open(configText(config), location.origin));
  close(opened.h);
  return opened.problems ?? [];
}
