// Debian's Chromium through playwright-core, with the flags this machine needs.
import { chromium } from "playwright-core";

export function launch(extraArgs = []) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      ...extraArgs,
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
}

/**
 * Fails the test on any console error or uncaught page error. `expected`, if
 * given, is called with each console error as `{ text, url }` (`url`: where it
 * was logged from, e.g. the request that failed) and returns true for an error
 * the test causes on purpose; those are collected in `errors.expected` instead.
 */
export function watchErrors(page, expected = () => false) {
  const errors = [];
  Object.defineProperty(errors, "expected", { value: [] });
  page.on("console", (m) => {
    if (m.type() !== "error") return;
    const error = { text: m.text(), url: m.location()?.url ?? "" };
    if (expected(error)) errors.expected.push(error);
    else errors.push(error.text);
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  return errors;
}
