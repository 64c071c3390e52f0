import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { compose } from "../server/layers/layer.js";
import { MemoryStore, rateLimitLayer, type RateStore } from "./rate-limit.js";

describe("MemoryStore", () => {
  it("counts per key within a window that starts at the key's first request", () => {
    const s = new MemoryStore(1000);
    expect(s.hit("a", 10_000)).toEqual({ count: 1, reset: 11_000 });
    expect(s.hit("a", 10_500)).toEqual({ count: 2, reset: 11_000 });
    expect(s.hit("b", 10_600)).toEqual({ count: 1, reset: 11_600 });
    expect(s.hit("a", 10_999)).toEqual({ count: 3, reset: 11_000 });
    expect(s.hit("a", 11_000)).toEqual({ count: 1, reset: 12_000 });
    expect(s.hit("b", 11_500)).toEqual({ count: 2, reset: 11_600 }); // b's window survives the rotation at 11 000
  });

  it("drops old windows: memory holds at most two windows of keys", () => {
    const s = new MemoryStore(1000);
    for (let i = 0; i < 500; i++) s.hit(`k${i}`, 0);
    for (let i = 0; i < 500; i++) s.hit(`j${i}`, 1500);
    expect(s.size).toBe(1000);
    s.hit("z", 2600);
    expect(s.size).toBe(501); // the keys of [0, 1000) are gone
    s.hit("y", 3700);
    expect(s.size).toBe(2); // z (its window ended at 3600, dropped at the next rotation) and y
  });

  it("past maxKeys new keys share one counter, and nobody's count is reset", () => {
    const s = new MemoryStore(1000, 3);
    for (const k of ["a", "b", "c"]) s.hit(k, 0);
    expect(s.hit("d", 1).count).toBe(1);
    expect(s.hit("e", 2).count).toBe(2);
    expect(s.hit("a", 3).count).toBe(2);
    expect(s.size).toBeLessThanOrEqual(4);
  });
});

const from = (peer: string) => ({ requestIP: () => ({ address: peer }) });
const ok = () => new Response("ok");

describe("rateLimitLayer", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(1_000_000);
  });
  afterEach(() => vi.useRealTimers());

  it("is absent when nothing declares a limit", () => {
    expect(rateLimitLayer(null, undefined)).toEqual([]);
    expect(rateLimitLayer({}, undefined)).toEqual([]);
  });

  it("N answers pass with the headers, N+1 is 429 with Retry-After, the window's end resets", async () => {
    const fetch = compose(rateLimitLayer(null, { requests: 3, window: 10_000 }), ok);
    const server = from("203.0.113.1");
    for (let i = 1; i <= 3; i++) {
      const res = (await fetch(new Request("http://x/a"), server))!;
      expect(res.status).toBe(200);
      expect(res.headers.get("ratelimit-limit")).toBe("3");
      expect(res.headers.get("ratelimit-remaining")).toBe(String(3 - i));
      expect(res.headers.get("ratelimit-reset")).toBe("10");
    }
    vi.setSystemTime(1_004_200);
    const over = (await fetch(new Request("http://x/b"), server))!;
    expect(over.status).toBe(429);
    expect(await over.json()).toEqual({ error: "rate limit exceeded" });
    expect(over.headers.get("retry-after")).toBe("6");
    expect(over.headers.get("ratelimit-remaining")).toBe("0");
    expect(over.headers.get("ratelimit-reset")).toBe("6");
    // Another client has its own count.
    expect((await fetch(new Request("http://x/a"), from("203.0.113.2")))!.status).toBe(200);
    vi.setSystemTime(1_010_000);
    const again = (await fetch(new Request("http://x/a"), server))!;
    expect(again.status).toBe(200);
    expect(again.headers.get("ratelimit-remaining")).toBe("2");
  });

  it("the key is req.ip: X-Forwarded-For counts only under trust_proxy", async () => {
    const spoofed = (n: number) => new Request("http://x/", { headers: { "x-forwarded-for": `198.51.100.${n}` } });
    const untrusted = compose(rateLimitLayer({}, { requests: 1, window: 1000 }), ok);
    expect((await untrusted(spoofed(1), from("127.0.0.1")))!.status).toBe(200);
    expect((await untrusted(spoofed(2), from("127.0.0.1")))!.status).toBe(429);
    const trusted = compose(rateLimitLayer({ trust_proxy: true }, { requests: 1, window: 1000 }), ok);
    expect((await trusted(spoofed(1), from("127.0.0.1")))!.status).toBe(200);
    expect((await trusted(spoofed(2), from("127.0.0.1")))!.status).toBe(200);
    expect((await trusted(spoofed(2), from("127.0.0.1")))!.status).toBe(429);
  });

  it("key(req) chooses the counter; None falls back to req.ip", async () => {
    const fetch = compose(rateLimitLayer(null, { requests: 1, window: 1000, key: (req: any) => req.headers["x-api-key"] }), ok);
    const withKey = (k?: string) => new Request("http://x/", k ? { headers: { "x-api-key": k } } : {});
    expect((await fetch(withKey("a"), from("1.1.1.1")))!.status).toBe(200);
    expect((await fetch(withKey("a"), from("2.2.2.2")))!.status).toBe(429);
    expect((await fetch(withKey("b"), from("1.1.1.1")))!.status).toBe(200);
    expect((await fetch(withKey(), from("1.1.1.1")))!.status).toBe(200);
    expect((await fetch(withKey(), from("1.1.1.1")))!.status).toBe(429);
  });

  it("the server statement and the security block's limit are both enforced; headers show the tighter", async () => {
    const fetch = compose(rateLimitLayer({ rate_limit: { requests: 5, window: 60_000 } }, { requests: 2, window: 1000 }), ok);
    const server = from("1.1.1.1");
    const first = (await fetch(new Request("http://x/"), server))!;
    expect([first.headers.get("ratelimit-limit"), first.headers.get("ratelimit-remaining")]).toEqual(["2", "1"]);
    await fetch(new Request("http://x/"), server);
    expect((await fetch(new Request("http://x/"), server))!.status).toBe(429);
    for (let i = 0; i < 2; i++) {
      vi.setSystemTime(Date.now() + 1000);
      const r = (await fetch(new Request("http://x/"), server))!;
      expect(r.status).toBe(200);
    }
    vi.setSystemTime(Date.now() + 1000);
    // 5 counted by the block's minute (the refused one counts too): refused until the minute ends.
    const blocked = (await fetch(new Request("http://x/"), server))!;
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get("ratelimit-limit")).toBe("5");
    expect(Number(blocked.headers.get("retry-after"))).toBe(57);
  });

  it("works with a store that answers later (the shape a Redis store has)", async () => {
    const counts = new Map<string, number>();
    const store = (w: number): RateStore => ({ hit: async (key, now) => ({ count: counts.set(key, (counts.get(key) ?? 0) + 1).get(key)!, reset: now + w }) });
    const fetch = compose(rateLimitLayer(null, { requests: 1, window: 1000 }, store), ok);
    expect((await fetch(new Request("http://x/"), from("1.1.1.1")))!.status).toBe(200);
    expect((await fetch(new Request("http://x/"), from("1.1.1.1")))!.status).toBe(429);
  });

  it("adds the headers to answers with immutable headers, and lets a WebSocket upgrade (no Response) through", async () => {
    const frozen = new Response("x");
    Object.defineProperty(frozen, "headers", { value: new Proxy(frozen.headers, { get: (t, p) => (p === "set" ? () => { throw new TypeError("immutable"); } : Reflect.get(t, p, t).bind?.(t) ?? Reflect.get(t, p, t)) }) });
    const a = compose(rateLimitLayer(null, { requests: 5, window: 1000 }), () => frozen);
    const res = (await a(new Request("http://x/"), from("1.1.1.1")))!;
    expect(res.headers.get("ratelimit-limit")).toBe("5");
    const b = compose(rateLimitLayer(null, { requests: 5, window: 1000 }), () => undefined as unknown as Response);
    expect(await b(new Request("http://x/"), from("1.1.1.1"))).toBeUndefined();
  });

  it("bad settings stop the start", () => {
    expect(() => rateLimitLayer(null, { requests: 0, window: 1000 })).toThrow(/requests/);
    expect(() => rateLimitLayer(null, { requests: 1.5, window: 1000 })).toThrow(/requests/);
    expect(() => rateLimitLayer(null, { requests: 1, window: 0 })).toThrow(/window/);
    expect(() => rateLimitLayer(null, { requests: 1, window: 10, key: "ip" } as any)).toThrow(/key/);
  });
});
