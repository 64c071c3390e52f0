import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { haveRedis, startRedis, stopRedis } from "../../runtime/testing/redis.js";
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

  route POST "/login" => login
  route GET "/me" => me
  route GET "/ping" => ping
}
`;

const enabled = haveRedis();
const dirs: string[] = [];
let one: Running;
let two: Running;

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
}, 60_000);

afterAll(async () => {
  await stopAll();
  await stopRedis();
  cleanDirs();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe.skipIf(!enabled)("two instances sharing Redis", () => {
  it("a session created on one instance is read on the other", async () => {
    const login = await fetch(`${one.url}/login`, { method: "POST" });
    expect(login.status).toBe(200);
    const cookie = login.headers.getSetCookie().find((c) => c.startsWith("tova_sid="))!.split(";")[0]!;
    expect((await call(`${two.url}/me`, { headers: { cookie } })).body).toEqual({ user: "ada" });
    expect((await call(`${two.url}/me`)).body).toEqual({ user: null });
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
