// The npm package's ESM entry: the public API, with each locale's catalog
// fetched as a module of its own. The loader (./locales.js) is written into
// the entry by scripts/bundle.mjs: one switch importing each texts file
// beside the bundle by a literal path, left to the application's bundler.
import load from "./locales.js";
import { catalogSource } from "./texts.js";

catalogSource(load);

export * from "./api.js";
export { default } from "./api.js";
