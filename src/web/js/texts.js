// The texts of the language a form shows. Each locale's catalog is a file of
// its own beside the widget (JSON text), fetched the first time a form on the
// page needs it and shared by every form after that: a page loads only the
// languages it shows. How a file is fetched depends on the way in: the ESM
// entry imports a module (a bundler splits one chunk per locale), the script
// tag adds a classic script beside itself (see script-tag.js).

const loaded = new Map();
let source = () => Promise.reject(new Error("consent-widget: no catalog source"));

/** Sets how a locale's catalog is fetched: `tag` → Promise of its JSON text. */
export function catalogSource(fetchCatalog) {
  source = fetchCatalog;
}

/** The JSON text of `tag`'s catalog, once fetched; undefined before. */
export function cached(tag) {
  return loaded.get(tag)?.text;
}

/** Fetches `tag`'s catalog once per page; a failed fetch may be tried again. */
export function catalog(tag) {
  let entry = loaded.get(tag);
  if (!entry) {
    entry = { promise: source(tag) };
    loaded.set(tag, entry);
    entry.promise.then(
      (text) => (entry.text = text),
      () => loaded.delete(tag),
    );
  }
  return entry.promise;
}
