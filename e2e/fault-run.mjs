// The delivery fault run: N submissions from two tabs of one origin in real
// Chromium, through reloads, closed pages, offline periods, refused
// connections, 503s, resets and hangs, to the real collector behind
// ./fault-proxy.mjs. Then the network recovers and one more page drains the
// outbox. It returns what reached the backend: every proof must be stored
// once; `duplicates` (POSTs of a proof the collector had processed already)
// and `overlaps` (a POST of a proof while another of it was being answered;
// `overHung`: while one was held by a hang the browser had given up on) are
// reported, not asserted (they depend on timing).
//
// `node e2e/fault-run.mjs [SUBMISSIONS]` runs it and prints the figures
// (bench/delivery/run: 1,000); e2e/delivery-faults.test.mjs is its smoke.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import { serve } from "./serve.mjs";
import { launch } from "./browser.mjs";
import { startCollector } from "./collector.mjs";
import { faultProxy } from "./fault-proxy.mjs";

/** The faults, in turn; each holds for a stretch of submissions. */
const MODES = ["ok", "503", "ok", "refuse", "flaky", "offline", "ok", "hang", "ok", "reset"];

async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

/** A small deterministic generator, so a run can be repeated. */
function random(seed) {
  let x = seed >>> 0 || 1;
  return () => ((x ^= x << 13), (x ^= x >>> 17), (x ^= x << 5), (x >>> 0) / 2 ** 32);
}

export async function faultRun({ submissions = 1000, stretch = 25, seed = 17, drainMs = 180000, log = () => {} } = {}) {
  const rand = random(seed);
  const proxyPort = await freePort();
  const page = readFileSync(new URL("../www/index.html", import.meta.url), "utf8").replace(
    '"endpoint": "/v1/proofs"',
    `"endpoint": "http://127.0.0.1:${proxyPort}/v1/proofs"`,
  );
  const site = await serve({
    onRequest: (req, res) => {
      if (req.url !== "/faults.html") return false;
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(page);
      return true;
    },
  });
  const origin = `http://127.0.0.1:${site.address().port}`;
  const collector = await startCollector(["--allowed-origins", origin]);
  const proxy = faultProxy(collector.url, proxyPort);
  await proxy.listen();
  const browser = await launch();
  const context = await browser.newContext();
  const ids = [];
  const pageErrors = [];
  try {
    const open = async () => {
      const p = await context.newPage();
      p.on("pageerror", (e) => pageErrors.push(String(e)));
      await p.addInitScript(() => {
        window.__ids = [];
        document.addEventListener("consent:submit", (e) => window.__ids.push(e.detail.id));
      });
      await p.goto(origin + "/faults.html");
      await p.locator("#signup #cw-form").waitFor();
      return p;
    };
    const tabs = [await open(), await open()];
    let mode = "ok";
    const setMode = async (next) => {
      if (mode === "refuse") await proxy.listen();
      if (mode === "offline") await context.setOffline(false);
      mode = next;
      proxy.mode = next === "refuse" || next === "offline" ? "ok" : next;
      if (next === "refuse") await proxy.refuse();
      if (next === "offline") await context.setOffline(true);
    };
    for (let n = 0; n < submissions; n++) {
      if (n % stretch === 0) await setMode(MODES[(n / stretch) % MODES.length]);
      const t = n % 2;
      const roll = rand();
      if (roll < 0.03) {
        await tabs[t].reload(); // a page load with proofs still out
        await tabs[t].locator("#signup #cw-form").waitFor();
      } else if (roll < 0.06) {
        await tabs[t].close({ runBeforeUnload: true }); // a page closed: pagehide
        tabs[t] = await open();
      }
      ids.push(await submit(tabs[t], `fault${n}@example.org`));
      if (n % 100 === 99) log(`# ${n + 1} submitted, ${proxy.created.size} stored, mode ${mode}`);
    }
    await setMode("ok");
    // Recovery: a fresh page sends what is pending at once; the tabs go on with their retries.
    const drain = await open();
    const start = Date.now();
    let reloaded = start;
    while (ids.some((id) => !proxy.created.has(id)) && Date.now() - start < drainMs) {
      await drain.waitForTimeout(1000);
      if (Date.now() - reloaded > 20000) {
        reloaded = Date.now();
        await drain.reload(); // a page load sends every pending proof at once
      }
    }
    await drain.waitForTimeout(2000); // late repeats still count
    const left = await drain.evaluate(() => Object.keys(localStorage).filter((k) => k.includes("/outbox/")).length);
    const unique = new Set(ids);
    const stored = [...unique].filter((id) => proxy.created.get(id) === 1).length;
    const duplicates = [...proxy.forwarded.values()].reduce((a, n) => a + n - 1, 0);
    return {
      submissions: ids.length,
      distinct: unique.size,
      storedOnce: stored,
      storedTwice: [...proxy.created.values()].filter((n) => n > 1).length,
      missing: [...unique].filter((id) => !proxy.created.has(id)),
      posts: proxy.posts,
      forwarded: [...proxy.forwarded.values()].reduce((a, n) => a + n, 0),
      duplicates,
      overlaps: proxy.overlaps,
      overHung: proxy.overHung,
      outboxLeft: left,
      pageErrors,
      locks: await drain.evaluate(() => typeof navigator.locks?.request === "function"),
      verifyLog: collector.admin("verify-log").trim(),
    };
  } finally {
    await browser.close();
    await proxy.close().catch(() => {});
    collector.stop();
    site.close();
  }
}

async function submit(page, email) {
  const before = await page.evaluate(() => window.__ids.length);
  const shadow = (sel) => page.locator("#signup").locator(sel);
  await shadow("#cw-email").fill(email);
  await shadow("#cw-p-newsletter").check();
  await shadow("#cw-submit").click();
  await page.waitForFunction((n) => window.__ids.length > n, before, { timeout: 60000 });
  return page.evaluate((n) => window.__ids[n], before);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const n = Number(process.argv[2] ?? 1000);
  const started = Date.now();
  const r = await faultRun({ submissions: n, log: console.log });
  console.log(JSON.stringify({ ...r, missing: r.missing.length, seconds: Math.round((Date.now() - started) / 1000) }, null, 2));
  console.log(
    `${r.submissions} submissions: ${r.storedOnce} stored once, ${r.missing.length} missing; ` +
      `${r.posts} POSTs reached the backend, ${r.forwarded} processed, ${r.duplicates} duplicates, ${r.overlaps} overlapping (${r.overHung} more over a hung one)`,
  );
  process.exit(r.storedOnce === r.distinct && r.distinct === r.submissions ? 0 : 1);
}
