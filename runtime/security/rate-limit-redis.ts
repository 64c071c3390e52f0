// Rate-limit counters in Redis (scale-out.md): one count per key and window
// shared by every instance, so `requests: 100` means 100 across the
// application, not 100 per process. The same fixed windows as MemoryStore
// (rate-limit.ts): the first request starts a window of `window` ms; an
// atomic script counts and sets the expiry in one round trip.
import type { RedisClient } from "bun";
import type { Hit, RateStore, StoreFactory } from "./rate-limit.js";
import { logEventEvery } from "../server/log.js";

const HIT = `local c = redis.call('INCR', KEYS[1])
if c == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) ttl = tonumber(ARGV[1]) end
return {c, ttl}`;

export class RedisRateStore implements RateStore {
  constructor(
    private readonly client: RedisClient,
    /** The key prefix of this limit (the app's prefix, `rl:`, the limit's number). */
    private readonly prefix: string,
    private readonly windowMs: number,
  ) {}

  async hit(key: string, now: number): Promise<Hit> {
    try {
      const [count, ttl] = (await this.client.send("EVAL", [HIT, "1", this.prefix + key, String(this.windowMs)])) as [number, number];
      return { count, reset: now + ttl };
    } catch (err) {
      // Redis unreachable: the request is let through uncounted (an outage of the counters is not an outage of the app), and said.
      logEventEvery(10_000, "error", "rate limit counters unavailable (Redis); requests are not counted until it answers", { error: (err as Error).message });
      return { count: 0, reset: now + this.windowMs };
    }
  }
}

/**
 * The stores of one process's limits. Limits are numbered in the order the
 * program declares them, the same in every instance, so instance 1's first
 * limit and instance 2's first limit count together.
 */
export function redisRateStores(client: RedisClient, prefix: string): StoreFactory {
  let n = 0;
  return (windowMs) => new RedisRateStore(client, `${prefix}rl:${n++}:`, windowMs);
}
