// Turns the raw runs into figures: each widget page minus the baseline of the
// same run (pairs loaded back to back, so drift on a busy machine cancels),
// then min / median / max, and the ratio ours / vanilla-cookieconsent.
export const FIGURES = [
  // [key, label, unit, minus baseline?]
  ["brotli", "bytes fetched, brotli", "B", true],
  ["gzip", "bytes fetched, gzip", "B", true],
  ["raw", "bytes fetched, raw", "B", true],
  ["rootMs", "root exists", "ms", true],
  ["scriptMs", "main-thread script", "ms", true],
  ["longTasks", "long tasks", "", false],
  ["longTaskMs", "long tasks, total", "ms", false],
  ["heapKiB", "JS heap after GC", "KiB", true],
];
const PEER = "vanilla-cookieconsent";

function stats(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { min: s[0], median, max: s[s.length - 1] };
}

const flat = (run) => ({ ...run, ...run.bytes, heapKiB: run.heapBytes / 1024 });

/** runs[rate][page] = array of raw runs, index i of every page from the same round. */
export function summarize(runs, widgets) {
  const out = {};
  for (const [rate, byPage] of Object.entries(runs)) {
    out[rate] = {};
    const base = byPage.baseline.map(flat);
    for (const name of widgets) {
      const mine = byPage[name].map(flat);
      out[rate][name] = Object.fromEntries(FIGURES.map(([key, , , delta]) =>
        [key, stats(mine.map((r, i) => (delta ? r[key] - base[i][key] : r[key])))]));
    }
    out[rate].baseline = Object.fromEntries(FIGURES.map(([key]) => [key, stats(base.map((r) => r[key]))]));
    out[rate].ratio = Object.fromEntries(FIGURES.map(([key]) => {
      const peer = out[rate][PEER][key].median;
      return [key, peer === 0 ? null : out[rate].ours[key].median / peer];
    }));
  }
  return out;
}

const num = (v) => (Math.abs(v) >= 100 ? Math.round(v).toString() : v.toFixed(1));
const cell = ({ min, median, max }) => `${num(median)} [${num(min)}..${num(max)}]`;

/** A plain-text table per throttle: median [min..max] per page, and the ratio. */
export function table(summary, widgets, runsPerPage) {
  const lines = [];
  for (const [rate, byPage] of Object.entries(summary)) {
    lines.push(`\nCPU throttle ${rate}x, ${runsPerPage} runs per page, median [min..max]; the widget pages minus the baseline page of`);
    lines.push(`the same round, except long tasks (counted as they are: compare with the baseline column)`);
    const head = ["figure", "baseline (itself)", ...widgets, "ours/vcc"];
    const rows = FIGURES.map(([key, label, unit]) => [
      `${label}${unit ? ` (${unit})` : ""}`,
      cell(byPage.baseline[key]),
      ...widgets.map((w) => cell(byPage[w][key])),
      byPage.ratio[key] === null ? "n/a" : byPage.ratio[key].toFixed(2),
    ]);
    const width = head.map((_, c) => Math.max(...[head, ...rows].map((r) => r[c].length)));
    for (const r of [head, ...rows]) lines.push(r.map((v, c) => v.padEnd(width[c])).join("  "));
  }
  return lines.join("\n");
}
