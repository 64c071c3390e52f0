// Beyond one process (scale-out.md; issue 13's figures), in one run:
//   - events from one publishing block to one subscribing block, on the
//     embedded engine (HTTP between the processes) and on Redis Streams:
//     events per second for a burst, and the p50 / p99 delivery latency of
//     events published one at a time (the subscriber's clock minus the
//     publisher's: both processes on this machine);
//   - jobs per second through the Redis queue (BullMQ), beside the in-memory queue;
//   - requests per second of the one-route JSON server with 1 and 2
//     instances behind one port (TOVA_REUSE_PORT=1: SO_REUSEPORT).
// Redis is Debian's redis-server, started here on a free port with no
// persistence; without it the Redis figures are skipped and say so.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, rpc, waitFor } from "./multi.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const BUN = path.join(root, "node_modules", ".bin", "bun");
const CLI = path.join(root, "dist", "cli", "bin.cjs");
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);

const EVENTS = `
server "api" {
  fn fire(n: Int) {
    for i in range(0, n) {
      publish("tick", { i: i, t: performance.timeOrigin + performance.now() })
    }
    n
  }

  fn spawn_many(n: Int) {
    for i in range(0, n) {
      spawn_job(count_job, i)
    }
    n
  }

  fn jobs_done() { done }

  var done = 0

  background fn count_job(i: Int) {
    done += 1
  }
}

server "worker" {
  var latencies = []

  fn total() { latencies.length }

  fn take() {
    all = latencies
    latencies = []
    all
  }

  subscribe "tick" fn(x) {
    latencies.push(performance.timeOrigin + performance.now() - x.t)
  }
}
`;

const ONE_ROUTE = `fn hello() {\n  { message: "hello", count: 1 }\n}\n\nroute GET "/hello" => hello\n`;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const fmt = (n) => Math.round(n).toLocaleString("en-US");
const pct = (xs, p) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

function build(dir, source) {
  writeFileSync(path.join(dir, "app.tova"), source);
  const b = spawnSync(process.execPath, [CLI, "build", "app.tova", "--no-typecheck"], { cwd: dir, encoding: "utf8" });
  if (b.status !== 0) throw new Error(b.stdout + b.stderr);
}

async function startRedis(dir) {
  if (spawnSync("sh", ["-c", "command -v redis-server"]).status !== 0) return null;
  const port = await freePort();
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir], { stdio: "ignore" });
  for (let i = 0; i < 100; i++) {
    if (spawnSync("redis-cli", ["-p", String(port), "ping"], { encoding: "utf8" }).stdout.trim() === "PONG") return { url: `redis://127.0.0.1:${port}`, child };
    await sleep(50);
  }
  child.kill("SIGKILL");
  return null;
}

/** Starts api + worker with `extra` in their environment; answers their base URLs and a stop function. */
async function startPair(dir, extra) {
  const [apiPort, workerPort] = [await freePort(), await freePort()];
  const env = { ...process.env, PORT_API: String(apiPort), PORT_WORKER: String(workerPort), TOVA_APP_KEY: randomBytes(32).toString("hex"), ...extra };
  const children = ["app.server.worker.js", "app.server.api.js"].map((f) => spawn(BUN, ["run", f], { cwd: path.join(dir, ".tova-out"), env, stdio: "ignore" }));
  const api = `http://127.0.0.1:${apiPort}`;
  const worker = `http://127.0.0.1:${workerPort}`;
  await waitFor(`${worker}/healthz`);
  await waitFor(`${api}/healthz`);
  const stop = async () => {
    for (const c of children) c.kill("SIGTERM");
    await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once("exit", r)) : null)));
  };
  return { api, worker, stop };
}

async function eventFigures(dir, label, extra) {
  const { api, worker, stop } = await startPair(dir, extra);
  try {
    // Warm-up, then a burst for throughput.
    await rpc(api, "fire", [200]);
    while ((await rpc(worker, "total")) < 200) await sleep(10);
    await rpc(worker, "take");
    const n = 5000;
    const t0 = performance.now();
    await rpc(api, "fire", [n]);
    for (;;) {
      const total = await rpc(worker, "total");
      if (total >= n) break;
      if (performance.now() - t0 > 120_000) throw new Error(`only ${total} of ${n} events arrived`);
      await sleep(10);
    }
    const rate = n / ((performance.now() - t0) / 1000);
    await rpc(worker, "take");
    // One at a time, paced: the delivery latency of a lone event.
    for (let i = 0; i < 300; i++) {
      await rpc(api, "fire", [1]);
      await sleep(3);
    }
    while ((await rpc(worker, "total")) < 300) await sleep(10);
    const lat = (await rpc(worker, "take")).sort((a, b) => a - b);
    console.log(`  events, ${label}: ${fmt(rate)} events/s (burst of ${fmt(n)}); delivery latency p50 ${pct(lat, 50).toFixed(2)} ms, p99 ${pct(lat, 99).toFixed(2)} ms (300 paced)`);
    return rate;
  } finally {
    await stop();
  }
}

async function jobFigures(dir, label, extra) {
  const { api, stop } = await startPair(dir, extra);
  try {
    await rpc(api, "spawn_many", [200]);
    while ((await rpc(api, "jobs_done")) < 200) await sleep(10);
    const n = 5000;
    const t0 = performance.now();
    await rpc(api, "spawn_many", [n]);
    while ((await rpc(api, "jobs_done")) < 200 + n) {
      if (performance.now() - t0 > 120_000) throw new Error("jobs did not finish");
      await sleep(10);
    }
    const rate = n / ((performance.now() - t0) / 1000);
    console.log(`  jobs, ${label}: ${fmt(rate)} jobs/s (${fmt(n)} spawned at once, run 4 at a time)`);
    return rate;
  } finally {
    await stop();
  }
}

/** The one-route JSON server: one instance, then two sharing the port. */
async function instanceFigures(dir) {
  const results = [];
  for (const count of [1, 2]) {
    const port = await freePort();
    const env = { ...process.env, PORT: String(port), TOVA_REUSE_PORT: "1" };
    const children = Array.from({ length: count }, () => spawn(BUN, ["run", "app.server.js"], { cwd: path.join(dir, ".tova-out"), env, stdio: "ignore" }));
    try {
      await waitFor(`http://127.0.0.1:${port}/healthz`);
      await sleep(300); // the second instance up too
      spawnSync(BUN, [path.join(root, "bench", "load.mjs"), `http://127.0.0.1:${port}/hello`, "1", "32"]);
      const r = JSON.parse(spawnSync(BUN, [path.join(root, "bench", "load.mjs"), `http://127.0.0.1:${port}/hello`, String(SECONDS), "32"], { encoding: "utf8" }).stdout);
      results.push(r.requests / r.seconds);
      console.log(`  one-route JSON, ${count} instance(s) on one port: ${fmt(r.requests / r.seconds)} req/s (${r.errors} errors)`);
    } finally {
      for (const c of children) c.kill("SIGKILL");
      await sleep(100);
    }
  }
  console.log(`  2 instances / 1: ${(results[1] / results[0]).toFixed(2)}x on ${os.cpus().length} cores (the load generator, one Bun process, shares them)`);
}

export async function benchScaleOut() {
  console.log("\nbeyond one process (scale-out.md)");
  const dir = mkdtempSync(path.join(os.tmpdir(), "tova-bench-scale-"));
  const json = mkdtempSync(path.join(os.tmpdir(), "tova-bench-json-"));
  const redisDir = mkdtempSync(path.join(os.tmpdir(), "tova-bench-redis-"));
  let redis = null;
  try {
    build(dir, EVENTS);
    await eventFigures(dir, "embedded (HTTP)", {});
    redis = await startRedis(redisDir);
    if (redis) {
      await eventFigures(dir, "Redis Streams", { REDIS_URL: redis.url, REDIS_PREFIX: "bench-ev:" });
      await jobFigures(dir, "in memory", {});
      await jobFigures(dir, "Redis queue (BullMQ)", { REDIS_URL: redis.url, REDIS_PREFIX: "bench-jobs:" });
      const clients = JSON.parse(spawnSync(BUN, [path.join(root, "bench", "bullmq-clients.ts"), redis.url], { encoding: "utf8" }).stdout.trim().split("\n").pop());
      console.log(`  BullMQ alone, one producer awaiting each add: ${fmt(clients.bun)} jobs/s on Bun's Redis client, ${fmt(clients.ioredis)} on ioredis (${(clients.bun / clients.ioredis).toFixed(2)}x)`);
    } else console.log("  Redis figures skipped: redis-server is not installed");
    build(json, ONE_ROUTE);
    await instanceFigures(json);
  } finally {
    redis?.child.kill("SIGKILL");
    for (const d of [dir, json, redisDir]) rmSync(d, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchScaleOut();
