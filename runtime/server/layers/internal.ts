// The endpoints the runtime adds for its own use, closed to everyone but the
// application's servers (security.md, "Between the application's own
// servers"). Today that is `POST /rpc/__event`, where other server blocks
// deliver the events this one subscribes to.
//
// It is a layer rather than a route: it must see the body's exact bytes (the
// signature covers them), and it answers before CORS, rate limits and
// `protect`, which are for the app's clients (a `protect "/rpc/*"` must not
// shut out the app's own servers, which carry their own proof). The path is
// matched exactly and nothing else routes it, so `//rpc/__event` or an
// encoded variant is just a 404 from the router.
//
// Order of the checks, cheapest first: signature headers present and the
// timestamp inside the window (nothing read yet); the body, read up to the
// limit; the HMAC in constant time and the replay record; the JSON; the
// subscriber's parameter type. Any failure answers 401/413/400/404 and runs no
// subscriber.
import { deliverLocally, EVENT_PATH, subscribes } from "../events.js";
import { precheck, verify } from "../internal.js";
import { readText, TooLarge } from "../uploads/body.js";
import { logEvent, logRequest } from "../log.js";
import { withRequestId } from "../peers.js";
import { isPlainObject } from "../../schema/node.js";
import { pathOf, requestIdOf } from "../request.js";
import type { Layer } from "./layer.js";

/** What the layer shares with the app's pipeline: the in-flight count (graceful shutdown waits for it) and the log field. */
export interface InternalShared {
  inflight: number;
  serviceField: string;
}

/** The largest event body accepted without a `max_body` (security.md: 1 megabyte for JSON bodies). */
export const DEFAULT_EVENT_LIMIT = 1024 * 1024;

/** The layer that answers `POST /rpc/__event`; present only when the server block subscribes to events. */
export function internalEndpoints(shared: InternalShared, bodyLimit: number | null): Layer {
  const limit = bodyLimit ?? DEFAULT_EVENT_LIMIT;
  return (next) => (raw, server) => (raw.method === "POST" && pathOf(raw.url) === EVENT_PATH ? receiveEvent(raw, shared, limit) : next(raw, server));
}

async function receiveEvent(raw: Request, shared: InternalShared, limit: number): Promise<Response> {
  const t0 = performance.now();
  const id = requestIdOf(raw);
  shared.inflight++;
  let status = 500;
  try {
    const [code, body] = await withRequestId(id, () => handle(raw, limit));
    status = code;
    return Response.json(body, { status, headers: { "x-request-id": id } });
  } catch (err) {
    logEvent("error", "event endpoint failed", { error: err instanceof Error ? err.message : String(err), request_id: id });
    return Response.json({ error: "Internal Server Error", request_id: id }, { status: 500, headers: { "x-request-id": id } });
  } finally {
    shared.inflight--;
    logRequest(shared.serviceField, "POST", EVENT_PATH, status, performance.now() - t0, id);
  }
}

type Answer = [status: number, body: Record<string, unknown>];

function refused(why: string): Answer {
  logEvent("warn", "internal request refused", { path: EVENT_PATH, error: why });
  return [401, { error: why }];
}

async function handle(raw: Request, limit: number): Promise<Answer> {
  const early = precheck(raw.headers);
  if (early !== null) return refused(early);
  const text = await readText(raw, limit);
  if (text instanceof TooLarge) return [413, { error: text.message }];
  const bad = verify("POST", EVENT_PATH, raw.headers, text);
  if (bad !== null) return refused(bad);
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch (err) {
    return [400, { error: `malformed JSON body: ${(err as Error).message}`, param: "body" }];
  }
  if (!isPlainObject(message) || typeof message["event"] !== "string") return [400, { error: "an event needs a name", param: "event" }];
  const event = message["event"];
  if (!subscribes(event)) return [404, { error: `this server does not subscribe to "${event}"`, param: "event" }];
  const delivery = await deliverLocally(event, message["data"]);
  if (delivery.rejected.length > 0) return [400, { error: `event "${event}": ${delivery.rejected[0]}`, param: "data", delivered: delivery.ran }];
  return [200, { delivered: true }];
}
