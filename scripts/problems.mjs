// The configuration problems' sentences, form/problems.json, as the build
// ships them: a JSON array of the sentences in the file's order, which is the
// order of the core's `Says` (form/tests/problems.rs checks the two agree), so
// that the wasm names a sentence by its number and holds none of them.
import { readFileSync } from "node:fs";
import { literal } from "./catalogs.mjs";

/** `{ text, literal }`: the sentences' JSON array, and that text as a JS string literal. */
export function sentences() {
  const file = JSON.parse(readFileSync("form/problems.json", "utf8"));
  const text = JSON.stringify(Object.values(file));
  return { text, literal: literal(text) };
}
