// The heap split's steps (heap-split.mjs; heap-snapshot.mjs takes any of
// them as a page): the storefront with one thing more at a time, from one
// element wrapper and single browser interfaces to each way in mounted. Each
// step's script marks the end of its work as the "root", so measure() reads
// the page once that work is done.
import { readFileSync } from "node:fs";
import { PAGES } from "./pages.mjs";

const done = "__bench.rootAt = performance.now();";
const config = `document.getElementById("signup-config").textContent`;
const wrapperAnd = (code) => `<script>addEventListener("DOMContentLoaded", async () => { window.__e = document.getElementById("signup"); ${code}; ${done} });</script>`;
const esm = (code) => `<script type="module">import init, * as cw from "/pkg/consent_widget.js";\n${code}\n${done}</script>`;
// The script tag's own fetch of its .wasm, integrity-checked (the hash the build wrote into it).
const wasm = () => {
  const integrity = readFileSync(new URL("../../pkg/consent-widget.js", import.meta.url), "utf8").match(/sha384-[A-Za-z0-9+/=]+/)[0];
  return `fetch("/pkg/consent-widget.wasm", { integrity: "${integrity}" })`;
};

export const STEPS = {
  "one element wrapper, no widget": () => ({ form: true, head: wrapperAnd("") }),
  // The form's e-mail field alone: Chromium 156 spends most of its heap on
  // the first <input type=email> parsed; the same field as text does not.
  "  + an <input type=email> parsed": () => ({ form: true, head: wrapperAnd(`document.createElement("div").innerHTML = '<input type="email">'`) }),
  "  + an <input type=text inputmode=email> parsed": () => ({ form: true, head: wrapperAnd(`document.createElement("div").innerHTML = '<input type="text" inputmode="email">'`) }),
  // What loading the wasm beside the script tag costs, piece by piece.
  "  + the .wasm fetched, its body read": () => ({ form: true, head: wrapperAnd(`window.__w = await (await ${wasm()}).arrayBuffer()`) }),
  "  + the .wasm fetched, its headers read, its body read": () => ({ form: true, head: wrapperAnd(`const r = await ${wasm()}; window.__h = r.headers.get("content-type"); window.__w = await r.arrayBuffer()`) }),
  "  + the .wasm fetched and instantiated (streaming)": () => ({ form: true, head: wrapperAnd(`window.__w = (await WebAssembly.instantiateStreaming(${wasm()})).instance.exports`) }),
  "  + the .wasm fetched and instantiated, Request touched": () => ({ form: true, head: wrapperAnd(`window.__w = (await WebAssembly.instantiateStreaming(${wasm()})).instance.exports; window.__r = window.__w instanceof Request`) }),
  // The shell's parts, each alone.
  "  + trustedTypes read": () => ({ form: true, head: wrapperAnd("window.__t = globalThis.trustedTypes") }),
  "  + a Trusted Types policy, createHTML used": () => ({ form: true, head: wrapperAnd(`window.__t = trustedTypes.createPolicy("x", { createHTML: (s) => s }).createHTML("<p></p>")`) }),
  "  + a Trusted Types policy, createHTML and createScriptURL used": () => ({ form: true, head: wrapperAnd(`const p = trustedTypes.createPolicy("x", { createHTML: (s) => s, createScriptURL: (s) => s }); window.__t = [p.createHTML("<p></p>"), p.createScriptURL("/a.js")]`) }),
  "  + a shadow root, HTML parsed into it": () => ({ form: true, head: wrapperAnd(`window.__e.attachShadow({ mode: "open" }).innerHTML = "<form><p>x</p></form>"`) }),
  "  + a shadow root, HTML parsed in a <template>": () => ({ form: true, head: wrapperAnd(`const t = document.createElement("template"); t.innerHTML = "<form><p>x</p></form>"; window.__e.attachShadow({ mode: "open" }).replaceChildren(t.content)`) }),
  "  + TextEncoder and TextDecoder": () => ({ form: true, head: wrapperAnd("window.__t = [new TextEncoder(), new TextDecoder()]") }),
  "script tag: evaluated only (ConsentWidget already set)": () => ({ form: true, head: `<script>window.ConsentWidget = {};</script><script src="/pkg/consent-widget.js"></script>${wrapperAnd("")}` }),
  "vanilla-cookieconsent: evaluated only": () => ({ form: true, head: `<script src="/peers/vanilla-cookieconsent/dist/cookieconsent.umd.js"></script>${wrapperAnd("")}` }),
  "npm ESM: module evaluated": () => ({ form: true, head: esm("window.__cw = cw;") }),
  "npm ESM: wasm instantiated (init)": () => ({ form: true, head: esm("await init();") }),
  "npm ESM: init + one element wrapper": () => ({ form: true, head: esm(`await init(); window.__e = document.getElementById("signup");`) }),
  "npm ESM: init + validateConfig": () => ({ form: true, head: esm(`await init(); cw.validateConfig(${config});`) }),
  "npm ESM: mounted": () => ({ form: true, head: esm(`await init(); cw.mount("#signup", ${config});`) }),
  "npm ESM: mounted (the bench's ours-esm)": () => ({ ...PAGES["ours-esm"], root: "shadow" }),
  "script tag: wasm fetched and compiled, no form": () => ({ head: `${PAGES.ours.head}\n<script type="module">await ConsentWidget.ready;\n${done}</script>` }),
  "script tag: mounted (the bench's ours)": () => ({ ...PAGES.ours, root: "shadow" }),
  "one-file build: wasm inlined, no form": () => ({ head: `${PAGES["ours-inlined"].head}\n<script type="module">await ConsentWidget.ready;\n${done}</script>` }),
  "one-file build: mounted (the bench's ours-inlined)": () => ({ ...PAGES["ours-inlined"], root: "shadow" }),
};

/** Replaces the bench's pages with the baseline and the steps named (`label` → page name `stepN`); returns [[name, label]]. */
export function useSteps(labels = Object.keys(STEPS)) {
  const made = labels.map((label) => {
    if (!STEPS[label]) throw new Error(`no step ${JSON.stringify(label)}; steps: ${Object.keys(STEPS).join(" | ")}`);
    return { root: "#never-present", ...STEPS[label]() };
  });
  const baseline = PAGES.baseline;
  for (const name of Object.keys(PAGES)) delete PAGES[name];
  PAGES.baseline = baseline;
  return labels.map((label, i) => {
    PAGES[`step${i}`] = made[i];
    return [`step${i}`, label];
  });
}
