// Proofs signed as the widget signs them (Ed25519 JWS over RFC 8785 JSON),
// built from the shared fixture record, for tests that seed a collector
// over HTTP without a browser.
import { generateKeyPair, exportJWK, calculateJwkThumbprint, CompactSign } from "jose";
import canonicalize from "canonicalize";
import { createHash, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const FIXTURE = JSON.parse(readFileSync(join(ROOT, "proof/fixtures/proof.canonical.json"), "utf8"));
export const ORIGIN = FIXTURE.site.origin;
export const sha256 = (text) => createHash("sha256").update(text).digest("hex");

/** A browser key, as the widget keeps in IndexedDB. */
export async function browserKey() {
  const { privateKey, publicKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  const { kty, crv, x } = await exportJWK(publicKey);
  const jwk = { crv, kty, x };
  return { privateKey, jwk, kid: await calculateJwkThumbprint(jwk) };
}

/** The fixture record for `email`, issued now, with `changes` applied. */
export function record(email, changes = {}) {
  return { ...structuredClone(FIXTURE), id: randomUUID(), issuedAt: new Date().toISOString(), subject: { ...FIXTURE.subject, email }, ...changes };
}

/** A withdrawal of every purpose `consent` granted, from the same browser. */
export function withdrawal(consent, consentJws) {
  const purposes = consent.purposes.filter((p) => p.choice === "granted").map((p) => ({ ...p, choice: "withdrawn" }));
  return { ...structuredClone(consent), id: randomUUID(), kind: "withdrawal", issuedAt: new Date().toISOString(), purposes, mechanism: "withdrawal-form", doubleOptIn: "not-requested", prev: sha256(consentJws) };
}

/** Signs a record: protected header and payload as canonical JSON. */
export async function sign(key, payload) {
  const header = { alg: "EdDSA", jwk: key.jwk, kid: key.kid, typ: "consent-proof+jws" };
  return new CompactSign(new TextEncoder().encode(canonicalize(payload))).setProtectedHeader(header).sign(key.privateKey);
}

/** POSTs a proof to the collector as the widget on ORIGIN would. */
export async function submit(url, jws) {
  const res = await fetch(`${url}/v1/proofs`, { method: "POST", headers: { "content-type": "application/jose", origin: ORIGIN }, body: jws });
  return { status: res.status, body: await res.json() };
}
