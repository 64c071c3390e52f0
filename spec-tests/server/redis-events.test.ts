import { randomBytes } from "node:crypto";
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { haveRedis, startRedis, stopRedis } from "../../runtime/testing/redis.js";
import { buildProgram, call, cleanDirs, freePort, start, stopAll, type Built, type Running } from "./harness.js";

/**
 * Events on Redis Streams (scale-out.md): with REDIS_URL, an event reaches
 * every subscribing block once, whichever of its instances takes it; it
 * waits while the block is down; an instance killed in the middle of a
 * handler leaves it to another; a handler that keeps failing gets it 5 times
 * and then it lands in `<event>:dead`. The claim delay is 30 s by default;
 * these tests shorten it with TOVA_CLAIM_MS.
 */
const PROGRAM = `
server "shop" {
  fn place(id: Int, total: Int) {
    publish("order_placed", { id: id, total: total })
    { sent: true }
  }
}

server "ledger" {
  env INSTANCE: String = "?"

  subscribe "order_placed" fn(order) {
    print("start {order.id} at {INSTANCE}")
    if order.total == 13 {
      sleep(1000)
    }
    if order.total == 77 {
      sleep(4500)
    }
    if order.total < 0 {
      return Err("refused order {order.id}")
    }
    print("handled {order.id} at {INSTANCE}")
  }
}
`;

const enabled = haveRedis();
const CLAIM_MS = 2000;
let redisUrl: string;
let env: Record<string, string>;
let built: Built;
let shop: Running;

beforeAll(async () => {
  if (!enabled) return;
  redisUrl = await startRedis();
  built = await buildProgram(PROGRAM);
  env = { REDIS_URL: redisUrl, REDIS_PREFIX: `ev-${randomBytes(4).toString("hex")}:`, TOVA_APP_KEY: randomBytes(32).toString("hex"), TOVA_CLAIM_MS: String(CLAIM_MS) };
  shop = await start(built.file("server", "shop"), { portEnv: "PORT_SHOP", env });
}, 60_000);

afterAll(async () => {
  await stopAll();
  await stopRedis();
  cleanDirs();
});

const ledger = (name: string) => start(built.file("server", "ledger"), { portEnv: "PORT_LEDGER", env: { ...env, INSTANCE: name } });
const place = async (id: number, total: number) => expect((await call(`${shop.url}/rpc/place`, { json: { __args: [id, total] } })).body.result).toEqual({ sent: true });
const lines = (servers: Running[], word: "start" | "handled", id: number) =>
  servers.flatMap((s) => [...s.output().matchAll(new RegExp(`^${word} ${id} at (\\w+)$`, "gm"))].map((m) => m[1]!));

async function until(what: string, ok: () => boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function redis(...args: string[]): string {
  const port = new URL(redisUrl).port;
  return spawnSync("redis-cli", ["-p", port, "--no-raw", ...args], { encoding: "utf8" }).stdout;
}

describe.skipIf(!enabled)("events on Redis Streams", () => {
  it("two instances of the subscribing block handle each event once between them", async () => {
    const [a, b] = [await ledger("a"), await ledger("b")];
    for (let id = 1; id <= 20; id++) await place(id, 10);
    await until("all 20 are handled", () => Array.from({ length: 20 }, (_, i) => lines([a, b], "handled", i + 1).length).every((n) => n >= 1));
    await new Promise((r) => setTimeout(r, 500)); // a second delivery, if there were one, would show by now
    for (let id = 1; id <= 20; id++) expect(lines([a, b], "handled", id)).toHaveLength(1);
    await a.stop("SIGTERM");
    await b.stop("SIGTERM");
  }, 30_000);

  it("an event published while the subscribing block is stopped is delivered when it starts", async () => {
    for (let id = 101; id <= 105; id++) await place(id, 10);
    const late = await ledger("late");
    await until("the five waiting events are handled", () => [101, 102, 103, 104, 105].every((id) => lines([late], "handled", id).length === 1));
    await late.stop("SIGTERM");
  }, 30_000);

  it("an instance killed with SIGKILL in the middle of a handler leaves the event to the other", async () => {
    const [a, b] = [await ledger("a"), await ledger("b")];
    await place(200, 13); // a handler that takes 1 s
    await until("one instance starts it", () => lines([a, b], "start", 200).length === 1);
    const [victim, survivor] = lines([a], "start", 200).length ? [a, b] : [b, a];
    await victim.stop("SIGKILL");
    await until("the other instance handles it after the claim delay", () => lines([survivor], "handled", 200).length === 1, CLAIM_MS + 10_000);
    expect(lines([victim], "handled", 200)).toEqual([]);
    await survivor.stop("SIGTERM");
  }, 30_000);

  it("a subscriber that keeps failing gets the event 5 times, then it moves to <event>:dead", async () => {
    const [a, b] = [await ledger("a"), await ledger("b")];
    await place(300, -1);
    await until("five deliveries", () => lines([a, b], "start", 300).length >= 5, 5 * CLAIM_MS + 10_000);
    await until("the dead-letter line is logged", () => /event moved to the dead-letter stream/.test(a.output() + b.output()), 2 * CLAIM_MS + 5_000);
    await new Promise((r) => setTimeout(r, CLAIM_MS + 500)); // no sixth try
    expect(lines([a, b], "start", 300)).toHaveLength(5);
    const dead = redis("XRANGE", `${env.REDIS_PREFIX}event:order_placed:dead`, "-", "+");
    expect(dead).toContain('"{\\"id\\":300,\\"total\\":-1}"');
    expect(dead).toContain('"ledger"'); // the group it failed in
    await a.stop("SIGTERM");
    await b.stop("SIGTERM");
  }, 60_000);

  it("a handler running longer than the claim delay stays with its live instance: it runs once", async () => {
    const [a, b] = [await ledger("a"), await ledger("b")];
    await place(500, 77); // a handler of 4.5 s, the claim delay 2 s
    await until("it is handled", () => lines([a, b], "handled", 500).length === 1, 15_000);
    await new Promise((r) => setTimeout(r, CLAIM_MS + 500));
    expect(lines([a, b], "start", 500)).toHaveLength(1);
    await a.stop("SIGTERM");
    await b.stop("SIGTERM");
  }, 30_000);

  it("events keep flowing after Redis lost its data (the block's group is made again)", async () => {
    const a = await ledger("a");
    await place(600, 10);
    await until("the first is handled", () => lines([a], "handled", 600).length === 1);
    redis("FLUSHALL");
    await place(601, 10);
    await until("the one published after the flush is handled", () => lines([a], "handled", 601).length === 1, 15_000);
    await a.stop("SIGTERM");
  }, 30_000);

  it("a block started while Redis is down serves, and takes its events once Redis is up", async () => {
    const port = await freePort();
    const away = { ...env, REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_PREFIX: `late-${randomBytes(4).toString("hex")}:` };
    const down = await start(built.file("server", "ledger"), { portEnv: "PORT_LEDGER", env: { ...away, INSTANCE: "down" } });
    expect(down.output()).not.toMatch(/Max reconnection|RedisError/);
    const publisher = await start(built.file("server", "shop"), { portEnv: "PORT_SHOP", env: away });
    await startRedis(port);
    // The publisher falls back to HTTP while Redis was away; once it is up, the stream carries the event.
    await until("the ledger's group exists", () => /ledger/.test(spawnSync("redis-cli", ["-p", String(port), "XINFO", "GROUPS", `${away.REDIS_PREFIX}event:order_placed`], { encoding: "utf8" }).stdout), 20_000);
    expect((await call(`${publisher.url}/rpc/place`, { json: { __args: [700, 10] } })).body.result).toEqual({ sent: true });
    await until("the event is handled", () => lines([down], "handled", 700).length === 1, 15_000);
    await down.stop("SIGTERM");
    await publisher.stop("SIGTERM");
  }, 60_000);

  it("an entry not signed with the application's key is never run", async () => {
    const a = await ledger("a");
    redis("XADD", `${env.REDIS_PREFIX}event:order_placed`, "*", "data", '{"id":400,"total":10}', "sig", "0".repeat(64));
    redis("XADD", `${env.REDIS_PREFIX}event:order_placed`, "*", "data", '{"id":401,"total":10}');
    await place(402, 10); // a genuine one after them
    await until("the genuine one is handled", () => lines([a], "handled", 402).length === 1);
    await until("the forged ones are refused", () => (a.output().match(/not signed with this application's key/g) ?? []).length === 2);
    expect(lines([a], "start", 400)).toEqual([]);
    expect(lines([a], "start", 401)).toEqual([]);
    // Refused entries are acknowledged, not left to be claimed again, and kept in the dead-letter stream with the reason.
    expect(redis("XPENDING", `${env.REDIS_PREFIX}event:order_placed`, "ledger")).toMatch(/^1\) \(integer\) 0\n/);
    const dead = redis("XRANGE", `${env.REDIS_PREFIX}event:order_placed:dead`, "-", "+");
    expect(dead).toContain('"{\\"id\\":400,\\"total\\":10}"');
    expect(dead).toContain("not signed with this application's key");
    await a.stop("SIGTERM");
    // A stopped instance that held nothing leaves the group's consumer list.
    expect(redis("XINFO", "CONSUMERS", `${env.REDIS_PREFIX}event:order_placed`, "ledger")).not.toMatch(new RegExp(`:${a.child.pid}:`));
  }, 30_000);
});
