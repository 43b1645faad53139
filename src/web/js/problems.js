// A configuration's problems. The core names each by its field, its code and
// the number of the sentence that says what is wrong (form/problems.json),
// with the few values that sentence names (`args`). The sentences are a file
// of their own, fetched only where someone reads them: validateConfig, and
// the list a merchant sees under the form on a local page or in a theme
// editor. A storefront's console names each problem by field and code.
import { catalog } from "./texts.js";

/** The sentences file: by default the script tag's texts file beside it,
 * consent-widget.problems.en.js (see script-tag.js); the ESM entry imports
 * its own module instead. Resolves with the JSON text of the sentences, in
 * form/problems.json's order. */
let source = () => catalog("problems.en");
let sentences = null;

/** Sets how the sentences are fetched: () → Promise of their JSON text. */
export function sentenceSource(fetchSentences) {
  source = fetchSentences;
}

/** What a page may see of a problem without the sentences: `{field, code}`. */
export const named = (problems) => problems.map(({ field, code }) => ({ field, code }));

/** The console's line for an invalid configuration: every problem by field and code. */
export const summary = (problems) =>
  "consent-widget: invalid configuration, no form rendered:" +
  problems.map((p) => "\n" + p.field + ": " + p.code).join("") +
  "\n(the sentences: validateConfig(config), or this page on localhost)";

/** `problems` as `{field, code, message}`, once the sentences are fetched (once per page; a failed fetch may be tried again). */
export function explain(problems) {
  if (!problems.length) return Promise.resolve([]);
  sentences ??= source()
    .then(JSON.parse)
    .catch((e) => {
      sentences = null;
      throw e;
    });
  return sentences.then((all) =>
    problems.map(({ field, code, says, args }) => ({
      field,
      code,
      message: (all[says] ?? code).replace(/\{(\w+)\}/g, (m, name) => args?.[name] ?? m),
    })),
  );
}
