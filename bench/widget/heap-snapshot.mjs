#!/usr/bin/env node
// What a page's JS heap holds that another page's (the baseline by default)
// does not: a heap snapshot of each, loaded cold as the bench loads them (same server, pages
// and settle), self sizes summed by node type and name, the largest
// differences printed, then the largest strings only the page holds. Only
// what the bench's figure counts (Runtime.getHeapUsage's usedSize, the V8
// heap) is summed: Blink's own objects, array buffer contents and external
// string data are left out. A page is a bench page (pages.mjs) or a heap
// split step (steps.mjs, by its label). Run after bench/widget/run (or
// scripts/build and scripts/package).
// Usage: node bench/widget/heap-snapshot.mjs [--page ours] [--against baseline] [--top 25]
import { parseArgs } from "node:util";
import { chromium } from "playwright-core";
import { PAGES, startServer } from "./pages.mjs";
import { useSteps } from "./steps.mjs";

const { values: args } = parseArgs({
  options: { page: { type: "string", default: "ours" }, against: { type: "string", default: "baseline" }, top: { type: "string", default: "25" } },
});
// Split steps given by label are loaded as pages of their own.
const shown = { page: args.page.trim(), against: args.against.trim() };
const steps = [args.page, args.against].filter((name) => !PAGES[name]);
if (steps.length) {
  const kept = Object.fromEntries([args.page, args.against].filter((name) => PAGES[name]).map((name) => [name, PAGES[name]]));
  const made = useSteps(steps);
  Object.assign(PAGES, kept);
  for (const [name, label] of made) for (const k of ["page", "against"]) if (args[k] === label) args[k] = name;
}
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

/** Loads `name` in a fresh context, collects garbage twice, and returns its parsed heap snapshot. */
async function snapshot(browser, server, name) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("Page.enable");
    const loaded = new Promise((ok) => cdp.once("Page.loadEventFired", ok));
    await cdp.send("Page.navigate", { url: `${server.origin}/${name}.html` });
    await loaded;
    await sleep(1500);
    await cdp.send("HeapProfiler.enable");
    await cdp.send("HeapProfiler.collectGarbage");
    await cdp.send("HeapProfiler.collectGarbage");
    const chunks = [];
    cdp.on("HeapProfiler.addHeapSnapshotChunk", ({ chunk }) => chunks.push(chunk));
    await cdp.send("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
    const { usedSize } = await cdp.send("Runtime.getHeapUsage");
    return { usedSize, ...JSON.parse(chunks.join("")) };
  } finally {
    await context.close();
  }
}

/** Snapshot nodes that are not on the V8 heap (Blink's objects, a DOM node as its tag) or only point off it. */
const OFF_HEAP = /^(blink::|<|CppGC|system \/ (JSArrayBufferData|ExternalStringData|CppGCManaged))|^[A-Z]\w*(Element|Document|Text|ShadowRoot|Timing|Listener|Fragment|Observer|Registration|Loader|Modulator|Entry|Script|List|Collection)$|^(V8EventListener|EventListener|HTMLDocument|Document|DOMTokenList)$/;

/** Self sizes by "type name" (strings by type alone, with a count), and the strings themselves. */
function groups({ snapshot: { meta }, nodes, strings }) {
  const fields = meta.node_fields;
  const types = meta.node_types[0];
  const [TYPE, NAME, SIZE] = ["type", "name", "self_size"].map((f) => fields.indexOf(f));
  const by = new Map();
  const texts = new Map();
  for (let i = 0; i < nodes.length; i += fields.length) {
    const type = types[nodes[i + TYPE]];
    const name = strings[nodes[i + NAME]];
    if (type === "synthetic" || (type === "native" && OFF_HEAP.test(name))) continue;
    const size = nodes[i + SIZE];
    const stringy = type === "string" || type === "concatenated string" || type === "sliced string";
    const key = stringy ? type : `${type} ${name.length > 60 ? name.slice(0, 57) + "..." : name}`;
    const g = by.get(key) ?? { size: 0, count: 0 };
    g.size += size;
    g.count++;
    by.set(key, g);
    if (stringy && size >= 512) texts.set(name.slice(0, 80), (texts.get(name.slice(0, 80)) ?? 0) + size);
  }
  return { by, texts };
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
});
const server = await startServer();
let base, page;
try {
  await snapshot(browser, server, args.page); // warm-up: the first load pays for start-up
  base = await snapshot(browser, server, args.against);
  page = await snapshot(browser, server, args.page);
} finally {
  await browser.close();
  server.close();
}
const a = groups(base);
const b = groups(page);
const kib = (n) => (n / 1024).toFixed(1).padStart(7);
console.log(`${shown.page} minus ${shown.against}: used heap ${kib(page.usedSize - base.usedSize)} KiB; by node type and name (KiB, count):`);
const rows = [...new Set([...a.by.keys(), ...b.by.keys()])]
  .map((k) => ({ k, d: (b.by.get(k)?.size ?? 0) - (a.by.get(k)?.size ?? 0), n: (b.by.get(k)?.count ?? 0) - (a.by.get(k)?.count ?? 0) }))
  .sort((x, y) => y.d - x.d);
for (const r of rows.slice(0, Number(args.top))) console.log(`${kib(r.d)}  ${String(r.n).padStart(6)}  ${r.k}`);
console.log(`\nstrings of 512 B or more that only ${shown.page} holds (KiB, first 80 characters):`);
for (const [text, size] of [...b.texts].filter(([t]) => !a.texts.has(t)).sort((x, y) => y[1] - x[1]).slice(0, 15)) {
  console.log(`${kib(size)}  ${JSON.stringify(text)}`);
}
