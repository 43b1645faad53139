// The widget on a page, through its public JS API only: the ESM entry's
// `mount`, `validateConfig` and `version`, the handle's `destroy`,
// `setLocale`, `withdraw` and `problems`, the DOM in the open shadow root,
// the events on the host, and what the widget keeps in IndexedDB and
// localStorage. These tests do not depend on how the browser layer is
// written.
import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeProtectedHeader } from "jose";
import { EVENTS, REFUSED, activeId, config, field, fired, inRoot, mount, open, payloadOf, posts, setup, sha256hex, storage, submit, submitOnce, until, verify, waitFor } from "./widget-page.mjs";

setup();

test("mounts with every box unchecked and labelled", async (t) => {
  const { page, errors } = await open(t);
  assert.match(await page.evaluate(() => window.version()), /^\d+\.\d+\.\d+/);
  assert.deepEqual(await mount(page, "a", config()), [], "a valid configuration has no problems");
  const seen = await inRoot(page, "a", (root) => ({
    boxes: [...root.querySelectorAll("#cw-form input[type=checkbox]")].map((b) => ({
      id: b.id,
      checked: b.checked,
      labels: [...b.labels].map((l) => l.textContent),
      describedBy: (b.getAttribute("aria-describedby") ?? "").split(" ").filter(Boolean).map((id) => root.getElementById(id)?.textContent ?? null),
    })),
    legend: root.querySelector("fieldset > legend")?.textContent ?? null,
    link: root.querySelector("a") && { rel: root.querySelector("a").getAttribute("rel"), target: root.querySelector("a").getAttribute("target") },
    autocomplete: root.getElementById("cw-email")?.getAttribute("autocomplete"),
    status: root.querySelector("[role=status]")?.id ?? null,
  }));
  assert.deepEqual(seen.boxes.map((b) => b.id), ["cw-p-newsletter", "cw-p-partners", "cw-p-sms"]);
  for (const b of seen.boxes) {
    assert.equal(b.checked, false, `${b.id} is checked`);
    assert.equal(b.labels.length, 1, `${b.id} has one label`);
    assert.ok(b.labels[0].startsWith("I agree to receive "), b.labels[0]);
    assert.ok(b.describedBy.length >= 1, `${b.id} is described`);
    for (const text of b.describedBy) assert.ok(text, `${b.id} is described by an empty or missing element`);
  }
  assert.ok(seen.legend, "the boxes are in a fieldset with a legend");
  assert.deepEqual(seen.link, { rel: "noopener noreferrer", target: "_blank" });
  assert.equal(seen.autocomplete, "email");
  assert.equal(seen.status, "cw-status", "a status region");
  assert.deepEqual(errors, []);
});

test("the phone notice is tied to the field", async (t) => {
  const { page, errors } = await open(t);
  await mount(page, "a", config());
  const phone = await inRoot(page, "a", (root) => {
    const phone = root.getElementById("cw-phone");
    const ids = phone.getAttribute("aria-describedby").split(" ");
    return { ids, notice: root.getElementById("cw-phone-notice")?.textContent, required: phone.required };
  });
  assert.ok(phone.ids.includes("cw-phone-notice"), `aria-describedby: ${phone.ids}`);
  assert.ok(phone.notice.startsWith("Your number is used only"), phone.notice);
  assert.equal(phone.required, false);
  assert.deepEqual(errors, []);
});

test("inline errors mark the field and take focus", async (t) => {
  const { page, errors } = await open(t, { expect: ["refusedProof"] });
  await mount(page, "a", config());
  await field(page, "a", "cw-email").fill("marie@");
  await field(page, "a", "cw-p-newsletter").check();
  await submit(page, "a");
  await until(page, "a", (root) => root.getElementById("cw-email").getAttribute("aria-invalid") === "true");
  const marked = await inRoot(page, "a", (root) => {
    const email = root.getElementById("cw-email");
    const error = root.getElementById("cw-email-error");
    return {
      describedBy: email.getAttribute("aria-describedby").split(" "),
      hidden: error.hasAttribute("hidden"),
      text: error.textContent,
      focus: root.activeElement?.id,
    };
  });
  assert.ok(marked.describedBy.includes("cw-email-error"), `aria-describedby: ${marked.describedBy}`);
  assert.equal(marked.hidden, false, "the error is shown");
  assert.match(marked.text, /not valid/);
  assert.equal(marked.focus, "cw-email");
  assert.deepEqual(await fired(page, "consent:submit"), []);
  // Editing the field takes its error away at once; the one submission is the fixed one.
  const marks = (root) => ({
    invalid: root.getElementById("cw-email").getAttribute("aria-invalid"),
    describedBy: root.getElementById("cw-email").getAttribute("aria-describedby")?.includes("cw-email-error") ?? false,
    hidden: root.getElementById("cw-email-error").hasAttribute("hidden"),
  });
  await field(page, "a", "cw-email").fill("marie@example.org");
  assert.deepEqual(await inRoot(page, "a", marks), { invalid: null, describedBy: false, hidden: true }, "editing clears the error");
  await submit(page, "a");
  const [detail] = await waitFor(page, "consent:submit", 1);
  assert.equal(detail.email, "marie@example.org");
  assert.deepEqual(await inRoot(page, "a", marks), { invalid: null, describedBy: false, hidden: true });
  // Signed and in the outbox: the form is fresh again, so a second click
  // cannot send the same signup twice.
  const form = await inRoot(page, "a", (root) => ({
    email: root.getElementById("cw-email").value,
    ticked: [...root.querySelectorAll("#cw-form input[type=checkbox]")].filter((b) => b.checked).map((b) => b.id),
  }));
  assert.deepEqual(form, { email: "", ticked: [] }, "the form is reset once the record is signed");
  await waitFor(page, "consent:rejected", 1);
  await submit(page, "a");
  await until(page, "a", (root) => root.getElementById("cw-email").getAttribute("aria-invalid") === "true");
  assert.equal((await fired(page, "consent:submit")).length, 1, "neither the invalid attempts nor the second click signed anything");
  assert.deepEqual(errors, []);
});

test("sms without a phone is an error on the phone field", async (t) => {
  const { page, errors } = await open(t, { expect: ["refusedProof"] });
  await mount(page, "a", config());
  await field(page, "a", "cw-email").fill("marie@example.org");
  await field(page, "a", "cw-p-sms").check();
  await submit(page, "a");
  await until(page, "a", (root) => root.getElementById("cw-phone").getAttribute("aria-invalid") === "true");
  assert.equal(await activeId(page, "a"), "cw-phone");
  const error = await inRoot(page, "a", (root) => {
    const e = root.getElementById("cw-phone-error");
    return { hidden: e.hasAttribute("hidden"), text: e.textContent };
  });
  assert.equal(error.hidden, false, "the phone error is shown");
  assert.ok(error.text, "the phone error says what is wrong");
  assert.deepEqual(await fired(page, "consent:submit"), []);
  await field(page, "a", "cw-phone").fill("06 12 34 56 78");
  await submit(page, "a");
  const [detail] = await waitFor(page, "consent:submit", 1);
  assert.equal(detail.phone, "+33612345678");
  assert.equal(detail.purposes.find((p) => p.id === "sms").choice, "granted");
  assert.equal(await inRoot(page, "a", (root) => root.getElementById("cw-phone").getAttribute("aria-invalid")), null);
  await waitFor(page, "consent:rejected", 1);
  assert.equal((await fired(page, "consent:submit")).length, 1, "the invalid attempt signed nothing");
  assert.deepEqual(errors, []);
});

test("nothing leaves the page with no box ticked", async (t) => {
  const { page, errors, url } = await open(t, { expect: ["refusedProof"] });
  await mount(page, "a", config());
  await field(page, "a", "cw-email").fill("marie@example.org");
  await submit(page, "a");
  await until(page, "a", (root) => /Tick at least one box/.test(root.getElementById("cw-purposes-error").textContent));
  assert.equal(await activeId(page, "a"), "cw-p-newsletter");
  const status = await inRoot(page, "a", (root) => root.querySelector("[role=status]").textContent);
  assert.ok(status, "the status says the form was not sent");
  assert.deepEqual(await fired(page, "consent:submit"), []);
  assert.deepEqual(Object.keys(await storage(page)).filter((k) => k.startsWith("consent-widget/")), [], "nothing signed or stored");
  // Ticking a box then sends exactly one proof: the refused attempt made none.
  await field(page, "a", "cw-p-newsletter").check();
  await submit(page, "a");
  const [detail] = await waitFor(page, "consent:submit", 1);
  await waitFor(page, "consent:rejected", 1);
  assert.equal((await fired(page, "consent:submit")).length, 1);
  const sent = posts.filter((p) => p.referer === url);
  assert.deepEqual(sent.map((p) => p.body), [detail.proof], "one proof reached the server");
  assert.deepEqual(errors, []);
});

test("submit fires with every choice, refusals included", async (t) => {
  const { page, errors } = await open(t, { expect: ["refusedProof"] });
  await mount(page, "a", config());
  await field(page, "a", "cw-email").fill(" marie@example.org ");
  await field(page, "a", "cw-p-partners").check();
  await submit(page, "a");
  await waitFor(page, "consent:submit", 1);
  const [event] = await fired(page, "consent:submit");
  assert.deepEqual([event.host, event.bubbles, event.composed], ["a", true, true], "fired on the host, bubbling out of the shadow root");
  const detail = event.detail;
  assert.equal(detail.email, "marie@example.org");
  assert.deepEqual(
    detail.purposes.map((p) => [p.id, p.choice]),
    [["newsletter", "refused"], ["partners", "granted"], ["sms", "refused"]],
  );
  assert.equal(detail.texts["purpose.partners"], "I agree to receive offers from our partners.");
  assert.equal(detail.locale, "en");
  const { payload } = await verify(detail.proof);
  assert.equal(payload.id, detail.id);
  assert.deepEqual(payload.purposes.map((p) => [p.id, p.choice]), detail.purposes.map((p) => [p.id, p.choice]));
  // The test server has no collector: the backend refuses the proof, the
  // proof stays in the outbox, and the subscriber is told.
  const rejected = await waitFor(page, "consent:rejected", 1);
  assert.equal(rejected.length, 1);
  assert.deepEqual([rejected[0].id, rejected[0].status], [detail.id, 404]);
  await until(page, "a", (root) => /could not be recorded/.test(root.querySelector("[role=status]").textContent));
  const kept = await storage(page);
  assert.ok(`consent-widget/outbox/${detail.id}` in kept, "the rejected proof stays in the outbox");
  assert.deepEqual(errors, []);
});

test("an invalid configuration renders no form", async (t) => {
  const { page, errors } = await open(t, { expect: ["invalidConfig"] });
  const bad = config();
  bad.purposes[0].checked = true;
  const problems = await mount(page, "a", bad);
  const shown = await inRoot(page, "a", (root) => ({
    form: root.querySelector("form") !== null,
    input: root.querySelector("input") !== null,
    unavailable: root.querySelector(".cw-unavailable")?.textContent ?? "",
    problems: [...root.querySelectorAll(".cw-problems li")].map((li) => li.textContent),
  }));
  assert.deepEqual([shown.form, shown.input], [false, false]);
  assert.ok(shown.unavailable, "the host shows a short message");
  // The test page is on 127.0.0.1: a local page, so the merchant sees why.
  assert.deepEqual(shown.problems, ["purposes[0].checked: a purpose cannot be pre-checked: consent must be an active choice"]);
  const events = await fired(page, "consent:error");
  assert.equal(events.length, 1);
  assert.deepEqual([events[0].host, events[0].bubbles, events[0].composed], ["a", true, true]);
  assert.equal(events[0].detail.code, "config");
  assert.equal(events[0].detail.problems.length, 1);
  assert.equal(events[0].detail.problems[0].code, "pre-checked");
  assert.match(events[0].detail.problems[0].field, /^purposes\[0\]/);
  assert.deepEqual(problems, events[0].detail.problems, "handle.problems lists the same problem");
  assert.deepEqual(problems, [{ field: "purposes[0].checked", code: "pre-checked" }], "by field and code: the sentences are not in the form's code");
  assert.equal(errors.expected.length, 1, "the console lists the problems once");
  assert.ok(errors.expected[0].text.includes("purposes[0].checked: pre-checked"), errors.expected[0].text);
  assert.equal(events[0].detail.message, errors.expected[0].text);
  assert.deepEqual(errors, []);
});

test("the problem list is for merchants: a theme editor or a local page, never a storefront", async (t) => {
  const bad = config();
  bad.purposes[0].checked = true;
  const listed = async (options) => {
    const { page, errors } = await open(t, { expect: ["invalidConfig"], ...options });
    const sentences = [];
    page.on("request", (r) => /problems/.test(new URL(r.url()).pathname) && sentences.push(new URL(r.url()).pathname));
    await mount(page, "a", bad);
    const items = await inRoot(page, "a", (root) => [...root.querySelectorAll(".cw-problems li")].map((li) => li.textContent));
    assert.deepEqual(errors, []);
    assert.deepEqual(sentences, items.length ? ["/pkg/problems.en.js"] : [], "the sentences are fetched where they are shown, and only there");
    return items;
  };
  assert.deepEqual(await listed({ host: "shop.test" }), [], "a subscriber on the storefront sees only the neutral message");
  assert.deepEqual(
    await listed({ host: "shop.test", init: "window.Shopify = { designMode: true };" }),
    ["purposes[0].checked: a purpose cannot be pre-checked: consent must be an active choice"],
    "Shopify's theme editor shows the merchant why",
  );
});

test("validateConfig lists problems", async (t) => {
  const { page, errors } = await open(t);
  const checked = await page.evaluate(async (cfg) => {
    const fields = (list) => list.map((p) => p.field);
    return {
      okObject: await window.validateConfig(cfg),
      okString: await window.validateConfig(JSON.stringify(cfg)),
      badString: await window.validateConfig('{"purposes": []}'),
      badObject: fields(await window.validateConfig({ purposes: [] })),
      badJson: await window.validateConfig('{"endpoint": '),
    };
  }, config());
  assert.deepEqual(checked.okObject, []);
  assert.deepEqual(checked.okString, []);
  const fields = checked.badString.map((p) => p.field);
  for (const f of ["endpoint", "controller", "privacyPolicyUrl", "purposes"]) assert.ok(fields.includes(f), `${f} in ${fields}`);
  for (const p of checked.badString) {
    assert.deepEqual(Object.keys(p).sort(), ["code", "field", "message"]);
    assert.ok(p.code && p.message, JSON.stringify(p));
  }
  assert.deepEqual(checked.badObject, fields, "an object and its JSON string get the same answer");
  assert.deepEqual(checked.badString.find((p) => p.field === "purposes"), { field: "purposes", code: "empty", message: "must list at least one purpose" });
  assert.deepEqual(checked.badJson, [{ field: "(config)", code: "type", message: "is not valid JSON (at byte 13)" }], "a sentence's values are filled in");
  assert.equal(await page.evaluate(() => document.body.children.length), 1, "nothing was rendered");
  assert.deepEqual(errors, []);
});

test("setLocale keeps what was typed and destroy cleans up", async (t) => {
  const { page, errors } = await open(t);
  await mount(page, "a", config());
  await field(page, "a", "cw-email").fill("marie@example.org");
  await field(page, "a", "cw-p-sms").check();
  await page.evaluate(() => window.widgets.a.setLocale("fr"));
  const fr = await inRoot(page, "a", (root) => ({
    button: root.querySelector("button").textContent,
    email: root.getElementById("cw-email").value,
    sms: root.getElementById("cw-p-sms").checked,
    newsletter: root.getElementById("cw-p-newsletter").checked,
  }));
  assert.deepEqual(fr, { button: "S’inscrire", email: "marie@example.org", sms: true, newsletter: false });
  const threw = await page.evaluate(() => {
    try {
      window.widgets.a.setLocale("xx");
      return false;
    } catch {
      return true;
    }
  });
  assert.equal(threw, true, "an unknown locale throws");
  assert.equal(await inRoot(page, "a", (root) => root.querySelector("button").textContent), "S’inscrire", "and changes nothing");
  await page.evaluate(() => window.widgets.a.destroy());
  const after = await inRoot(page, "a", (root) => ({ form: root.querySelector("form") !== null, inputs: root.querySelectorAll("input").length }));
  assert.deepEqual(after, { form: false, inputs: 0 });
  assert.equal(await page.locator("#a").count(), 1, "the host stays");
  assert.deepEqual(errors, []);
});

test("a submission is a JWS that verifies and chains", async (t) => {
  const { page, errors } = await open(t, { expect: ["refusedProof"] });
  await mount(page, "a", config());
  const first = (await submitOnce(page, "a", 1)).proof;
  const one = await verify(first);
  assert.equal(one.header.alg, "EdDSA", "Chromium signs with Ed25519");
  await waitFor(page, "consent:rejected", 1);
  const second = (await submitOnce(page, "a", 2)).proof;
  const two = await verify(second);
  assert.equal(one.header.kid, two.header.kid, "the browser key is reused");
  assert.deepEqual(one.header.jwk, two.header.jwk);
  assert.equal(one.header.typ, "consent-proof+jws");
  assert.equal(two.payload.prev, sha256hex(first), "the second proof chains to the first");
  assert.deepEqual(two.payload.purposes.map((p) => p.choice), ["granted", "refused", "refused"], "refusals are in the proof");
  assert.equal(two.payload.purposes[1].choice, "refused");
  await waitFor(page, "consent:rejected", 2);
  const kept = await storage(page);
  assert.equal(kept["consent-widget/prev"], sha256hex(second), "the chain's head is the last proof");
  for (const jws of [first, second]) assert.ok(`consent-widget/outbox/${payloadOf(jws).id}` in kept);
  assert.ok("consent-widget/consented/signup" in kept, "the consent is remembered for this form");
  assert.deepEqual(errors, []);
});

/** The key pair the widget stored in IndexedDB: what the page can learn about it. */
function storedKey(page) {
  return page.evaluate(async () => {
    const db = await new Promise((resolve, reject) => {
      const req = indexedDB.open("consent-widget");
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const pair = await new Promise((resolve, reject) => {
      const req = db.transaction("keys").objectStore("keys").get("signing-key");
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    db.close();
    const { privateKey, publicKey } = pair;
    const rejects = (p) => p.then(() => false, () => true);
    return {
      algorithm: privateKey.algorithm.name,
      type: privateKey.type,
      extractable: privateKey.extractable,
      usages: privateKey.usages,
      jwkExportRejects: await rejects(crypto.subtle.exportKey("jwk", privateKey)),
      pkcs8ExportRejects: await rejects(crypto.subtle.exportKey("pkcs8", privateKey)),
      publicJwk: await crypto.subtle.exportKey("jwk", publicKey),
    };
  });
}

const publicPart = ({ kty, crv, x, y }) => (y ? { kty, crv, x, y } : { kty, crv, x });

test("the private key cannot be exported", async (t) => {
  const { page, errors } = await open(t, { expect: ["refusedProof"] });
  await mount(page, "a", config());
  const first = (await submitOnce(page, "a", 1)).proof;
  const key = await storedKey(page);
  assert.equal(key.type, "private");
  assert.equal(key.extractable, false);
  assert.deepEqual(key.usages, ["sign"]);
  assert.equal(key.jwkExportRejects, true, "exportKey('jwk') of the private key rejects");
  assert.equal(key.pkcs8ExportRejects, true, "exportKey('pkcs8') of the private key rejects");
  const header = decodeProtectedHeader(first);
  assert.deepEqual(header.jwk, publicPart(key.publicJwk), "the proof carries the stored key's public half");
  await waitFor(page, "consent:rejected", 1);
  const second = (await submitOnce(page, "a", 2)).proof;
  const again = decodeProtectedHeader(second);
  assert.deepEqual(again.jwk, header.jwk, "the stored key is reused");
  assert.equal(again.kid, header.kid);
  assert.deepEqual((await storedKey(page)).publicJwk, key.publicJwk, "and not replaced");
  await waitFor(page, "consent:rejected", 2);
  assert.deepEqual(errors, []);
});

test("the ES256 fallback signs what jose verifies", async (t) => {
  // Where Ed25519 is missing the widget signs with ECDSA P-256. A fresh
  // context holds no stored Ed25519 key.
  const { page, errors } = await open(t, {
    expect: ["refusedProof"],
    init: () => {
      window.ed25519Refused = 0;
      const subtle = crypto.subtle;
      const generateKey = subtle.generateKey.bind(subtle);
      subtle.generateKey = (algorithm, ...rest) => {
        const name = typeof algorithm === "string" ? algorithm : algorithm?.name;
        if (String(name).toLowerCase() === "ed25519") {
          window.ed25519Refused++;
          return Promise.reject(new DOMException("Ed25519 is not supported here", "NotSupportedError"));
        }
        return generateKey(algorithm, ...rest);
      };
    },
  });
  await mount(page, "a", config());
  const jws = (await submitOnce(page, "a", 1)).proof;
  assert.ok((await page.evaluate(() => window.ed25519Refused)) >= 1, "the widget asked for Ed25519 first");
  const { header } = await verify(jws);
  assert.equal(header.alg, "ES256");
  assert.deepEqual([header.jwk.kty, header.jwk.crv], ["EC", "P-256"]);
  assert.equal(Buffer.from(jws.split(".")[2], "base64url").length, 64, "raw r||s");
  const key = await storedKey(page);
  assert.deepEqual([key.algorithm, key.extractable, key.jwkExportRejects], ["ECDSA", false, true]);
  assert.deepEqual(header.jwk, publicPart(key.publicJwk));
  await waitFor(page, "consent:rejected", 1);
  assert.deepEqual(errors, []);
});

test("withdrawals name only consented purposes, once", async (t) => {
  const { page, errors } = await open(t, { expect: ["refusedProof"] });
  await mount(page, "a", config());
  const consent = await submitOnce(page, "a", 1); // newsletter granted
  await until(page, "a", (root) => root.getElementById("cw-manage-toggle") && root.getElementById("cw-w-newsletter"));
  assert.deepEqual(
    await inRoot(page, "a", (root) => [...root.querySelectorAll("#cw-manage input[type=checkbox]")].map((b) => b.id)),
    ["cw-w-newsletter"],
    "only the granted purpose can be withdrawn",
  );
  assert.match(
    await inRoot(page, "a", (root) => root.getElementById("cw-manage-hint").textContent),
    /^Consent given from this browser for m•••@example\.org\. /,
    "the section says whose consent it is, masked",
  );
  const outcome = (ids) => page.evaluate((ids) => window.widgets.a.withdraw(ids).then((id) => ({ id }), (e) => ({ refused: String(e) })), ids);
  assert.ok((await outcome([])).refused, "no purpose: refused");
  assert.ok((await outcome(["partners"])).refused, "a purpose never granted: refused");
  assert.deepEqual(await fired(page, "consent:withdraw"), [], "refused before signing");
  const { id } = await outcome(["newsletter", "newsletter"]);
  assert.equal(typeof id, "string");
  const withdrawals = await waitFor(page, "consent:withdraw", 1);
  assert.equal(withdrawals.length, 1);
  const withdrawn = withdrawals[0];
  assert.equal(withdrawn.id, id);
  assert.deepEqual(withdrawn.purposes, ["newsletter"]);
  const { header, payload } = await verify(withdrawn.proof);
  assert.equal(header.kid, decodeProtectedHeader(consent.proof).kid, "signed with the same browser key");
  assert.equal(payload.kind, "withdrawal");
  assert.equal(payload.id, id);
  assert.equal(payload.purposes.length, 1, "the purpose is named once");
  assert.equal(payload.purposes[0].id, "newsletter");
  assert.match(payload.texts.shown["manage.hint"], /^Consent given from this browser for m•••@example\.org\. /, "the proof records the hint as shown");
  // Nothing left to withdraw: the section is gone, focus went to the manage section's status line.
  await until(page, "a", (root) => root.getElementById("cw-manage-toggle") === null);
  assert.equal(await inRoot(page, "a", (root) => root.getElementById("cw-manage")), null);
  assert.equal(await activeId(page, "a"), "cw-manage-status", "focus stays in the manage section, where its outcome shows");
  assert.ok(`consent-widget/outbox/${id}` in (await storage(page)), "the withdrawal is in the outbox");
  assert.ok((await outcome(["newsletter"])).refused, "a withdrawn purpose cannot be withdrawn again");
  await waitFor(page, "consent:rejected", 2);
  assert.deepEqual(errors, []);
});

test("the proof records the locale shown", async (t) => {
  const { page, errors } = await open(t, { expect: ["refusedProof"] });
  const cfg = config();
  delete cfg.locale;
  await page.evaluate(() => document.documentElement.setAttribute("lang", "fr"));
  await mount(page, "a", cfg);
  await page.evaluate(() => document.documentElement.setAttribute("lang", "en")); // the page changes language, the form does not
  const detail = await submitOnce(page, "a", 1);
  assert.equal(detail.locale, "fr");
  const { payload } = await verify(detail.proof);
  assert.equal(payload.locale, "fr");
  assert.ok(payload.texts.shown.submit.startsWith("S’inscrire"), payload.texts.shown.submit);
  await waitFor(page, "consent:rejected", 1);
  assert.deepEqual(errors, []);
});

test("each widget gets its own delivery events", async (t) => {
  // Both widgets post to an endpoint that refuses connections, so the proof
  // stays pending; `online` then makes both couriers flush, and whichever
  // sends it, the events must reach widget b alone.
  const { page, errors } = await open(t, { expect: ["unreachable"] });
  await mount(page, "a", config({ endpoint: REFUSED, formId: "form-a" }));
  await mount(page, "b", config({ endpoint: REFUSED, formId: "form-b" }));
  await page.evaluate((names) => {
    window.heardByA = [];
    const a = document.getElementById("a");
    for (const name of names) a.addEventListener(name, (e) => window.heardByA.push(e.type));
  }, EVENTS);
  const detail = await submitOnce(page, "b", 1);
  const [queued] = await waitFor(page, "consent:queued", 1, "b");
  assert.deepEqual([queued.id, queued.status, queued.attempt], [detail.id, 0, 1]);
  await page.evaluate(() => window.dispatchEvent(new Event("online")));
  const retried = await waitFor(page, "consent:queued", 2, "b");
  assert.equal(retried.length, 2, "the retry is reported to b");
  assert.equal(retried[1].id, detail.id);
  assert.ok(retried[1].attempt >= 2, `attempt ${retried[1].attempt}`);
  assert.deepEqual(await page.evaluate(() => window.heardByA), [], "widget a heard nothing");
  const all = await page.evaluate(() => window.events.map((e) => [e.type, e.host]));
  assert.ok(all.every(([, host]) => host === "b"), `events: ${JSON.stringify(all)}`);
  assert.ok(`consent-widget/outbox/${detail.id}` in (await storage(page)), "the proof is still pending");
  assert.deepEqual(errors, []);
});
