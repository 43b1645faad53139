// The wasm of the one-file script tag (consent-widget-inlined.js), for hosts
// that cannot serve a .wasm file: scripts/package.mjs puts its bytes where
// WASM_BYTES stands, as a byte string. Only the one-file build imports this
// module (scripts/bundle.mjs); the script tag fetches consent-widget.wasm.
import init, { initSync } from "./api.js";

/** Compiles the inlined wasm: undefined once compiled synchronously, else a
 * promise that resolves once the widget can mount. */
export function compileInlined() {
  /* global WASM_BYTES, WASM_LENGTH, WASM_SWAPS */
  // A few byte values trade places in the string, so that it needs almost no escapes.
  const text = WASM_BYTES, swaps = WASM_SWAPS;
  // A byte table: an object lookup per byte made the loop a quarter slower.
  const table = new Uint8Array(256);
  for (let c = 0; c < 256; c++) table[c] = swaps[c] ?? c;
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = table[text.charCodeAt(i)];
  if (bytes.length !== WASM_LENGTH) throw new Error("consent-widget: the script was altered or misread; serve consent-widget-inlined.js unchanged");
  // Compile at once where the browser allows it (Chrome before 2023 refused
  // synchronous compiles over 4 KB on the main thread); otherwise asynchronously.
  try {
    initSync({ module: bytes });
    return undefined;
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    return init({ module_or_path: bytes }).then(() => undefined);
  }
}
