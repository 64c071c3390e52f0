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

function scheduleFlush(): void {
  timer = setTimeout(flushLogs, FLUSH_MS);
  // The timer alone must not keep a finished process alive.
  (timer as { unref?: () => void }).unref?.();
}

/** Adds one line (without its newline) to the buffer. */
export function logLine(line: string): void {
  buffer += line + "\n";
  if (buffer.length >= FLUSH_BYTES) flushLogs();
  else if (timer === undefined) scheduleFlush();
}

/** Writes the buffered lines now. */
export function flushLogs(): void {
  if (timer !== undefined) {
    clearTimeout(timer);
    timer = undefined;
  }
  if (buffer === "") return;
  const text = buffer;
  buffer = "";
  try {
    writeSync(1, text);
  } catch {
    process.stdout.write(text); // a non-blocking pipe that is full: let the stream queue it
  }
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
const jsonString = (s: string): string => (NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`);

/** The request line, built by hand: it runs on every request. */
export function logRequest(
  service: string,
  method: string,
  path: string,
  status: number,
  ms: number,
  requestId: string,
): void {
  logLine(
    `{"time":${Date.now()},"level":"info","msg":"request"${service},"method":"${method}","path":${jsonString(path)},"status":${status},"duration_ms":${Math.round(ms * 1000) / 1000},"request_id":${jsonString(requestId)}}`,
  );
}
