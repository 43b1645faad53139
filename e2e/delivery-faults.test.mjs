// The delivery fault run's smoke (e2e/fault-run.mjs; the full 1,000
// submissions are bench/delivery/run): a few submissions through every fault
// in turn, two tabs, reloads and closed pages. Every proof must be stored
// once; the duplicate POSTs are printed, not asserted (they depend on timing).
import { test } from "node:test";
import assert from "node:assert/strict";
import { faultRun } from "./fault-run.mjs";

test("through every fault, two tabs, reloads and closed pages: every proof stored once", async () => {
  const r = await faultRun({ submissions: 40, stretch: 4, log: console.log });
  console.log(`# ${r.submissions} submissions, ${r.posts} POSTs, ${r.duplicates} duplicates, ${r.overlaps} overlapping (${r.overHung} over a hung one), Web Locks: ${r.locks}`);
  assert.equal(r.distinct, r.submissions, "one record id per submission");
  assert.deepEqual(r.missing, [], "every proof reached the collector");
  assert.equal(r.storedOnce, r.submissions, "each stored exactly once");
  assert.equal(r.outboxLeft, 0, "the outbox is empty");
  assert.deepEqual(r.pageErrors, []);
  assert.match(r.verifyLog, /^ok/);
});
