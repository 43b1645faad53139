// A mounted widget: its shadow root, its listeners, its courier. The core
// (handle `h`) renders the form as escaped HTML, checks what was entered,
// and builds each record; this side shows it, signs it and sends it.
import * as core from "./core.js";
import CSS from "./style.css";
import { browserKey, sign } from "./keys.js";
import { Courier, put } from "./outbox.js";
import { fire, keep, sha256, stored } from "./page.js";
import { cached, catalog } from "./texts.js";
import { explain, named, summary } from "./problems.js";

const PREV = "consent-widget/prev";
/** The manage section's status line. */
const MANAGE_STATUS = "cw-manage-status";
let sheet = null;

/** A configuration object, or its JSON text, as JSON text ("" when it cannot be written as JSON). */
export function configText(config) {
  if (typeof config === "string") return config;
  try {
    return JSON.stringify(config ?? null);
  } catch {
    return "";
  }
}

/** Where constructed stylesheets exist (a strict CSP allows them) the root adopts one; elsewhere it gets a <style>. */
function style(root) {
  try {
    if (!sheet) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
    }
    root.adoptedStyleSheets = [sheet];
    return [];
  } catch {
    const el = document.createElement("style");
    el.textContent = CSS;
    return [el];
  }
}

/** The widget's Trusted Types policy, for pages that enforce them: the core
 * escapes every text and attribute value, so its HTML passes unchanged, and
 * the only scripts it adds are texts files beside the widget (a locale's,
 * and the configuration problems' sentences on a merchant's view). A page
 * whose CSP does not allow the name gets plain strings (and, if it also
 * enforces Trusted Types, the browser's error naming the sink). */
let policy;
/** Whether `url` names a texts file (consent-widget.<locale>.js, or
 * consent-widget.problems.en.js). String checks: a regular expression here
 * kept 2.5 KiB of heap (its data and compiled code). */
function textsFile(url) {
  const file = new URL(url).pathname.split("/").pop();
  return file.startsWith("consent-widget.") && file.endsWith(".js") && file.length > 18;
}
function trustedTypes() {
  if (policy === undefined) {
    try {
      policy =
        globalThis.trustedTypes?.createPolicy("consent-widget", {
          createHTML: (s) => s,
          createScriptURL: (s) => {
            if (!textsFile(s)) throw new TypeError("consent-widget: not a locale file: " + s);
            return s;
          },
        }) ?? null;
    } catch {
      policy = null;
    }
  }
  return policy;
}
function trusted(html) {
  return trustedTypes()?.createHTML(html) ?? html;
}
/** A locale file's URL, as Trusted Types want it where a page enforces them. */
export function trustedScriptURL(url) {
  return trustedTypes()?.createScriptURL(url) ?? url;
}


/** Records are signed one at a time on the page: each reads the chain
 * (`prev`) and the consent summary the one before it left. */
let queue = Promise.resolve();
function inTurn(task) {
  const run = queue.then(task);
  queue = run.catch(() => {});
  return run;
}

/** The widget mounted in each shadow root: mounting again replaces it. */
const mounted = new WeakMap();

/** Marks `input` invalid or valid, tying it to (or untying it from) its message with `aria-describedby`. */
function mark(input, messageId, invalid) {
  const ids = (input.getAttribute("aria-describedby") ?? "").split(" ").filter((t) => t && t !== messageId);
  if (invalid) ids.push(messageId);
  if (ids.length) input.setAttribute("aria-describedby", ids.join(" "));
  else input.removeAttribute("aria-describedby");
  if (invalid) input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
}

/** Where the merchant, not a subscriber, is looking: a theme editor or a local page. */
const merchantView = () => globalThis.Shopify?.designMode === true || /^(localhost|127\.0\.0\.1|\[::1\])$/.test(location.hostname);

/** A configuration's problems as a list, for the merchant's eyes only. */
function problemList(problems, heading = "the configuration has problems") {
  const box = document.createElement("div");
  box.className = "cw-problems";
  box.lang = "en";
  box.appendChild(document.createElement("p")).textContent =
    "consent-widget: " + heading + " (shown only in a theme editor or on a local page):";
  const list = box.appendChild(document.createElement("ul"));
  for (const p of problems) list.appendChild(document.createElement("li")).textContent = p.field + ": " + p.message;
  return box;
}

/** Sets an error message element's text, hidden when there is none. */
function message(el, text) {
  if (!el) return;
  el.textContent = text ?? "";
  el.hidden = text == null;
}

export class Widget {
  #h;
  #host;
  #root;
  #say = {};
  #current = null;
  #courier = null;
  #consented;
  /** The core's problems (with each sentence's number), and what the page sees of them. */
  #problems;
  #named;
  #theme = [];
  #closed = false;
  /** Records of this widget being signed. */
  #signing = 0;
  #onSubmit = (e) => this.#submit(e);
  #onClick = (e) => this.#click(e);
  #onInput = (e) => this.#edited(e.target);
  /** The fields of the last check that showed an error. */
  #shown = [];
  /** Counts renders, so that only the latest draws once its texts are here. */
  #turn = 0;
  /** The last locale warning logged, so that each is logged once. */
  #warned = "";
  /** Resolves once the form is drawn in its language (its texts fetched). */
  ready;

  constructor(host, config) {
    const facts = JSON.parse(core.open(config, location.origin));
    this.#h = facts.h;
    this.#host = host;
    try {
      let root = host.shadowRoot;
      if (!root) {
        try {
          root = host.attachShadow({ mode: "open" });
        } catch {
          // Hosts that cannot carry a shadow root (e.g. <p>) get a wrapper that can.
          root = host.appendChild(document.createElement("div")).attachShadow({ mode: "open" });
        }
      }
      mounted.get(root)?.destroy();
      mounted.set(root, this);
      this.#root = root;
      this.#problems = facts.problems ?? [];
      this.#named = Object.freeze(named(this.#problems));
      if (facts.problems) {
        const message = summary(this.#problems);
        console.error(message);
        fire(host, "consent:error", { code: "config", message, problems: this.#named });
      } else {
        this.#theme = facts.theme;
        for (const [property, value] of facts.theme) host.style.setProperty(property, value);
        this.#consented = "consent-widget/consented/" + facts.form;
        this.#courier = new Courier(host, facts, (id, outcome, why) => this.#outcome(id, outcome, why));
      }
      // Listeners on the root hold the widget alive: a page need not keep the handle.
      root.addEventListener("submit", this.#onSubmit);
      root.addEventListener("click", this.#onClick);
      root.addEventListener("input", this.#onInput);
      this.ready = this.#render();
      this.#courier?.flush();
    } catch (e) {
      this.destroy();
      throw e;
    }
  }

  /** The configuration's problems, `{field, code}`; empty when the form is rendered. */
  get problems() {
    return this.#named;
  }

  /** Removes the form, its listeners and its theme; the host stays as it was.
   * A record being signed still goes to the outbox, and is sent from there. */
  destroy() {
    if (this.#closed) return;
    this.#closed = true;
    this.#root?.removeEventListener("submit", this.#onSubmit);
    this.#root?.removeEventListener("click", this.#onClick);
    this.#root?.removeEventListener("input", this.#onInput);
    if (mounted.get(this.#root) === this) mounted.delete(this.#root);
    this.#courier?.stop();
    for (const [property] of this.#theme) this.#host.style.removeProperty(property);
    this.#root?.replaceChildren();
    if (!this.#signing) core.close(this.#h);
  }

  /** Switches the form to another locale, keeping what was typed; resolves
   * once it is drawn. Throws at once for a locale nothing serves. */
  setLocale(locale) {
    this.#open();
    const error = core.setLocale(this.#h, String(locale));
    if (error) throw new Error(error);
    return this.#render();
  }

  /** Withdraws consent for `purposeIds`, given earlier from this browser with this form; resolves with the record id. */
  async withdraw(purposeIds) {
    this.#open();
    if (!this.#courier) throw new Error("the configuration is invalid");
    const inside = this.#root.activeElement !== null;
    const r = await this.#record(() => {
      const w = JSON.parse(core.withdrawing(this.#h, Array.from(purposeIds ?? [], String).join("\n"), stored(this.#consented)));
      if (w.error) throw new Error(w.error);
      this.#status("status.pending", true);
      return w;
    });
    this.#current = { id: r.id, withdrawal: true };
    fire(this.#host, "consent:withdraw", { id: r.id, purposes: r.purposes, proof: r.jws });
    this.#signed(r.id);
    // The button that had focus is gone with the old section.
    if (inside && !this.#closed) (this.#el("cw-manage-toggle") ?? this.#el(MANAGE_STATUS))?.focus();
    return r.id;
  }

  #open() {
    if (this.#closed) throw new Error("the widget is destroyed");
  }
  #el(id) {
    return this.#root.getElementById(id);
  }

  #entered() {
    return {
      email: this.#el("cw-email")?.value ?? "",
      phone: this.#el("cw-phone")?.value ?? "",
      ticked: Array.from(this.#root.querySelectorAll("#cw-form input[name=purpose]:checked"), (i) => i.value),
    };
  }

  /** Draws the form in the locale the core picks, once that locale's texts
   * are here: at once when a form on this page fetched them already. */
  #render() {
    const lang = document.documentElement.getAttribute("lang") ?? "";
    const pick = JSON.parse(core.locale(this.#h, lang));
    const turn = ++this.#turn;
    const draw = (text) => {
      if (!this.#closed && turn === this.#turn) return this.#draw(lang, text, pick.warning);
    };
    if (!pick.catalog) return Promise.resolve(draw(""));
    const text = cached(pick.catalog);
    if (text !== undefined) return Promise.resolve(draw(text));
    return catalog(pick.catalog).then(draw, (e) => {
      console.error(e.message);
      fire(this.#host, "consent:error", { code: "texts", message: e.message });
    });
  }

  #draw(lang, catalogText, warning) {
    const kept = this.#entered();
    const r = JSON.parse(core.render(this.#h, lang, catalogText));
    this.#say = r.say ?? {};
    // The core's HTML (every text and attribute value escaped) parsed in
    // place: a <template> to parse it in would cost its wrappers' heap.
    this.#root.innerHTML = trusted(r.html);
    this.#root.prepend(...style(this.#root));
    if (warning && warning !== this.#warned) console.warn(warning);
    this.#warned = warning ?? "";
    if (warning && merchantView()) {
      this.#root.append(problemList([{ field: "locale", message: warning }], "the form is not in the language asked for"));
    }
    if (!this.#courier) {
      // The sentences are fetched for the merchant's eyes only; without them each problem says its code.
      if (!merchantView()) return;
      return explain(this.#problems)
        .catch(() => this.#named.map((p) => ({ ...p, message: p.code })))
        .then((list) => {
          if (!this.#closed) this.#root.append(problemList(list));
        });
    }
    // Only what was typed is put back: a fresh form is left untouched, so no
    // input gets a script wrapper (about 13 KiB of heap) before anyone uses it.
    if (kept.email) this.#el("cw-email").value = kept.email;
    if (kept.phone && this.#el("cw-phone")) this.#el("cw-phone").value = kept.phone;
    for (const id of kept.ticked) {
      const box = this.#el("cw-p-" + id);
      if (box) box.checked = true;
    }
    this.#manage();
  }

  /** The "manage my choices" section, when this browser has consented with
   * this form, followed by its own status line: a withdrawal's progress and
   * outcome show there, never under the sign-up form. The status line stays
   * when the last purpose is withdrawn, to say so. */
  #manage() {
    this.#root.querySelector(".cw-manage-wrap")?.remove();
    const html = core.manage(this.#h, stored(this.#consented));
    let status = this.#el(MANAGE_STATUS);
    if (html && !status) {
      status = document.createElement("p");
      Object.assign(status, { id: MANAGE_STATUS, className: "cw-status", tabIndex: -1 });
      status.setAttribute("role", "status");
      this.#root.append(status);
    }
    if (html) status.insertAdjacentHTML("beforebegin", trusted(html));
  }

  /** Shows status `key` in the sign-up form's status line, or the manage section's. */
  #status(key, manage = false) {
    const el = this.#el(manage ? MANAGE_STATUS : "cw-status");
    if (el) el.textContent = this.#say[key] ?? "";
  }

  /** What became of the current record; `why` is, for a record this page
   * can never send, the reason, shown to the merchant on their own views. */
  #outcome(id, outcome, why) {
    const c = this.#current;
    if (c?.id !== id) return;
    const key = outcome === "delivered" ? (c.withdrawal ? "status.withdrawn" : c.doi ? "status.sent.doi" : "status.sent") : "status." + outcome;
    this.#status(key, c.withdrawal);
    this.#root.querySelector(".cw-unsendable")?.remove();
    if (why && merchantView()) {
      const box = problemList([{ field: "endpoint", message: why }], "the signup cannot be sent from this page");
      box.classList.add("cw-unsendable");
      this.#root.append(box);
    }
  }

  #submit(e) {
    e.preventDefault();
    if (e.target.id === "cw-form") this.#consent();
    else if (e.target.id === "cw-manage") this.#withdrawForm();
  }

  #click(e) {
    const toggle = e.target.closest?.("#cw-manage-toggle");
    const form = this.#el("cw-manage");
    if (!toggle || !form) return;
    const open = form.hidden;
    toggle.setAttribute("aria-expanded", String(open));
    form.hidden = !open;
    if (open) form.querySelector("input")?.focus();
  }

  #consent() {
    if (this.#signing) return; // a record is being signed right now
    const { email, phone, ticked } = this.#entered();
    const r = JSON.parse(core.check(this.#h, email, phone, ticked.join("\n")));
    let first = null;
    for (const f of r.fields) {
      this.#show(f, f.text);
      if (f.text != null) first ??= f.inputs.map((id) => this.#el(id)).find(Boolean);
    }
    this.#shown = r.fields.filter((f) => f.text != null);
    if (!r.ok) {
      first?.focus();
      this.#status("status.invalid");
      return;
    }
    this.#status("status.pending");
    this.#record(() => r).then(
      ({ id, jws }) => {
        this.#current = { id, doi: r.doi };
        // The record is in the outbox and will be sent: a fresh form, so that
        // a second click cannot send the same signup again.
        if (!this.#closed) this.#root.querySelector("#cw-form")?.reset();
        fire(this.#host, "consent:submit", { id, proof: jws, ...r.detail });
        this.#signed(id);
      },
      (error) => this.#fail(error),
    );
  }

  /** Shows field `f`'s error `text` (none when null) and marks its inputs. */
  #show(f, text) {
    message(this.#el(f.msg), text);
    for (const id of f.inputs) {
      const input = this.#el(id);
      if (input) mark(input, f.msg, text != null);
    }
  }

  /** An edited field's error goes as soon as it is edited: it is checked again on submit. */
  #edited(input) {
    const f = this.#shown.find((f) => f.inputs.includes(input.id));
    if (!f) return;
    this.#shown = this.#shown.filter((g) => g !== f);
    this.#show(f, null);
  }

  #withdrawForm() {
    if (this.#signing) return;
    const boxes = Array.from(this.#root.querySelectorAll("#cw-manage input[type=checkbox]"));
    const ticked = boxes.filter((b) => b.checked).map((b) => b.value);
    const none = !ticked.length;
    for (const b of boxes) mark(b, "cw-manage-error", none);
    // The message is by the boxes, inside the manage section: the sign-up
    // form's status line is not touched.
    message(this.#el("cw-manage-error"), none ? this.#say["manage.error.none"] : null);
    if (none) boxes[0]?.focus();
    else this.withdraw(ticked).catch((error) => this.#fail(error, true));
  }

  /**
   * One record, in its turn on the page: `prepare` gives the core's
   * `{ticket, hash}`; the record is signed, written to the outbox before any
   * attempt, and this browser's chain and summary move forward. Resolves
   * with the prepared reply, the record id and the JWS.
   */
  async #record(prepare) {
    const { endpoint, form } = this.#courier;
    const h = this.#h;
    this.#signing++;
    let ticket = 0;
    try {
      return await inTurn(async () => {
        const r = prepare();
        ticket = r.ticket;
        const key = await browserKey();
        const hashes = await Promise.all(r.hash.map(sha256));
        const random = crypto.getRandomValues(new Uint8Array(16));
        const lines = [location.origin, location.pathname, stored(PREV), key.x, key.y, key.kid, ...hashes].join("\n");
        const { id, input } = JSON.parse(core.seal(h, ticket, Date.now(), random, lines));
        const jws = input + "." + core.b64u(await sign(key, input));
        const proofHash = await sha256(jws);
        put({ id, endpoint, form, jws, attempts: 0, state: "pending" });
        // From here the proof is in the outbox and will be sent: a failure to
        // keep the chain or the summary must not report it as unsent.
        keep(PREV, proofHash);
        const summary = core.finish(h, ticket, proofHash);
        ticket = 0;
        if (summary) keep(this.#consented, summary);
        return { ...r, id, jws };
      });
    } finally {
      if (ticket) core.finish(h, ticket, ""); // failed: the core forgets it
      if (!--this.#signing && this.#closed) core.close(h);
    }
  }

  /** After a record of this widget is signed: the manage section as it now
   * stands, and the record sent (a destroyed widget leaves it to the outbox). */
  #signed(id) {
    if (this.#closed) return;
    this.#manage();
    this.#courier.adopt(id);
    this.#courier.flush();
  }

  /** A record that could not be signed or stored: nothing was sent. */
  #fail(cause, withdrawal = false) {
    this.#current = null;
    this.#status("status.failed", withdrawal);
    fire(this.#host, "consent:error", { code: "signing", message: "the proof could not be signed or stored: nothing was sent", cause });
  }
}
