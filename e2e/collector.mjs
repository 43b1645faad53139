// Starts the real collector (demo mode, SQLite in a temporary folder) on a
// free port, and runs its admin commands against the same folder.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const BIN = process.env.CONSENT_COLLECTOR_BIN ?? join(ROOT, "target", "debug", "consent-collector");

export async function startCollector(extra = []) {
  const dataDir = mkdtempSync(join(tmpdir(), "consent-e2e-"));
  const child = spawn(BIN, ["serve", "--demo", "--listen", "127.0.0.1:0", "--data-dir", dataDir, "--rate-ip", "0", "--rate-email", "0", ...extra], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) resolve(m[1]);
    });
    child.on("exit", (code) => reject(new Error(`collector exited with ${code}`)));
  });
  const admin = (...args) => execFileSync(BIN, [...args, "--data-dir", dataDir], { cwd: ROOT, encoding: "utf8" });
  return { url, dataDir, admin, stop: () => child.kill("SIGTERM") };
}
