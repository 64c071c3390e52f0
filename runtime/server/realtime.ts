// `ws` / `websocket` and `sse` on Bun's native WebSocket support, and
// `broadcast(event, data)`, which reaches every connected client of this
// process with both values.
import { logEvent } from "./log.js";

export interface WsHandlers {
  on_open?: (socket: any) => unknown;
  on_message?: (socket: any, msg: any) => unknown;
  on_close?: (socket: any) => unknown;
}

const sockets = new Set<{ send(data: string): unknown }>();
const streams = new Set<(event: string, data?: unknown) => void>();

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

/** A Server-Sent Events response whose `send(event, data)` and `close()` the handler drives. */
export function sseResponse(fn: (send: (event: string, data?: unknown) => void, close: () => void) => unknown): Response {
  const encoder = new TextEncoder();
  let controller: ReadableStreamDefaultController<Uint8Array>;
  let closed = false;
  const send = (event: string, data?: unknown) => {
    if (closed) return;
    controller.enqueue(encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data ?? null)}\n\n`));
  };
  const close = () => {
    if (closed) return;
    closed = true;
    streams.delete(send);
    controller.close();
  };
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      streams.add(send);
      void Promise.resolve(fn(send, close)).catch((err) => logEvent("error", "sse handler failed", { error: err instanceof Error ? err.message : String(err) }));
    },
    cancel() {
      closed = true;
      streams.delete(send);
    },
  });
  return new Response(body, { headers: { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" } });
}
