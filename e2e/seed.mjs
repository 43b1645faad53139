// A collector with a small real history, seeded over HTTP as widgets would:
// sign-ups on two forms (each approved in the forms registry from its first
// held proof), a confirmation by the mailed link, a refusal, a widget
// withdrawal, and an erasure on request by the command line; with `held`, a
// last proof of a form version nobody approved stays held.
import { startCollector as start, BIN } from "./collector.mjs";
import { browserKey, record, sign, submit, withdrawal, ORIGIN } from "./proofs.mjs";

export { BIN };
export const CREDENTIAL = "dashboard-test-credential-0123456789";

/** Starts `serve --demo` with the dashboard on (and `extra` flags); `admin(...args)` runs a command on its folder. */
export function startCollector(extra = []) {
  const flags = ["--allowed-origins", ORIGIN, "--dashboard", "true", "--outbox", "true", ...extra];
  return start(flags, { CONSENT_ADMIN_CREDENTIAL: CREDENTIAL });
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
export async function seed(collector, { held = false } = {}) {
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
  if (held) {
    const banner = { form: { id: "banner", version: "2", widget: "consent-widget 0.1.0+test" } };
    ok(await submit(collector.url, await sign(await browserKey(), record("zoe@example.org", banner))));
  }
  return { subject: "marie@example.org", consent, withdrawn };
}
