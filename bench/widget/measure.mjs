// One cold load of one page in a fresh browser context, every value read
// through raw CDP: Playwright's own evaluate injects script that would count
// in the very figures measured.
import { PAGES } from "./pages.mjs";

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

function once(cdp, event) {
  return new Promise((ok) => cdp.once(event, ok));
}

async function scriptSeconds(cdp) {
  const { metrics } = await cdp.send("Performance.getMetrics");
  return metrics.find((m) => m.name === "ScriptDuration").value;
}

// Read in the page after the load: no polling while it loads.
const READ = `JSON.stringify({
  rootAt: window.__bench.rootAt,
  longTasks: window.__bench.longTasks,
  domContentLoaded: performance.getEntriesByType("navigation")[0].domContentLoadedEventStart,
})`;

/**
 * Loads `name` at CPU throttle `rate`: a fresh context, a blank same-origin
 * page to set the throttle on (a throttle set after navigation starts misses
 * the start), then the page itself. Returns the raw figures for the run.
 */
export async function measure(browser, server, name, rate, { settleMs = 1000, rootWaitMs = 10000 } = {}) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("Page.enable");
    const blank = once(cdp, "Page.loadEventFired");
    await cdp.send("Page.navigate", { url: `${server.origin}/blank.html` });
    await blank;
    await cdp.send("Emulation.setCPUThrottlingRate", { rate });
    await cdp.send("Performance.enable");
    const scriptBefore = await scriptSeconds(cdp);
    server.take();

    const loaded = once(cdp, "Page.loadEventFired");
    await cdp.send("Page.navigate", { url: `${server.origin}/${name}.html` });
    await loaded;
    // Let deferred work (wasm compile, timers) finish; scaled with the throttle.
    await sleep(settleMs * rate);
    let seen;
    for (let waited = 0; ; waited += 100) {
      const { result } = await cdp.send("Runtime.evaluate", { expression: READ, returnByValue: true });
      seen = JSON.parse(result.value);
      if (seen.rootAt !== null || name === "baseline" || waited >= rootWaitMs) break;
      await sleep(100);
    }
    if (seen.rootAt === null && name !== "baseline") throw new Error(`${name}: the widget's root never appeared`);
    const scriptMs = (await scriptSeconds(cdp) - scriptBefore) * 1000;
    const bytes = server.take();

    // Two collections: the first can leave objects that only the second frees.
    await cdp.send("HeapProfiler.collectGarbage");
    await cdp.send("HeapProfiler.collectGarbage");
    const { usedSize } = await cdp.send("Runtime.getHeapUsage");
    // Our pages must have measured the form itself, not a list of configuration
    // problems. Checked after the heap is read: the check makes element wrappers.
    if (PAGES[name]?.root === "shadow") {
      const { result } = await cdp.send("Runtime.evaluate", { expression: `!!document.querySelector("[data-consent-widget]")?.shadowRoot?.querySelector("#cw-form")`, returnByValue: true });
      if (!result.value) throw new Error(`${name}: our form did not render (see the page's console)`);
    }

    return {
      // The baseline has no widget: its reference point is when deferred
      // scripts would run, the start of DOMContentLoaded.
      rootMs: name === "baseline" ? seen.domContentLoaded : seen.rootAt,
      scriptMs,
      longTasks: seen.longTasks.length,
      longTaskMs: seen.longTasks.reduce((a, b) => a + b, 0),
      heapBytes: usedSize,
      bytes,
    };
  } finally {
    await context.close();
  }
}
