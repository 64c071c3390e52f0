import { randomBytes } from "node:crypto";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { haveRedis, startRedis, stopRedis } from "../../runtime/testing/redis.js";
import { BUN_PATH } from "../../cli/toolchain.js";
import { buildProgram, call, cleanDirs, start, stopAll, type Running } from "./harness.js";

/**
 * Two instances of one server block with REDIS_URL (scale-out.md): a rate
 * limit of N is N across both, and a session made on one is read on the
 * other. Each instance keeps its own data directory, so nothing but Redis is
 * shared. Without REDIS_URL the same program keeps both in the process
 * (the embedded default, tested in spec-tests/security/).
 */
const PROGRAM = `
server {
  rate_limit { requests: 5, window: 1.minute, key: fn(req) req.headers["x-client"] }

  sessions {
    secret: env("SESSION_SECRET"),
    max_age: 1.hour,
    secure: false
  }

  fn login(req) {
    req.session.set("user", "ada")
    { ok: true }
  }

  fn me(req) {
    { user: req.session.get("user") }
  }

  fn ping() -> String { "pong" }

  fn announce(text: String) {
    broadcast("news", text)
    { sent: true }
  }

  ws {
    on_open fn(socket) {
      print("socket opened")
    }
  }

  schedule "* * * * * *" fn tick() {
    print("tick {Math.round(Date.now() / 1000)}")
  }

  route POST "/login" => login
  route GET "/me" => me
  route GET "/ping" => ping
}
`;

const enabled = haveRedis();
const dirs: string[] = [];
let one: Running;
let two: Running;
let three: Running;

beforeAll(async () => {
  if (!enabled) return;
  const redis = await startRedis();
  const built = await buildProgram(PROGRAM);
  const env = { REDIS_URL: redis, REDIS_PREFIX: `test-${randomBytes(4).toString("hex")}:`, SESSION_SECRET: randomBytes(32).toString("hex"), TOVA_APP_KEY: randomBytes(32).toString("hex") };
  const own = () => {
    const d = mkdtempSync(path.join(os.tmpdir(), "tova-instance-"));
    dirs.push(d);
    return d;
  };
  one = await start(built.file("server"), { env: { ...env, TOVA_DATA_DIR: own() } });
  two = await start(built.file("server"), { env: { ...env, TOVA_DATA_DIR: own() } });
  three = await start(built.file("server"), { env: { ...env, TOVA_DATA_DIR: own() } });
}, 60_000);

afterAll(async () => {
  await stopAll();
  await stopRedis();
  cleanDirs();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe.skipIf(!enabled)("two instances sharing Redis", () => {
  it("runs a 1-second schedule once per tick across three instances", async () => {
    const ticks = () => [one, two, three].flatMap((s) => [...s.output().matchAll(/tick (\d+)/g)].map((m) => Number(m[1])));
    const before = new Set(ticks());
    await new Promise((r) => setTimeout(r, 10_500));
    const seen = ticks().filter((t) => !before.has(t));
    // Every second once, by one instance or another: no second twice, none missing in the middle.
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThanOrEqual(9);
    const sorted = [...seen].sort((a, b) => a - b);
    expect(sorted.at(-1)! - sorted[0]! + 1).toBe(sorted.length);
    // Every instance keeps its timer and the lock picks one per tick: the one that has been taking them is
    // paused (SIGSTOP, so later tests still have it), and the others take the next ticks. (Which instance wins
    // a tick is a race, often won by the same one: counting winners would prove nothing.)
    const count = (s: Running) => (s.output().match(/tick \d+/g) ?? []).length;
    const winner = [one, two, three].reduce((a, b) => (count(b) > count(a) ? b : a));
    const others = [one, two, three].filter((s) => s !== winner);
    const othersBefore = others.map(count).reduce((a, b) => a + b, 0);
    process.kill(winner.child.pid!, "SIGSTOP");
    try {
      await new Promise((r) => setTimeout(r, 3_500));
    } finally {
      process.kill(winner.child.pid!, "SIGCONT");
    }
    expect(others.map(count).reduce((a, b) => a + b, 0) - othersBefore).toBeGreaterThanOrEqual(2);
  }, 30_000);

  it("a WebSocket client of one instance receives a broadcast made on another", async () => {
    writeFileSync(
      path.join(dirs[0]!, "ws-client.ts"),
      `const ws = new WebSocket(process.argv[2]);
ws.onopen = () => console.log("open");
ws.onmessage = (m) => { console.log(m.data); process.exit(0); };
setTimeout(() => process.exit(2), 10_000);`,
    );
    const child = spawn(BUN_PATH, ["run", path.join(dirs[0]!, "ws-client.ts"), `${one.url.replace("http", "ws")}/ws`], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout!.on("data", (d: Buffer) => (out += d));
    const exited = new Promise<number | null>((r) => child.on("exit", r));
    for (let i = 0; i < 100 && !out.includes("open"); i++) await new Promise((r) => setTimeout(r, 50));
    expect((await call(`${three.url}/rpc/announce`, { json: { __args: ["hello from three"] } })).body.result).toEqual({ sent: true });
    expect(await exited).toBe(0);
    expect(JSON.parse(out.split("\n")[1]!)).toEqual({ event: "news", data: "hello from three" });
  }, 30_000);

  it("a session created on one instance is read on the other", async () => {
    const login = await fetch(`${one.url}/login`, { method: "POST", headers: { "x-client": "sessions" } });
    expect(login.status).toBe(200);
    const cookie = login.headers.getSetCookie().find((c) => c.startsWith("tova_sid="))!.split(";")[0]!;
    expect((await call(`${two.url}/me`, { headers: { cookie, "x-client": "sessions" } })).body).toEqual({ user: "ada" });
    expect((await call(`${three.url}/me`, { headers: { cookie, "x-client": "sessions" } })).body).toEqual({ user: "ada" });
    expect((await call(`${two.url}/me`, { headers: { "x-client": "sessions" } })).body).toEqual({ user: null });
  });

  it("shares one rate limit of N between them", async () => {
    // 5 a minute for this client, counted across both instances.
    const headers = { "x-client": "client-a" };
    const statuses: number[] = [];
    for (const s of [one, two, one, two, one]) statuses.push((await fetch(`${s.url}/ping`, { headers })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    const over = await fetch(`${two.url}/ping`, { headers });
    expect(over.status).toBe(429);
    expect(over.headers.get("ratelimit-remaining")).toBe("0");
    expect((await fetch(`${one.url}/ping`, { headers })).status).toBe(429);
    // Another client has its own count.
    expect((await fetch(`${two.url}/ping`, { headers: { "x-client": "client-b" } })).status).toBe(200);
  });
});
