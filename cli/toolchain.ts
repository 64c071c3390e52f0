import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile, copyFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { EmittedModule } from "../compile.js";
import type { TsError } from "../backends/typescript/source-map.js";

/**
 * The tools `tova build` runs on the emitted TypeScript: the native
 * TypeScript 7 checker (about 8x faster than tsc 6 on this machine) and Bun's
 * transpiler. Both come with the package; this is the only place that spawns them.
 */

/** The package root: dist/cli/toolchain.js and cli/toolchain.ts both sit two levels down... or one. */
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
const TSC7 = path.join(PACKAGE_ROOT, "node_modules", "typescript7", "bin", "tsc");

function run(cmd: string, args: string[], options: { cwd?: string; input?: string } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: options.cwd, stdio: ["pipe", "pipe", "pipe"] });
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
 * Type-checks the modules under `strict` against the runtime's declarations
 * and Bun's types. Returns TypeScript's errors, positions in the modules' own
 * text (markers included) for `mapTypeErrors`.
 */
export async function typecheck(modules: readonly EmittedModule[], imports: readonly string[] = [], locals: readonly { path: string; text: string }[] = []): Promise<TsError[]> {
  const dir = await mkdtemp(path.join(tmpdir(), "tova-check-"));
  try {
    await mkdir(path.join(dir, "runtime"));
    for (const name of await readdir(RUNTIME_DIR)) {
      if (name.endsWith(".d.ts")) await copyFile(path.join(RUNTIME_DIR, name), path.join(dir, "runtime", name));
    }
    for (const m of modules) await writeFile(path.join(dir, m.path), m.code);
    // Imported npm modules are dynamically typed: each is declared as an untyped module.
    const ambient = imports.map((m) => `declare module ${JSON.stringify(m)};`).join("\n");
    await writeFile(path.join(dir, "tova-imports.d.ts"), ambient + "\n");
    // The program's own modules are declared where their specifiers resolve.
    for (const d of locals) {
      await mkdir(path.dirname(path.join(dir, d.path)), { recursive: true });
      await writeFile(path.join(dir, d.path), d.text);
    }
    const tsconfig = {
      compilerOptions: {
        strict: true,
        noEmit: true,
        target: "es2022",
        module: "esnext",
        moduleResolution: "bundler",
        lib: ["es2022", "dom", "dom.iterable"],
        types: ["bun"],
        typeRoots: [path.join(PACKAGE_ROOT, "node_modules", "@types")],
        skipLibCheck: true,
        allowImportingTsExtensions: true,
      },
      files: [...modules.map((m) => m.path), "tova-imports.d.ts"],
    };
    await writeFile(path.join(dir, "tsconfig.json"), JSON.stringify(tsconfig));
    const result = await run(process.execPath, [TSC7, "-p", "tsconfig.json", "--pretty", "false"], { cwd: dir });
    const errors: TsError[] = [];
    for (const line of result.stdout.split("\n")) {
      const m = /^(.+?)\((\d+),(\d+)\): error (TS\d+): (.*)$/.exec(line.trim());
      if (m) errors.push({ module: path.basename(m[1]!), line: Number(m[2]), column: Number(m[3]), code: m[4]!, message: m[5]! });
    }
    if (result.code !== 0 && errors.length === 0) {
      throw new Error(`the TypeScript checker failed: ${(result.stderr || result.stdout).trim().slice(0, 2000)}`);
    }
    return errors;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
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
    const child = spawn(BUN, ["run", file], { stdio: "inherit", env });
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
