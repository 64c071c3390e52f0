// `schedule` (decisions.md, all three forms lower to one): croner, with six-field
// expressions meaning seconds first. A run that throws is logged and does not
// stop later runs; runs of one schedule never overlap (`protect`).
import { Cron } from "croner";
import { logEvent } from "./log.js";

const jobs: Cron[] = [];

/** Starts a schedule; `name` is for the logs (the fn's name, the label, or the expression). */
export function startSchedule(expression: string, name: string | null, fn: () => unknown): void {
  const label = name ?? expression;
  const job = new Cron(expression, { protect: true, catch: (err: unknown) => logEvent("error", "scheduled run failed", { schedule: label, error: err instanceof Error ? err.message : String(err) }) }, async () => {
    await fn();
  });
  jobs.push(job);
}

export function stopSchedules(): void {
  for (const j of jobs.splice(0)) j.stop();
}
