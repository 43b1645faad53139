// The bridge to the wasm core (src/web/bridge.rs): the core's functions
// (src/web/mod.rs, sealing.rs) as JS functions, and the initialisers that
// load the wasm. The wasm has one entry, `cw(op, h, t, n, l0, l1)`: the
// arguments are written one after another into a buffer the core gives
// (`cw_in`), the reply is read where `cw_out` says, and the core frees both.
let wasm;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Runs op `op` on widget `h` with numbers `t`, `n` and up to three strings
 * or byte arrays; what `cw` returns (a reply's length, or a number). */
function call(op, h = 0, t = 0, n = 0, ...args) {
  const parts = args.map((a) => (typeof a === "string" ? encoder.encode(a) : a));
  let at = wasm.cw_in(parts.reduce((sum, p) => sum + p.length, 0));
  // After cw_in: the memory may have grown, and an old view of it is empty.
  const memory = new Uint8Array(wasm.memory.buffer);
  for (const p of parts) {
    memory.set(p, at);
    at += p.length;
  }
  return wasm.cw(op, h, t, n, parts[0]?.length ?? 0, parts[1]?.length ?? 0);
}

/** The reply of op `op`, as text. */
function text(...args) {
  const length = call(...args);
  return decoder.decode(new Uint8Array(wasm.memory.buffer, wasm.cw_out(), length));
}

// The op codes are bridge.rs's (tests/bridge_ops.rs holds both files to one table).
export const open = (config, origin) => text(0, 0, 0, 0, config, origin);
export const close = (h) => call(1, h);
export const locale = (h, lang) => text(2, h, 0, 0, lang);
export const render = (h, lang, catalog) => text(3, h, 0, 0, lang, catalog);
export const setLocale = (h, tag) => text(4, h, 0, 0, tag);
export const manage = (h, consented) => text(5, h, 0, 0, consented);
export const thumbprint = (x, y) => text(6, 0, 0, 0, x, y);
export const b64u = (bytes) => text(7, 0, 0, 0, bytes);
export const verdict = (status) => call(8, status);
export const backoff = (attempt, jitter) => call(9, attempt, 0, jitter);
export const check = (h, email, phone, ticked) => text(10, h, 0, 0, email, phone, ticked);
export const withdrawing = (h, purposes, consented) => text(11, h, 0, 0, purposes, consented);
export const seal = (h, ticket, now, random, lines) => text(12, h, ticket, now, random, lines);
export const finish = (h, ticket, proofHash) => text(13, h, ticket, 0, proofHash);

function ready(instance) {
  wasm = instance.exports;
  return wasm;
}

/** Loads the wasm from its bytes or a compiled module (`{ module }` too), synchronously. */
export function initSync(module) {
  if (wasm) return wasm;
  if (module?.constructor === Object) module = module.module;
  return ready(new WebAssembly.Instance(module instanceof WebAssembly.Module ? module : new WebAssembly.Module(module)));
}

let loading;
/** Loads the wasm once: from a URL, a request, a response, bytes or a
 * module (or a promise of one, or `{ module_or_path }`); by default the
 * `consent_widget_bg.wasm` beside this file. */
export default function init(input) {
  if (wasm) return Promise.resolve(wasm);
  return (loading ??= load(input).catch((e) => {
    loading = undefined; // a later call may try again
    throw e;
  }));
}

async function load(input) {
  if (input?.constructor === Object) input = input.module_or_path;
  // This exact expression: bundlers (Vite, webpack) ship the file it names as an asset.
  input = await (input ?? new URL("consent_widget_bg.wasm", import.meta.url));
  // Response first: touching the Request interface costs its templates (6 KiB of heap) on pages that never use it.
  if (!(input instanceof Response) && (typeof input === "string" || input instanceof URL || input instanceof Request)) input = await fetch(input);
  if (input instanceof Response) {
    if (!input.ok) throw new Error(`failed to fetch Wasm: ${input.status} ${input.statusText} fetching '${input.url}'`);
    // Compiling while it downloads needs the wasm MIME type. A server that
    // sends another gets a TypeError before the body is read, and the bytes
    // compiled after. (Reading the headers to decide would cost the Headers
    // interface's templates, 2.5 KiB of heap.)
    if (WebAssembly.instantiateStreaming) {
      try {
        return ready((await WebAssembly.instantiateStreaming(input)).instance);
      } catch (e) {
        if (input.bodyUsed) throw e;
      }
    }
    input = await input.arrayBuffer();
  }
  const made = await WebAssembly.instantiate(input);
  return ready(made.instance ?? made);
}
