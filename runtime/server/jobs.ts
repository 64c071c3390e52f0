// `background fn` and `spawn_job` (monitoring-service.md, "Background Jobs"):
// enqueueing returns at once; a bounded number of jobs run at a time; a job
// that throws (or answers an Err) is retried (3 attempts in all, with
// backoff) and then logged, never thrown into the code that spawned it.
//
// Two engines behind `JobQueue` (scale-out.md): the process's memory (the
// embedded default, here) and, with REDIS_URL, a durable queue in Redis
// (jobs-redis.ts, on BullMQ) that survives a crash or a restart. Both keep
// the same attempts, backoff and concurrency.
import { logEvent, logEventEvery } from "./log.js";
import { currentRequestId, withRequestId } from "./peers.js";
import { claimAfterMs, sharedRedis } from "./redis.js";
import { isResult } from "../stdlib/result-shape.js";
import { failOnErr } from "./results.js";

export type Job = (...args: any[]) => unknown;

export const MAX_ATTEMPTS = 3;
/** The wait before the 2nd and the 3rd attempt. */
export const BACKOFF_MS = [100, 400];
/** Jobs running at once in one process. */
export const CONCURRENCY = 4;

/** One engine: where spawned jobs wait, and who runs them. */
export interface JobQueue {
  add(name: string, job: Job, args: unknown[]): void;
  /** Starts running jobs (the durable queue: this block's worker). */
  start(jobs: ReadonlyMap<string, Job>): Promise<void>;
  /** Stops taking jobs; waits (at most `timeoutMs`) for the running ones. */
  drain(timeoutMs: number): Promise<void>;
}

/** Runs one attempt; a thrown error or an Err answer is a failure. */
export async function attempt(job: Job, args: unknown[]): Promise<void> {
  failOnErr(await job(...args));
}

/** The embedded engine: a queue in this process's memory. */
export class MemoryJobs implements JobQueue {
  private readonly queue: { name: string; job: Job; args: unknown[]; attempt: number }[] = [];
  private running = 0;
  private accepting = true;
  private idle: (() => void)[] = [];

  add(name: string, job: Job, args: unknown[]): void {
    if (!this.accepting) {
      logEvent("warn", "job not accepted: the server is stopping", { job: name });
      return;
    }
    this.queue.push({ name, job, args, attempt: 1 });
    this.pump();
  }

  async start(): Promise<void> {}

  private pump(): void {
    while (this.running < CONCURRENCY && this.queue.length) {
      const next = this.queue.shift()!;
      this.running++;
      void this.runOne(next).finally(() => {
        this.running--;
        this.pump();
        if (this.running === 0 && this.queue.length === 0) for (const resolve of this.idle.splice(0)) resolve();
      });
    }
  }

  private async runOne(entry: { name: string; job: Job; args: unknown[]; attempt: number }): Promise<void> {
    try {
      await attempt(entry.job, entry.args);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (entry.attempt < MAX_ATTEMPTS) {
        logEvent("warn", "job failed; retrying", { job: entry.name, attempt: entry.attempt, error: message });
        await new Promise((r) => setTimeout(r, BACKOFF_MS[entry.attempt - 1] ?? 1000));
        this.queue.push({ ...entry, attempt: entry.attempt + 1 });
      } else {
        logEvent("error", "job failed for good", { job: entry.name, attempts: entry.attempt, error: message });
      }
    }
  }

  async drain(timeoutMs: number): Promise<void> {
    this.accepting = false;
    if (this.running === 0 && this.queue.length === 0) return;
    await Promise.race([new Promise<void>((resolve) => this.idle.push(resolve)), new Promise<void>((resolve) => setTimeout(resolve, timeoutMs))]);
  }
}

/**
 * Whether `value` comes back the same through JSON, as the durable queue
 * stores it: no functions, no Infinity or NaN, no dates, maps or class
 * instances (a Result is plain fields, and comes back as one).
 */
export function jsonFaithful(value: unknown): boolean {
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(jsonFaithful);
  if (typeof value !== "object") return false; // undefined, functions, symbols, bigints
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null && !isResult(value)) return false;
  return Object.values(value).every(jsonFaithful);
}

let blockName: string | null = null;

/** The server block this process runs: its jobs go to the block's own queue. */
export function setJobBlock(name: string | null): void {
  blockName = name;
}

const byName = new Map<string, Job>();
const names = new Map<Job, string>();
let engine: JobQueue | undefined;

function jobs(): JobQueue {
  if (!engine) {
    const redis = sharedRedis();
    if (redis) {
      const durable = loadDurable().then(
        (m) =>
          new m.RedisJobs(redis, blockName ?? "default", fallback(), {
            logEvent, logEventEvery, currentRequestId, withRequestId, attempt,
            maxAttempts: MAX_ATTEMPTS, backoffMs: BACKOFF_MS, concurrency: CONCURRENCY, claimAfterMs: claimAfterMs(),
          }),
      );
      engine = lazily(durable);
    } else engine = new MemoryJobs();
  }
  return engine;
}

/**
 * The durable queue's module, only with Redis: BullMQ is the larger part of the
 * runtime. The specifier is not a literal, so bundlers leave it alone: it is
 * `durable.js` beside the runtime (`.tova-out/runtime/`) or beside the
 * production bundle (`dist/`), and the source file when run from source.
 */
function loadDurable(): Promise<typeof import("../durable/index.js")> {
  const specifier = import.meta.url.endsWith(".ts") ? "../durable/index.ts" : "./durable.js";
  return import(specifier) as Promise<typeof import("../durable/index.js")>;
}

/** A JobQueue whose engine is still loading: calls wait for it, in order. */
function lazily(ready: Promise<JobQueue>): JobQueue {
  return {
    add: (name, job, args) => void ready.then((q) => q.add(name, job, args)),
    start: (all) => ready.then((q) => q.start(all)),
    drain: (ms) => ready.then((q) => q.drain(ms)),
  };
}

/** Registers a `background fn` so `spawn_job` accepts it; `name` is its name in the program. */
export function registerJob(name: string, job: Job): void {
  byName.set(name, job);
  names.set(job, name);
}

/** At start: with Redis, this block's worker starts taking its queue's jobs. */
export async function startJobs(): Promise<void> {
  if (byName.size > 0) await jobs().start(byName);
}

/**
 * Enqueues `job(...args)` and returns at once.
 *
 * @example
 * spawn_job(send_alert_notification, alert)
 */
export function spawn_job(job: (...args: any[]) => unknown, ...args: unknown[]): void {
  const name = names.get(job);
  if (name === undefined) {
    // Not a `background fn`: no name another process could run it by, so it runs here.
    logEvent("warn", "spawn_job of a function that is not a background fn; running it as a job in this process", { job: job.name });
    fallback().add(job.name || "anonymous", job, args);
    return;
  }
  if (sharedRedis() && !args.every(jsonFaithful)) {
    // The durable queue keeps JSON: these arguments would not come back as they went in.
    logEvent("warn", "job arguments cannot be stored as JSON (a function, Infinity, a date...): this job runs in this process, not in the durable queue", { job: name });
    fallback().add(name, job, args);
    return;
  }
  jobs().add(name, job, args);
}

let memory: MemoryJobs | undefined;
const fallback = (): MemoryJobs => (memory ??= new MemoryJobs());

/** On shutdown: stop taking jobs, and wait (at most `timeoutMs`) for the ones running or queued. */
export async function drainJobs(timeoutMs: number): Promise<void> {
  await Promise.all([engine?.drain(timeoutMs), memory?.drain(timeoutMs)]);
}
