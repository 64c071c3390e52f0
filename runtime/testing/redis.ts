// Test support: a real Redis of the test's own (Debian's `redis-server`,
// which `.ci/run` installs), on a free port on 127.0.0.1 with a temporary
// directory and no persistence files; every server started is stopped by
// `stopRedis()` (call it in afterAll).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "./ports.js";

const servers: { child: ChildProcess; dir: string }[] = [];

/** Whether these tests can run here: in CI (`CI=true`) Redis must be there, so its absence is a failure, not a skip. */
export function haveRedis(): boolean {
  if (spawnSync("sh", ["-c", "command -v redis-server"]).status === 0) return true;
  if (process.env.CI) throw new Error("redis-server is not installed; .ci/run installs Debian's redis-server package");
  console.warn("Redis is not installed (apt-get install redis-server): its tests are skipped");
  return false;
}

/** Starts a Redis (on `port`, or a free one) and answers its URL once it answers PING. */
export async function startRedis(port?: number): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), "tova-redis-"));
  port ??= await freePort();
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir], { stdio: "ignore" });
  servers.push({ child, dir });
  for (let i = 0; ; i++) {
    if (spawnSync("redis-cli", ["-p", String(port), "ping"], { encoding: "utf8" }).stdout.trim() === "PONG") return `redis://127.0.0.1:${port}`;
    if (i > 100 || child.exitCode !== null) throw new Error(`redis-server did not start on port ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function stopRedis(): Promise<void> {
  for (const { child, dir } of servers.splice(0)) {
    if (child.exitCode === null) {
      child.kill("SIGKILL");
      await new Promise((r) => child.once("exit", r));
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
