/// <reference types="bun" />
// The application's Redis (scale-out.md): with `REDIS_URL` set, what must be
// shared by every instance of a server block lives there (rate-limit
// counters and sessions so far). Unset, everything stays in the process or
// the block's SQLite file, exactly as on a machine with nothing installed.
// One connection per process, through Bun's built-in client (nothing to
// install). Keys start with `REDIS_PREFIX` (the deploy sets `<app>:`), so
// several apps can share one Redis.
import { RedisClient, type RedisOptions } from "bun";
import { exitWithError } from "./lifecycle.js";

export interface SharedRedis {
  client: RedisClient;
  /** A connection of its own (a subscribing connection can run nothing else). */
  connect(): RedisClient;
  /** What every key of this application starts with. */
  prefix: string;
  /** Resolves once the shared connection is up, or after `timeoutMs` (the start goes on; commands then fail fast and retry). */
  ready(timeoutMs: number): Promise<boolean>;
}

let shared: SharedRedis | null | undefined;

/** The process's Redis, or null when REDIS_URL is not set. A malformed URL stops the start with one line. */
export function sharedRedis(): SharedRedis | null {
  if (shared !== undefined) return shared;
  const url = process.env.REDIS_URL;
  if (!url) return (shared = null);
  if (!/^rediss?:\/\//.test(url) || !URL.canParse(url)) exitWithError(`REDIS_URL must be a redis:// or rediss:// URL, got ${JSON.stringify(url.replace(/\/\/[^@/]*@/, "//***@"))}`);
  const open = (options: RedisOptions) => {
    const client = new RedisClient(url, options);
    // Connected at once, so commands do not meet a connection still opening (there is no offline queue).
    const connected = client.connect().then(
      () => true,
      () => false, // a failure shows in the commands, which say what they were for
    );
    return { client, connected };
  };
  const main = open(SHARED);
  return (shared = {
    client: main.client,
    connect: () => open(OWN).client,
    prefix: process.env.REDIS_PREFIX ?? "tova:",
    ready: (timeoutMs) => Promise.race([main.connected, new Promise<boolean>((r) => setTimeout(() => r(false), timeoutMs).unref?.())]),
  });
}

/**
 * Reconnect for as long as the process lives (Bun's default gives up after
 * 20 tries, about 30 s, and never again: an outage longer than that left the
 * process without Redis until restarted). No offline queue: while Redis is
 * away, a command fails at once, so `publish` falls back to HTTP and rate
 * limits fail open instead of waiting (and queueing) without bound.
 */
const SHARED: RedisOptions = { maxRetries: 1_000_000_000, enableOfflineQueue: false, connectionTimeout: 5_000 };
/** A connection of its own (a subscriber, the event reader, BullMQ's): it waits for Redis, and only it waits. */
const OWN: RedisOptions = { maxRetries: 1_000_000_000, connectionTimeout: 5_000 };

/** How long work held by an instance that stopped answering waits before another instance takes it (events and jobs). */
export const CLAIM_AFTER_MS = 30_000;

/** The claim delay: `TOVA_CLAIM_MS` for an operator (and the tests) that want it other than 30 s; at least 100 ms. */
export function claimAfterMs(): number {
  const text = process.env["TOVA_CLAIM_MS"];
  const n = text ? Number(text) : NaN;
  return Number.isInteger(n) && n >= 100 ? n : CLAIM_AFTER_MS;
}
