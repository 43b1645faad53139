// Where the collector's mail is read in page tests: a real SMTP server's
// maildir (aiosmtpd, started by scripts/test-collector, which sets
// CONSENT_TEST_SMTP and CONSENT_TEST_MAILDIR), or else the demo's /outbox page.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const smtp = process.env.CONSENT_TEST_SMTP && process.env.CONSENT_TEST_MAILDIR
  ? { url: process.env.CONSENT_TEST_SMTP, dir: process.env.CONSENT_TEST_MAILDIR }
  : null;

/** The collector flags that send its mail to the real SMTP server, if there is one. */
export const collectorMailFlags = smtp ? ["--smtp-url", smtp.url, "--mail-from", "Boutique Exemple <newsletter@boutique.example>", "--outbox", "false"] : [];

/** Decodes a quoted-printable body (soft breaks, =XX bytes). */
function unquote(text) {
  const bytes = Buffer.from(text.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16))), "latin1");
  return bytes.toString("utf8");
}

async function fromMaildir(to) {
  for (let i = 0; i < 200; i++) {
    for (const sub of ["new", "cur"]) {
      let names = [];
      try {
        names = readdirSync(join(smtp.dir, sub));
      } catch {}
      for (const name of names) {
        const text = readFileSync(join(smtp.dir, sub, name), "utf8");
        if (text.split(/\r?\n/).some((l) => l.toLowerCase() === `to: ${to}`.toLowerCase())) return unquote(text);
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no mail to ${to} arrived at the SMTP server`);
}

/** The confirm and unsubscribe links mailed to `to`; opening them changes nothing (see `followLink`). */
export async function links(page, collectorUrl, to) {
  if (smtp) {
    const mail = await fromMaildir(to);
    const find = (path) => mail.match(new RegExp(`${collectorUrl.replace(/[.]/g, "\\.")}${path}\\?token=[A-Za-z0-9_-]+`))?.[0];
    return { confirm: find("/v1/confirm"), unsubscribe: find("/v1/unsubscribe"), preferences: find("/v1/preferences"), via: "smtp" };
  }
  // The mail is written after the proof's answer: reload until it is listed.
  const item = page.locator("li", { hasText: to }).first();
  for (let i = 0; i < 200; i++) {
    await page.goto(collectorUrl + "/outbox");
    if (await item.count()) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const href = (part) => item.locator(`a[href*='${part}']`).first().getAttribute("href").then((h) => new URL(h, collectorUrl).href);
  return { confirm: await href("/v1/confirm"), unsubscribe: await href("/v1/unsubscribe"), preferences: await href("/v1/preferences"), via: "outbox" };
}

/**
 * Follows a mailed link as a person does: opens it (GET: a page with one
 * button, nothing done yet, checked with `before`), then presses the button,
 * which posts back to the same URL. The POST's response.
 */
export async function followLink(page, url, before = async () => {}) {
  const opened = await page.goto(url);
  if (opened.status() !== 200) throw new Error(`${url} answered ${opened.status()} to a GET`);
  await before();
  const button = page.getByRole("button");
  const [posted] = await Promise.all([
    page.waitForResponse((r) => r.url() === url && r.request().method() === "POST"),
    button.click(),
  ]);
  await page.waitForLoadState("load");
  return posted;
}
