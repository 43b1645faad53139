#!/usr/bin/env node
// Bundles the JS shell (src/web/js/) with wasm-bindgen's glue, run by
// scripts/build: pkg/consent_widget.js, the ESM entry next to
// pkg/consent_widget_bg.wasm, and the script tag's shell (IIFE), which
// scripts/package.mjs completes with the wasm bytes. Both minified.
import { build, transform } from "esbuild";
import { copyFileSync, readFileSync } from "node:fs";
import { resolve } from "node:path";

const glue = process.argv[2];
if (!glue) throw new Error("usage: bundle.mjs <wasm-bindgen output dir>");

/** `./core.js` in the shell is wasm-bindgen's glue; the stylesheet comes in minified, as text. */
const core = {
  name: "core",
  setup(b) {
    b.onResolve({ filter: /^\.\/core\.js$/ }, () => ({ path: resolve(glue, "consent_widget.js") }));
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
