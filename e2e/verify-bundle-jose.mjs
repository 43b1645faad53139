// Verifies a consent audit bundle with libraries the collector does not use:
// `jose` (JWS, JWK thumbprints) and `canonicalize` (RFC 8785), following the
// steps of the bundle's README and nothing else. Throws an Error that names
// the entry at fault. Also a command: node e2e/verify-bundle-jose.mjs DIR
import { compactVerify, importJWK, EmbeddedJWK, calculateJwkThumbprint, decodeProtectedHeader } from "jose";
import canonicalize from "canonicalize";
import { createHash, createPublicKey, verify as verifySignature } from "node:crypto";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");
const text = (bytes) => new TextDecoder("utf-8", { fatal: true }).decode(bytes);

function files(dir, root = dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path, root) : [relative(root, path)];
  });
}

/** SHA-256(prevChain bytes || proof bytes || seq as u64 BE || receivedAt UTF-8), hex. */
function link(r) {
  const seq = Buffer.alloc(8);
  seq.writeBigUInt64BE(BigInt(r.seq));
  return sha256(Buffer.concat([Buffer.from(r.prevChain, "hex"), Buffer.from(r.proof, "hex"), seq, Buffer.from(r.receivedAt, "utf8")]));
}

export async function verifyBundle(dir) {
  const read = (name) => readFileSync(join(dir, name));
  const jwks = JSON.parse(text(read("jwks.json")));
  for (const k of jwks.keys) if ((await calculateJwkThumbprint(k)) !== k.kid) throw new Error(`jwks: kid ${k.kid} is not its key's thumbprint`);
  const collectorKey = async (h) => {
    const jwk = jwks.keys.find((k) => k.kid === h.kid);
    if (!jwk || h.alg !== "EdDSA") throw new Error(`no collector key ${h.kid}`);
    return importJWK(jwk, "EdDSA");
  };
  const verifyCollector = async (jws) => JSON.parse(text((await compactVerify(jws, collectorKey)).payload));

  const manifest = await verifyCollector(text(read("manifest.jws")).trim()).catch((e) => { throw new Error(`manifest.jws: ${e.message}`); });
  for (const name of files(dir)) {
    if (name.startsWith("manifest.")) continue;
    const want = manifest.files[name];
    if (!want) throw new Error(`${name} is not listed in the manifest`);
    if (sha256(read(name)) !== want) {
      const entry = manifest.entries.find((e) => name.startsWith(`${e.dir}/`));
      throw new Error(entry ? `seq ${entry.seq} (record ${entry.recordId}): ${name} changed` : `${name} changed`);
    }
  }
  for (const name of Object.keys(manifest.files)) read(name); // every listed file is there

  const receipts = new Map();
  let proofs = 0;
  for (const e of manifest.entries) {
    const fail = (why) => new Error(`seq ${e.seq}${e.recordId ? ` (record ${e.recordId})` : ""}: ${why}`);
    const r = await verifyCollector(text(read(`${e.dir}/receipt.jws`))).catch((err) => { throw fail(`receipt: ${err.message}`); });
    if (r.schema !== "consent-receipt/1" || r.seq !== e.seq || r.entry !== e.kind) throw fail("receipt is for another entry");
    if (link(r) !== r.chain) throw fail("receipt chain value is not sha-256(prevChain || proof || seq || receivedAt)");
    receipts.set(e.seq, r);
    if (e.erased) continue;
    if (e.kind === "proof") {
      const jws = text(read(`${e.dir}/proof.jws`));
      if (sha256(jws) !== r.proof) throw fail("proof.jws is not the proof the receipt was signed for");
      const header = decodeProtectedHeader(jws);
      if ((await calculateJwkThumbprint(header.jwk)) !== header.kid) throw fail("proof kid is not its key's thumbprint");
      const { payload } = await compactVerify(jws, EmbeddedJWK).catch((err) => { throw fail(`proof signature: ${err.message}`); });
      const json = text(payload);
      if (canonicalize(JSON.parse(json)) !== json) throw fail("proof payload is not RFC 8785 canonical JSON");
      const record = JSON.parse(json);
      if (record.id !== e.recordId) throw fail("manifest record id is not the proof's");
      const shown = canonicalize(record.texts.shown);
      if (text(read(`texts/${sha256(shown)}.json`)) !== shown) throw fail("texts file differs from the signed texts");
      proofs += 1;
    } else {
      const event = read(`${e.dir}/event.json`);
      if (sha256(event) !== r.proof) throw fail("event.json is not the entry the receipt was signed for");
      if (canonicalize(JSON.parse(text(event))) !== text(event)) throw fail("event.json is not canonical");
    }
  }

  const lines = text(read("chain/receipts.jsonl")).split("\n").filter(Boolean);
  let prev = null;
  for (const line of lines) {
    const r = await verifyCollector(line);
    const expected = prev ? prev.seq + 1 : manifest.entries[0]?.seq;
    if (r.seq !== expected) throw new Error(`seq ${expected}: chain has seq ${r.seq} instead`);
    if (prev && r.prevChain !== prev.chain) throw new Error(`seq ${r.seq}: prevChain does not link`);
    if (link(r) !== r.chain) throw new Error(`seq ${r.seq}: chain value does not match`);
    const own = receipts.get(r.seq);
    if (own && JSON.stringify(own) !== JSON.stringify(r)) throw new Error(`seq ${r.seq}: entry receipt differs from the chain's`);
    prev = r;
  }
  if (prev && (prev.seq !== manifest.headSeq || prev.chain !== manifest.headChain)) throw new Error("chain does not end at the signed head");
  // The checkpoint, when there is one: a C2SP signed note (Ed25519 over its
  // text, a 4-byte key id before the signature), checked with Node's own
  // Ed25519 and the bundle's keys; its chain value at its size is the
  // receipt's of that seq.
  let checkpoint = null;
  if (manifest.files["checkpoint.txt"]) {
    const note = text(read("checkpoint.txt"));
    const cut = note.indexOf("\n\n");
    const body = note.slice(0, cut + 1);
    const [origin, size, , chainLine] = body.split("\n");
    const signed = note.slice(cut + 2).split("\n").filter(Boolean).some((line) => {
      const [dash, name, b64] = line.split(" ");
      if (dash !== "\u2014" || name !== origin) return false;
      const sig = Buffer.from(b64, "base64").subarray(4);
      return jwks.keys.filter((k) => k.crv === "Ed25519").some((k) => verifySignature(null, Buffer.from(body), createPublicKey({ key: k, format: "jwk" }), sig));
    });
    if (!signed) throw new Error("checkpoint.txt is not signed by the bundle's keys");
    const at = lines.map((l) => JSON.parse(text(Buffer.from(l.split(".")[1], "base64url")))).find((r) => r.seq === Number(size));
    if (at && `chain ${at.chain}` !== chainLine) throw new Error(`checkpoint.txt: its chain at size ${size} differs from the receipt's (a fork)`);
    checkpoint = { size: Number(size), compared: Boolean(at) };
  }
  return { entries: manifest.entries.length, proofs, chain: lines.length, headSeq: manifest.headSeq, checkpoint };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  verifyBundle(process.argv[2]).then(
    (r) => console.log(`ok (jose + canonicalize): ${r.entries} entries, ${r.proofs} proof signatures, ${r.chain} receipts to head seq ${r.headSeq}${r.checkpoint ? `; checkpoint of size ${r.checkpoint.size} ${r.checkpoint.compared ? "agrees with the chain" : "signed"}` : ""}`),
    (e) => { console.error(`bundle broken: ${e.message}`); process.exit(1); },
  );
}
