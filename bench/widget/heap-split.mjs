#!/usr/bin/env node
// Where the widget's heap goes: the storefront page with one step more at a
// time, each loaded cold like the bench's pages (same server, same reading),
// JS heap after GC minus the baseline page's. Run after bench/widget/run (or
// scripts/build and scripts/package) so that pkg/ holds the current build.
// Usage: node bench/widget/heap-split.mjs [--runs 3]
import { parseArgs } from "node:util";
import { chromium } from "playwright-core";
import { PAGES, startServer } from "./pages.mjs";
import { measure } from "./measure.mjs";

const { values: args } = parseArgs({ options: { runs: { type: "string", default: "3" } } });

// Each step's script marks the end of its work as the "root", so measure()
// reads the page once that work is done.
const done = "__bench.rootAt = performance.now();";
const config = `document.getElementById("signup-config").textContent`;
const wrapperAnd = (code) => `<script>addEventListener("DOMContentLoaded", () => { window.__e = document.getElementById("signup"); ${code} ${done} });</script>`;
const esm = (code) => `<script type="module">import init, * as cw from "/pkg/consent_widget.js";\n${code}\n${done}</script>`;
const STEPS = {
  "one element wrapper, no widget": { form: true, head: wrapperAnd("") },
  // The form's e-mail field alone: Chromium 156 spends most of its heap on
  // the first <input type=email> parsed; the same field as text does not.
  "  + an <input type=email> parsed": { form: true, head: wrapperAnd(`document.createElement("div").innerHTML = '<input type="email">';`) },
  "  + an <input type=text inputmode=email> parsed": { form: true, head: wrapperAnd(`document.createElement("div").innerHTML = '<input type="text" inputmode="email">';`) },
  "npm ESM: module evaluated": { form: true, head: esm("window.__cw = cw;") },
  "npm ESM: wasm instantiated (init)": { form: true, head: esm("await init();") },
  "npm ESM: init + one element wrapper": { form: true, head: esm(`await init(); window.__e = document.getElementById("signup");`) },
  "npm ESM: init + validateConfig": { form: true, head: esm(`await init(); cw.validateConfig(${config});`) },
  "npm ESM: mounted": { form: true, head: esm(`await init(); cw.mount("#signup", ${config});`) },
  "script tag: wasm fetched and compiled, no form": { head: `${PAGES.ours.head}\n<script type="module">await ConsentWidget.ready;\n${done}</script>` },
  "script tag: mounted (the bench's ours)": { ...PAGES.ours, root: "shadow" },
  "one-file build: wasm inlined, no form": { head: `${PAGES["ours-inlined"].head}\n<script type="module">await ConsentWidget.ready;\n${done}</script>` },
  "one-file build: mounted (the bench's ours-inlined)": { ...PAGES["ours-inlined"], root: "shadow" },
};
const baseline = PAGES.baseline;
for (const name of Object.keys(PAGES)) delete PAGES[name];
PAGES.baseline = baseline;
const names = Object.keys(STEPS).map((label, i) => {
  PAGES[`step${i}`] = { root: "#never-present", ...STEPS[label] };
  return [`step${i}`, label];
});

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
});
const server = await startServer();
const heap = {};
try {
  for (const name of Object.keys(PAGES)) await measure(browser, server, name, 1);
  for (let i = 0; i < Number(args.runs); i++) {
    for (const name of Object.keys(PAGES)) (heap[name] ??= []).push((await measure(browser, server, name, 1)).heapBytes);
  }
} finally {
  await browser.close();
  server.close();
}
// Heap repeats to within a few KiB; the minimum is the least disturbed load.
const min = (name) => Math.min(...heap[name]);
console.log(`JS heap after GC, KiB over the baseline page (${(min("baseline") / 1024).toFixed(1)} KiB), min of ${args.runs} cold loads at 1x:`);
for (const [name, label] of names) console.log(`${((min(name) - min("baseline")) / 1024).toFixed(1).padStart(8)}  ${label}`);
