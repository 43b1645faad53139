// The Shopify way in: the app block, the app embed and the classic snippet
// rendered with liquidjs and stand-ins for Shopify's objects and filters
// (shop, request, block, asset_url, t, json, {% form 'customer' %},
// {% schema %}), served under a strict CSP. The form appears in the
// storefront's locale with the shop's privacy policy, a valid submission fires
// consent:submit, and then the customer is posted through the customer form.
// Shopify's theme-check finds no error in shopify/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { ROOT, startSite, openPage, formAppears, submitValid, launch } from "./harness.mjs";

const SHOPIFY = join(ROOT, "shopify");
const require = createRequire(new URL("./shopify/", import.meta.url));
const { Liquid, Hash } = require("liquidjs");
const { themeCheckRun } = require("@shopify/theme-check-node");

const POLICY = "/policies/privacy-policy";
const shop = { name: "Atelier Exemple", email: "bonjour@atelier.example", privacy_policy: { url: POLICY } };
const locales = (lang) => {
  const file = join(SHOPIFY, "locales", `${lang}.json`);
  return JSON.parse(readFileSync(existsSync(file) ? file : join(SHOPIFY, "locales/en.default.json"), "utf8"));
};

/** liquidjs with Shopify's storefront objects (global, so snippets see them too) and filters stood in. */
function shopifyLiquid(lang) {
  const engine = new Liquid({
    root: [join(SHOPIFY, "blocks")], partials: [join(SHOPIFY, "snippets")], extname: ".liquid", strictFilters: true,
    globals: { shop, request: { locale: { iso_code: lang } } },
  });
  const strings = locales(lang);
  engine.registerFilter("asset_url", (name) => `/assets/${name}`);
  engine.registerFilter("t", (key) => key.split(".").reduce((o, k) => o?.[k], strings) ?? `translation missing: ${lang}.${key}`);
  // Shopify's json escapes <, > and & so the output is safe inside <script>.
  engine.registerFilter("json", (v) => JSON.stringify(v ?? null).replace(/[<>&]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`));
  engine.registerTag("schema", {
    parse(_token, remain) {
      while (remain.length && remain.shift().name !== "endschema");
    },
    render() {},
  });
  engine.registerTag("form", {
    parse(token, remain) {
      const [, type, rest] = /^\s*'(\w+)'\s*,?(.*)$/s.exec(token.args);
      assert.equal(type, "customer", "only the customer form is stood in");
      this.hash = new Hash(rest);
      this.templates = [];
      const stream = this.liquid.parser.parseStream(remain);
      stream.on("tag:endform", () => stream.stop()).on("template", (t) => this.templates.push(t)).start();
    },
    *render(ctx, emitter) {
      const { id = "ContactForm" } = yield this.hash.render(ctx);
      emitter.write(`<form method="post" action="/contact#${id}" id="${id}" accept-charset="UTF-8" class="contact-form">` +
        '<input type="hidden" name="form_type" value="customer"><input type="hidden" name="utf8" value="✓">');
      yield this.liquid.renderer.renderTemplates(this.templates, ctx, emitter);
      emitter.write("</form>");
    },
  });
  return engine;
}

const blockSettings = (collector) => ({
  purpose_newsletter: true, purpose_partners: false, purpose_sms: true, regime: "b2c", phone: true,
  double_opt_in: true, endpoint: collector, privacy_url: "", controller_contact: "", customers: "storefront",
});

const page = (lang, body) => `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><title>Shopify consumer</title></head>
<body><main><h1>Atelier Exemple</h1></main>${body}</body></html>`;

/** What each test page renders, by path. */
const pages = {
  // The app block inside a newsletter section (a section that accepts @app blocks).
  "/block": async (collector) => {
    const html = await shopifyLiquid("fr").parseAndRender(readFileSync(join(SHOPIFY, "blocks/consent-widget.liquid"), "utf8"), {
      block: { id: "AbC123", settings: blockSettings(collector), shopify_attributes: 'data-shopify-editor-block="{}"' },
    });
    return page("fr", `<footer><section class="newsletter"><h2>Newsletter</h2>${html}</section></footer>`);
  },
  // The app embed: the form at the end of every page.
  "/embed": async (collector) => {
    const html = await shopifyLiquid("en").parseAndRender(readFileSync(join(SHOPIFY, "blocks/consent-widget-embed.liquid"), "utf8"), {
      block: { id: "Emb42", settings: blockSettings(collector), shopify_attributes: "" },
    });
    return page("en", html);
  },
  // A classic theme, no app extension: the snippet rendered from theme code.
  "/snippet": async (collector) => {
    const html = await shopifyLiquid("en").parseAndRender(`<footer>{% render 'consent-widget', endpoint: collector %}</footer>`, {
      collector,
    });
    return page("en", html);
  },
  // A single opt-in form with the storefront set-up: the page subscribes.
  "/snippet-single": async (collector) => {
    const html = await shopifyLiquid("en").parseAndRender(`{% render 'consent-widget', endpoint: collector, double_opt_in: false, customers: 'storefront' %}`, { collector });
    return page("en", html);
  },
  // A German storefront: the form in German, its texts fetched from the extension's assets.
  "/snippet-de": async (collector) => {
    const html = await shopifyLiquid("de").parseAndRender(`{% render 'consent-widget', endpoint: collector %}`, { collector });
    return page("de", html);
  },
  // A Japanese storefront: no Japanese texts, so the English form and a warning.
  "/snippet-ja": async (collector) => {
    const html = await shopifyLiquid("ja").parseAndRender(`{% render 'consent-widget', endpoint: collector %}`, { collector });
    return page("ja", html);
  },
};

let site, browser;
before(async () => {
  const routes = { "/assets/": join(SHOPIFY, "assets/") };
  routes["/contact"] = (req, res) => res.writeHead(302, { location: "/snippet?customer_posted=true" }).end();
  for (const [path, render] of Object.entries(pages)) {
    routes[path] = async (req, res) => {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "content-security-policy": site.csp });
      res.end(await render(site.collector));
    };
  }
  site = await startSite(routes);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  site?.close();
});

/**
 * Signs up on `path` and checks what reached Shopify's customer form:
 * `post` "tags" (customer added, not subscribed: double opt-in), "subscribe"
 * (accepts_marketing: a single opt-in form), or null (nothing: the
 * collector's Shopify connector does it once the subscriber confirms).
 */
async function signUp(path, host, lang, post) {
  const { context, page: p, errors, violations } = await openPage(browser, site.base + path);
  await formAppears(p, host);
  assert.equal(await p.locator(`${host} form`).getAttribute("lang"), lang, "the storefront's locale");
  assert.equal(await p.locator(`${host} a[href="${POLICY}"]`).count(), 1, "the shop's privacy policy is linked");
  const customer = post && p.locator(host).evaluate((el) => new Promise((resolve) => el.addEventListener("consent:shopify-customer", (e) => resolve(e.detail), { once: true })));
  const delivered = !post && p.locator(host).evaluate((el) => new Promise((resolve) => el.addEventListener("consent:delivered", () => resolve(true), { once: true })));
  const detail = await submitValid(p, host);
  const posted = () => site.received.filter((r) => r.path === "/contact").map((r) => Object.fromEntries(new URLSearchParams(r.body)));
  if (post) {
    assert.deepEqual(await customer, { ok: true, status: 200 });
    const expected = {
      form_type: "customer",
      utf8: "✓",
      "contact[email]": detail.email,
      "contact[tags]": "consent-widget,consent-newsletter",
    };
    if (post === "subscribe") expected["contact[accepts_marketing]"] = "true";
    assert.deepEqual(posted(), [expected]);
  } else {
    assert.equal(await delivered, true);
    await p.waitForTimeout(300);
    assert.deepEqual(posted(), [], "the page posts nothing to Shopify");
    assert.equal(await p.locator("form[id$='-customer']").count(), 0, "no customer form is rendered");
  }
  assert.deepEqual(await violations(), []);
  assert.deepEqual(errors, []);
  site.received.length = 0;
  await context.close();
  return detail;
}

test("shopify app block: French storefront, shop's policy, submission, then the Shopify customer form", async () => {
  // Double opt-in: the page adds the customer, tagged, without subscribing them.
  const detail = await signUp("/block", "#consent-widget-AbC123", "fr", "tags");
  assert.equal(detail.formId, "shopify-consent-widget-AbC123");
  assert.deepEqual(detail.purposes.map((p) => p.id), ["newsletter", "sms"]);
});

test("shopify app embed: the same settings, at the end of the page", async () => {
  await signUp("/embed", "#consent-widget-Emb42", "en", "tags");
});

test("shopify classic snippet: one render line in theme code", async () => {
  // Default set-up: the collector's Shopify connector, so the page posts nothing.
  const detail = await signUp("/snippet", "#consent-widget", "en", null);
  assert.deepEqual(detail.purposes.map((p) => p.id), ["newsletter"]);
});

test("shopify classic snippet, single opt-in, storefront form: the page subscribes the customer", async () => {
  await signUp("/snippet-single", "#consent-widget", "en", "subscribe");
});

test("shopify: a German storefront gets the German form, fetches only the German texts, and the one-file widget without a .wasm", async () => {
  const { context, page: p, errors, violations } = await openPage(browser, site.base + "/snippet-de");
  const fetched = [];
  p.on("request", (r) => fetched.push(new URL(r.url()).pathname));
  await p.reload();
  await formAppears(p, "#consent-widget");
  assert.equal(await p.locator("#consent-widget form").getAttribute("lang"), "de");
  assert.equal(await p.locator("#consent-widget #cw-submit").textContent(), "Anmelden");
  assert.equal(await p.locator("noscript").evaluate((n) => n.textContent), "Dieses Anmeldeformular benötigt JavaScript.");
  assert.deepEqual(fetched.filter((u) => /^\/assets\/consent-widget\.[^/]+\.js$/.test(u)), ["/assets/consent-widget.de.js"]);
  // The one-file build: the wasm comes inside the script, no .wasm is fetched.
  assert.deepEqual(fetched.filter((u) => /\.wasm$|^\/assets\/consent-widget(-inlined)?\.js$/.test(u)), ["/assets/consent-widget-inlined.js"]);
  assert.deepEqual(await violations(), []);
  assert.deepEqual(errors, []);
  await context.close();
});

test("shopify: a storefront in a language without texts gets the English form, a warning, and in the theme editor the problem", async () => {
  // The theme editor (Shopify.designMode) shows the problem under the form; that shoppers do not see it
  // is tested in e2e/locales.test.mjs, on a host that is not local (this site is 127.0.0.1, a local page).
  const context = await browser.newContext();
  const p = await context.newPage();
  const warnings = [];
  p.on("console", (m) => m.type() === "warning" && warnings.push(m.text()));
  await p.addInitScript(() => (window.Shopify = { designMode: true }));
  await p.goto(site.base + "/snippet-ja");
  await formAppears(p, "#consent-widget");
  assert.equal(await p.locator("#consent-widget form").getAttribute("lang"), "en");
  const warning = 'consent-widget: no texts for locale "ja" (no catalog, none in the configuration\'s texts): the form is shown in "en", the fallbackLocale';
  assert.deepEqual(warnings, [warning]);
  assert.deepEqual(await p.locator("#consent-widget .cw-problems li").allTextContents(), [`locale: ${warning}`]);
  await context.close();
});

test("shopify: theme-check (Shopify's linter) reports no error on shopify/", async () => {
  const { offenses, theme } = await themeCheckRun(SHOPIFY, undefined, () => {});
  assert.ok(theme.length >= 6, "theme-check read the extension");
  for (const o of offenses) console.log(`theme-check: ${o.severity === 0 ? "error" : "warning"} ${o.check} ${o.uri.split("/shopify/")[1]}: ${o.message}`);
  assert.deepEqual(offenses.filter((o) => o.severity === 0).map((o) => `${o.check}: ${o.message}`), []);
});

test("shopify: no e-mail consent, no Shopify customer (an SMS-only signup stays in the collector)", async () => {
  const host = "#consent-widget-AbC123";
  const { context, page: p } = await openPage(browser, site.base + "/block");
  await formAppears(p, host);
  const submitted = p.locator(host).evaluate((el) => new Promise((resolve) => el.addEventListener("consent:submit", (e) => resolve(e.detail), { once: true })));
  await p.locator(`${host} input[name=email]`).fill("sms.only@example.org");
  await p.locator(`${host} input[type=tel]`).fill("06 12 34 56 78");
  await p.locator(`${host} #cw-p-sms`).check();
  await p.locator(`${host} button[type=submit]`).click();
  assert.deepEqual((await submitted).purposes.map((x) => x.choice), ["refused", "granted"]);
  await p.waitForTimeout(300);
  assert.deepEqual(site.received.filter((r) => r.path === "/contact"), []);
  await context.close();
});

test("shopify: each purpose has a text of its own; partner offers say they are partner offers", async () => {
  const render = async (lang, settings) => {
    const html = await shopifyLiquid(lang).parseAndRender(readFileSync(join(SHOPIFY, "blocks/consent-widget.liquid"), "utf8"), {
      block: { id: "P1", settings: { ...blockSettings("https://collector.example/v1/proofs"), purpose_partners: true, ...settings }, shopify_attributes: "" },
    });
    return JSON.parse(/<script type="application\/json"[^>]*>([\s\S]*?)<\/script>/.exec(html)[1]).purposes;
  };
  const fr = await render("fr", {});
  const partners = fr.find((p) => p.id === "partners");
  assert.equal(partners.label, "les offres des partenaires de Atelier Exemple par e-mail");
  assert.match(partners.description, /autres entreprises choisies par Atelier Exemple/);
  assert.equal(fr.find((p) => p.id === "newsletter").label, undefined, "the newsletter keeps the widget's own text, in every language");
  const en = await render("en", {});
  assert.equal(en.find((p) => p.id === "partners").label, "offers from partners of Atelier Exemple by e-mail");
  // The merchant's words win, {controller} filled with the shop's name.
  const own = await render("en", { purpose_newsletter_label: "the {controller} letter, monthly", purpose_sms_description: "Two SMS a month at most." });
  assert.equal(own.find((p) => p.id === "newsletter").label, "the Atelier Exemple letter, monthly");
  assert.equal(own.find((p) => p.id === "sms").description, "Two SMS a month at most.");
  const schema = JSON.parse(/\{% schema %\}([\s\S]*?)\{% endschema %\}/.exec(readFileSync(join(SHOPIFY, "blocks/consent-widget.liquid"), "utf8"))[1]);
  for (const p of ["newsletter", "partners", "sms"]) {
    for (const which of ["label", "description"]) {
      assert.ok(schema.settings.some((s) => s.id === `purpose_${p}_${which}` && s.type === "text"), `${p} ${which} in the theme editor`);
    }
  }
});
