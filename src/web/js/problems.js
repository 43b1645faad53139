// A configuration's problems. The core names each by its field, its code and
// the number of the sentence that says what is wrong (form/problems.json),
// with the few values that sentence names (`args`). The sentences are a texts
// file of their own, "problems.en" (the script tag's
// consent-widget.problems.en.js beside it, the ESM entry's problems.en.js),
// fetched only where someone reads them: validateConfig, and the list a
// merchant sees under the form on a local page or in a theme editor. A
// storefront's console names each problem by field and code.
import { catalog } from "./texts.js";

/** What a page sees of a problem without its sentence: `{field, code}`. */
export const named = (problems) => problems.map(({ field, code }) => ({ field, code }));

/** The console's line for an invalid configuration: every problem by field and code. */
export const summary = (problems) =>
  "consent-widget: invalid configuration, no form rendered:" +
  problems.map((p) => "\n" + p.field + ": " + p.code).join("") +
  "\n(the sentences: validateConfig(config), or this page on localhost)";

/** `problems` as `{field, code, message}`, the sentences fetched once per page (none for no problem). */
export async function explain(problems) {
  if (!problems.length) return [];
  const all = JSON.parse(await catalog("problems.en"));
  return problems.map(({ field, code, says, args }) => ({
    field,
    code,
    message: (all[says] ?? code).replace(/\{(\w+)\}/g, (m, name) => args?.[name] ?? m),
  }));
}
