// Start and stop (decisions.md "Ports", monitoring-service.md "Lifecycle
// Hooks"): the port comes from PORT / PORT_<NAME> when set; on_start hooks
// run before the server listens; SIGTERM/SIGINT stop accepting connections,
// let in-flight requests finish (bounded), run on_stop hooks, flush the logs
// and exit 0.
import { flushLogs, logEvent } from "./log.js";
import type { AppOptions } from "./types.js";

/** How long shutdown waits for in-flight requests before running on_stop anyway. */
export const DRAIN_TIMEOUT_MS = 10_000;

/** Prints one line to stderr and exits 1: configuration errors are the operator's, not a crash. */
export function exitWithError(message: string): never {
  flushLogs();
  process.stderr.write(`tova: ${message}\n`);
  process.exit(1);
}

/** The port to listen on: `process.env[portEnv]` when set, else the compiled one. */
export function resolvePort(options: AppOptions): number {
  const text = process.env[options.portEnv];
  if (text === undefined || text === "") return options.port;
  const port = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(port >= 0 && port <= 65535)) exitWithError(`${options.portEnv} must be a port number (0-65535), got ${JSON.stringify(text)}`);
  return port;
}

/**
 * The address to listen on: `HOST` when set, else every interface (security.md,
 * "Requests": `0.0.0.0` in production; `tova dev` sets `127.0.0.1`).
 */
export function resolveHost(): string {
  const host = process.env["HOST"]?.trim();
  return host ? host : "0.0.0.0";
}

/** Runs hooks one after another, awaiting each. */
export async function runHooks(hooks: readonly (() => unknown)[]): Promise<void> {
  for (const hook of hooks) await hook();
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Stoppable {
  stop(closeActive?: boolean): unknown;
  port?: unknown;
}

/**
 * Installs the SIGTERM/SIGINT handlers. A second signal during shutdown
 * exits at once (status 1).
 */
export function installSignalHandlers(
  server: Stoppable,
  inflight: () => number,
  stopHooks: readonly (() => unknown)[],
  service: string | null,
): void {
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) {
      flushLogs();
      process.exit(1);
    }
    stopping = true;
    logEvent("info", "stopping", { signal, inflight: inflight(), ...(service ? { service } : {}) });
    const deadline = Date.now() + DRAIN_TIMEOUT_MS;
    // Without closeActive, Bun lets in-flight requests finish and resolves once every connection closed.
    const closed = Promise.resolve(server.stop(false)).catch(() => undefined);
    while (inflight() > 0 && Date.now() < deadline) await sleep(5);
    // The last responses are written after the handler returns: give the connections a moment to close.
    await Promise.race([closed, sleep(Math.max(0, Math.min(1000, deadline - Date.now())))]);
    if (inflight() > 0) logEvent("warn", "shutdown timeout: requests still in flight", { inflight: inflight() });
    flushLogs(); // the requests' lines come before whatever on_stop prints
    try {
      await runHooks(stopHooks);
    } catch (err) {
      logEvent("error", "on_stop failed", { message: err instanceof Error ? err.message : String(err) });
    }
    logEvent("info", "stopped", service ? { service } : {});
    flushLogs();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
  // Started by `tova run` or `tova dev` (TOVA_PARENT_PID): when that process is gone without stopping this one
  // (killed outright), stop as on SIGTERM instead of holding the port for nobody. Bun reads the parent anew each time.
  const parent = Number(process.env["TOVA_PARENT_PID"]);
  if (parent > 0 && process.ppid === parent) {
    setInterval(() => {
      if (process.ppid !== parent) void stop("parent exited");
    }, 1000).unref();
  }
}
