// The event bus (decisions.md, "Events"): `publish` delivers to this
// process's own subscribers in-process, and to the other server blocks that
// subscribe through `POST /rpc/__event` on their port. Delivery happens after
// the publisher continues; failures are logged, never thrown into it.
// With REDIS_URL (scale-out.md) every event goes through Redis Streams
// instead (event-streams.ts): durable, once per block, retried, dead-lettered.
//
// security.md, "Between the application's own servers": an event sent to
// another server is signed with the application's key (internal.ts; the
// receiving end is layers/internal.ts), and a subscriber whose parameter has
// a type only ever runs with data of that type: data that does not fit is
// logged and dropped, whether it came from another server or from this
// process (a publisher's data may be dynamic).
import type { Schema } from "../schema/index.js";
import type { SchemaNode } from "../schema/node.js";
import { explainValue } from "../db/conform.js";
import { failOnErr } from "./results.js";
import { appKey, keyIsOwn, signatureHeaders } from "./internal.js";
import { logEvent } from "./log.js";
import { currentRequestId, Instances, propagateRequestIds, refused } from "./peers.js";
import { pathOf } from "./request.js";
import { EventStreams } from "./event-streams.js";
import { sharedRedis } from "./redis.js";

type Handler = (data: any) => unknown;

interface Subscriber {
  fn: Handler;
  /** The parameter's type; null when it is untyped (anything is delivered). */
  schema: SchemaNode | null;
}

/** The path of the internal endpoint that receives events. */
export const EVENT_PATH = "/rpc/__event";

const subscribers = new Map<string, Subscriber[]>();
let self: string | null | undefined;
let routes: Record<string, (string | null)[]> = {};

export function setEventIdentity(name: string | null): void {
  self = name;
}

/** `subscribe "event" fn(x: T) { }`: `schema` is T's schema, or null for an untyped parameter. */
export function subscribe(event: string, fn: Handler, schema: Schema<any> | null = null): void {
  const list = subscribers.get(event) ?? [];
  list.push({ fn, schema: schema as unknown as SchemaNode | null });
  subscribers.set(event, list);
}

export function setEventRoutes(r: Record<string, (string | null)[]>): void {
  routes = r;
  if (sendsRemote()) propagateRequestIds();
}

function sendsRemote(): boolean {
  return Object.values(routes).some((targets) => targets.some((t) => t !== self));
}

export function hasSubscriptions(): boolean {
  return subscribers.size > 0;
}

export function subscribes(event: string): boolean {
  return subscribers.has(event);
}

/**
 * At start, for a server that sends or receives events between processes:
 * reads the key (a TOVA_APP_KEY that is too short stops the start), and says
 * so when there is none, since the other servers' events will then be refused.
 */
export function prepareEvents(): void {
  if (!hasSubscriptions() && !sendsRemote()) return;
  appKey();
  if (keyIsOwn()) {
    logEvent("warn", "TOVA_APP_KEY is not set: this server made up its own key and accepts events only from itself; give every server of the app the same TOVA_APP_KEY (tova dev and tova deploy do)");
  }
}

/** What one delivery did: how many subscribers ran, why the others refused the data, and the first handler error. */
export interface Delivery {
  ran: number;
  rejected: string[];
  failed: string | null;
}

/**
 * Runs this process's subscribers of one event (from `publish` or from
 * `/rpc/__event`). Each typed subscriber's parameter type is checked first;
 * a subscriber the data does not fit does not run, and that is logged.
 */
export async function deliverLocally(event: string, data: unknown): Promise<Delivery> {
  const accepted: Subscriber[] = [];
  const rejected: string[] = [];
  for (const s of subscribers.get(event) ?? []) {
    const why = s.schema === null ? null : explainValue(s.schema, data, "data");
    if (why === null) accepted.push(s);
    else rejected.push(why);
  }
  if (rejected.length > 0) logEvent("warn", "event data rejected", { event, error: rejected[0] });
  let failed: string | null = null;
  for (const s of accepted) {
    try {
      failOnErr(await s.fn(data));
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      failed ??= error;
      logEvent("error", "event handler failed", { event, error });
    }
  }
  return { ran: accepted.length, rejected, failed };
}

let streams: EventStreams | null | undefined;

/** The Redis Streams engine when the application has a Redis, else null (the embedded one). */
function eventStreams(): EventStreams | null {
  if (streams === undefined) {
    const redis = sharedRedis();
    streams = redis ? new EventStreams(redis) : null;
  }
  return streams;
}

/** At start, with Redis: this block takes its events from its consumer groups. */
export async function startEvents(): Promise<void> {
  const engine = eventStreams();
  if (engine && subscribers.size > 0) engine.start(self ?? null, [...subscribers.keys()], deliverLocally);
}

/** On shutdown: stop taking events and let the handlers running finish (bounded). */
export async function stopEvents(timeoutMs: number): Promise<void> {
  await eventStreams()?.stop(timeoutMs);
}

/**
 * Publishes an event to every subscribing server block.
 *
 * @example
 * publish("alerts", alert)
 */
export function publish(event: string, data: unknown): void {
  const targets = routes[event] ?? (subscribers.has(event) ? [self ?? null] : []);
  const requestId = currentRequestId();
  if (targets.length === 0) return;
  const engine = eventStreams();
  if (engine) {
    engine.publish(event, targets, data, requestId).catch((err: unknown) => {
      logEvent("error", "event could not be written to Redis; sent directly instead (not durable)", { event, error: err instanceof Error ? err.message : String(err) });
      sendDirectly(event, targets, data, requestId);
    });
    return;
  }
  sendDirectly(event, targets, data, requestId);
}

/** The embedded engine: this process's subscribers in-process, the other blocks over HTTP. */
function sendDirectly(event: string, targets: readonly (string | null)[], data: unknown, requestId: string | undefined): void {
  for (const target of targets) {
    if (target === self) {
      setTimeout(() => void deliverLocally(event, data), 0);
      continue;
    }
    void deliverRemote(target, event, data, requestId);
  }
}

/** Round robin over each subscribing block's instances (peers.ts). */
const targetInstances = new Map<string | null, Instances>();

function instancesOf(target: string | null): Instances {
  let instances = targetInstances.get(target);
  if (!instances) {
    const portEnv = target === null ? "PORT" : `PORT_${target.toUpperCase().replace(/[^A-Z0-9]/gu, "_")}`;
    const urlEnv = `URL_${portEnv.slice(5) || "DEFAULT"}`;
    // The subscriber's address comes from the environment (tova dev, tova run and the deploy set it); without one there is nowhere to send.
    if (!process.env[urlEnv] && !process.env[portEnv] && !process.env[portEnv.replace(/^PORT/, "PORTS")]) throw new Error(`no address for server ${target ?? "(default)"}: ${portEnv} is not set`);
    instances = new Instances({ url: null, urlEnv, portEnv, port: null });
    targetInstances.set(target, instances);
  }
  return instances;
}

/**
 * Delivers to one instance of the subscribing block (at-least-once for the
 * block, not once per instance): this delivery's instance first, the next
 * one when it refuses the connection; up to three attempts.
 */
async function deliverRemote(target: string | null, event: string, data: unknown, requestId: string | undefined, attempt = 1): Promise<void> {
  let refusedBy: string | null = null;
  try {
    // Signed at each attempt: a retry is a new request, with a new timestamp.
    const body = JSON.stringify({ event, data });
    let res: Response | null = null;
    let last: unknown;
    for (const base of instancesOf(target).order()) {
      const url = `${base.replace(/\/$/, "")}${EVENT_PATH}`;
      try {
        res = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", ...(requestId ? { "x-request-id": requestId } : {}), ...signatureHeaders("POST", pathOf(url), body) },
          body,
        });
        break;
      } catch (err) {
        last = err;
        if (!refused(err)) throw err;
      }
    }
    if (!res) throw last;
    if (res.status >= 400 && res.status < 500) {
      // The receiver's verdict (bad data, a refused signature, no such subscriber): sending it again changes nothing.
      const answer = (await res.json().catch(() => ({}))) as { error?: unknown };
      refusedBy = `HTTP ${res.status}${answer.error === undefined ? "" : `: ${String(answer.error)}`}`;
    } else {
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
    }
  } catch (err) {
    if (attempt < 3) {
      setTimeout(() => void deliverRemote(target, event, data, requestId, attempt + 1), 200 * attempt);
      return;
    }
    refusedBy = err instanceof Error ? err.message : String(err);
  }
  if (refusedBy !== null) logEvent("error", "event delivery failed", { event, to: target ?? "default", error: refusedBy });
}
