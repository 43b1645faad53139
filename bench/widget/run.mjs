#!/usr/bin/env node
// The widget page-cost bench: baseline storefront, ours (script tag, one-file build, ESM), vanilla-cookieconsent
// and klaro, cold loads in headless Chromium at each CPU throttle, interleaved.
// Usage: node bench/widget/run.mjs [--runs 10] [--throttle 1,4] [--out FILE]
import { writeFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { cpus, loadavg } from "node:os";
import { chromium } from "playwright-core";
import { PAGES, startServer } from "./pages.mjs";
import { measure } from "./measure.mjs";
import { summarize, table } from "./report.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    runs: { type: "string", default: "10" },
    throttle: { type: "string", default: "1,4" },
    out: { type: "string", default: join(HERE, "results", "widget.json") },
  },
});
const runs = Number(args.runs);
const rates = args.throttle.split(",").map(Number);
const names = Object.keys(PAGES);
const widgets = names.filter((n) => n !== "baseline");

// The flags every test here uses (TOOLCHAIN.md); a fresh profile per launch.
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
});
const server = await startServer();
const raw = Object.fromEntries(rates.map((r) => [r, Object.fromEntries(names.map((n) => [n, []]))]));
try {
  // One discarded load of each page first: the first loads after launch pay
  // for process start-up and cold OS caches, which no later run does.
  for (const name of names) await measure(browser, server, name, 1);
  for (let i = 0; i < runs; i++) {
    for (const rate of rates) {
      // Interleaved, and the order rotated each round, so no page always
      // follows the same one or always meets the same moment of load.
      const order = names.map((_, k) => names[(k + i) % names.length]);
      for (const name of order) raw[rate][name].push(await measure(browser, server, name, rate));
    }
    process.stderr.write(`round ${i + 1}/${runs} done\n`);
  }
} finally {
  await browser.close();
  server.close();
}

const summary = summarize(raw, widgets);
console.log(table(summary, widgets, runs));
const machine = { cpus: cpus().length, model: cpus()[0]?.model, loadavg: loadavg(), chromium: browser.version() };
mkdirSync(dirname(args.out), { recursive: true });
writeFileSync(args.out, JSON.stringify({ date: new Date().toISOString(), machine, runs, rates, summary, raw }, null, 1));
console.log(`\nmachine: ${machine.cpus} CPUs, ${machine.model}, load ${machine.loadavg.map((l) => l.toFixed(2)).join(" ")}; Chromium ${machine.chromium}`);
console.log(`files fetched per page: ${names.map((n) => `${n}: ${raw[rates[0]][n][0].bytes.files.join(" ")}`).join("; ")}`);
console.log(`JSON: ${args.out}`);
