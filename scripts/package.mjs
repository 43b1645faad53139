#!/usr/bin/env node
// Turns wasm-bindgen's output in pkg/ into the three things we ship, run by
// scripts/package after scripts/build. Idempotent: every file is derived from
// the wasm-bindgen output, and the patches to it are applied once.
//
//  1. pkg/consent_widget.js (the ESM entry), used as wasm-bindgen wrote it.
//  2. pkg/consent-widget.js: the one-file script tag. A classic script: the
//     same glue, the wasm inlined as a byte string (see `byteString`),
//     compiled with initSync, window.ConsentWidget, and auto-mount of every
//     [data-consent-widget] element.
//  3. pkg/package.json, pkg/consent-widget.d.ts and pkg/README.md: the npm
//     package, its version taken from Cargo.toml.
import { readFileSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { Script } from "node:vm";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";

const PKG = "pkg";
const read = (name) => readFileSync(`${PKG}/${name}`, "utf8");
const write = (name, text) => writeFileSync(`${PKG}/${name}`, text);
const cargo = JSON.parse(execFileSync("cargo", ["metadata", "--no-deps", "--format-version", "1", "--offline"], { encoding: "utf8" }))
  .packages.find((p) => p.name === "consent-widget");

/** Replaces exactly one occurrence of `from`, or fails: wasm-bindgen's output changed. */
function replaceOnce(text, from, to, what) {
  const at = text.indexOf(from);
  if (at < 0 || text.indexOf(from, at + 1) >= 0) {
    throw new Error(`package: expected exactly one ${what} in wasm-bindgen's glue; its output changed, update scripts/package.mjs`);
  }
  return text.slice(0, at) + to + text.slice(at + from.length);
}

// --- 1. the ESM entry, as wasm-bindgen wrote it ---------------------------
// (The widget itself adopts a constructed stylesheet, which a strict CSP
// allows, and keeps mounted widgets alive until destroy(); no patch needed.)
const esm = read("consent_widget.js");

// --- 2. the one-file script tag ---------------------------------------------
const wasm = readFileSync(`${PKG}/consent_widget_bg.wasm`);

/**
 * The wasm as a JS string literal, one char per byte (U+0000–U+00FF), the file
 * being UTF-8 with a BOM so no server or page charset can misread it. Brotli
 * and gzip compress it nearly as well as the binary (base64 costs a third more).
 */
function byteString(bytes) {
  let out = '"';
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += "\\\\";
    else if (c === 0x0a) out += "\\n";
    else if (c === 0x0d) out += "\\r";
    else if (c === 0x00) out += bytes[i + 1] >= 0x30 && bytes[i + 1] <= 0x39 ? "\\x00" : "\\0";
    else out += String.fromCharCode(c);
  }
  return out + '"';
}

let glue = esm.replace(/^\/\* @ts-self-types=.*\*\/\n/, "");
glue = replaceOnce(glue, "export { initSync, __wbg_init as default };", "", "export list");
glue = replaceOnce(glue, "new URL('consent_widget_bg.wasm', import.meta.url)", "undefined", "default wasm URL");
glue = glue.replace(/^export (class|function) /gm, "$1 ");
if (/^\s*export\b|import\.meta/m.test(glue)) throw new Error("package: the glue still has ESM syntax; update scripts/package.mjs");

const script = `\uFEFF/*! consent-widget ${cargo.version} | one-file script tag | MIT OR Apache-2.0 */
(function () {
"use strict";
if (window.ConsentWidget) return;
${glue.trim()}

const WASM = ${byteString(wasm)};
const bytes = new Uint8Array(WASM.length);
for (let i = 0; i < WASM.length; i++) bytes[i] = WASM.charCodeAt(i);
if (bytes.length !== ${wasm.length} || WASM.charCodeAt(${wasm.length - 1}) !== ${wasm[wasm.length - 1]}) {
    throw new Error("consent-widget: the script was altered or misread; serve consent-widget.js unchanged");
}
// Compile at once where the browser allows it (Chrome before 2023 refused
// synchronous compiles over 4 KB on the main thread); otherwise asynchronously.
let ready;
try {
    initSync({ module: bytes });
    ready = Promise.resolve();
} catch (e) {
    if (!(e instanceof RangeError)) throw e;
    ready = __wbg_init({ module_or_path: bytes }).then(() => undefined);
}

window.ConsentWidget = Object.freeze({ mount, validateConfig, version, ready });

// Auto-mount: every [data-consent-widget] element, its config in data-config
// (JSON), or in the <script type="application/json"> that data-config-id
// names. Elements added later (e.g. by the Shopify theme editor) mount too.
const SELECTOR = "[data-consent-widget]";
function configOf(el) {
    if (el.hasAttribute("data-config")) return el.getAttribute("data-config");
    const id = el.getAttribute("data-config-id");
    const source = id ? document.getElementById(id) : null;
    if (source) return source.textContent;
    console.error("consent-widget: " + (id ? "no element with id " + JSON.stringify(id) : "no data-config or data-config-id") + " on", el);
    return "";
}
function mountOne(el) {
    if (el.consentWidget) return;
    try {
        el.consentWidget = mount(el, configOf(el));
    } catch (e) {
        console.error("consent-widget:", e);
    }
}
function mountAll(root) {
    if (root.matches && root.matches(SELECTOR)) mountOne(root);
    if (root.querySelectorAll) root.querySelectorAll(SELECTOR).forEach(mountOne);
}
function start() {
    mountAll(document);
    new MutationObserver((records) => {
        for (const r of records) r.addedNodes.forEach((n) => n.nodeType === 1 && mountAll(n));
    }).observe(document.documentElement, { childList: true, subtree: true });
}
ready.then(() => {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start, { once: true });
    else start();
}, (e) => console.error("consent-widget: the WebAssembly did not compile:", e));
})();
`;
new Script(script, { filename: "consent-widget.js" }); // a classic script: syntax check
write("consent-widget.js", script);

write("consent-widget.d.ts", `// Types for the one-file script tag (consent-widget/script): window.ConsentWidget.
import type { mount, validateConfig, version, Widget } from "./consent_widget.js";

/** What the script tag puts on \`window.ConsentWidget\`. */
export interface ConsentWidgetGlobal {
  mount: typeof mount;
  validateConfig: typeof validateConfig;
  version: typeof version;
  /** Resolves once the WebAssembly is compiled: at once in current browsers; later in those that refuse large synchronous compiles. */
  ready: Promise<void>;
}

declare global {
  interface Window {
    ConsentWidget: ConsentWidgetGlobal;
  }
  interface Element {
    /** The handle of the form auto-mounted on this \`[data-consent-widget]\` element. */
    consentWidget?: Widget;
  }
}
`);

// The types: the widget's events on elements, the document and the window;
// and no \`[Symbol.dispose]\` member, which fails to compile for projects
// whose TypeScript lib predates esnext.disposable (the method stays at run time).
let dts = read("consent_widget.d.ts");
const EVENTS = "// consent-widget: typed events (scripts/package)";
if (!dts.includes(EVENTS)) {
  dts = dts.replace(/^\s*\[Symbol\.dispose\]\(\): void;\n/m, "");
  write("consent_widget.d.ts", `${dts}
${EVENTS}
declare global {
  interface ElementEventMap extends ConsentWidgetEventMap {}
  interface DocumentEventMap extends ConsentWidgetEventMap {}
  interface WindowEventMap extends ConsentWidgetEventMap {}
}
`);
}

// --- 3. the npm package ------------------------------------------------------

const manifest = {
  name: "consent-widget",
  version: cargo.version,
  description: cargo.description,
  license: cargo.license,
  type: "module",
  main: "./consent_widget.js",
  module: "./consent_widget.js",
  types: "./consent_widget.d.ts",
  exports: {
    ".": { types: "./consent_widget.d.ts", import: "./consent_widget.js", default: "./consent_widget.js" },
    "./script": { types: "./consent-widget.d.ts", default: "./consent-widget.js" },
    "./consent-widget.js": { types: "./consent-widget.d.ts", default: "./consent-widget.js" },
    "./consent_widget_bg.wasm": "./consent_widget_bg.wasm",
    "./package.json": "./package.json",
  },
  files: [
    "consent_widget.js",
    "consent_widget.d.ts",
    "consent_widget_bg.wasm",
    "consent_widget_bg.wasm.d.ts",
    "consent-widget.js",
    "consent-widget.d.ts",
    "README.md",
  ],
  sideEffects: ["./consent-widget.js"],
  keywords: ["gdpr", "consent", "newsletter", "sms", "opt-in", "signup", "webassembly", "cnil"],
};
write("package.json", JSON.stringify(manifest, null, 2) + "\n");
// The package README: the npm and script-tag quick starts from docs/, then
// the configuration, theme and events reference from the project README.
const readme = readFileSync("README.md", "utf8");
const reference = readme.slice(readme.indexOf("### Configuration"), readme.indexOf("## Layout")).trim()
  .replace("[`src/web/types.d.ts`](src/web/types.d.ts), which wasm-bindgen copies into\n`pkg/consent_widget.d.ts`", "`consent_widget.d.ts` in this package");
if (!reference.startsWith("### Configuration") || !reference.includes("### Events")) throw new Error("package: README.md lost its Configuration or Events section");
const quickStarts = ["npm.md", "script-tag.md"].map((f) => readFileSync(`docs/${f}`, "utf8").trim().replace(/^(#+) /gm, "#$1 ").replace(/^## consent-widget: /m, "## "));
write("README.md", `# consent-widget\n\n${quickStarts.join("\n\n")}\n\n## Reference\n\n${reference}\n`
  .replaceAll("(../README.md#configuration)", "(#configuration)").replaceAll("(../README.md#events)", "(#events)"));

// --- figures: the one-file script tag against the two-file ESM build --------
const sizes = (paths) => {
  const each = paths.map((p) => readFileSync(`${PKG}/${p}`));
  const brotli = (b) => brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: b.length } }).length;
  const sum = (f) => each.reduce((t, b) => t + f(b), 0);
  return { raw: sum((b) => b.length), gzip: sum((b) => gzipSync(b, { level: 9 }).length), brotli: sum(brotli) };
};
const one = sizes(["consent-widget.js"]);
const two = sizes(["consent_widget.js", "consent_widget_bg.wasm"]);
const row = (name, r) => `${name.padEnd(44)} ${String(r.raw).padStart(8)} ${String(r.gzip).padStart(8)} ${String(r.brotli).padStart(8)}`;
console.log(`${"".padEnd(44)} ${"raw".padStart(8)} ${"gzip -9".padStart(8)} ${"br -q11".padStart(8)}`);
console.log(row("consent-widget.js (script tag, one request)", one));
console.log(row("consent_widget.js + _bg.wasm (two requests)", two));
console.log(`inlining costs ${one.brotli - two.brotli} B brotli (${(((one.brotli - two.brotli) / two.brotli) * 100).toFixed(1)}%) and saves one request`);
