import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { haveRedis, startRedis, stopRedis } from "../../runtime/testing/redis.js";
import { buildProgram, call, cleanDirs, start, stopAll, type Built, type Running } from "./harness.js";

/**
 * Jobs on the durable Redis queue (scale-out.md): a job survives the crash
 * of the process running it (it runs again once the process is back, after
 * the claim delay, shortened here with TOVA_CLAIM_MS); retries keep the
 * embedded engine's 3 attempts; a job spawned on one instance may run on
 * another; without REDIS_URL the same program keeps jobs in memory.
 */
const PROGRAM = `
server {
  env INSTANCE: String = "?"

  background fn slow(id: Int) {
    print("job {id} started at {INSTANCE}")
    sleep(1500)
    print("job {id} done at {INSTANCE}")
  }

  background fn flaky(id: Int) {
    print("flaky {id} tried at {INSTANCE}")
    Err("not yet")
  }

  fn go(id: Int) {
    spawn_job(slow, id)
    { queued: true }
  }

  fn fail(id: Int) {
    spawn_job(flaky, id)
    { queued: true }
  }
}
`;

const enabled = haveRedis();
let built: Built;
let env: Record<string, string>;

beforeAll(async () => {
  if (!enabled) return;
  const redis = await startRedis();
  built = await buildProgram(PROGRAM);
  env = { REDIS_URL: redis, REDIS_PREFIX: `jobs-${randomBytes(4).toString("hex")}:`, TOVA_APP_KEY: randomBytes(32).toString("hex"), TOVA_CLAIM_MS: "1000" };
}, 60_000);

afterAll(async () => {
  await stopAll();
  await stopRedis();
  cleanDirs();
});

const instance = (name: string, extra: Record<string, string> = env, port?: number) => start(built.file("server"), { env: { ...extra, INSTANCE: name }, ...(port ? { port } : {}) });
const count = (servers: Running[], pattern: RegExp) => servers.reduce((n, s) => n + (s.output().match(pattern) ?? []).length, 0);

async function until(what: string, ok: () => boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(!enabled)("jobs on the durable Redis queue", () => {
  it("a job whose process is killed with SIGKILL in the middle runs again after a restart", async () => {
    const first = await instance("first");
    expect((await call(`${first.url}/rpc/go`, { json: { __args: [1] } })).body.result).toEqual({ queued: true });
    await until("the job starts", () => /job 1 started at first/.test(first.output()));
    await first.stop("SIGKILL");
    expect(first.output()).not.toMatch(/job 1 done/);
    const again = await instance("again");
    await until("the restarted process runs it to the end", () => /job 1 done at again/.test(again.output()), 15_000);
    await again.stop("SIGTERM");
  }, 30_000);

  it("SIGTERM lets the running jobs finish; the ones not started yet are run by the next instance", async () => {
    const one = await instance("one");
    // 4 run at once, 2 wait.
    for (let id = 10; id < 16; id++) await call(`${one.url}/rpc/go`, { json: { __args: [id] } });
    await until("the jobs start", () => count([one], /job 1\d started/g) >= 1);
    await one.stop("SIGTERM");
    // What one had started it finished before exiting; what it had not, the next instance runs.
    const started = [...one.output().matchAll(/job (\d+) started/g)].map((m) => m[1]);
    for (const id of started) expect(one.output()).toContain(`job ${id} done at one`);
    const two = await instance("two");
    await until("every job is done once", () => [10, 11, 12, 13, 14, 15].every((id) => count([one, two], new RegExp(`job ${id} done`, "g")) === 1), 15_000);
    expect(started.length).toBeLessThan(6);
    expect(count([two], /job \d+ done at two/g)).toBe(6 - started.length);
    await two.stop("SIGTERM");
  }, 30_000);

  it("a failing job is tried 3 times in all, then logged as failed for good", async () => {
    const one = await instance("one");
    await call(`${one.url}/rpc/fail`, { json: { __args: [7] } });
    await until("the failure is logged", () => /job failed for good/.test(one.output()));
    await new Promise((r) => setTimeout(r, 1000));
    expect(count([one], /flaky 7 tried/g)).toBe(3);
    const line = one.output().split("\n").find((l) => l.includes("job failed for good"))!;
    expect(JSON.parse(line)).toMatchObject({ level: "error", job: "flaky", attempts: 3, error: "not yet" });
    await one.stop("SIGTERM");
  }, 30_000);

  it("a named block's jobs, also those spawned in on_start, go to its own queue; arguments JSON cannot carry run in this process", async () => {
    const named = await buildProgram(`
server "api" {
  background fn boot(n: Int) {
    print("boot job {n}")
  }

  background fn measure(x: Float) {
    print("measure {x}")
  }

  on_start {
    spawn_job(boot, 1)
  }

  fn go() {
    spawn_job(boot, 2)
    spawn_job(measure, 1.0 / 0.0)
    { ok: true }
  }
}
`);
    const api = await start(named.file("server", "api"), { portEnv: "PORT_API", env });
    await call(`${api.url}/rpc/go`, { json: { __args: [] } });
    await until("both boot jobs and the measure ran", () => /boot job 1/.test(api.output()) && /boot job 2/.test(api.output()) && /measure Infinity/.test(api.output()));
    await until("the warning is logged", () => /cannot be stored as JSON/.test(api.output())); // log lines are buffered
    await api.stop("SIGTERM");
  }, 30_000);

  it("without REDIS_URL the same program keeps its jobs in memory, with the same 3 attempts", async () => {
    const { REDIS_URL: _, ...embedded } = env;
    const one = await instance("mem", embedded);
    await call(`${one.url}/rpc/fail`, { json: { __args: [8] } });
    await until("the failure is logged", () => /job failed for good/.test(one.output()));
    expect(count([one], /flaky 8 tried/g)).toBe(3);
    await one.stop("SIGTERM");
  }, 30_000);
});
