#!/usr/bin/env node
// Bundles the JS shell (src/web/js/) with wasm-bindgen's glue, run by
// scripts/build: pkg/consent_widget.js, the ESM entry next to
// pkg/consent_widget_bg.wasm, and the script tag's shell (IIFE), which
// scripts/package.mjs completes with the wasm bytes. Both minified. The
// catalogs (form/catalogs/<locale>.json) stay out of both: the ESM entry
// imports pkg/locales/<locale>.js through pkg/locales.js, which the
// application's bundler splits; scripts/package.mjs writes the script tag's.
import { build, transform } from "esbuild";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { catalogs } from "./catalogs.mjs";

const glue = process.argv[2];
if (!glue) throw new Error("usage: bundle.mjs <wasm-bindgen output dir>");

/** `./core.js` in the shell is wasm-bindgen's glue; the stylesheet comes in minified, as text. */
const core = {
  name: "core",
  setup(b) {
    b.onResolve({ filter: /^\.\/core\.js$/ }, () => ({ path: resolve(glue, "consent_widget.js") }));
    // The locale loader ships beside the entry, unbundled, for the application's bundler to read.
    b.onResolve({ filter: /^\.\/locales\.js$/ }, () => ({ path: "./locales.js", external: true }));
    b.onLoad({ filter: /\.css$/ }, async (args) => {
      const { code } = await transform(readFileSync(args.path, "utf8"), { loader: "css", minify: true });
      return { contents: code.trim(), loader: "text" };
    });
  },
};
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
// In the script tag the wasm comes as bytes, never by URL: import.meta is unused there.
await build({
  ...common,
  entryPoints: ["src/web/js/script-tag.js"],
  format: "iife",
  outfile: resolve(glue, "script-tag.js"),
  logOverride: { "empty-import-meta": "silent" },
});
copyFileSync("src/web/js/index.d.ts", "pkg/consent_widget.d.ts");
copyFileSync("src/web/js/locales.js", "pkg/locales.js");
// One ES module per locale, its default export the catalog's JSON text (the core parses it).
mkdirSync("pkg/locales", { recursive: true });
for (const { tag, json } of catalogs()) writeFileSync(`pkg/locales/${tag}.js`, `export default ${json.literal};\n`);
