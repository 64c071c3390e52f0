// `schedule` (decisions.md, all three forms lower to one): croner, with six-field
// expressions meaning seconds first. A run that throws is logged and does not
// stop later runs; runs of one schedule never overlap (`protect`).
//
// With REDIS_URL (scale-out.md), every instance keeps its timer but a tick
// runs once across the application: the instance that first sets the key of
// that schedule and tick (`SET NX`, kept for a minute) runs it; the others
// skip it. If Redis does not answer, the instance runs the tick itself
// (a schedule must not stop because its lock is unreachable) and says so.
import { Cron } from "croner";
import { logEvent } from "./log.js";
import { sharedRedis } from "./redis.js";

/** Whether this instance takes `tick` of schedule `label` (always, without Redis). */
async function claimTick(label: string, tick: Date | null): Promise<boolean> {
  const redis = sharedRedis();
  if (!redis) return true;
  // The second of the tick (croner fires on second boundaries, each instance a few ms apart), so every instance names it alike.
  const at = Math.round((tick ?? new Date()).getTime() / 1000) * 1000;
  try {
    return (await redis.client.send("SET", [`${redis.prefix}schedule:${label}:${at}`, "1", "NX", "PX", "60000"])) === "OK";
  } catch (err) {
    logEvent("error", "schedule lock unavailable (Redis); this instance runs the tick itself", { schedule: label, error: (err as Error).message });
    return true;
  }
}

const jobs: Cron[] = [];

/** Starts a schedule; `name` is for the logs (the fn's name, the label, or the expression). */
export function startSchedule(expression: string, name: string | null, fn: () => unknown): void {
  const label = name ?? expression;
  const job = new Cron(expression, { protect: true, catch: (err: unknown) => logEvent("error", "scheduled run failed", { schedule: label, error: err instanceof Error ? err.message : String(err) }) }, async (self: Cron) => {
    if (await claimTick(label, self.currentRun())) await fn();
  });
  jobs.push(job);
}

export function stopSchedules(): void {
  for (const j of jobs.splice(0)) j.stop();
}
