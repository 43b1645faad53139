// The widget's catalogs, form/catalogs/<locale>.json, as the build ships
// them: a JSON array of the texts in the English file's key order, which the
// core reads as its KEYS order (form/tests/catalogs.rs checks the two agree),
// so that no key name crosses the wire; and that text as a JS string literal.
import { readdirSync, readFileSync } from "node:fs";

const DIR = "form/catalogs";

/** A single-quoted JS string literal of `text`: quotes here are rare, so few escapes. */
export function literal(text) {
  return "'" + text.replace(/[\\']/g, "\\$&").replace(/\n/g, "\\n").replace(/\r/g, "\\r") + "'";
}

/** Every catalog, by locale tag: `{ tag, json: { text, literal } }`. */
export function catalogs() {
  const read = (f) => JSON.parse(readFileSync(`${DIR}/${f}`, "utf8"));
  const keys = Object.keys(read("en.json"));
  return readdirSync(DIR)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => {
      const catalog = read(f);
      const missing = keys.filter((k) => typeof catalog[k] !== "string");
      if (missing.length || Object.keys(catalog).length !== keys.length) throw new Error(`${DIR}/${f}: not the keys of en.json (missing ${missing})`);
      const text = JSON.stringify(keys.map((k) => catalog[k]));
      return { tag: f.slice(0, -".json".length), json: { text, literal: literal(text) } };
    });
}
