// Between servers (the multi-server issue's figures): the latency a peer call
// adds over a direct fetch of the same endpoint (target < 0.3 ms at p50),
// events per second delivered across two processes, and the time from saving
// a file under `tova dev` to every server answering again (target < 1 s for
// the monitoring example).
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { appendFileSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const BUN = path.join(root, "node_modules", ".bin", "bun");
const CLI = path.join(root, "dist", "cli", "bin.cjs");

const PROGRAM = `
server "api" {
  discover "worker" at "http://localhost:1"
  fn fire(n: Int) {
    for i in range(0, n) {
      publish("tick", i)
    }
    n
  }
}

server "worker" {
  var count = 0
  fn ping() { "pong" }
  fn total() { count }
  subscribe "tick" fn(i) {
    count += 1
  }
}
`;

export const freePort = () =>
  new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

export async function waitFor(url, ms = 15000) {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      const r = await fetch(url);
      await r.arrayBuffer();
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`${url} did not answer`);
      await new Promise((r) => setTimeout(r, 30));
    }
  }
}

export const rpc = async (base, fn, args = []) => (await (await fetch(`${base}/rpc/${fn}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ __args: args }) })).json()).result;

export async function benchMulti() {
  const dir = mkdtempSync(path.join(os.tmpdir(), "tova-bench-multi-"));
  const children = [];
  try {
    writeFileSync(path.join(dir, "app.tova"), PROGRAM);
    const b = spawnSync(process.execPath, [CLI, "build", "app.tova"], { cwd: dir, encoding: "utf8" });
    if (b.status !== 0) throw new Error(b.stdout + b.stderr);
    const [apiPort, workerPort] = [await freePort(), await freePort()];
    // One key for the app's servers, as tova dev and tova deploy give them: events between them are signed with it.
    const env = { ...process.env, PORT_API: String(apiPort), PORT_WORKER: String(workerPort), TOVA_APP_KEY: randomBytes(32).toString("base64url") };
    for (const f of ["app.server.worker.js", "app.server.api.js"]) children.push(spawn(BUN, ["run", f], { cwd: path.join(dir, ".tova-out"), env, stdio: "ignore" }));
    await waitFor(`http://127.0.0.1:${workerPort}/healthz`);
    await waitFor(`http://127.0.0.1:${apiPort}/healthz`);
    console.log("\nbetween servers (bun)");

    // 1. A peer call against a direct fetch of the same endpoint, from one Bun process.
    const script = path.join(dir, "latency.mjs");
    writeFileSync(
      script,
      `import { peer } from ${JSON.stringify(path.join(dir, ".tova-out", "runtime", "server.js"))};
const worker = peer("worker", { url: null, urlEnv: "URL_WORKER", portEnv: "PORT_WORKER", port: ${workerPort}, health: null, breaker: { threshold: 5, resetTimeoutMs: 30000, timeoutMs: 10000, halfOpenRequests: 1 } });
const url = "http://127.0.0.1:${workerPort}/rpc/ping";
const direct = async () => (await (await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: '{"__args":[]}' })).json()).result;
const time = async (f, n) => { const xs = []; for (let i = 0; i < n; i++) { const t = performance.now(); await f(); xs.push(performance.now() - t); } xs.sort((a, b) => a - b); return xs[Math.floor(n / 2)]; };
await time(direct, 300); await time(() => worker.ping(), 300);
let d = [], p = [];
for (let r = 0; r < 5; r++) { d.push(await time(direct, 400)); p.push(await time(() => worker.ping(), 400)); }
d.sort((a, b) => a - b); p.sort((a, b) => a - b);
console.log(JSON.stringify({ direct: d[2], peer: p[2] }));`,
    );
    const lat = JSON.parse(spawnSync(BUN, [script], { env, encoding: "utf8" }).stdout.trim().split("\n").pop());
    const added = lat.peer - lat.direct;
    console.log(`  peer call p50 ${lat.peer.toFixed(3)} ms, direct fetch p50 ${lat.direct.toFixed(3)} ms: +${added.toFixed(3)} ms`);
    console.log(`  ${added < 0.3 ? "PASS" : "MISS"} added latency of a peer call < 0.3 ms at p50`);

    // 2. Events across two processes.
    const n = 5000;
    const t0 = performance.now();
    await rpc(`http://127.0.0.1:${apiPort}`, "fire", [n]);
    for (;;) {
      const total = await rpc(`http://127.0.0.1:${workerPort}`, "total");
      if (total >= n) break;
      if (performance.now() - t0 > 60_000) throw new Error(`only ${total} of ${n} events arrived`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const secs = (performance.now() - t0) / 1000;
    console.log(`  ${n} events from api to worker in ${secs.toFixed(2)} s: ${Math.round(n / secs).toLocaleString("en-US")} events/s`);
  } finally {
    for (const c of children) c.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
  await benchDevRestart();
}

/** 3. Saving a file under `tova dev` until every server of the monitoring example answers again. */
async function benchDevRestart() {
  const dir = mkdtempSync(path.join(os.tmpdir(), "tova-bench-dev-"));
  const file = path.join(dir, "monitor.tova");
  copyFileSync(path.join(root, "examples", "monitoring-service.tova"), file);
  const base = 20000 + Math.floor(Math.random() * 20000);
  const dev = spawn(process.execPath, [CLI, "dev", "monitor.tova", "--port", String(base)], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  dev.stdout.on("data", (d) => (out += d));
  try {
    // The api keeps its explicit port 3001 in this program; the collector takes the base port.
    const urls = [`http://127.0.0.1:${base}/healthz`, "http://127.0.0.1:3001/healthz"];
    for (const u of urls) await waitFor(u, 60000);
    const times = [];
    for (let i = 0; i < 3; i++) {
      const before = out.length;
      const t0 = performance.now();
      appendFileSync(file, `\n// edit ${i}\n`);
      // wait for the restart to begin, then for every server to answer again
      while (!out.slice(before).includes("server process(es) running")) await new Promise((r) => setTimeout(r, 10));
      for (const u of urls) await waitFor(u, 30000);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    console.log(`  tova dev, monitoring example: save to every server answering in ${(times[1] / 1000).toFixed(2)} s (median of 3)`);
    console.log(`  ${times[1] < 1000 ? "PASS" : "MISS"} save-to-serving < 1 s`);
  } finally {
    dev.kill("SIGTERM");
    await new Promise((r) => dev.once("exit", r));
    rmSync(dir, { recursive: true, force: true });
  }
}
