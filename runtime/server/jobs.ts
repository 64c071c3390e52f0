// `background fn` and `spawn_job` (monitoring-service.md, "Background Jobs"):
// enqueueing returns at once; a bounded number of jobs run at a time; a job
// that throws is retried (3 attempts in all, with backoff) and then logged,
// never thrown into the code that spawned it.
import { logEvent } from "./log.js";

type Job = (...args: any[]) => unknown;

const MAX_ATTEMPTS = 3;
const BACKOFF_MS = [100, 400];
const CONCURRENCY = 4;

const registered = new Set<Job>();
const queue: { job: Job; args: unknown[]; attempt: number }[] = [];
let running = 0;
let accepting = true;
let idle: (() => void)[] = [];

/** Registers a `background fn` so `spawn_job` accepts it. */
export function registerJob(job: Job): void {
  registered.add(job);
}

/**
 * Enqueues `job(...args)` and returns at once.
 *
 * @example
 * spawn_job(send_alert_notification, alert)
 */
export function spawn_job(job: (...args: any[]) => unknown, ...args: unknown[]): void {
  if (!registered.has(job)) {
    logEvent("warn", "spawn_job of a function that is not a background fn; running it as a job anyway", { job: job.name });
  }
  if (!accepting) {
    logEvent("warn", "job not accepted: the server is stopping", { job: job.name });
    return;
  }
  queue.push({ job, args, attempt: 1 });
  pump();
}

function pump(): void {
  while (running < CONCURRENCY && queue.length) {
    const next = queue.shift()!;
    running++;
    void runOne(next).finally(() => {
      running--;
      pump();
      if (running === 0 && queue.length === 0) for (const resolve of idle.splice(0)) resolve();
    });
  }
}

async function runOne(entry: { job: Job; args: unknown[]; attempt: number }): Promise<void> {
  try {
    await entry.job(...entry.args);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (entry.attempt < MAX_ATTEMPTS) {
      logEvent("warn", "job failed; retrying", { job: entry.job.name, attempt: entry.attempt, error: message });
      await new Promise((r) => setTimeout(r, BACKOFF_MS[entry.attempt - 1] ?? 1000));
      queue.push({ ...entry, attempt: entry.attempt + 1 });
    } else {
      logEvent("error", "job failed for good", { job: entry.job.name, attempts: entry.attempt, error: message });
    }
  }
}

/** On shutdown: stop taking jobs, and wait (at most `timeoutMs`) for the ones running or queued. */
export async function drainJobs(timeoutMs: number): Promise<void> {
  accepting = false;
  if (running === 0 && queue.length === 0) return;
  await Promise.race([new Promise<void>((resolve) => idle.push(resolve)), new Promise<void>((resolve) => setTimeout(resolve, timeoutMs))]);
}
