// A static server for the demo storefront and the built widget: www/ at /,
// pkg/ at /pkg/. Used by the page-level tests; run directly to serve the demo.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".png": "image/png",
};

export function serve({ port = 0, host = "127.0.0.1", headers = {}, onRequest } = {}) {
  const server = createServer(async (req, res) => {
    if (onRequest && (await onRequest(req, res))) return;
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    const [base, rel] = path.startsWith("/pkg/") ? ["pkg", path.slice(5)] : ["www", path === "/" ? "index.html" : path.slice(1)];
    const file = normalize(join(ROOT, base, rel));
    if (!file.startsWith(join(ROOT, base))) return res.writeHead(403).end();
    try {
      const body = await readFile(file);
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream", ...headers });
      res.end(body);
    } catch {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
    }
  });
  return new Promise((resolve) => server.listen(port, host, () => resolve(server)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const port = Number(process.env.PORT ?? 8080);
  await serve({ port });
  console.log(`demo storefront on http://127.0.0.1:${port}/`);
}
