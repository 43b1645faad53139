// A collector with a small real history, seeded over HTTP as widgets would:
// sign-ups on two forms (each approved in the forms registry from its first
// held proof), a confirmation by the mailed link, a refusal, a widget
// withdrawal, and an erasure on request by the command line.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { browserKey, record, sign, submit, withdrawal, ORIGIN } from "./proofs.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const BIN = join(ROOT, "target", "debug", "consent-collector");
export const CREDENTIAL = "dashboard-test-credential-0123456789";

/** Starts `serve --demo` with the dashboard on; `admin(...args)` runs a command on its folder. */
export async function startCollector() {
  const dataDir = mkdtempSync(join(tmpdir(), "consent-dpo-"));
  const child = spawn(BIN, ["serve", "--demo", "--listen", "127.0.0.1:0", "--data-dir", dataDir, "--allowed-origins", ORIGIN, "--rate-ip", "0", "--rate-email", "0", "--dashboard", "true", "--outbox", "true"], {
    cwd: ROOT,
    env: { ...process.env, CONSENT_ADMIN_CREDENTIAL: CREDENTIAL },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) resolve(m[1]);
    });
    child.on("exit", (code) => reject(new Error(`collector exited with ${code}`)));
  });
  const admin = (...args) => execFileSync(BIN, [...args, "--data-dir", dataDir], { cwd: ROOT, encoding: "utf8" });
  return { url, dataDir, admin, stop: () => child.kill("SIGTERM") };
}

/** The confirm link mailed to `to`, from the demo's /outbox page. */
async function confirmUrl(url, to) {
  for (let i = 0; i < 200; i++) {
    const html = await (await fetch(`${url}/outbox`)).text();
    const item = html.split("<li>").find((li) => li.includes(`>to ${to} `));
    const href = item?.match(/href="([^"]*\/v1\/confirm\?token=[^"]+)"/)?.[1];
    if (href) return new URL(href.replaceAll("&amp;", "&"), url).href;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no mail to ${to}`);
}

/** Seeds the history; returns the demo subject's address and her proofs. */
export async function seed(collector) {
  const ok = (r) => { if (r.status !== 201) throw new Error(`proof refused: ${JSON.stringify(r.body)}`); return r; };
  // The fixture's form is not registered: the first proof of it is held
  // until the merchant reads and approves it (a refusal: no mail either way).
  const refusal = record("hugo@example.org");
  refusal.purposes = refusal.purposes.map((p) => ({ ...p, choice: "refused" }));
  refusal.doubleOptIn = "not-requested";
  ok(await submit(collector.url, await sign(await browserKey(), refusal)));
  collector.admin("forms", "approve", "footer-signup", "3");
  const marie = await browserKey();
  const consent = record("marie@example.org");
  const consentJws = await sign(marie, consent);
  ok(await submit(collector.url, consentJws));
  const confirm = await confirmUrl(collector.url, "marie@example.org");
  const res = await fetch(confirm, { method: "POST", redirect: "manual" });
  if (res.status >= 400) throw new Error(`confirm answered ${res.status}`);
  for (const [email, changes] of [
    ["paul@example.org", { locale: "en" }],
    ["nina@example.org", {}],
    ["lea@example.org", { form: { id: "popup", version: "1", widget: "consent-widget 0.1.0+test" } }],
  ]) ok(await submit(collector.url, await sign(await browserKey(), record(email, changes))));
  collector.admin("forms", "approve", "popup", "1");
  const withdrawn = withdrawal(consent, consentJws);
  ok(await submit(collector.url, await sign(marie, withdrawn)));
  collector.admin("erase", "--subject", "nina@example.org", "--reason", "art. 17 request, ticket 114");
  return { subject: "marie@example.org", consent, withdrawn };
}
