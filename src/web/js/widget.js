// A mounted widget: its shadow root, its listeners, its courier. The core
// (handle `h`) renders the form as escaped HTML, checks what was entered,
// and builds each record; this side shows it, signs it and sends it.
import * as core from "./core.js";
import CSS from "./style.css";
import { browserKey, sign } from "./keys.js";
import { Courier, put } from "./outbox.js";
import { fire, keep, sha256, stored } from "./page.js";

const PREV = "consent-widget/prev";
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
    sheet ??= new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [sheet];
    return [];
  } catch {
    const el = document.createElement("style");
    el.textContent = CSS;
    return [el];
  }
}

/** Parsed HTML from the core, whose text and attribute values are escaped. */
function nodes(html) {
  const t = document.createElement("template");
  t.innerHTML = html;
  return t.content;
}

/** Adds or removes `token` in an id list attribute. */
function mark(input, messageId, invalid) {
  const ids = (input.getAttribute("aria-describedby") ?? "").split(" ").filter((t) => t && t !== messageId);
  if (invalid) ids.push(messageId);
  if (ids.length) input.setAttribute("aria-describedby", ids.join(" "));
  else input.removeAttribute("aria-describedby");
  if (invalid) input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
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
  #problems;
  #onSubmit = (e) => this.#submit(e);
  #onClick = (e) => this.#click(e);

  constructor(host, config) {
    const h = (this.#h = core.open(config));
    this.#host = host;
    let root = host.shadowRoot;
    if (!root) {
      try {
        root = host.attachShadow({ mode: "open" });
      } catch {
        // Hosts that cannot carry a shadow root (e.g. <p>) get a wrapper that can.
        root = host.appendChild(document.createElement("div")).attachShadow({ mode: "open" });
      }
    }
    this.#root = root;
    const facts = JSON.parse(core.facts(h, location.origin));
    this.#problems = Object.freeze(facts.problems ?? []);
    if (facts.problems) {
      console.error(facts.message);
      fire(host, "consent:error", { code: "config", message: facts.message, problems: facts.problems });
    } else {
      for (const [property, value] of facts.theme) host.style.setProperty(property, value);
      this.#consented = "consent-widget/consented/" + facts.form;
      this.#courier = new Courier(host, facts, (id, outcome) => this.#outcome(id, outcome));
    }
    // Listeners on the root hold the widget alive: a page need not keep the handle.
    root.addEventListener("submit", this.#onSubmit);
    root.addEventListener("click", this.#onClick);
    this.#render();
    this.#courier?.flush();
  }

  /** The configuration's problems; empty when the form is rendered. */
  get problems() {
    return this.#problems;
  }

  /** Removes the form and its listeners; the host stays as it was. */
  destroy() {
    this.#root.removeEventListener("submit", this.#onSubmit);
    this.#root.removeEventListener("click", this.#onClick);
    this.#courier?.stop();
    this.#courier = null;
    core.close(this.#h);
    this.#root.replaceChildren();
  }

  /** Switches the form to another locale, keeping what was typed. */
  setLocale(locale) {
    const error = core.setLocale(this.#h, String(locale));
    if (error) throw new Error(error);
    this.#render();
  }

  /** Withdraws consent for `purposeIds`, given earlier from this browser with this form; resolves with the record id. */
  async withdraw(purposeIds) {
    if (!this.#courier) throw new Error(this.problems.length ? "the configuration is invalid" : "the widget is destroyed");
    const r = JSON.parse(core.withdrawing(this.#h, JSON.stringify(purposeIds ?? []), stored(this.#consented)));
    if (r.error) throw new Error(r.error);
    this.#status("status.pending");
    const { id, jws } = await this.#seal(r.hash);
    this.#current = { id, withdrawal: true };
    fire(this.#host, "consent:withdraw", { id, purposes: r.purposes, proof: jws });
    this.#manage();
    // The button that had focus is gone with the old section.
    (this.#el("cw-manage-toggle") ?? this.#el("cw-status"))?.focus();
    this.#send(id);
    return id;
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

  #render() {
    const kept = this.#entered();
    const r = JSON.parse(core.render(this.#h, document.documentElement.getAttribute("lang") ?? ""));
    this.#say = r.say ?? {};
    this.#root.replaceChildren(...style(this.#root), nodes(r.html));
    if (!this.#courier) return;
    this.#el("cw-email").value = kept.email;
    if (this.#el("cw-phone")) this.#el("cw-phone").value = kept.phone;
    for (const id of kept.ticked) {
      const box = this.#el("cw-p-" + id);
      if (box) box.checked = true;
    }
    this.#manage();
  }

  /** The "manage my choices" section, when this browser has consented with this form. */
  #manage() {
    this.#root.querySelector(".cw-manage-wrap")?.remove();
    const html = core.manage(this.#h, stored(this.#consented));
    if (html) this.#root.append(nodes(html));
  }

  #status(key) {
    const el = this.#el("cw-status");
    if (el) el.textContent = this.#say[key] ?? "";
  }

  #outcome(id, outcome) {
    const c = this.#current;
    if (c?.id !== id) return;
    this.#status(
      outcome === "delivered" ? (c.withdrawal ? "status.withdrawn" : c.doi ? "status.sent.doi" : "status.sent") : "status." + outcome,
    );
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
    if (this.#current?.id === "") return; // a record is being signed right now
    const { email, phone, ticked } = this.#entered();
    const r = JSON.parse(core.check(this.#h, email, phone, JSON.stringify(ticked)));
    let first = null;
    for (const f of r.fields) {
      message(this.#el(f.msg), f.text);
      for (const id of f.inputs) {
        const input = this.#el(id);
        if (!input) continue;
        mark(input, f.msg, f.text != null);
        if (f.text != null) first ??= input;
      }
    }
    if (!r.ok) {
      first?.focus();
      this.#status("status.invalid");
      return;
    }
    this.#status("status.pending");
    this.#current = { id: "", doi: r.doi };
    this.#seal(r.hash).then(
      ({ id, jws }) => {
        this.#current = { id, doi: r.doi };
        fire(this.#host, "consent:submit", { id, proof: jws, ...r.detail });
        this.#manage();
        this.#send(id);
      },
      (error) => this.#fail(error),
    );
  }

  #withdrawForm() {
    const boxes = Array.from(this.#root.querySelectorAll("#cw-manage input[type=checkbox]"));
    const ticked = boxes.filter((b) => b.checked).map((b) => b.value);
    const none = !ticked.length;
    for (const b of boxes) mark(b, "cw-manage-error", none);
    message(this.#el("cw-manage-error"), none ? this.#say["manage.error.none"] : null);
    if (none) {
      this.#status("manage.error.none");
      boxes[0]?.focus();
    } else {
      this.withdraw(ticked).catch((error) => this.#fail(error));
    }
  }

  /** Signs the pending record, writes it to the outbox before any attempt, and moves this browser's chain forward. */
  async #seal(hash) {
    const key = await browserKey();
    const hashes = await Promise.all(hash.map(sha256));
    const random = crypto.getRandomValues(new Uint8Array(16));
    const h = this.#h;
    const { id, input } = JSON.parse(
      core.seal(h, JSON.stringify(hashes), location.origin, location.pathname, Date.now(), random, stored(PREV), key.x, key.y, key.kid),
    );
    const jws = input + "." + core.b64u(await sign(key, input));
    const proofHash = await sha256(jws);
    put({ id, endpoint: this.#courier.endpoint, form: this.#courier.form, jws, attempts: 0, state: "pending" });
    // From here the proof is in the outbox and will be sent: a failure to
    // keep the chain or the summary must not report it as unsent.
    keep(PREV, proofHash);
    keep(this.#consented, core.summary(h, proofHash));
    return { id, jws };
  }

  #send(id) {
    this.#courier?.adopt(id);
    this.#courier?.flush();
  }

  /** A record that could not be signed or stored: nothing was sent. */
  #fail(cause) {
    this.#current = null;
    this.#status("status.failed");
    fire(this.#host, "consent:error", { code: "signing", message: "the proof could not be signed or stored: nothing was sent", cause });
  }
}
