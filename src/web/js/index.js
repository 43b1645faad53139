// The npm package's ESM entry: the public API, with each locale's catalog
// fetched as a module of its own (./locales.js, written by scripts/bundle.mjs
// beside the bundle and left to the application's bundler).
import load from "./locales.js";
import { catalogSource } from "./texts.js";

catalogSource(load);

export * from "./api.js";
export { default } from "./api.js";
