/// <reference types="bun" />
// Jobs on a durable Redis queue (scale-out.md): with REDIS_URL, `spawn_job`
// adds the job to its block's BullMQ queue and every instance of the block
// runs a worker on it. A job survives the crash or restart of the process
// that spawned it or ran it: a job whose worker stops renewing its lock (a
// SIGKILL) is put back after the claim delay (30 s, as for events) and run
// by whichever instance comes first. Attempts, backoff and concurrency are
// the embedded engine's (jobs.ts).
//
// Why BullMQ on Bun's own Redis client (bench/bullmq-clients.ts, run by
// `npm run bench`): BullMQ is the well-kept queue for Node and Bun (atomic Lua
// scripts for locks, stalled jobs, retries); through Bun's built-in client
// (BullMQ's adapter) it opens no ioredis connection and moved jobs 1.3-1.4x
// faster than through ioredis on this machine (2,290 against 1,730 jobs/s,
// one producer awaiting each add, 4 running at a time).
//
// This file is its own runtime entry (`runtime/durable.js`), loaded by jobs.ts
// only with REDIS_URL: BullMQ is most of the runtime's size. So it imports
// nothing of the runtime but types; what it needs comes in `DurableDeps`
// (a second copy of log.ts or peers.ts would have state of its own).
import { createBunRedisClient, Queue, UnrecoverableError, Worker, type Job as QueuedJob } from "bullmq";
import type { Job, JobQueue, MemoryJobs } from "./jobs.js";
import type { logEvent, logEventEvery } from "./log.js";
import type { currentRequestId, withRequestId } from "./peers.js";
import type { SharedRedis } from "./redis.js";

/** What the durable queue uses of the rest of the runtime. */
export interface DurableDeps {
  logEvent: typeof logEvent;
  logEventEvery: typeof logEventEvery;
  currentRequestId: typeof currentRequestId;
  withRequestId: typeof withRequestId;
  /** Runs one attempt of a job (jobs.ts `attempt`). */
  attempt(job: Job, args: unknown[]): Promise<void>;
  maxAttempts: number;
  backoffMs: readonly number[];
  concurrency: number;
  claimAfterMs: number;
}

interface Payload {
  args: unknown[];
  rid?: string;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export class RedisJobs implements JobQueue {
  private queue: Queue | null = null;
  private worker: Worker | null = null;

  constructor(
    private readonly redis: SharedRedis,
    /** The block's name (`default` for the unnamed server): its queue. */
    private readonly queueName: string,
    /** Where a job goes when Redis does not take it: run here rather than lost. */
    private readonly fallback: MemoryJobs,
    private readonly deps: DurableDeps,
  ) {}

  private get options() {
    // BullMQ's keys: `<REDIS_PREFIX>jobs:<block>:...`
    return { prefix: `${this.redis.prefix}jobs`, connection: createBunRedisClient(this.redis.connect()) };
  }

  private open(): Queue {
    return (this.queue ??= new Queue(this.queueName, {
      ...this.options,
      defaultJobOptions: {
        attempts: this.deps.maxAttempts,
        backoff: { type: "tova" },
        removeOnComplete: true,
        removeOnFail: { count: 1000 }, // the last failures stay for inspection
      },
    }));
  }

  add(name: string, job: Job, args: unknown[]): void {
    const rid = this.deps.currentRequestId();
    const payload: Payload = rid ? { args, rid } : { args };
    this.open()
      .add(name, payload)
      .catch((err: unknown) => {
        this.deps.logEvent("error", "job could not be queued in Redis; running it in this process instead (not durable)", { job: name, error: message(err) });
        this.fallback.add(name, job, args);
      });
  }

  async start(jobs: ReadonlyMap<string, Job>): Promise<void> {
    if (jobs.size === 0) return; // spawns nothing it could run: no worker
    const { attempt, withRequestId, logEvent, claimAfterMs: claimAfter, backoffMs, maxAttempts } = this.deps;
    this.worker = new Worker<Payload>(
      this.queueName,
      async (queued: QueuedJob<Payload>) => {
        const job = jobs.get(queued.name);
        // Queued by another release that had this background fn: nothing here can run it.
        if (!job) throw new UnrecoverableError(`no background fn named ${queued.name} in this server`);
        const { args, rid } = queued.data;
        await (rid ? withRequestId(rid, () => attempt(job, args)) : attempt(job, args));
      },
      {
        ...this.options,
        concurrency: this.deps.concurrency,
        lockDuration: claimAfter,
        stalledInterval: claimAfter,
        settings: { backoffStrategy: (attemptsMade: number) => backoffMs[attemptsMade - 1] ?? 1000 },
      },
    );
    this.worker.on("failed", (queued: QueuedJob<Payload> | undefined, err: Error) => {
      if (!queued) return;
      const last = queued.attemptsMade >= maxAttempts || err instanceof UnrecoverableError;
      if (last) logEvent("error", "job failed for good", { job: queued.name, attempts: queued.attemptsMade, error: err.message });
      else logEvent("warn", "job failed; retrying", { job: queued.name, attempt: queued.attemptsMade, error: err.message });
    });
    // While Redis is away BullMQ reports every failed attempt: once a minute is enough to say so.
    this.worker.on("error", (err: Error) => this.deps.logEventEvery(60_000, "error", "job queue error (Redis); retrying", { error: err.message }));
    // Not awaited: with Redis away the worker connects when it can, and the server serves meanwhile.
  }

  async drain(timeoutMs: number): Promise<void> {
    // Jobs spawned while stopping still reach the queue: another instance, or this one restarted, runs them.
    const closing = Promise.all([this.worker?.close(), this.fallback.drain(timeoutMs)]);
    await Promise.race([closing, new Promise((r) => setTimeout(r, timeoutMs))]);
    await this.queue?.close().catch(() => undefined);
  }
}
