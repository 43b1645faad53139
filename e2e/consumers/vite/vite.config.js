// The one setting docs/npm.md asks of Vite users: the dev server must not
// pre-bundle consent-widget, or its `new URL("…wasm", import.meta.url)` points
// into Vite's cache where the wasm is not. `vite build` needs nothing.
import { defineConfig } from "vite";

export default defineConfig({
  optimizeDeps: { exclude: ["consent-widget"] },
});
