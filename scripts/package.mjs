#!/usr/bin/env node
// Turns scripts/build's output into the three things we ship, run by
// scripts/package after scripts/build. Idempotent: every file is derived from
// the build's output.
//
//  1. pkg/consent_widget.js (the ESM entry) and pkg/consent_widget.d.ts, as
//     scripts/bundle.mjs wrote them.
//  2. The script tag, a classic script (src/web/js/script-tag.js bundled as
//     an IIFE): pkg/consent-widget.js, which fetches pkg/consent-widget.wasm
//     from beside itself (its SHA-384 written into it, for the fetch's
//     integrity check), and pkg/consent-widget-inlined.js, the one-file build
//     for hosts that cannot serve .wasm (the Shopify extension), with the
//     wasm inlined as a byte string (see `byteString`). Beside both,
//     pkg/consent-widget.<locale>.js: each locale's texts, a classic script
//     the script tag adds to the page when a form shows that locale, and the
//     same way pkg/consent-widget.problems.en.js, the configuration problems'
//     sentences.
//  3. pkg/package.json, pkg/consent-widget.d.ts and pkg/README.md: the npm
//     package, its version taken from Cargo.toml.
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { catalogs } from "./catalogs.mjs";
import { sentences } from "./problems.mjs";
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
    throw new Error(`package: expected exactly one ${what} in the script tag's bundle; update scripts/package.mjs`);
  }
  return text.slice(0, at) + to + text.slice(at + from.length);
}

// --- 2. the script tag, its wasm, the one-file build, the texts -------------
const wasm = readFileSync(`${PKG}/consent_widget_bg.wasm`);

/**
 * The wasm as a JS string literal, one char per byte (U+0000–U+00FF), the file
 * being UTF-8 with a BOM so no server or page charset can misread it. Brotli
 * and gzip compress it nearly as well as the binary (base64 costs a third more).
 * Only the quote, the backslash, LF and CR need an escape in a literal, and
 * every escape costs compressed bytes: each of those four values trades
 * places with the rarest printable ASCII byte of this wasm, and the script
 * tag swaps them back (`swaps`). NUL stays raw: a literal may hold it.
 */
const ESCAPED = [0x27, 0x5c, 0x0a, 0x0d];
function swaps(bytes) {
  const count = new Array(256).fill(0);
  for (const b of bytes) count[b]++;
  const rare = [];
  for (let c = 0x20; c < 0x7f; c++) if (!ESCAPED.includes(c)) rare.push(c);
  rare.sort((a, b) => count[a] - count[b] || a - b);
  const table = {};
  ESCAPED.forEach((c, i) => {
    table[c] = rare[i];
    table[rare[i]] = c;
  });
  return table;
}
function byteString(bytes, table) {
  let out = "'";
  for (const b of bytes) {
    const c = table[b] ?? b;
    out += c === 0x27 ? "\\'" : c === 0x5c ? "\\\\" : c === 0x0a ? "\\n" : c === 0x0d ? "\\r" : String.fromCharCode(c);
  }
  return out + "'";
}

const glueDir = `${process.env.CARGO_TARGET_DIR ?? "target"}/glue`;
const banner = (what) => `/*! consent-widget ${cargo.version} | ${what} | MIT OR Apache-2.0 */\n`;
/** Writes a classic script, once it parses as one. */
const writeScript = (name, text) => {
  new Script(text, { filename: name });
  write(name, text);
};

// The script tag and its wasm: the fetch names this build's wasm by its hash.
let script = readFileSync(`${glueDir}/script-tag.js`, "utf8");
if (script.includes("WASM_BYTES")) throw new Error("package: the inlined wasm's code is in the script tag's bundle; check INLINED in scripts/bundle.mjs");
const integrity = "sha384-" + createHash("sha384").update(wasm).digest("base64");
script = replaceOnce(script, "WASM_INTEGRITY", JSON.stringify(integrity), "WASM_INTEGRITY");
writeScript("consent-widget.js", banner("script tag, with consent-widget.wasm beside it") + script);
copyFileSync(`${PKG}/consent_widget_bg.wasm`, `${PKG}/consent-widget.wasm`);

// The one-file build.
let shell = readFileSync(`${glueDir}/script-tag-inlined.js`, "utf8");
if (shell.includes("WASM_INTEGRITY")) throw new Error("package: the wasm fetch is in the one-file bundle; check INLINED in scripts/bundle.mjs");
const table = swaps(wasm);
shell = replaceOnce(shell, "WASM_BYTES", byteString(wasm, table), "WASM_BYTES");
shell = replaceOnce(shell, "WASM_SWAPS", JSON.stringify(table).replace(/"/g, ""), "WASM_SWAPS");
shell = replaceOnce(shell, "WASM_LENGTH", String(wasm.length), "WASM_LENGTH");
writeScript("consent-widget-inlined.js", `\uFEFF${banner("one-file script tag, wasm inlined")}${shell}`);
// The configuration problems' sentences ride the same way, as the texts "problems.en".
for (const { tag, json } of [...catalogs(), { tag: "problems.en", json: sentences() }]) {
  writeScript(`consent-widget.${tag}.js`, `(self.ConsentWidgetTexts=self.ConsentWidgetTexts||{})[${JSON.stringify(tag)}]=${json.literal};\n`);
}

write("consent-widget.d.ts", `// Types for the script tag (consent-widget/script, and its one-file build): window.ConsentWidget.
import type { mount, validateConfig, version, Widget } from "./consent_widget.js";

/** What the script tag puts on \`window.ConsentWidget\`. */
export interface ConsentWidgetGlobal {
  mount: typeof mount;
  validateConfig: typeof validateConfig;
  version: typeof version;
  /** Resolves once the WebAssembly is fetched and compiled; mount and validateConfig throw before. (The one-file build compiles at once in current browsers.) */
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
    "./consent-widget.wasm": "./consent-widget.wasm",
    "./script-inlined": { types: "./consent-widget.d.ts", default: "./consent-widget-inlined.js" },
    "./consent-widget-inlined.js": { types: "./consent-widget.d.ts", default: "./consent-widget-inlined.js" },
    "./consent_widget_bg.wasm": "./consent_widget_bg.wasm",
    "./locales/*": "./locales/*",
    "./consent-widget.*.js": "./consent-widget.*.js",
    "./package.json": "./package.json",
  },
  files: [
    "consent_widget.js",
    "consent_widget.d.ts",
    "consent_widget_bg.wasm",
    "locales/",
    "problems.en.js",
    "consent-widget.js",
    "consent-widget.wasm",
    "consent-widget-inlined.js",
    "consent-widget.*.js",
    "consent-widget.d.ts",
    "README.md",
  ],
  sideEffects: ["./consent-widget.js", "./consent-widget-inlined.js", "./consent-widget.*.js"],
  keywords: ["gdpr", "consent", "newsletter", "sms", "opt-in", "signup", "webassembly", "cnil"],
};
write("package.json", JSON.stringify(manifest, null, 2) + "\n");
// The package README: the npm and script-tag quick starts from docs/, then
// the configuration, theme and events reference from the project README.
const readme = readFileSync("README.md", "utf8");
const reference = readme.slice(readme.indexOf("### Configuration"), readme.indexOf("## Layout")).trim()
  .replace("[`src/web/js/index.d.ts`](src/web/js/index.d.ts), which the build copies into\n`pkg/consent_widget.d.ts`", "`consent_widget.d.ts` in this package");
if (reference.includes("src/web/js/index.d.ts")) throw new Error("package: README.md's types sentence changed; update scripts/package.mjs");
if (!reference.startsWith("### Configuration") || !reference.includes("### Events")) throw new Error("package: README.md lost its Configuration or Events section");
const quickStarts = ["npm.md", "script-tag.md"].map((f) => readFileSync(`docs/${f}`, "utf8").trim().replace(/^(#+) /gm, "#$1 ").replace(/^## consent-widget: /m, "## "));
write("README.md", `# consent-widget\n\n${quickStarts.join("\n\n")}\n\n## Reference\n\n${reference}\n`
  .replaceAll("(../README.md#configuration)", "(#configuration)").replaceAll("(../README.md#events)", "(#events)")
  // Links into the repository mean nothing on npm: their text stays.
  .replace(/\[([^\]]+)\]\((?!https?:|#)[^)]*\)/g, "$1"));

// --- figures: each script tag against the two-file ESM build ---------------
const sizes = (paths) => {
  const each = paths.map((p) => readFileSync(`${PKG}/${p}`));
  const brotli = (b) => brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: b.length } }).length;
  const sum = (f) => each.reduce((t, b) => t + f(b), 0);
  return { raw: sum((b) => b.length), gzip: sum((b) => gzipSync(b, { level: 9 }).length), brotli: sum(brotli) };
};
const one = sizes(["consent-widget-inlined.js"]);
const beside = sizes(["consent-widget.js", "consent-widget.wasm"]);
const two = sizes(["consent_widget.js", "consent_widget_bg.wasm"]);
const row = (name, r) => `${name.padEnd(50)} ${String(r.raw).padStart(8)} ${String(r.gzip).padStart(8)} ${String(r.brotli).padStart(8)}`;
console.log(`${"".padEnd(50)} ${"raw".padStart(8)} ${"gzip -9".padStart(8)} ${"br -q11".padStart(8)}`);
console.log(row("consent-widget.js + .wasm (script tag, two requests)", beside));
console.log(row("consent-widget-inlined.js (one-file, one request)", one));
console.log(row("consent_widget.js + _bg.wasm (ESM, two requests)", two));
console.log(`inlining costs ${one.brotli - beside.brotli} B brotli (${(((one.brotli - beside.brotli) / beside.brotli) * 100).toFixed(1)}%) and saves one request`);
