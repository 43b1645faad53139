#!/usr/bin/env node
// Prints the bytes a page fetches for the widget (JS glue and wasm; the CSS
// and both catalogs are inside the wasm), raw, gzip -9 and brotli -q 11, and
// fails if the brotli total is over the budget (bytes, env SIZE_BUDGET).
import { readFileSync } from "node:fs";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";

const budget = Number(process.env.SIZE_BUDGET ?? 40_000);
const files = ["pkg/consent_widget.js", "pkg/consent_widget_bg.wasm"];
const rows = files.map((path) => {
  const raw = readFileSync(path);
  const gzip = gzipSync(raw, { level: 9 }).length;
  const brotli = brotliCompressSync(raw, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length },
  }).length;
  return { path, raw: raw.length, gzip, brotli };
});
const total = rows.reduce((t, r) => ({ raw: t.raw + r.raw, gzip: t.gzip + r.gzip, brotli: t.brotli + r.brotli }), { raw: 0, gzip: 0, brotli: 0 });
const pad = (v, n) => String(v).padStart(n);
console.log(`${"file".padEnd(30)} ${pad("raw", 8)} ${pad("gzip", 8)} ${pad("brotli", 8)}`);
for (const r of [...rows, { path: "total", ...total }]) {
  console.log(`${r.path.padEnd(30)} ${pad(r.raw, 8)} ${pad(r.gzip, 8)} ${pad(r.brotli, 8)}`);
}
const vcc = 13_783; // vanilla-cookieconsent 3.1.0, brotli, shared/brief/ANCHORS.md §8
console.log(`brotli total ${total.brotli} B; budget ${budget} B; ratio to vanilla-cookieconsent 3.1.0 (${vcc} B): ${(total.brotli / vcc).toFixed(2)}`);
if (total.brotli > budget) {
  console.error(`size: over budget by ${total.brotli - budget} B`);
  process.exit(1);
}
