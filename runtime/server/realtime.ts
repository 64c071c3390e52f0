// `ws` / `websocket` and `sse` on Bun's native WebSocket support, and
// `broadcast(event, data)`, which reaches every connected client of this
// process with both values.
import { logEvent } from "./log.js";
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
