import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { compile } from "../../compile.js";
import { mapTypeErrors } from "../../backends/typescript/source-map.js";
import { stripMarkers } from "../../backends/typescript/builders.js";
import { render } from "../../diagnostics/render.js";
import { PACKAGE_ROOT, runtimeFiles, transpile } from "../../cli/toolchain.js";
import { typecheck } from "../../cli/typecheck.js";
import { freePort } from "../../runtime/testing/ports.js";

/**
 * Builds a Tova program the way `tova build` does (checked, type-checked,
 * compiled, runtime beside it) into a temporary directory, and runs its
 * servers with the real Bun on free ports. Every process started is stopped
 * by `stopAll()` (call it in `afterEach`/`afterAll`).
 */

const BUN = path.join(PACKAGE_ROOT, "node_modules", ".bin", "bun");
const started = new Set<Running>();
const dirs: string[] = [];

export interface Built {
  dir: string;
  /** `.js` file of each module by kind and block name. */
  file(kind: "server" | "shared" | "client", block?: string | null): string;
}

export async function buildProgram(source: string, stem = "app"): Promise<Built> {
  const result = compile([{ path: `${stem}.tova`, text: source }], { stem, emit: ["js"] });
  const sources = new Map([[`${stem}.tova`, source]]);
  const errors = result.diagnostics.filter((d) => d.severity === "error");
  if (errors.length) throw new Error(`the program does not compile:\n${render(errors, sources)}`);
  const typeErrors = mapTypeErrors(await typecheck(result.modules, result.imports), result.modules, result.files);
  if (typeErrors.length) throw new Error(`the emitted TypeScript does not type-check:\n${render(typeErrors, sources)}`);
  const dir = mkdtempSync(path.join(os.tmpdir(), "tova-test-"));
  dirs.push(dir);
  const js = await transpile(result.modules.map((m) => ({ path: m.path, code: stripMarkers(m.code) })));
  const { mkdirSync } = await import("node:fs");
  mkdirSync(path.join(dir, "runtime"));
  for (const [p, code] of [...js, ...(await runtimeFiles())]) writeFileSync(path.join(dir, p), code);
  return {
    dir,
    file(kind, block = null) {
      const m = result.modules.find((x) => x.kind === kind && x.block === (block ?? null));
      if (!m) throw new Error(`no ${kind} module ${block ?? ""}`);
      return path.join(dir, m.path.replace(/\.ts$/, ".js"));
    },
  };
}

export { freePort };

/** Whether `port` on 127.0.0.1 can be listened on right now. */
export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once("error", () => resolve(false));
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });
}

/** A free pair of consecutive ports (base, base + 1), for commands that number their servers from a base port. */
export async function freeBase(): Promise<number> {
  for (;;) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    if ((await portFree(base)) && (await portFree(base + 1))) return base;
  }
}

export interface Running {
  url: string;
  port: number;
  child: ChildProcess;
  /** Everything the process wrote so far. */
  output(): string;
  /** Resolves with the exit code (or the signal) when the process ends. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts `file` with Bun (this package's, or `bun`) on a free port (`PORT` and `portEnv` set) and waits until it answers `/healthz`. */
export async function start(file: string, options: { env?: Record<string, string>; portEnv?: string; cwd?: string; waitForHealth?: boolean; port?: number; bun?: string } = {}): Promise<Running> {
  const port = options.port ?? (await freePort());
  const env = { ...process.env, PORT: String(port), ...(options.portEnv ? { [options.portEnv]: String(port) } : {}), ...options.env };
  // `bun`: another Bun than this package's (an ejected project runs with its own).
  const child = spawn(options.bun ?? BUN, ["run", file], { env, cwd: options.cwd ?? path.dirname(file), stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d));
  child.stderr!.on("data", (d: Buffer) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  const running: Running = {
    url: `http://127.0.0.1:${port}`,
    port,
    child,
    output: () => out,
    exited,
    async stop(signal = "SIGKILL") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
      started.delete(running);
    },
  };
  started.add(running);
  if (options.waitForHealth === false) return running;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode} before it answered:\n${out}`);
    try {
      const res = await fetch(`${running.url}/healthz`);
      await res.arrayBuffer();
      return running;
    } catch {
      if (Date.now() > deadline) throw new Error(`the server did not answer within 15 s:\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

export async function stopAll(): Promise<void> {
  await Promise.all([...started].map((r) => r.stop()));
}

export function cleanDirs(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** `fetch` and the parsed JSON body. */
export async function call(url: string, init?: RequestInit & { json?: unknown }): Promise<{ status: number; body: any; headers: Headers }> {
  const { json, ...rest } = init ?? {};
  const res = await fetch(url, json === undefined ? rest : { ...rest, method: rest.method ?? "POST", headers: { "content-type": "application/json", ...(rest.headers ?? {}) }, body: JSON.stringify(json) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body, headers: res.headers };
}
