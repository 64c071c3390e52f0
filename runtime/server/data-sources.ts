// The data block's sources (scaling.md "Refresh Policies", "Caching"): loaded
// once when the server starts, then reloaded on their `refresh` interval
// together with the derived bindings that read them. A source that cannot be
// loaded at start stops the start with a message naming it; a refresh that
// fails (the file deleted or malformed, the derived pipeline throwing) is
// logged and changes nothing, so the server keeps answering from the values
// it had.
import { exitWithError } from "./lifecycle.js";
import { logEvent } from "./log.js";

/** The longest delay a timer takes (about 24.8 days); a longer interval is waited out in steps. */
const MAX_DELAY = 2 ** 31 - 1;

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * A source's first value. One that cannot be loaded stops the start.
 * @example let sales = await loadSource("sales", () => read("sales.csv"))
 */
export async function loadSource<T>(name: string, load: () => T | Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (err) {
    return exitWithError(`data source \`${name}\` could not be loaded: ${describe(err)}`);
  }
}

/** A running refresh; `stop` ends it (tests). */
export interface Refresh {
  stop(): void;
}

/**
 * Runs `refresh` every `ms` milliseconds, counted from the end of the previous
 * run (runs never overlap). `refresh` computes the new values first and
 * assigns them only at its end, so one that throws leaves every value as it
 * was; the failure is logged with the source's name (once while it fails the
 * same way).
 * @example refreshEvery("sales", 600_000, refresh_sales)
 */
export function refreshEvery(source: string, ms: number, refresh: () => void | Promise<void>): Refresh {
  if (typeof ms !== "number" || !Number.isFinite(ms) || ms <= 0) {
    exitWithError(`refresh ${source}: the interval must be a positive duration (like 10.minutes), got ${String(ms)}`);
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  // The error last logged: a source that keeps failing the same way is logged once, not at every interval.
  let failing: string | undefined;
  const wait = (left: number, then: () => void) => {
    timer = setTimeout(() => (left > MAX_DELAY ? wait(left - MAX_DELAY, then) : then()), Math.min(left, MAX_DELAY));
    // A refresh alone does not keep the process alive: the server does.
    (timer as { unref?: () => void }).unref?.();
  };
  const run = async () => {
    if (stopped) return;
    try {
      await refresh();
      if (failing !== undefined) logEvent("info", "data source refreshed again", { source });
      failing = undefined;
    } catch (err) {
      const error = describe(err);
      if (error !== failing) logEvent("error", "data refresh failed; keeping the previous values until it succeeds", { source, error });
      failing = error;
    }
    if (!stopped) wait(ms, run);
  };
  const handle: Refresh = {
    stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    },
  };
  wait(ms, run);
  return handle;
}
