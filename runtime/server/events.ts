// The event bus (decisions.md, "Events"): `publish` delivers to this
// process's own subscribers in-process, and to the other server blocks that
// subscribe through `POST /rpc/__event` on their port. Delivery happens after
// the publisher continues; failures are logged, never thrown into it.
import { logEvent } from "./log.js";
import { currentRequestId, propagateRequestIds } from "./peers.js";

type Handler = (data: any) => unknown;

const handlers = new Map<string, Handler[]>();
let self: string | null | undefined;
let routes: Record<string, (string | null)[]> = {};

export function setEventIdentity(name: string | null): void {
  self = name;
}

export function subscribe(event: string, fn: Handler): void {
  const list = handlers.get(event) ?? [];
  list.push(fn);
  handlers.set(event, list);
}

export function setEventRoutes(r: Record<string, (string | null)[]>): void {
  routes = r;
  if (Object.values(r).some((targets) => targets.some((t) => t !== self))) propagateRequestIds();
}

export function hasSubscriptions(): boolean {
  return handlers.size > 0;
}

/** Runs this process's handlers for one event (from `publish` or from `/rpc/__event`). */
export async function deliverLocally(event: string, data: unknown): Promise<void> {
  for (const fn of handlers.get(event) ?? []) {
    try {
      await fn(data);
    } catch (err) {
      logEvent("error", "event handler failed", { event, error: err instanceof Error ? err.message : String(err) });
    }
  }
}

/**
 * Publishes an event to every subscribing server block.
 *
 * @example
 * publish("alerts", alert)
 */
export function publish(event: string, data: unknown): void {
  const targets = routes[event] ?? (handlers.has(event) ? [self ?? null] : []);
  const requestId = currentRequestId();
  for (const target of targets) {
    if (target === self) {
      setTimeout(() => void deliverLocally(event, data), 0);
      continue;
    }
    void deliverRemote(target, event, data, requestId);
  }
}

async function deliverRemote(target: string | null, event: string, data: unknown, requestId: string | undefined, attempt = 1): Promise<void> {
  const variable = target === null ? "PORT" : `PORT_${target.toUpperCase().replace(/[^A-Z0-9]/gu, "_")}`;
  const base = process.env[`URL_${variable.slice(5) || "DEFAULT"}`] ?? `http://localhost:${process.env[variable] ?? ""}`;
  try {
    const res = await fetch(`${base}/rpc/__event`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(requestId ? { "x-request-id": requestId } : {}) },
      body: JSON.stringify({ event, data }),
    });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
  } catch (err) {
    if (attempt < 3) {
      setTimeout(() => void deliverRemote(target, event, data, requestId, attempt + 1), 200 * attempt);
      return;
    }
    logEvent("error", "event delivery failed", { event, to: target ?? "default", error: err instanceof Error ? err.message : String(err) });
  }
}
