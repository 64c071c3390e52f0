// `ws` / `websocket` and `sse` on Bun's native WebSocket support, and
// `broadcast(event, data)`, which reaches every connected client with both
// values: of this process, or, with REDIS_URL (scale-out.md), of every
// instance, through Redis pub/sub (each process with clients subscribes,
// and delivers what any instance publishes, its own included).
import { logEvent } from "./log.js";
import { sharedRedis } from "./redis.js";
import type { SseSend } from "./types.js";

export interface WsHandlers {
  on_open?: (socket: any) => unknown;
  on_message?: (socket: any, msg: any) => unknown;
  on_close?: (socket: any) => unknown;
}

const sockets = new Set<{ send(data: string): unknown }>();
const streams = new Set<(event: string, data: unknown) => void>();

/**
 * Sends `{ event, data }` to every WebSocket client and every SSE stream.
 *
 * @example
 * broadcast("user_joined", { message: user.name })
 */
export function broadcast(event: string, data: unknown): void {
  const redis = sharedRedis();
  if (redis) {
    redis.client.publish(`${redis.prefix}broadcast`, JSON.stringify({ event, data })).catch((err: unknown) => {
      logEvent("error", "broadcast could not reach the other instances (Redis); sent to this instance's clients only", { error: err instanceof Error ? err.message : String(err) });
      if (!relaying) deliver(event, data);
    });
    // Until this process's subscription answers, its own clients are served directly.
    if (!relaying) deliver(event, data);
    return;
  }
  deliver(event, data);
}

let relaying = false;

/**
 * With REDIS_URL, subscribes this process to every instance's broadcasts
 * (called at start by a server with WebSocket or SSE clients to reach).
 */
export async function relayBroadcasts(): Promise<void> {
  const redis = sharedRedis();
  if (!redis || relaying) return;
  try {
    await redis.connect().subscribe(`${redis.prefix}broadcast`, (message: string) => {
      try {
        const { event, data } = JSON.parse(message) as { event: string; data: unknown };
        deliver(event, data);
      } catch {
        logEvent("warn", "a broadcast from Redis was not JSON; dropped");
      }
    });
    relaying = true;
  } catch (err) {
    logEvent("error", "could not subscribe to the other instances' broadcasts (Redis); this instance's clients get only its own", { error: err instanceof Error ? err.message : String(err) });
  }
}

/** Sends to this process's clients. */
function deliver(event: string, data: unknown): void {
  const text = JSON.stringify({ event, data });
  for (const s of sockets) {
    try {
      s.send(text);
    } catch (err) {
      logEvent("warn", "broadcast to a socket failed", { error: err instanceof Error ? err.message : String(err) });
    }
  }
  for (const send of streams) send(event, data);
}

/** Bun's `websocket` options for the handlers of one block. */
export function websocketOptions(handlers: WsHandlers) {
  const call = async (fn: ((...a: any[]) => unknown) | undefined, ...args: unknown[]) => {
    try {
      await fn?.(...args);
    } catch (err) {
      logEvent("error", "websocket handler failed", { error: err instanceof Error ? err.message : String(err) });
    }
  };
  return {
    open(ws: any) {
      sockets.add(ws);
      void call(handlers.on_open, ws);
    },
    message(ws: any, msg: string | Uint8Array) {
      const text = typeof msg === "string" ? msg : new TextDecoder().decode(msg);
      let value: unknown = text;
      try {
        value = JSON.parse(text);
      } catch {
        // plain text stays text
      }
      void call(handlers.on_message, ws, value);
    },
    close(ws: any) {
      sockets.delete(ws);
      void call(handlers.on_close, ws);
    },
  };
}

/** One SSE message: an optional event name, then the data, one `data:` line per line of text. */
function sseMessage(event: string | null, data: string): string {
  // A line break in the name would end the field and start another one.
  const name = event === null ? "" : `event: ${event.replace(/[\r\n]/g, "")}\n`;
  return `${name}data: ${data.split(/\r\n|\r|\n/).join("\ndata: ")}\n\n`;
}

const json = (value: unknown): string => JSON.stringify(value ?? null) ?? "null";

/**
 * A Server-Sent Events response whose `send` and `close` the handler drives.
 * `send(data)` (one argument, the spec's `send({ ... })`) is a message
 * without an event name, a string as it is and anything else as JSON;
 * `send(event, data)` names the event and sends `data` as JSON.
 */
export function sseResponse(fn: (send: SseSend, close: () => void) => unknown): Response {
  const encoder = new TextEncoder();
  let controller: ReadableStreamDefaultController<Uint8Array>;
  let closed = false;
  const send = ((...args: unknown[]) => {
    if (closed) return;
    const text = args.length === 1 ? sseMessage(null, typeof args[0] === "string" ? args[0] : json(args[0])) : sseMessage(String(args[0]), json(args[1]));
    controller.enqueue(encoder.encode(text));
  }) as SseSend;
  const named = (event: string, data: unknown) => send(event, data);
  const close = () => {
    if (closed) return;
    closed = true;
    streams.delete(named);
    controller.close();
  };
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      streams.add(named);
      void Promise.resolve(fn(send, close)).catch((err) => logEvent("error", "sse handler failed", { error: err instanceof Error ? err.message : String(err) }));
    },
    cancel() {
      closed = true;
      streams.delete(named);
    },
  });
  return new Response(body, { headers: { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" } });
}
