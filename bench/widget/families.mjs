#!/usr/bin/env node
// What the widget's wasm bytes are, for BENCHMARKS.md: twiggy's shallow size
// of every item of the unstripped release module (names kept), summed by
// module (crate and first path segment) and by function family. Run after
// scripts/build: node bench/widget/families.mjs [path.wasm]. Needs twiggy
// (`cargo install twiggy`). The shipped module is smaller (wasm-opt -Oz,
// names and custom sections stripped); the shares carry over roughly.
import { execFileSync } from "node:child_process";

const wasm = process.argv[2] ?? `${process.env.CARGO_TARGET_DIR ?? "target"}/wasm32-unknown-unknown/wasm-release/consent_widget.wasm`;
const items = JSON.parse(execFileSync("twiggy", ["top", "-n", "100000", "-f", "json", wasm], { encoding: "utf8", maxBuffer: 1 << 26 }));

// Not code: the name and custom sections go at wasm-opt's strip; data stays.
const NOT_CODE = /^("function names" subsection|custom section|producers|target_features)/;
const DATA = /^data segment|^data\[/;
const demangle = (name) => name.replace(/\[[0-9a-f]+\]/g, "").replace(/::h[0-9a-f]{16}$/, "");
/** The module: crate and first segment (`consent_form::view`), for trait impls the impl's crate. */
function module(name) {
  const n = demangle(name).replace(/^<(?:&(?:mut )?)?/, "");
  const parts = n.split("::");
  if (parts.length < 2) return "(other)";
  return parts.slice(0, parts[0] === "core" || parts[0] === "alloc" ? 2 : 2).join("::").replace(/[<>].*$/, "");
}
/** The family: what the code is for. */
const FAMILIES = [
  ["formatting and panics (core::fmt, panicking)", /core::(fmt|panicking|result::unwrap_failed|option::expect_failed)|as core::fmt/],
  ["configuration (parse, validate)", /consent_(?:form|widget)::(config|validate|value|json|rules)/],
  ["text plan and HTML (view)", /consent_(?:form|widget)::(view|text)/],
  ["locale lookup and catalogs", /consent_(?:form|widget)::i18n/],
  ["phone numbers", /consent_(?:form|widget)::phone/],
  ["records, sealing, JCS", /consent_widget::(record|web::sealing|form)|consent_proof/],
  ["JS bridge (exports, replies, slots)", /wasm_bindgen|consent_widget::web|__wbindgen|__externref|^cw(_in|_out)?$/],
  ["allocator", /lol_alloc|alloc::alloc|__rust_(alloc|dealloc|realloc)/],
  ["strings and collections (core, alloc)", /(core|alloc)::(str|string|vec|slice|collections|raw_vec|iter|option|cmp)/],
];
const family = (name) => FAMILIES.find(([, re]) => re.test(demangle(name)))?.[0] ?? "other code";

const byModule = new Map();
const byFamily = new Map();
let code = 0, data = 0, stripped = 0;
for (const { name, shallow_size: size } of items.items ?? items) {
  if (NOT_CODE.test(name)) { stripped += size; continue; }
  if (DATA.test(name)) { data += size; continue; }
  code += size;
  byModule.set(module(name), (byModule.get(module(name)) ?? 0) + size);
  byFamily.set(family(name), (byFamily.get(family(name)) ?? 0) + size);
}
const table = (title, map) => {
  console.log(`\n| ${title} | bytes | share of code |\n|---|---:|---:|`);
  for (const [k, v] of [...map].sort((a, b) => b[1] - a[1]).slice(0, 14)) console.log(`| ${k} | ${v} | ${((v / code) * 100).toFixed(1)}% |`);
};
console.log(`${wasm}: code ${code} B, data ${data} B, names and custom sections ${stripped} B (stripped when shipped)`);
table("module", byModule);
table("function family", byFamily);
