// Structured JSON log lines on stdout, one per request plus errors and
// lifecycle events (runtime/README.md "server": "one JSON log line
// (buffered)"). Lines are appended to a string and written in one call at
// most every FLUSH_MS, or when the buffer passes FLUSH_BYTES, and at
// shutdown, so logging costs a request a string concatenation, not a write.
import { writeSync } from "node:fs";

const FLUSH_MS = 100;
const FLUSH_BYTES = 64 * 1024;

let buffer = "";
let timer: ReturnType<typeof setTimeout> | undefined;

function onTimer(): void {
  timer = undefined;
  write();
}

/** Adds one line (without its newline) to the buffer. */
export function logLine(line: string): void {
  append(line + "\n");
}

/**
 * Adds text that ends in a newline. A flush because the buffer is full leaves
 * the timer running (it then writes what came since, still within FLUSH_MS of
 * the oldest line): under load, one timer per FLUSH_MS instead of a
 * clearTimeout and a setTimeout per 64 KB.
 */
function append(text: string): void {
  buffer += text;
  if (buffer.length >= FLUSH_BYTES) write();
  else if (timer === undefined) {
    timer = setTimeout(onTimer, FLUSH_MS);
    // The timer alone must not keep a finished process alive.
    (timer as { unref?: () => void }).unref?.();
  }
}

function write(): void {
  if (buffer === "") return;
  const text = buffer;
  buffer = "";
  try {
    writeSync(1, text);
  } catch {
    process.stdout.write(text); // a non-blocking pipe that is full: let the stream queue it
  }
}

/** Writes the buffered lines now. */
export function flushLogs(): void {
  if (timer !== undefined) {
    clearTimeout(timer);
    timer = undefined;
  }
  write();
}

// A process that ends by itself (or by process.exit) still writes its last lines.
process.on("exit", flushLogs);

/** A log line for an event outside requests: `{"time":…,"level":…,"msg":…, …fields}`. */
export function logEvent(level: "info" | "warn" | "error", msg: string, fields: Record<string, unknown> = {}): void {
  logLine(JSON.stringify({ time: Date.now(), level, msg, ...fields }));
}

/** When each repeating message may be logged again. */
const quietUntil = new Map<string, number>();

/**
 * `logEvent`, at most once every `everyMs` per message: for trouble that
 * repeats for as long as a service is away (Redis down), which would
 * otherwise flood the log.
 */
export function logEventEvery(everyMs: number, level: "info" | "warn" | "error", msg: string, fields: Record<string, unknown> = {}): void {
  const now = Date.now();
  if ((quietUntil.get(msg) ?? 0) > now) return;
  quietUntil.set(msg, now + everyMs);
  logEvent(level, msg, fields);
}

// Strings that need no escaping in JSON are spliced as they are: cheaper than JSON.stringify on the hot path.
const NEEDS_ESCAPE = /["\\\u0000-\u001f\u007f-\uffff]/;
/** A string as JSON text. */
export const jsonString = (s: string): string => (NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`);

/**
 * The part of a request line between the time and the status, the same for
 * every request to one route: `requestLineHead` once per route, then
 * `logRequestLine` per request (the pipeline's exact-path routes).
 */
export function requestLineHead(service: string, method: string, path: string): string {
  return `,"level":"info","msg":"request"${service},"method":${jsonString(method)},"path":${jsonString(path)},"status":`;
}

/**
 * A request line from its head (`requestLineHead`): `requestIdJson` is the
 * request id as a JSON string (`"…"`; an id of the SAFE_ID form needs no
 * escaping, request.ts).
 */
export function logRequestLine(head: string, status: number, ms: number, requestIdJson: string): void {
  append(`{"time":${Date.now()}${head}${status},"duration_ms":${Math.round(ms * 1000) / 1000},"request_id":${requestIdJson}}\n`);
}

/** The request line, built by hand: it runs on every request. */
export function logRequest(
  service: string,
  method: string,
  path: string,
  status: number,
  ms: number,
  requestId: string,
): void {
  logRequestLine(requestLineHead(service, method, path), status, ms, jsonString(requestId));
}

