import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { haveRedis, startRedis, stopRedis } from "../../runtime/testing/redis.js";
import { buildProgram, call, cleanDirs, freePort, start, stopAll, type Built, type Running } from "./harness.js";

/**
 * One contract, both engines (scale-out.md, "Two engines, one program"): the
 * same program, its events and jobs, on the embedded engine (nothing
 * installed: events over HTTP between the processes, jobs in memory) and
 * with REDIS_URL (Redis Streams, the BullMQ queue). What differs between the
 * two (durability, claiming, dead letters) is tested in redis-events and
 * redis-jobs; what a program can rely on either way is here.
 */
const PROGRAM = `
shared {
  type Credit { account: String, amount: Int }
}

server "shop" {
  fn pay(account: String, amount: Int) {
    publish("credit", { account: account, amount: amount })
    { sent: true }
  }

  fn pay_raw(data) {
    publish("credit", data)
    { sent: true }
  }

  background fn nap(i: Int) {
    print("nap {i} begins")
    sleep(400)
    print("nap {i} ends")
  }

  fn work(n: Int) {
    for i in range(0, n) {
      spawn_job(nap, i)
    }
    n
  }
}

server "ledger" {
  subscribe "credit" fn(c: Credit) {
    print("ledger got {c.account} {c.amount}")
  }
}

server "audit" {
  subscribe "credit" fn(c) {
    print("audit got {c.account}")
  }
}
`;

const ENGINES = haveRedis() ? (["embedded", "redis"] as const) : (["embedded"] as const);
let built: Built;

beforeAll(async () => {
  built = await buildProgram(PROGRAM);
}, 60_000);

afterAll(async () => {
  await stopAll();
  await stopRedis();
  cleanDirs();
});

async function until(what: string, ok: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const seen = (s: Running, text: string) => s.output().split("\n").filter((l) => l === text).length;

describe.each(ENGINES)("on the %s engine", (engine) => {
  let shop: Running;
  let ledger: Running;
  let audit: Running;

  beforeAll(async () => {
    const [shopPort, ledgerPort, auditPort] = [await freePort(), await freePort(), await freePort()];
    const env: Record<string, string> = {
      TOVA_APP_KEY: randomBytes(32).toString("hex"),
      PORT_SHOP: String(shopPort),
      PORT_LEDGER: String(ledgerPort),
      PORT_AUDIT: String(auditPort),
      ...(engine === "redis" ? { REDIS_URL: await startRedis(), REDIS_PREFIX: "contract:" } : {}),
    };
    ledger = await start(built.file("server", "ledger"), { env, port: ledgerPort });
    audit = await start(built.file("server", "audit"), { env, port: auditPort });
    shop = await start(built.file("server", "shop"), { env, port: shopPort });
  }, 60_000);

  it("every subscribing block gets the event once", async () => {
    expect((await call(`${shop.url}/rpc/pay`, { json: { __args: ["ada", 5] } })).body.result).toEqual({ sent: true });
    await until("both blocks have it", () => seen(ledger, "ledger got ada 5") === 1 && seen(audit, "audit got ada") === 1);
    await new Promise((r) => setTimeout(r, 300));
    expect([seen(ledger, "ledger got ada 5"), seen(audit, "audit got ada")]).toEqual([1, 1]);
  });

  it("a typed subscriber never runs with data that does not fit its type; an untyped one does", async () => {
    await call(`${shop.url}/rpc/pay_raw`, { json: { __args: [{ account: "bob", amount: "lots" }] } });
    await until("the untyped subscriber has it", () => seen(audit, "audit got bob") === 1);
    await until("the typed one says why it refused it", () => /event data rejected/.test(ledger.output()));
    expect(ledger.output()).not.toMatch(/ledger got bob/);
  });

  it("runs at most 4 jobs at a time, every one of them", async () => {
    await call(`${shop.url}/rpc/work`, { json: { __args: [8] } });
    await until("all 8 end", () => Array.from({ length: 8 }, (_, i) => seen(shop, `nap ${i} ends`)).every((n) => n === 1));
    const lines = shop.output().split("\n").filter((l) => /^nap \d+ (begins|ends)$/.test(l));
    let running = 0;
    let most = 0;
    for (const l of lines) {
      running += l.endsWith("begins") ? 1 : -1;
      most = Math.max(most, running);
    }
    expect(most).toBe(4);
  });
});
