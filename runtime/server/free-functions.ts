// The functions server code calls by name: `publish`, `spawn_job`,
// `broadcast`, and `peer` for `discover`. Each forwards to its module; this
// file is the public surface (and its declarations) of all four.
import { publish as publishEvent } from "./events.js";
import { spawn_job as enqueue } from "./jobs.js";
import { broadcast as send } from "./realtime.js";
import { peer as proxy } from "./peers.js";

/**
 * Publishes an event to every server block that subscribes to it.
 *
 * @example
 * publish("alerts", alert)
 */
export function publish(event: string, data: unknown): void {
  publishEvent(event, data);
}

/**
 * Enqueues a `background fn` and returns at once.
 *
 * @example
 * spawn_job(send_alert_notification, alert)
 */
export function spawn_job(job: (...args: any[]) => unknown, ...args: unknown[]): void {
  enqueue(job, ...args);
}

/**
 * Sends `{ event, data }` to every connected WebSocket and SSE client.
 *
 * @example
 * broadcast("user_joined", { message: user.name })
 */
export function broadcast(event: string, data: unknown): void {
  send(event, data);
}

/** The options of a `discover`, as the compiler writes them. */
export interface DiscoverOptions {
  url: string | null;
  urlEnv: string;
  portEnv: string;
  port: number | null;
  health: string | null;
  breaker: { threshold: number; resetTimeoutMs: number; timeoutMs: number; halfOpenRequests: number };
}

/** A typed proxy for a discovered peer: `peer.f(...args)` calls `POST /rpc/f` on it. */
export function peer<T>(name: string, options: DiscoverOptions): T {
  return proxy<T>(name, options);
}
