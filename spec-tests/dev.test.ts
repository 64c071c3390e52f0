import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freeBase, portFree } from "./server/harness.js";

/**
 * `tova dev` (named-blocks.md, "Development") with real processes: the
 * banner, every server on its port, a rebuild and restart on a change, a
 * broken edit that leaves the old processes serving, a crashed server
 * restarted, and no process left behind after SIGTERM.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CLI = path.join(ROOT, "dist", "cli", "bin.cjs");

const program = (greeting: string) => `
server "api" {
  fn hello() { { greeting: "${greeting}" } }
  route GET "/hello" => hello
}

server "worker" {
  fn ping() { "pong" }
  route GET "/ping" => ping
}
`;

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const get = async (url: string) => {
  const res = await fetch(url);
  return res.ok ? ((await res.json()) as unknown) : undefined;
};

/** The pid of the worker's Bun process, from /proc (its command line names the built file). */
function workerPid(): number {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (cmd.includes(path.join(dir, ".tova-out", "app.server.worker.js"))) return Number(entry);
    } catch {
      // the process ended meanwhile
    }
  }
  return 0;
}

let dir: string;
let base: number;
let dev: ChildProcess;
let output = "";

beforeAll(async () => {
  if (spawnSync("test", ["-f", CLI]).status !== 0) spawnSync("npm", ["run", "build"], { cwd: ROOT });
  dir = mkdtempSync(path.join(os.tmpdir(), "tova-dev-"));
  writeFileSync(path.join(dir, "app.tova"), program("hello"));
  base = await freeBase();
  dev = spawn(process.execPath, [CLI, "dev", "app.tova", "--port", String(base), "--no-typecheck"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  dev.stdout!.on("data", (d: Buffer) => (output += d));
  dev.stderr!.on("data", (d: Buffer) => (output += d));
  await until("the api server", () => get(`http://127.0.0.1:${base}/hello`));
  // The two processes start side by side: the worker may answer a moment after the api.
  await until("the worker server", () => get(`http://127.0.0.1:${base + 1}/ping`));
}, 60_000);

afterAll(async () => {
  if (dev.exitCode === null) dev.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

describe("tova dev", () => {
  it("prints the banner of named-blocks.md and serves every block on its port", async () => {
    expect(output).toContain(`Starting server:api on port ${base}`);
    expect(output).toContain(`Starting server:worker on port ${base + 1}`);
    expect(output).toContain("2 server process(es) running");
    expect(output).toContain(`-> server:worker: http://localhost:${base + 1}`);
    expect(await get(`http://127.0.0.1:${base + 1}/ping`)).toBe("pong");
  });

  it("rebuilds and restarts every process when a .tova file changes", async () => {
    writeFileSync(path.join(dir, "app.tova"), program("changed"));
    expect(await until("the new build", async () => ((await get(`http://127.0.0.1:${base}/hello`)) as { greeting: string } | undefined)?.greeting === "changed" || undefined)).toBe(true);
  }, 30_000);

  it("rebuilds when a local module the program imports changes", async () => {
    writeFileSync(path.join(dir, "suffix.js"), 'export const suffix = "!";\n');
    writeFileSync(path.join(dir, "app.tova"), `import { suffix } from "./suffix.js"\n${program("changed").replace('fn ping() { "pong" }', 'fn ping() { "pong{suffix}" }')}`);
    expect(await until("the build with the module", async () => ((await get(`http://127.0.0.1:${base + 1}/ping`)) === "pong!" ? true : undefined))).toBe(true);
    writeFileSync(path.join(dir, "suffix.js"), 'export const suffix = "?";\n');
    expect(await until("the rebuilt module", async () => ((await get(`http://127.0.0.1:${base + 1}/ping`)) === "pong?" ? true : undefined))).toBe(true);
    writeFileSync(path.join(dir, "app.tova"), program("changed"));
    expect(await until("the program without it", async () => ((await get(`http://127.0.0.1:${base + 1}/ping`)) === "pong" ? true : undefined))).toBe(true);
  }, 40_000);

  it("a change that does not compile prints the diagnostics and leaves the old processes serving", async () => {
    const before = output.length;
    writeFileSync(path.join(dir, "app.tova"), program("changed") + "\nserver \"api\" {\n  fn broken( {\n}\n");
    await until("the diagnostics", async () => (output.slice(before).includes("error[E0") ? true : undefined));
    expect(output.slice(before)).toContain("keep serving the last build");
    expect(await get(`http://127.0.0.1:${base}/hello`)).toEqual({ greeting: "changed" });
  }, 30_000);

  it("restarts a server that crashes, reporting it", async () => {
    const pid = workerPid();
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, "SIGKILL");
    await until("the crash report", async () => (output.includes("server:worker exited") ? true : undefined));
    expect(await until("the restarted worker", () => get(`http://127.0.0.1:${base + 1}/ping`))).toBe("pong");
  }, 30_000);

  it("stops every child on SIGTERM", async () => {
    dev.kill("SIGTERM");
    await new Promise((r) => dev.once("exit", r));
    await until("the ports to be released", async () => ((await portFree(base)) && (await portFree(base + 1)) ? true : undefined), 10_000);
  }, 20_000);
});
