import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The tools `tova build` runs on the emitted TypeScript: Bun's transpiler and
 * bundler here, the native TypeScript 7 checker in typecheck.ts. Both come
 * with the package; these two files are the only places that spawn them.
 */

/** The package root, one to three levels up: cli/toolchain.ts, dist/cli/toolchain.js, or the bundled CLI, dist/cli/tova.bundle.cjs. */
export const PACKAGE_ROOT = (() => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    if (existsSync(path.join(dir, "package.json")) && existsSync(path.join(dir, "node_modules"))) return dir;
    dir = path.dirname(dir);
  }
  return process.cwd();
})();

export const RUNTIME_DIR = path.join(PACKAGE_ROOT, "dist", "runtime");
const PACKAGED_BUN = path.join(PACKAGE_ROOT, "node_modules", ".bin", "bun");
// A toolchain installed without install scripts (the git hook's, on a server) uses the server's Bun.
const BUN = existsSync(PACKAGED_BUN) ? PACKAGED_BUN : "bun";
/** The Bun that came with the package (or, without it, the one on PATH). */
export const BUN_PATH = BUN;

/** Runs a tool to its end: its exit code and what it printed. */
export function run(cmd: string, args: string[], options: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: options.cwd, stdio: ["pipe", "pipe", "pipe"], ...(options.env ? { env: options.env } : {}) });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d));
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(options.input ?? "");
  });
}

/** The runtime's bundled files (`.js` and `.d.ts`), as they go into `<out>/runtime/`. */
export async function runtimeFiles(): Promise<Map<string, string>> {
  if (!existsSync(RUNTIME_DIR)) throw new Error(`the Tova runtime is not built (${RUNTIME_DIR} is missing); run \`npm run build\``);
  const out = new Map<string, string>();
  for (const name of await readdir(RUNTIME_DIR)) {
    if (name.endsWith(".js") || name.endsWith(".d.ts")) out.set(`runtime/${name}`, await readFile(path.join(RUNTIME_DIR, name), "utf8"));
  }
  return out;
}

/**
 * One local module of the program as a single ESM file for Bun: its relative
 * imports inlined, npm packages left as imports; with its source map, so a
 * stack trace names the program's own file (issue 9). `target` is the
 * absolute path the bundle will be written at: the map goes beside it as
 * `<target>.map`, naming the sources relative to it.
 */
/** `bun build` with these arguments; a failure is a BundleFailure in Bun's words. */
export async function bunBuild(args: readonly string[]): Promise<void> {
  const r = await run(BUN, ["build", ...args]);
  if (r.code !== 0) throw new BundleFailure((r.stderr || r.stdout).trim());
}

export async function bundleModule(source: string, target: string): Promise<{ code: string; map: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), "tova-bundle-"));
  try {
    // `--outdir`, not `--outfile`: Bun 1.4.5 writes a linked map's bundle into the working directory when given `--outfile`.
    const r = await run(BUN, ["build", source, "--target", "bun", "--format", "esm", "--packages", "external", "--sourcemap=linked", "--outdir", dir]);
    if (r.code !== 0) throw new BundleFailure((r.stderr || r.stdout).trim());
    const built = (await readdir(dir)).find((f) => f.endsWith(".js"));
    if (!built) throw new BundleFailure(`bun wrote no bundle for ${source}`);
    const code = await readFile(path.join(dir, built), "utf8");
    const map = JSON.parse(await readFile(path.join(dir, `${built}.map`), "utf8")) as { sources: string[] };
    map.sources = map.sources.map((s) => path.relative(path.dirname(target), path.resolve(dir, s)).split(path.sep).join("/"));
    const url = `//# sourceMappingURL=${encodeURI(path.basename(target))}.map`;
    return { code: code.replace(/\/\/# sourceMappingURL=.*$/m, () => url), map: JSON.stringify(map) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A local module Bun could not bundle (a syntax error in it, say): the user's mistake, reported as such. */
export class BundleFailure extends Error {}

const TRANSPILE_SCRIPT = `
const input = JSON.parse(await Bun.stdin.text());
const t = new Bun.Transpiler({ loader: "ts", target: "bun" });
const out = input.map((m) => ({ path: m.path, js: t.transformSync(m.code) }));
process.stdout.write(JSON.stringify(out));
`;

/** TypeScript to JavaScript with Bun's transpiler, all modules in one process. */
export async function transpile(modules: readonly { path: string; code: string }[]): Promise<Map<string, string>> {
  return startTranspiler().transpile(modules);
}

/**
 * Starts Bun's transpiler before the modules exist, so its start-up overlaps
 * the compile; `transpile` then sends them all at once.
 */
export function startTranspiler(): { transpile(modules: readonly { path: string; code: string }[]): Promise<Map<string, string>>; cancel(): void } {
  const child = spawn(BUN, ["-e", TRANSPILE_SCRIPT], { stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d));
  child.stderr.on("data", (d: Buffer) => (stderr += d));
  const done = new Promise<number>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve(code ?? 1));
  });
  return {
    async transpile(modules) {
      child.stdin.end(JSON.stringify(modules));
      const code = await done;
      if (code !== 0) throw new Error(`bun could not compile the emitted TypeScript: ${stderr.trim().slice(0, 2000)}`);
      const out = new Map<string, string>();
      for (const m of JSON.parse(stdout) as { path: string; js: string }[]) out.set(m.path.replace(/\.ts$/, ".js"), m.js);
      return out;
    },
    cancel() {
      child.kill();
    },
  };
}

/** Starts a built program with Bun, passing the terminal through; resolves with its exit code. */
export function runWithBun(file: string, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve, reject) => {
    // TOVA_PARENT_PID: the server stops by itself if this process is killed outright (runtime/server/lifecycle.ts).
    const child = spawn(BUN, ["run", file], { stdio: "inherit", env: { ...env, TOVA_PARENT_PID: String(process.pid) } });
    const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
    const onTerm = forward("SIGTERM");
    const onInt = forward("SIGINT");
    process.on("SIGTERM", onTerm);
    process.on("SIGINT", onInt);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      process.off("SIGTERM", onTerm);
      process.off("SIGINT", onInt);
      resolve(code ?? (signal ? 128 : 1));
    });
  });
}
