// The stores that may be shared by every instance (scale-out.md): rate-limit
// counters and sessions, each behind one interface with an embedded
// implementation and a Redis one side by side. One contract, run unchanged
// against both, under Bun (Bun's Redis client) with a real redis-server.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, runBun, workspace, writeProgram } from "../testing/bun-process.js";
import { haveRedis, startRedis, stopRedis } from "../testing/redis.js";

let dir: string;
let redisUrl = "";
const KINDS = haveRedis() ? (["embedded", "redis"] as const) : (["embedded"] as const);

beforeAll(async () => {
  dir = workspace();
  if (KINDS.length === 2) redisUrl = await startRedis();
});
afterAll(() => stopRedis());

const src = (file: string) => JSON.stringify(path.join(ROOT, "runtime", file));

async function run(name: string, body: string): Promise<any> {
  const file = writeProgram(dir, `${name}.ts`, `${body}\nprocess.exit(0);`);
  const r = await runBun(file, { REDIS_URL: redisUrl });
  if (r.code !== 0) throw new Error(`${name} failed:\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").at(-1)!);
}

describe.each(KINDS)("rate-limit counters (%s)", (kind) => {
  it("count per key in fixed windows that start at a key's first request, and start again after the window", async () => {
    const out = await run(
      `rate-${kind}`,
      `import { MemoryStore } from ${src("security/rate-limit.ts")};
import { RedisRateStore } from ${src("security/rate-limit-redis.ts")};
import { RedisClient } from "bun";
const id = Math.random().toString(36).slice(2);
const store = ${kind === "redis" ? "new RedisRateStore(new RedisClient(process.env.REDIS_URL), `test:${id}:`, 400)" : "new MemoryStore(400)"};
const t0 = Date.now();
// Read each answer at once (the embedded store answers its live counter).
const a: { count: number; reset: number }[] = [];
for (let i = 0; i < 3; i++) {
  const h = await store.hit("a", Date.now());
  a.push({ count: h.count, reset: h.reset });
}
const b = await store.hit("b", Date.now());
await Bun.sleep(500);
const again = await store.hit("a", Date.now());
console.log(JSON.stringify({
  counts: a.map((h) => h.count), b: b.count, again: again.count,
  sameWindow: a.every((h) => Math.abs(h.reset - a[0].reset) <= 20),
  resetInWindow: a[0].reset - t0 > 350 && a[0].reset - t0 <= 420,
}));`,
    );
    expect(out).toEqual({ counts: [1, 2, 3], b: 1, again: 1, sameWindow: true, resetInWindow: true });
  });
});

describe.each(KINDS)("session store (%s)", (kind) => {
  it("saves, loads, replaces, destroys, and forgets a session past its expiry", async () => {
    const out = await run(
      `sessions-${kind}`,
      `import { sqliteSessionStore } from ${src("server/session-store.ts")};
import { redisSessionStore } from ${src("server/session-store-redis.ts")};
import { RedisClient } from "bun";
const id = Math.random().toString(36).slice(2);
const store = ${kind === "redis" ? "redisSessionStore(new RedisClient(process.env.REDIS_URL), `test:${id}:`)" : `sqliteSessionStore("sessions-" + id + ".db")`};
const out: Record<string, unknown> = {};
await store.save("s1", { data: { user: "ada" }, expires: Date.now() + 60_000 });
out.loaded = (await store.load("s1"))?.data;
await store.save("s1", { data: { user: "grace" }, expires: Date.now() + 60_000 });
out.replaced = (await store.load("s1"))?.data;
out.unknown = await store.load("nope");
await store.destroy("s1");
out.destroyed = await store.load("s1");
await store.destroy("never-made");
await store.save("short", { data: { n: 1 }, expires: Date.now() + 200 });
out.before = (await store.load("short"))?.data;
await Bun.sleep(300);
await store.sweep(Date.now());
out.after = await store.load("short");
console.log(JSON.stringify(out));`,
    );
    expect(out).toEqual({ loaded: { user: "ada" }, replaced: { user: "grace" }, unknown: null, destroyed: null, before: { n: 1 }, after: null });
  });
});
