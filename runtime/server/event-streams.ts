/// <reference types="bun" />
// Events on Redis Streams (scale-out.md, "Two engines, one program"): with
// REDIS_URL, `publish` appends the event to its stream (one per event name)
// and each subscribing server block reads it through a consumer group of its
// own, so every block gets it once, whichever of its instances takes it.
//
//   - The publisher creates the groups of the blocks it publishes to before
//     its first append, so an event published while a block is down waits in
//     the block's group and is delivered when the block comes back.
//   - A handler that throws, or an instance that dies in the middle of one,
//     leaves the entry pending; an instance of the block claims entries idle
//     for 30 s (XPENDING + XCLAIM) and runs them again.
//   - An entry delivered 5 times without success moves to `<event>:dead` and
//     is logged. An instance keeps the entries it is still running its own
//     (XCLAIM JUSTID every third of the claim delay), so a slow handler is
//     not taken from a live instance.
//   - Redis away: publishing falls back to HTTP (events.ts), reading and
//     claiming retry with backoff and say so once a minute at most; a group
//     that vanished (a Redis restart without its data) is made again from the
//     start of its stream.
//   - Entries are signed with the application's key (internal.ts): a shared
//     Redis does not make its writers the application.
//
// Redis's consumer groups do the bookkeeping: no home-made queue here.
import type { RedisClient } from "bun";
import { hostname } from "node:os";
import { nodeCrypto } from "../builtins.js";
import { signEntry, verifyEntry } from "./internal.js";
import { logEvent, logEventEvery } from "./log.js";
import { withRequestId } from "./peers.js";
import { claimAfterMs, type SharedRedis } from "./redis.js";

/** What running this block's subscribers of one event did (events.ts deliverLocally). */
export interface Outcome {
  /** The first handler error, when one threw: the entry stays pending. */
  failed: string | null;
}

export type Deliver = (event: string, data: unknown) => Promise<Outcome>;

/** Deliveries of one entry to a block before it moves to the dead-letter stream. */
export const MAX_DELIVERIES = 5;
/** Roughly how many entries a stream keeps (XADD MAXLEN ~): enough for minutes of a busy event while a block is down. */
export const STREAM_LENGTH = 1_000_000;
const BATCH = 64;

/** The group of a block: its name, `default` for the unnamed server. */
export const groupOf = (block: string | null): string => block ?? "default";

type Fields = string[];
type Entry = [id: string, fields: Fields];

function field(fields: Fields, name: string): string | undefined {
  for (let i = 0; i < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export class EventStreams {
  private readonly groupsMade = new Map<string, Promise<void>>();
  private reader: RedisClient | null = null;
  private running = false;
  private loops: Promise<void>[] = [];
  private readonly inflight = new Set<Promise<void>>();
  /** Entries this instance is running, by id, with their stream: kept its own while they run. */
  private readonly holding = new Map<string, string>();
  private readonly consumer = `${hostname()}:${process.pid}:${nodeCrypto().randomBytes(3).toString("hex")}`;
  private wake: () => void = () => {};
  private readonly stopped = new Promise<void>((resolve) => (this.wake = resolve));
  private group: string | null = null;
  private events: readonly string[] = [];

  constructor(private readonly redis: SharedRedis) {}

  streamOf(event: string): string {
    return `${this.redis.prefix}event:${event}`;
  }

  /** A Redis problem: once a minute at most per kind, so an outage does not flood the log. */
  private trouble(what: string, fields: Record<string, unknown>): void {
    logEventEvery(60_000, "error", what, fields);
  }

  /** Waits `ms`, or less when the engine stops. */
  private pause(ms: number): Promise<void> {
    return Promise.race([new Promise<void>((r) => setTimeout(r, ms)), this.stopped]);
  }

  /**
   * Creates `group` on the event's stream once per process; an existing group
   * is left as it is. At `$` (its end) normally; at `0` when it vanished, so
   * what was published since is delivered.
   */
  private ensureGroup(event: string, group: string, from: "$" | "0" = "$"): Promise<void> {
    const key = `${event}\n${group}`;
    let made = from === "$" ? this.groupsMade.get(key) : undefined;
    if (!made) {
      made = this.redis.client.send("XGROUP", ["CREATE", this.streamOf(event), group, from, "MKSTREAM"]).then(
        () => undefined,
        (err: unknown) => {
          if (!message(err).startsWith("BUSYGROUP")) {
            this.groupsMade.delete(key);
            throw err;
          }
        },
      );
      this.groupsMade.set(key, made);
    }
    return made;
  }

  /** Appends one event for the blocks `targets`. Rejects when Redis does not take it (events.ts then sends it directly). */
  async publish(event: string, targets: readonly (string | null)[], data: unknown, requestId: string | undefined): Promise<void> {
    await Promise.all(targets.map((t) => this.ensureGroup(event, groupOf(t))));
    const json = JSON.stringify(data ?? null);
    const fields = ["data", json, "sig", signEntry(event, json), ...(requestId ? ["rid", requestId] : [])];
    await this.redis.client.send("XADD", [this.streamOf(event), "MAXLEN", "~", String(STREAM_LENGTH), "*", ...fields]);
  }

  /**
   * Starts reading the block's group of each event it subscribes to, and
   * claiming what other instances left. Returns at once: with Redis away the
   * loops wait for it, and the server serves meanwhile.
   */
  start(block: string | null, events: readonly string[], deliver: Deliver): void {
    if (this.running || events.length === 0) return;
    const group = groupOf(block);
    this.group = group;
    this.events = events;
    this.running = true;
    this.reader = this.redis.connect(); // XREADGROUP blocks its connection
    const groups = this.makeGroups(group, events);
    this.loops = [groups.then(() => this.readLoop(group, events, deliver)), groups.then(() => this.claimLoop(group, events, deliver)), this.keepLoop(group)];
  }

  private async makeGroups(group: string, events: readonly string[]): Promise<void> {
    for (let tries = 0; this.running; tries++) {
      try {
        await Promise.all(events.map((e) => this.ensureGroup(e, group)));
        return;
      } catch (err) {
        this.trouble("cannot reach Redis to take this block's events; retrying", { error: message(err) });
        await this.pause(Math.min(5000, 200 * 2 ** tries));
      }
    }
  }

  /** Stops taking entries and waits (at most `timeoutMs`) for the handlers running. What is left pending is claimed by another instance. */
  async stop(timeoutMs: number): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake();
    const done = Promise.all([...this.loops, ...this.inflight]).then(() => undefined);
    await Promise.race([done, new Promise<void>((r) => setTimeout(r, timeoutMs))]);
    this.reader?.close();
    await this.leave();
  }

  /**
   * Takes this instance out of its groups when it holds nothing (a consumer
   * with pending entries stays, so they can still be claimed): otherwise every
   * start of every instance would add a consumer for good.
   */
  private async leave(): Promise<void> {
    if (!this.group) return;
    for (const event of this.events) {
      const stream = this.streamOf(event);
      try {
        const mine = (await this.redis.client.send("XPENDING", [stream, this.group, "-", "+", "1", this.consumer])) as unknown[];
        if (mine.length === 0) await this.redis.client.send("XGROUP", ["DELCONSUMER", stream, this.group, this.consumer]);
      } catch {
        // Redis away: the consumer stays listed, holding nothing.
      }
    }
  }

  private async readLoop(group: string, events: readonly string[], deliver: Deliver): Promise<void> {
    const streams = events.map((e) => this.streamOf(e));
    const eventOf = new Map(events.map((e) => [this.streamOf(e), e]));
    let failures = 0;
    while (this.running) {
      let answer: Record<string, Entry[]> | null;
      try {
        answer = (await this.reader!.send("XREADGROUP", ["GROUP", group, this.consumer, "COUNT", String(BATCH), "BLOCK", "1000", "STREAMS", ...streams, ...streams.map(() => ">")])) as Record<string, Entry[]> | null;
        failures = 0;
      } catch (err) {
        if (!this.running) return;
        if (message(err).startsWith("NOGROUP")) {
          // Redis lost the group (restarted without its data, flushed): made again from the stream's start.
          this.trouble("this block's event group was gone from Redis; made again", { group });
          await Promise.all(events.map((e) => this.ensureGroup(e, group, "0"))).catch(() => undefined);
        } else this.trouble("cannot read events from Redis; retrying", { error: message(err) });
        await this.pause(Math.min(5000, 100 * 2 ** failures++));
        continue;
      }
      if (!answer) continue;
      const runs: Promise<void>[] = [];
      for (const [stream, entries] of Object.entries(answer)) {
        const event = eventOf.get(stream);
        if (event !== undefined) for (const entry of entries) runs.push(this.track(this.handle(group, event, entry, deliver)));
      }
      await Promise.all(runs);
    }
  }

  private track(run: Promise<void>): Promise<void> {
    this.inflight.add(run);
    return run.finally(() => this.inflight.delete(run));
  }

  /** Runs one entry; acknowledges it unless a handler threw. */
  private async handle(group: string, event: string, [id, fields]: Entry, deliver: Deliver): Promise<void> {
    const stream = this.streamOf(event);
    const json = field(fields, "data");
    const sig = field(fields, "sig") ?? "";
    if (json === undefined || !verifyEntry(event, json, sig)) {
      // Not written by the app's servers, or written with another key (a TOVA_APP_KEY that differs between
      // servers): never run, but kept in the dead-letter stream where it can be looked at, not lost.
      logEvent("warn", "event entry refused: not signed with this application's key", { event, id });
      await this.refuse(stream, group, id, fields, "not signed with this application's key");
      return;
    }
    let data: unknown;
    try {
      data = JSON.parse(json);
    } catch {
      logEvent("warn", "event entry refused: its data is not JSON", { event, id });
      await this.refuse(stream, group, id, fields, "data is not JSON");
      return;
    }
    const rid = field(fields, "rid");
    this.holding.set(id, stream);
    try {
      const outcome = rid ? await withRequestId(rid, () => deliver(event, data)) : await deliver(event, data);
      if (outcome.failed === null) await this.ack(stream, group, id);
      else logEvent("warn", "event left pending: a subscriber failed", { event, id, error: outcome.failed });
    } finally {
      this.holding.delete(id);
    }
  }

  /** An entry that can never run: to the dead-letter stream with the reason, and acknowledged. */
  private async refuse(stream: string, group: string, id: string, fields: Fields, reason: string): Promise<void> {
    try {
      await this.redis.client.send("XADD", [`${stream}:dead`, "MAXLEN", "~", String(STREAM_LENGTH), "*", ...fields, "id", id, "group", group, "refused", reason]);
    } catch (err) {
      this.trouble("could not keep a refused event in the dead-letter stream (Redis)", { stream, id, error: message(err) });
    }
    await this.ack(stream, group, id);
  }

  private async ack(stream: string, group: string, id: string): Promise<void> {
    try {
      await this.redis.client.send("XACK", [stream, group, id]);
    } catch (err) {
      // Not acknowledged: it is delivered again after the claim delay (at least once).
      this.trouble("could not acknowledge an event (Redis)", { stream, id, error: message(err) });
    }
  }

  /** Every third of the claim delay: the entries still running here stay this instance's (their idle time starts again). */
  private async keepLoop(group: string): Promise<void> {
    const every = Math.max(30, Math.floor(claimAfterMs() / 3));
    while (this.running) {
      await this.pause(every);
      for (const [id, stream] of this.holding) {
        await this.redis.client.send("XCLAIM", [stream, group, this.consumer, "0", id, "JUSTID"]).catch(() => undefined);
      }
    }
  }

  /**
   * Entries of the block's group idle for the claim delay: those delivered
   * MAX_DELIVERIES times move to the dead-letter stream, the others are taken
   * by this instance and run again. Two instances may look at the same entry:
   * XCLAIM with the idle time gives it to only one of them.
   */
  private async claimLoop(group: string, events: readonly string[], deliver: Deliver): Promise<void> {
    const after = claimAfterMs();
    const every = Math.max(50, Math.min(5000, Math.floor(after / 3)));
    while (this.running) {
      await this.pause(every);
      if (!this.running) return;
      for (const event of events) {
        try {
          await this.claimIdle(group, event, after, deliver);
        } catch (err) {
          this.trouble("cannot claim pending events (Redis)", { event, error: message(err) });
        }
      }
    }
  }

  private async claimIdle(group: string, event: string, after: number, deliver: Deliver): Promise<void> {
    const stream = this.streamOf(event);
    const client = this.redis.client;
    const pending = (await client.send("XPENDING", [stream, group, "IDLE", String(after), "-", "+", String(BATCH)])) as [string, string, number, number][];
    for (const [id, , , deliveries] of pending) {
      if (this.holding.has(id)) continue; // running here (the keep-alive was late)
      const claimed = (await client.send("XCLAIM", [stream, group, this.consumer, String(after), id])) as Entry[];
      const entry = claimed[0];
      if (!entry) continue; // another instance took it, or it was trimmed away
      if (deliveries >= MAX_DELIVERIES) {
        await client.send("XADD", [`${stream}:dead`, "MAXLEN", "~", String(STREAM_LENGTH), "*", ...entry[1], "id", id, "group", group, "deliveries", String(deliveries)]);
        await this.ack(stream, group, id);
        logEvent("error", "event moved to the dead-letter stream after repeated failures", { event, id, deliveries, stream: `${stream}:dead` });
        continue;
      }
      // Not awaited: a slow claimed handler must not hold up the next claims.
      void this.track(this.handle(group, event, entry, deliver));
    }
  }
}
