// Vite 7 and earlier: the one setting docs/npm.md asks for. The dev server
// must not pre-bundle consent-widget, or its `new URL("…wasm",
// import.meta.url)` points into Vite's cache where the wasm is not.
// (Vite 8 and `vite build` need nothing.)
import { defineConfig } from "vite";

export default defineConfig({
  optimizeDeps: { exclude: ["consent-widget"] },
  // Test plumbing only: this Vite 7 serves the Vite 8 app next door (../vite),
  // so it keeps its cache apart.
  cacheDir: new URL("./node_modules/.vite", import.meta.url).pathname,
});
