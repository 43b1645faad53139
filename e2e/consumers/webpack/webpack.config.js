// A plain webpack 5 configuration: nothing wasm-specific. webpack emits the
// wasm that `new URL("…wasm", import.meta.url)` names as an asset by itself.
import { fileURLToPath } from "node:url";

export default {
  mode: "production",
  entry: "./src/index.js",
  output: { path: fileURLToPath(new URL("./dist/", import.meta.url)), clean: true },
};
