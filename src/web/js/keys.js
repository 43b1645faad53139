// The browser's signing key: generated non-extractable by WebCrypto and kept
// in IndexedDB (a CryptoKey survives there as an opaque object); the private
// half never leaves WebCrypto. Ed25519, else ECDSA P-256.
import { b64u, thumbprint } from "./core.js";

const subtle = () => crypto.subtle;
const USAGES = ["sign", "verify"];
let request = null;

/** Runs `op` on the key store; resolves with the request's result. */
function store(mode, op) {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open("consent-widget", 1);
    open.onupgradeneeded = () => open.result.createObjectStore("keys");
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      try {
        const req = op(db.transaction("keys", mode).objectStore("keys"));
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      } catch (e) {
        reject(e); // e.g. a store deleted by hand: make a key anyway
      } finally {
        db.close(); // closes once the transaction is done
      }
    };
  });
}

/** What signing needs from a key pair: the private key, its algorithm, the public JWK and its RFC 7638 thumbprint. */
async function describe(pair) {
  const ed = pair.privateKey.algorithm.name === "Ed25519";
  const jwk = await subtle().exportKey("jwk", pair.publicKey);
  const y = ed ? "" : jwk.y;
  const digest = await subtle().digest("SHA-256", new TextEncoder().encode(thumbprint(jwk.x, y)));
  return { key: pair.privateKey, algo: ed ? { name: "Ed25519" } : { name: "ECDSA", hash: "SHA-256" }, x: jwk.x, y, kid: b64u(new Uint8Array(digest)) };
}

async function load() {
  try {
    return await describe(await store("readonly", (s) => s.get("signing-key")));
  } catch {
    // none stored yet, or unreadable: make one
  }
  const pair = await subtle()
    .generateKey({ name: "Ed25519" }, false, USAGES)
    .catch(() => subtle().generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, USAGES));
  // Where IndexedDB cannot keep it (some private modes) the key still signs:
  // the proof is as valid, only not linkable to this browser's later ones.
  await store("readwrite", (s) => s.put(pair, "signing-key")).catch(() => {});
  return describe(pair);
}

/** This browser's key; one request per page, so two first submissions share one key. */
export function browserKey() {
  return (request ??= load().catch((e) => {
    request = null; // a later submission may try again
    throw e;
  }));
}

/** The raw signature of `input` (ECDSA: r||s, as JWS wants). */
export async function sign(k, input) {
  return new Uint8Array(await subtle().sign(k.algo, k.key, new TextEncoder().encode(input)));
}
