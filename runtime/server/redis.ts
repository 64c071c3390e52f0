/// <reference types="bun" />
// The application's Redis (scale-out.md): with `REDIS_URL` set, what must be
// shared by every instance of a server block lives there (rate-limit
// counters and sessions so far). Unset, everything stays in the process or
// the block's SQLite file, exactly as on a machine with nothing installed.
// One connection per process, through Bun's built-in client (nothing to
// install). Keys start with `REDIS_PREFIX` (the deploy sets `<app>:`), so
// several apps can share one Redis.
import { RedisClient } from "bun";
import { exitWithError } from "./lifecycle.js";

export interface SharedRedis {
  client: RedisClient;
  /** A connection of its own (a subscribing connection can run nothing else). */
  connect(): RedisClient;
  /** What every key of this application starts with. */
  prefix: string;
}

let shared: SharedRedis | null | undefined;

/** The process's Redis, or null when REDIS_URL is not set. A malformed URL stops the start with one line. */
export function sharedRedis(): SharedRedis | null {
  if (shared !== undefined) return shared;
  const url = process.env.REDIS_URL;
  if (!url) return (shared = null);
  if (!/^rediss?:\/\//.test(url) || !URL.canParse(url)) exitWithError(`REDIS_URL must be a redis:// or rediss:// URL, got ${JSON.stringify(url.replace(/\/\/[^@/]*@/, "//***@"))}`);
  return (shared = { client: new RedisClient(url), connect: () => new RedisClient(url), prefix: process.env.REDIS_PREFIX ?? "tova:" });
}

/** How long work held by an instance that stopped answering waits before another instance takes it (events and jobs). */
export const CLAIM_AFTER_MS = 30_000;

/** The claim delay: `TOVA_CLAIM_MS` for an operator (and the tests) that want it other than 30 s; at least 100 ms. */
export function claimAfterMs(): number {
  const text = process.env["TOVA_CLAIM_MS"];
  const n = text ? Number(text) : NaN;
  return Number.isInteger(n) && n >= 100 ? n : CLAIM_AFTER_MS;
}
