// The npm package in a Vite app and a webpack 5 app. scripts/test-ways has
// installed the packed tarball (npm pack of pkg/) into each app's own
// node_modules; here each app builds with its documented configuration, its
// output is served under a strict CSP, the form appears, and a valid
// submission fires consent:submit. Vite's dev server is checked too (Vite 8
// with no configuration, Vite 7 with the one setting the docs give), and the
// package's types compile.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { startSite, openPage, formAppears, submitValid, launch } from "./harness.mjs";
import { startCollector } from "../collector.mjs";

const HERE = new URL(".", import.meta.url).pathname;
const app = (name) => join(HERE, name);
const run = (dir, ...args) => execFileSync("npm", ["run", "--silent", ...args], { cwd: dir, stdio: ["ignore", "pipe", "inherit"] });

let browser;
before(async () => {
  browser = await launch();
});
after(() => browser?.close());

const apps = {
  vite: { routes: { "/": join(app("vite"), "dist/") }, formId: "vite" },
  webpack: { routes: { "/dist/": join(app("webpack"), "dist/"), "/": join(app("webpack"), "public/") }, formId: "webpack" },
};

for (const [name, { routes, formId }] of Object.entries(apps)) {
  test(`${name}: the app builds, mounts under a strict CSP, and a valid submission reaches the collector and verifies`, async () => {
    run(app(name), "build");
    const site = await startSite(routes);
    try {
      const query = site.collector.startsWith("/") ? "" : `?collector=${encodeURIComponent(site.collector)}`;
      const { context, page, errors, violations } = await openPage(browser, `${site.base}/${query}`);
      await formAppears(page, "#signup");
      const detail = await submitValid(page, "#signup");
      assert.equal(detail.formId, formId);
      assert.ok(site.received.every((r) => !r.path.endsWith(".wasm")));
      assert.deepEqual(await violations(), []);
      assert.deepEqual(errors, []);
      await context.close();
    } finally {
      site.close();
    }
  });
}

/** Vite's dev server (from `viteDir`'s node_modules) serving the Vite app; resolves with the form's consent:submit detail. */
async function devServer(viteDir, configFile) {
  const { createServer } = await import(join(app(viteDir), "node_modules/vite/dist/node/index.js"));
  const server = await createServer({ root: app("vite"), configFile, logLevel: "error", server: { port: 0, host: "127.0.0.1" } });
  await server.listen();
  const url = server.resolvedUrls.local[0];
  const collector = await startCollector(["--allowed-origins", new URL(url).origin]);
  try {
    const endpoint = encodeURIComponent(`${collector.url}/v1/proofs`);
    const { context, page, errors } = await openPage(browser, `${url}?collector=${endpoint}`);
    await formAppears(page, "#signup");
    assert.equal((await submitValid(page, "#signup")).formId, "vite");
    assert.deepEqual(errors, []);
    await context.close();
  } finally {
    collector.stop();
    await server.close();
  }
}

test("vite 8: the dev server serves a working form with no configuration", () => devServer("vite", false));

test("vite 7: the dev server serves a working form with the documented optimizeDeps setting", () =>
  devServer("vite7", join(app("vite7"), "vite.config.js")));

test("types: the configuration, the handle, the events and the script tag's global compile (tsc --strict)", () => {
  run(app("vite"), "typecheck");
});
