#!/usr/bin/env node
// Bundles the JS shell (src/web/js/, its bridge to the wasm included), run by
// scripts/build: pkg/consent_widget.js, the ESM entry next to
// pkg/consent_widget_bg.wasm, and the script tag's two shells (IIFE), which
// scripts/package.mjs completes: with the wasm's hash, or with its bytes
// inlined. All minified. The catalogs (form/catalogs/<locale>.json) stay out
// of every one: the ESM entry
// imports pkg/locales/<locale>.js, each by a literal path, which the
// application's bundler splits; scripts/package.mjs writes the script tag's.
// So do the configuration problems' sentences (form/problems.json), as
// pkg/problems.en.js and pkg/consent-widget.problems.en.js.
import { build, transform } from "esbuild";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { catalogs } from "./catalogs.mjs";
import { sentences } from "./problems.mjs";

const glue = process.argv[2];
if (!glue) throw new Error("usage: bundle.mjs <dir for the script tag's bundle>");

/** The stylesheet comes in minified, as text. */
const core = {
  name: "core",
  setup(b) {
    // The locale loader is part of the entry; the texts files it imports
    // stay beside it (written below), each for the application's bundler to
    // make a chunk of its own.
    b.onResolve({ filter: /^\.\/locales\.js$/ }, () => ({ path: "locales", namespace: "locales" }));
    b.onLoad({ filter: /.*/, namespace: "locales" }, () => ({ contents: loader(), loader: "js" }));
    b.onResolve({ filter: /^\.\/(locales\/[a-z-]+|problems\.en)\.js$/ }, (args) => ({ path: args.path, external: true }));
    b.onLoad({ filter: /\.css$/ }, async (args) => {
      const { code } = await transform(readFileSync(args.path, "utf8"), { loader: "css", minify: true });
      return { contents: code.trim(), loader: "text" };
    });
  },
};
/** The ESM entry's `./locales.js` (src/web/js/index.js), bundled into it:
 * how it fetches a texts file, one dynamic import per file by a literal path,
 * in one function (an arrow function per file each stayed on a page's heap,
 * and a module of its own cost a request and 1.7 KiB of heap). */
function loader() {
  return (
    "const load = (tag) => {\n  switch (tag) {\n" +
    catalogs().map(({ tag }) => `    case ${JSON.stringify(tag)}: return import("./locales/${tag}.js");\n`).join("") +
    // The configuration problems' sentences: a texts file too, read only where they are shown.
    '    case "problems.en": return import("./problems.en.js");\n' +
    '  }\n  return Promise.reject(new Error("consent-widget: no texts file for " + tag));\n};\n' +
    "export default (tag) => load(tag).then((m) => m.default);\n"
  );
}
const cargo = readFileSync("Cargo.toml", "utf8").match(/^version = "(.+)"$/m)[1];
const common = {
  bundle: true,
  minify: true,
  target: "es2022",
  define: { VERSION: JSON.stringify(cargo) },
  plugins: [core],
  logLevel: "warning",
  legalComments: "none",
};

await build({ ...common, entryPoints: ["src/web/js/index.js"], format: "esm", outfile: "pkg/consent_widget.js" });
// The script tag's two builds, classic scripts: the one that fetches
// consent-widget.wasm beside itself, and the one-file build with the wasm
// inlined (INLINED; the other branch and ./inlined.js drop out). Both give the
// glue the wasm explicitly: import.meta is unused there.
for (const [inlined, name] of [[false, "script-tag.js"], [true, "script-tag-inlined.js"]]) {
  await build({
    ...common,
    define: { ...common.define, INLINED: String(inlined) },
    entryPoints: ["src/web/js/script-tag.js"],
    format: "iife",
    outfile: resolve(glue, name),
    logOverride: { "empty-import-meta": "silent" },
  });
}
copyFileSync("src/web/js/index.d.ts", "pkg/consent_widget.d.ts");
// One ES module per locale, its default export the catalog's JSON text (the
// core parses it), which the entry imports by a literal path (`loader`):
// every bundler (Vite, webpack, esbuild, Rollup) makes each a chunk of its
// own, fetched only by pages that show it. (A template-literal path would be
// left alone by Vite inside node_modules.)
mkdirSync("pkg/locales", { recursive: true });
for (const { tag, json } of catalogs()) writeFileSync(`pkg/locales/${tag}.js`, `export default ${json.literal};\n`);
// The configuration problems' sentences, imported the same way, only where
// they are read (validateConfig, a merchant's view).
writeFileSync("pkg/problems.en.js", `export default ${sentences().literal};\n`);
