// An audit bundle of the demo subject, written by the command line, checked by
// `verify-bundle` and by jose + canonicalize (libraries the collector does not
// use); one changed byte fails both, naming the record.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startCollector, seed, BIN } from "./seed.mjs";
import { verifyBundle } from "./verify-bundle-jose.mjs";

let collector, seeded, dir;

before(async () => {
  collector = await startCollector(["--checkpoint-interval", "100ms"]);
  seeded = await seed(collector);
  // The bundle carries the latest checkpoint: wait for the one of the whole log.
  const checkpoints = join(collector.dataDir, "checkpoints.jsonl");
  for (let i = 0; i < 200; i++) {
    const last = existsSync(checkpoints) ? readFileSync(checkpoints, "utf8").trim().split("\n").pop() : "";
    if (last && JSON.parse(last).checkpoint.split("\n")[1] === "10") break;
    await new Promise((r) => setTimeout(r, 100));
  }
  dir = join(collector.dataDir, "bundle-marie");
  collector.admin("audit-bundle", "--subject", seeded.subject, "--output", dir);
});
after(() => collector?.stop());

const rustVerify = () => {
  try {
    return { ok: true, out: execFileSync(BIN, ["verify-bundle", dir], { encoding: "utf8", stdio: "pipe" }) };
  } catch (e) {
    return { ok: false, out: e.stderr.toString() };
  }
};

test("the bundle verifies with verify-bundle and with jose", async () => {
  const rust = rustVerify();
  assert.ok(rust.ok, rust.out);
  assert.match(rust.out, /^ok: 3 entries, 2 proof signatures re-verified, 8 receipts chained to head seq 10; the checkpoint of size 10 agrees with the chain\n$/);
  const jose = await verifyBundle(dir);
  assert.deepEqual(jose, { entries: 3, proofs: 2, chain: 8, headSeq: 10, checkpoint: { size: 10, compared: true } });
  const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
  assert.deepEqual(manifest.entries.map((e) => [e.seq, e.kind, e.recordId]), [[3, "proof", seeded.consent.id], [4, "confirmation", null], [9, "proof", seeded.withdrawn.id]]);
});

test("one changed byte fails both checks, naming the record", async () => {
  const file = join(dir, "entries/000003/proof.jws");
  const original = readFileSync(file);
  const changed = Buffer.from(original);
  changed[200] ^= 0x01;
  writeFileSync(file, changed);
  try {
    const rust = rustVerify();
    assert.equal(rust.ok, false);
    assert.match(rust.out, new RegExp(`^error: bundle broken: seq 3 \\(record ${seeded.consent.id}\\): `));
    await assert.rejects(verifyBundle(dir), new RegExp(`^Error: seq 3 \\(record ${seeded.consent.id}\\): `));
  } finally {
    writeFileSync(file, original);
  }
  assert.ok(rustVerify().ok);
});
