// The widget's catalogs, form/catalogs/<locale>.json, as the build ships
// them: minified JSON text, and that text as a JS string literal.
import { readdirSync, readFileSync } from "node:fs";

const DIR = "form/catalogs";

/** A single-quoted JS string literal of `text`: quotes here are rare, so few escapes. */
export function literal(text) {
  return "'" + text.replace(/[\\']/g, "\\$&").replace(/\n/g, "\\n").replace(/\r/g, "\\r") + "'";
}

/** Every catalog, by locale tag: `{ tag, json: { text, literal } }`. */
export function catalogs() {
  return readdirSync(DIR)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => {
      const text = JSON.stringify(JSON.parse(readFileSync(`${DIR}/${f}`, "utf8")));
      return { tag: f.slice(0, -".json".length), json: { text, literal: literal(text) } };
    });
}
