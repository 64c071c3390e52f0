// Test support: runtime behaviour that needs Bun (Bun.serve, bun:sqlite) is
// tested by writing a small program beside a freshly bundled runtime (the
// same files `tova build` ships) and running it with node_modules/.bin/bun.
// Servers listen on port 0 and report the real port in their "listening"
// log line, which is also the readiness signal. Every process started here
// is killed by `stopAll` (call it in afterAll), whatever the test did.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const BUN = path.join(ROOT, "node_modules", ".bin", "bun");

const running = new Set<ChildProcess>();
const dirs: string[] = [];

/** A temporary directory holding `runtime/` built from the current sources. */
export function workspace(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "tova-runtime-"));
  dirs.push(dir);
  const built = spawnSync(process.execPath, [path.join(ROOT, "scripts", "build-runtime.mjs"), "--out", path.join(dir, "runtime")], {
    encoding: "utf8",
  });
  if (built.status !== 0) throw new Error(`runtime build failed:\n${built.stdout}${built.stderr}`);
  return dir;
}

/** Writes `code` as `dir/name`; answers its path. */
export function writeProgram(dir: string, name: string, code: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, code);
  return file;
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a program to completion. */
export function runBun(file: string, env: Record<string, string | undefined> = {}, timeoutMs = 20_000): Promise<Finished> {
  const child = spawn(BUN, [file], { cwd: path.dirname(file), env: { ...process.env, ...env } });
  return collect(child, timeoutMs);
}

function collect(child: ChildProcess, timeoutMs: number): Promise<Finished> {
  running.add(child);
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d) => (stdout += d));
  child.stderr!.on("data", (d) => (stderr += d));
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  return new Promise((resolve) => {
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** A server program started on a free port. */
export interface Server {
  url: string;
  child: ChildProcess;
  /** Everything printed so far. */
  output(): { stdout: string; stderr: string };
  /** Resolves when the process ends. */
  exited: Promise<Finished>;
}

/** Starts a program that ends with `Bun.serve(await app.start()); app.stopOnSignals(server)`, with PORT=0. */
export async function startServer(file: string, env: Record<string, string> = {}, portEnv = "PORT"): Promise<Server> {
  const child = spawn(BUN, [file], { cwd: path.dirname(file), env: { ...process.env, [portEnv]: "0", ...env } });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d) => (stdout += d));
  child.stderr!.on("data", (d) => (stderr += d));
  const exited = collect(child, 60_000);
  const started = Date.now();
  for (;;) {
    const listening = /"msg":"listening","port":(\d+)/.exec(stdout);
    if (listening) return { url: `http://127.0.0.1:${listening[1]}`, child, output: () => ({ stdout, stderr }), exited };
    if (child.exitCode !== null || Date.now() - started > 15_000) {
      child.kill("SIGKILL");
      throw new Error(`server did not start:\n${stdout}\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Kills every process still running and removes the workspaces. */
export function stopAll(): void {
  for (const child of running) child.kill("SIGKILL");
  running.clear();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** The JSON log lines a process printed. */
export function logLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
