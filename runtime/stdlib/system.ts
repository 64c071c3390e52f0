// Process-facing functions of language.md "Standard library" and the HTTP
// caching helpers of scaling.md "Caching". Nothing here imports a Node or
// Bun module, so the stdlib also loads in a browser.
import { format } from "./format.js";

/**
 * Writes its arguments to stdout separated by spaces, each as `show` formats
 * it (a string as it is, `Ok(1)`, `None`, `{ a: 1 }`), like `console.log`
 * but without `%d`-style format directives.
 * @example print("[collector] Retention: {RETENTION_HOURS}h")
 * @example print(show(x, t.option(t.int)))   // where only the static type knows `x` is an Option
 */
export function print(...args: unknown[]): void {
  console.log(args.length === 1 && typeof args[0] === "string" ? args[0] : args.map((a) => format(a)).join(" "));
}

/** A random UUID (v4). */
export function uuid(): string {
  return crypto.randomUUID();
}

/** The environment variable `name`, or None when it is unset. */
export function env(name: string): string | null {
  return typeof process === "undefined" ? null : (process.env[name] ?? null);
}

/**
 * A promise that resolves after `ms` milliseconds.
 * @example await sleep(500)
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The running process: `Process.uptime()` is its uptime in seconds. */
export const Process: { uptime(): number; readonly pid: number } = {
  uptime: () => (typeof process === "undefined" ? performance.now() / 1000 : process.uptime()),
  get pid(): number {
    return typeof process === "undefined" ? 0 : process.pid;
  },
};

interface HeaderTarget {
  setHeader(name: string, value: string): void;
}

/**
 * Sets the response's `Cache-Control` header.
 * @example cache_control(res, "public, max-age=60")
 */
export function cache_control(res: HeaderTarget, value: string): void {
  res.setHeader("Cache-Control", value);
}

/**
 * Sets the response's `ETag` header (quoted unless it already is).
 * @example etag(res, products_hash)
 */
export function etag(res: HeaderTarget, value: string | number): void {
  const text = String(value);
  res.setHeader("ETag", /^(W\/)?".*"$/.test(text) ? text : `"${text.replaceAll('"', "")}"`);
}
