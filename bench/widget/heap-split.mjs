#!/usr/bin/env node
// Where the widget's heap goes: the storefront page with one step more at a
// time (./steps.mjs), each loaded cold like the bench's pages (same server,
// same reading), JS heap after GC minus the baseline page's. Run after bench/widget/run (or
// scripts/build and scripts/package) so that pkg/ holds the current build.
// Usage: node bench/widget/heap-split.mjs [--runs 3] [--only TEXT (the steps whose label holds it)]
import { parseArgs } from "node:util";
import { chromium } from "playwright-core";
import { PAGES, startServer } from "./pages.mjs";
import { measure } from "./measure.mjs";
import { STEPS, useSteps } from "./steps.mjs";

const { values: args } = parseArgs({ options: { runs: { type: "string", default: "3" }, only: { type: "string", default: "" } } });

const names = useSteps(Object.keys(STEPS).filter((label) => label.includes(args.only)));

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
