// A faulty network in front of the real collector, for the delivery fault
// run: it answers POST /v1/proofs as its mode says (forward, 503, hang,
// reset, or refuse connections by closing its port), forwards everything
// else (CORS preflights included), and counts what reached it per
// Idempotency-Key: every POST, those forwarded to the collector and what the
// collector answered, and POSTs that arrived while another one of the same
// proof was still open: `overlaps` while one was being answered, `overHung`
// while one was held by a hang (the browser gave up on it and retried).
// FAULT_TRACE=1 prints every POST.
import { createServer, request } from "node:http";

export function faultProxy(target, port) {
  const to = new URL(target);
  const state = {
    mode: "ok",
    posts: 0,
    overlaps: 0,
    overHung: 0,
    forwarded: new Map(), // id -> POSTs the collector processed
    created: new Map(), // id -> 201 answers (stored as new)
    open: new Map(), // id -> POSTs of it being answered
    held: new Map(), // id -> POSTs of it held by a hang
    port,
    url: `http://127.0.0.1:${port}`,
  };
  const sockets = new Set();

  const forward = (req, res, body) =>
    new Promise((resolve) => {
      const out = request({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        const chunks = [];
        answer.on("data", (c) => chunks.push(c));
        answer.on("end", () => {
          res.writeHead(answer.statusCode, answer.headers).end(Buffer.concat(chunks));
          resolve(answer.statusCode);
        });
      });
      out.on("error", () => {
        res.writeHead(502).end();
        resolve(502);
      });
      out.end(body);
    });

  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks);
    if (req.method !== "POST" || !req.url.startsWith("/v1/proofs")) return forward(req, res, body);
    const id = String(req.headers["idempotency-key"] ?? "");
    state.posts++;
    const mode = state.mode === "flaky" ? (state.posts % 3 === 0 ? "503" : state.posts % 3 === 1 ? "reset" : "ok") : state.mode;
    if (process.env.FAULT_TRACE) console.log(`# POST ${id.slice(0, 8)} ${mode} open=${state.open.get(id) ?? 0} held=${state.held.get(id) ?? 0}`);
    if ((state.open.get(id) ?? 0) > 0) state.overlaps++;
    else if ((state.held.get(id) ?? 0) > 0) state.overHung++;
    const count = mode === "hang" ? state.held : state.open;
    count.set(id, (count.get(id) ?? 0) + 1);
    res.on("close", () => count.set(id, count.get(id) - 1));
    const cors = { "access-control-allow-origin": req.headers.origin ?? "*", "content-type": "application/json" };
    if (mode === "hang") return; // held open until the browser gives up on it
    if (mode === "reset") return req.socket.destroy();
    if (mode === "503") {
      return res.writeHead(503, cors).end(JSON.stringify({ error: "unavailable", message: "fault run: 503" }));
    }
    state.forwarded.set(id, (state.forwarded.get(id) ?? 0) + 1);
    const status = await forward(req, res, body);
    if (status === 201) state.created.set(id, (state.created.get(id) ?? 0) + 1);
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });

  state.listen = () => new Promise((r) => server.listen(port, "127.0.0.1", r));
  /** Closes the port (connections are then refused) and drops every open connection. */
  state.refuse = () =>
    new Promise((r) => {
      server.close(() => r());
      for (const s of sockets) s.destroy();
    });
  state.close = state.refuse;
  return state;
}
