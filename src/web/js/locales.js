// How the ESM entry fetches a locale's catalog: a dynamic import the
// application's bundler sees (Vite, webpack, esbuild, Rollup), so that each
// locale becomes a chunk of its own, fetched only by pages that show it.
// Shipped as it is beside consent_widget.js (scripts/bundle.mjs).
export default (tag) => import(`./locales/${tag}.js`).then((m) => m.default);
