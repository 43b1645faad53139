// The delivery fault run: N submissions from two tabs of one origin in real
// Chromium, through reloads, closed pages, offline periods, refused
// connections, 503s, resets and hangs, to the real collector behind
// ./fault-proxy.mjs. Then the network recovers and one more page drains the
// outbox. It returns what reached the backend: every proof must be stored
// once; `duplicates` (POSTs of a proof the collector had answered 2xx already)
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

/** Submissions per batch (a stretch is a whole number of batches). */
const BATCH = 5;
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

export async function faultRun({ submissions = 1000, stretch = 25, seed = 17, churn = 0.2, drainMs = 600000, log = () => {} } = {}) {
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
  const collector = await startCollector(["--allowed-origins", origin]); // CONSENT_COLLECTOR_BIN: e.g. a release build
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
    // Submissions go in small batches from one tab, typed in the page (one
    // round trip per batch: the faults are the point here, not the form's UI).
    for (let n = 0; n < submissions; ) {
      if (n % stretch === 0) await setMode(MODES[(n / stretch) % MODES.length]);
      const t = (n / BATCH) % 2;
      // Offline, a page cannot load: reloads and new pages wait for the network.
      const roll = mode === "offline" ? 1 : rand();
      if (roll < churn / 2) {
        await tabs[t].reload(); // a page load with proofs still out
        await tabs[t].locator("#signup #cw-form").waitFor();
      } else if (roll < churn) {
        await tabs[t].close({ runBeforeUnload: true }); // a page closed: pagehide
        tabs[t] = await open();
      }
      const batch = Array.from({ length: Math.min(BATCH, submissions - n) }, (_, i) => `fault${n + i}@example.org`);
      ids.push(...(await submitAll(tabs[t], batch)));
      n += batch.length;
      if (n % 100 === 0) log(`# ${n} submitted, ${proxy.created.size} stored, mode ${mode}`);
    }
    await setMode("ok");
    // Recovery: a fresh page sends what is pending at once; the tabs go on with their retries.
    const drain = await open();
    const start = Date.now();
    let reloaded = start;
    const pending = () => drain.evaluate(() => Object.entries(localStorage).filter(([k, v]) => k.includes("/outbox/") && !v.includes('"rejected"')).length);
    // Until every proof is stored and no page holds one to send any more
    // (a proof stored by a request whose page died is sent again, after its lease).
    while ((ids.some((id) => !proxy.accepted.has(id)) || (await pending()) > 0) && Date.now() - start < drainMs) {
      await drain.waitForTimeout(1000);
      if (Date.now() - reloaded > 20000) {
        reloaded = Date.now();
        await drain.reload(); // a page load sends every pending proof at once
      }
    }
    await drain.waitForTimeout(2000); // late repeats still count
    const left = await drain.evaluate(() => Object.keys(localStorage).filter((k) => k.includes("/outbox/")).length);
    const rejected = await drain.evaluate(() =>
      Object.entries(localStorage).filter(([k, v]) => k.includes("/outbox/") && v.includes('"rejected"')).length,
    );
    const unique = new Set(ids);
    // Stored once: answered 2xx (a 201, or a 200 replay when an earlier
    // answer was lost), never stored twice, and one log entry per proof.
    const stored = [...unique].filter((id) => proxy.accepted.has(id) && (proxy.created.get(id) ?? 0) <= 1).length;
    const verifyLog = collector.admin("verify-log").trim();
    const logEntries = Number(verifyLog.match(/^ok: (\d+) entries/)?.[1] ?? -1);
    return {
      submissions: ids.length,
      distinct: unique.size,
      storedOnce: stored,
      storedTwice: [...proxy.created.values()].filter((n) => n > 1).length,
      missing: [...unique].filter((id) => !proxy.accepted.has(id)),
      logEntries,
      posts: proxy.posts,
      forwarded: [...proxy.forwarded.values()].reduce((a, n) => a + n, 0),
      duplicates: proxy.duplicates,
      overlaps: proxy.overlaps,
      overHung: proxy.overHung,
      outboxLeft: left,
      rejected,
      pageErrors,
      locks: await drain.evaluate(() => typeof navigator.locks?.request === "function"),
      verifyLog,
    };
  } finally {
    await browser.close();
    await proxy.close().catch(() => {});
    collector.stop();
    site.close();
  }
}

/** Signs up each address in turn in the page's widget; the record ids. */
function submitAll(page, emails) {
  return page.evaluate(async (emails) => {
    const root = document.querySelector("#signup").shadowRoot;
    const ids = [];
    for (const email of emails) {
      const signed = new Promise((resolve) =>
        document.addEventListener("consent:submit", (e) => resolve(e.detail.id), { once: true }),
      );
      const input = root.querySelector("#cw-email");
      input.value = email;
      input.dispatchEvent(new Event("input", { bubbles: true }));
      const box = root.querySelector("#cw-p-newsletter");
      if (!box.checked) box.click();
      root.querySelector("#cw-submit").click();
      ids.push(await signed);
    }
    return ids;
  }, emails);
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
  process.exit(r.storedOnce === r.distinct && r.distinct === r.submissions && r.logEntries === r.distinct ? 0 : 1);
}
