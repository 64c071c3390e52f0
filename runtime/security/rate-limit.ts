// `rate_limit { requests, window, key }` (security.md, "Server statements";
// the security block's `rate_limit` is the same for every server): at most
// `requests` per `window` for each value of `key(req)` (default `req.ip`).
// Over the limit: 429 `{"error": "rate limit exceeded"}` with `Retry-After`;
// `RateLimit-Limit` / `RateLimit-Remaining` / `RateLimit-Reset` (seconds
// until the window ends) on every answer.
//
// Windows are fixed and start at a key's first request: `requests` answers
// in [t, t + window), then the count starts again. Counters live in a
// `RateStore`; the in-process one is below, and one shared by every instance
// (Redis, issue 13) only has to implement `hit`.
//
// When both the server statement and the security block declare a limit,
// both are enforced: a request must pass each, and the headers describe the
// one with the fewest requests left.
import { logEvent } from "../server/log.js";
import { pathOf, TovaRequestImpl } from "../server/request.js";
import type { Layer } from "../server/layers/layer.js";
import type { RateLimitConfig, SecurityConfig, TovaRequest } from "../server/types.js";
import { clientIp, setProcessTrust, trustOf } from "./client-ip.js";
import { refuse, setHeaders } from "./respond.js";

/** A key's count in its current window, and when (ms since the epoch) that window ends. */
export interface Hit {
  count: number;
  reset: number;
}

/** Where counters live. `hit` counts one request for `key` at `now` (ms) and answers the key's window. */
export interface RateStore {
  hit(key: string, now: number): Hit | Promise<Hit>;
}

/** Makes the store of one limit, given its window in ms. */
export type StoreFactory = (windowMs: number) => RateStore;

interface Entry {
  count: number;
  reset: number;
}

/**
 * Counters in the process, in bounded memory. Entries sit in two maps: the
 * current one and the one before; every `window` ms the older map is dropped
 * whole and the current one becomes the older. A window lasts `window` ms,
 * so an entry still counting is always in one of the two, and nothing is
 * kept longer than two windows. At most `maxKeys` entries are made per
 * rotation; past that, new keys share one counter until the next rotation
 * (a flood of distinct keys is limited together rather than growing memory
 * or resetting anyone's count).
 */
export class MemoryStore implements RateStore {
  private current = new Map<string, Entry>();
  private older = new Map<string, Entry>();
  private rotateAt = 0;

  constructor(
    private readonly windowMs: number,
    private readonly maxKeys = 100_000,
  ) {}

  hit(key: string, now: number): Hit {
    if (now >= this.rotateAt) {
      this.older = this.current;
      this.current = new Map();
      this.rotateAt = now + this.windowMs;
    }
    let entry = this.current.get(key) ?? this.older.get(key);
    if (entry === undefined || entry.reset <= now) {
      if (this.current.size >= this.maxKeys) key = "\u0000overflow";
      entry = this.current.get(key);
      if (entry === undefined || entry.reset <= now) {
        entry = { count: 0, reset: now + this.windowMs };
        this.current.set(key, entry);
      }
    }
    entry.count++;
    return entry;
  }

  /** Entries held (both maps), for the tests of the memory bound. */
  get size(): number {
    return this.current.size + this.older.size;
  }
}

interface Limit {
  requests: number;
  window: number;
  limitText: string;
  key: ((req: TovaRequest) => unknown) | undefined;
  store: RateStore;
}

const NAMES = ["ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"] as const;
const NAMES_429 = [...NAMES, "retry-after"] as const;

function limitOf(where: string, c: Record<string, unknown>, store: StoreFactory): Limit {
  const requests = c["requests"];
  const window = c["window"];
  const key = c["key"];
  if (typeof requests !== "number" || !Number.isInteger(requests) || requests < 1) throw new Error(`${where}: requests must be a positive integer, not ${String(requests)}`);
  if (typeof window !== "number" || !Number.isFinite(window) || window <= 0) throw new Error(`${where}: window must be a positive duration, not ${String(window)}`);
  if (key !== undefined && key !== null && typeof key !== "function") throw new Error(`${where}: key must be a function of the request`);
  return { requests, window, limitText: String(requests), key: (key ?? undefined) as Limit["key"], store: store(window) };
}

/**
 * The rate-limit layer of `App.layers()`: none when neither the server's
 * `rate_limit` statement nor the security block declares one.
 */
export function rateLimitLayer(security: SecurityConfig | null, statement: Record<string, unknown> | RateLimitConfig | undefined, store: StoreFactory = (w) => new MemoryStore(w)): Layer[] {
  const limits: Limit[] = [];
  if (statement) limits.push(limitOf("rate_limit", statement as Record<string, unknown>, store));
  if (security?.rate_limit) limits.push(limitOf("security.rate_limit", security.rate_limit as unknown as Record<string, unknown>, store));
  if (limits.length === 0) return [];
  const trust = trustOf(security?.trust_proxy);
  setProcessTrust(trust);
  type Next = (r: Request, s: unknown) => Response | Promise<Response>;
  const keyOf = (limit: Limit, raw: Request, server: unknown): string => {
    if (limit.key !== undefined) {
      const k = limit.key(requestFor(raw, server));
      if (k !== null && k !== undefined && k !== "") return String(k);
    }
    return clientIp(raw, server, trust);
  };

  if (limits.length === 1) {
    // The usual case, without the arrays of the general one below (it runs on every request).
    const limit = limits[0]!;
    return [(next) => (raw, server) => {
      const now = Date.now();
      const hit = limit.store.hit(keyOf(limit, raw, server), now);
      return hit instanceof Promise ? hit.then((h) => answer(h, limit, now, raw, server, next)) : answer(hit, limit, now, raw, server, next);
    }];
  }

  return [(next) => (raw, server) => {
    const now = Date.now();
    const hits: (Hit | Promise<Hit>)[] = [];
    let pending = false;
    for (const limit of limits) {
      const hit = limit.store.hit(keyOf(limit, raw, server), now);
      if (hit instanceof Promise) pending = true;
      hits.push(hit);
    }
    if (pending) return Promise.all(hits).then((done) => binding(done, now, raw, server, next));
    return binding(hits as Hit[], now, raw, server, next);
  }];

  /** Of several limits, the one that binds: an exceeded one (the latest to reset), else the one with the fewest requests left. */
  function binding(hits: Hit[], now: number, raw: Request, server: unknown, next: Next): Response | Promise<Response> {
    let at = 0;
    for (let i = 1; i < hits.length; i++) {
      const over = hits[i]!.count > limits[i]!.requests;
      const bestOver = hits[at]!.count > limits[at]!.requests;
      if (over ? !bestOver || hits[i]!.reset > hits[at]!.reset : !bestOver && limits[i]!.requests - hits[i]!.count < limits[at]!.requests - hits[at]!.count) at = i;
    }
    return answer(hits[at]!, limits[at]!, now, raw, server, next);
  }

  function answer(hit: Hit, limit: Limit, now: number, raw: Request, server: unknown, next: Next): Response | Promise<Response> {
    const seconds = String(Math.max(0, Math.ceil((hit.reset - now) / 1000)));
    if (hit.count > limit.requests) {
      if (hit.count === limit.requests + 1) logEvent("warn", "rate limit exceeded", { method: raw.method, path: pathOf(raw.url), limit: limit.requests, window_ms: limit.window });
      return setHeaders(refuse(429, "rate limit exceeded"), NAMES_429, [limit.limitText, "0", seconds, seconds]);
    }
    const values = [limit.limitText, String(limit.requests - hit.count), seconds];
    const out = next(raw, server);
    return out instanceof Promise ? out.then((res) => setHeaders(res, NAMES, values)) : setHeaders(out, NAMES, values);
  }
}

/** The `req` a `key` function receives (no id or path parameters yet: routing has not happened). */
function requestFor(raw: Request, server: unknown): TovaRequest {
  return new TovaRequestImpl(raw, pathOf(raw.url), "", {}, server);
}

