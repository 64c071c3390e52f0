import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, readdir, rm, writeFile, copyFile, mkdir } from "node:fs/promises";
import { createRequire } from "node:module";
import { availableParallelism, tmpdir, totalmem } from "node:os";
import path from "node:path";
import type { EmittedModule } from "../compile.js";
import type { TsError } from "../backends/typescript/source-map.js";
import { PACKAGE_ROOT, RUNTIME_DIR, run } from "./toolchain.js";
import { environmentKey, fromKept, hasProgramMark, isScript, moduleKeys, readEntry, toKept, writeEntries, writeProgramMark, type CheckedModule } from "./typecheck-cache.js";

const TSC7 = path.join(PACKAGE_ROOT, "node_modules", "typescript7", "bin", "tsc");

/**
 * Type-checking the emitted TypeScript with the native TypeScript 7 checker
 * (about 8x faster than tsc 6 on this machine): started before the compile,
 * each module checked once (typecheck-cache.ts), the rest as `tsc -p` would.
 */

/** The options every emitted module is checked under (part of each cache key). */
const COMPILER_OPTIONS = {
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
};
// Measured for the lib set (tsc7 --extendedDiagnostics on the 4-line program; 2 cores, median of 5):
// with `dom` 193 files, 141k lines, 0.43 s user+sys; without it 191 files, 96k lines, 0.33 s. bun-types
// does not pull `dom` in, so server modules could do without it, but bun-types then declares Response,
// Request, fetch... from its own types instead of the DOM's: the errors could differ from today's. The
// lib set stays as it is; the checker's start-up overlaps the front end instead (startTypecheck).

const TOOL_PACKAGES = ["typescript7", "bun-types", "@types/bun", "@types/node"];

/**
 * The runtime's declarations and the key of everything a module is checked
 * against besides the program. Read synchronously (9 small files, about 1 ms):
 * it is needed before the compile, which holds the thread until it ends.
 */
function checkEnvironment(): { key: string; runtime: [string, string][] } {
  const names = readdirSync(RUNTIME_DIR).filter((n) => n.endsWith(".d.ts"));
  const runtime = names.map((n) => [n, readFileSync(path.join(RUNTIME_DIR, n), "utf8")] as [string, string]);
  const versions = TOOL_PACKAGES.map((p) => {
    try {
      return `${p}@${String((JSON.parse(readFileSync(path.join(PACKAGE_ROOT, "node_modules", p, "package.json"), "utf8")) as { version?: unknown }).version)}`;
    } catch {
      return `${p}@missing`;
    }
  });
  return { runtime, key: environmentKey({ toolVersions: versions, compilerOptions: COMPILER_OPTIONS, runtimeDeclarations: runtime }) };
}

/**
 * The native checker's executable. typescript7's `bin/tsc` is a Node script
 * that finds it and, under Node 20 (no `process.execve`), runs it in a second
 * process: about 60 ms more per check.
 */
function tscExecutable(): string | null {
  try {
    const req = createRequire(path.join(PACKAGE_ROOT, "node_modules", "typescript7", "package.json"));
    const pkg = req.resolve(`@typescript/typescript-${process.platform}-${process.arch}/package.json`);
    const exe = path.join(path.dirname(pkg), "lib", process.platform === "win32" ? "tsc.exe" : "tsc");
    return existsSync(exe) ? exe : null;
  } catch {
    return null;
  }
}

function ambientDeclarations(imports: readonly string[]): string {
  // Imported npm modules are dynamically typed: each is declared as an untyped module.
  return imports.map((m) => `declare module ${JSON.stringify(m)};`).join("\n") + "\n";
}

function tsconfig(files: readonly string[]): string {
  return JSON.stringify({ compilerOptions: COMPILER_OPTIONS, files });
}

function debug(line: string): void {
  if ((process.env.TOVA_DEBUG ?? "").split(",").includes("typecheck")) process.stderr.write(`tova typecheck: ${line}\n`);
}

/** A type-check begun early: `check` takes the modules once they exist. */
export interface TypeChecker {
  /**
   * TypeScript's errors in the modules, positions in the modules' own text
   * (markers included) for `mapTypeErrors`: the same errors `tsc -p` reports
   * for them (see `combine`), each module's taken from the cache when it was
   * checked before with the same inputs.
   */
  check(modules: readonly EmittedModule[], imports?: readonly string[], locals?: readonly { path: string; text: string }[]): Promise<TsError[]>;
  /** The build failed before the check: stop the checker. */
  cancel(): void;
}

/**
 * Type-checks the modules under `strict` against the runtime's declarations
 * and Bun's types (one call; `startTypecheck` to begin before the modules exist).
 */
export async function typecheck(modules: readonly EmittedModule[], imports: readonly string[] = [], locals: readonly { path: string; text: string }[] = []): Promise<TsError[]> {
  return startTypecheck().check(modules, imports, locals);
}

/**
 * Starts the checker before the program is compiled. Most of tsc7's time on a
 * small program is reading the declarations every program is checked against
 * (tsc7 --extendedDiagnostics on the 4-line program: 193 files, 141k lines;
 * parse 0.25 s, bind 0.11 s, check 0.001 s of 0.38 s), so it is started at
 * once, as a server (`tsc --api`), on a project of those declarations alone;
 * when the modules exist, the project is given them and only they are parsed
 * and checked, with everything else already in memory. (The server costs what
 * `tsc -p` costs on the same files: 0.36 s against 0.35 s.) The modules found
 * in the cache are not checked at all, and a program all of whose modules
 * were kept does not start the server.
 *
 * Measured (runtime/README.md has the table; cold builds, medians of 5 on the
 * shared 2-core machine, mostly with one core free): what the check adds to
 * `tova build` of the 10k-line flat program went from 0.75 s to 0.54 s, of the
 * 4-line program from 0.65 s to 0.45 s, and to nothing for modules kept in the
 * cache. After the compile the check takes about 0.25 s (the flat program's
 * server module is one file, checked by one thread), beside Bun's 0.1 s.
 * If the server cannot be used, `tsc -p` checks the whole program as before.
 */
export function startTypecheck(program?: string): TypeChecker {
  // Everything up to the server's first request is synchronous: `compile()` holds the thread from the
  // moment `build` calls it, and a step left to a callback would wait for it to end.
  let setup: { env: string; dir: string } | Error;
  try {
    const { key, runtime } = checkEnvironment();
    const dir = mkdtempSync(path.join(tmpdir(), "tova-check-"));
    mkdirSync(path.join(dir, "runtime"));
    // Copies, not a link into dist/runtime: the same files at the same paths as always (5 files, 44 KB, about 1 ms).
    for (const [name, text] of runtime) writeFileSync(path.join(dir, "runtime", name), text);
    writeFileSync(path.join(dir, "tova-imports.d.ts"), "\n");
    writeFileSync(path.join(dir, "tsconfig.json"), tsconfig(["tova-imports.d.ts", ...runtime.map(([name]) => `runtime/${name}`)]));
    setup = { env: key, dir };
  } catch (e) {
    setup = e instanceof Error ? e : new Error(String(e)); // reported by `check`, where the check used to fail
  }
  let server: { tsc: TscServer; opened: Promise<unknown> } | Error | null = null;
  let stopped = false;
  const launch = (dir: string) => {
    if (server || stopped) return;
    if (process.env.TOVA_TYPECHECK_SERVER === "off") {
      server = new Error("TOVA_TYPECHECK_SERVER=off");
      return;
    }
    const exe = tscExecutable();
    if (!exe) {
      server = new Error("the TypeScript 7 executable was not found");
      return;
    }
    debug("starting the checker's server");
    const tsc = startTscServer(exe, dir);
    // The project of the declarations alone: the server reads them while the program compiles.
    const began = performance.now();
    const opened = tsc.request("updateSnapshot", { openProjects: [path.join(dir, "tsconfig.json")] });
    void opened.then(() => debug(`declarations read in ${Math.round(performance.now() - began)} ms`), () => undefined);
    opened.catch(() => undefined); // seen by `check`
    server = { tsc, opened };
  };
  // `program` (a key of the sources and options) may name a program all of whose modules were checked before: the server then starts only if one was not.
  if (!(setup instanceof Error)) {
    if (program !== undefined && hasProgramMark(setup.env, program)) debug("every module was checked before: the server starts only if one was not");
    else launch(setup.dir);
  }
  const stop = () => {
    stopped = true;
    if (server && !(server instanceof Error)) server.tsc.close();
    if (!(setup instanceof Error)) void rm(setup.dir, { recursive: true, force: true });
  };
  return {
    async check(modules, imports = [], locals = []) {
      try {
        if (setup instanceof Error) throw setup;
        const { env, dir } = setup;
        const ambient = ambientDeclarations(imports);
        const keys = moduleKeys(env, modules, ambient, locals);
        const cached = await Promise.all(keys.map((k) => readEntry(k)));
        const results = new Map<string, CheckedModule>();
        const missed: { module: EmittedModule; key: string }[] = [];
        modules.forEach((m, i) => {
          const hit = cached[i];
          if (hit) results.set(m.path, fromKept(hit, m.code));
          else missed.push({ module: m, key: keys[i]! });
          debug(`${m.path}: ${hit ? "unchanged, not checked (cache)" : "checked"}`);
        });
        if (missed.length === 0) {
          if (program !== undefined) await writeProgramMark(env, program);
          return combine(results, emptyRest());
        }
        launch(dir);
        let rest: Rest;
        try {
          const s = server as { tsc: TscServer; opened: Promise<unknown> } | Error | null;
          if (!s) throw new Error("cancelled");
          if (s instanceof Error) throw s;
          const waited = performance.now();
          await s.opened;
          const began = performance.now();
          rest = await checkWithServer(dir, s.tsc, modules, missed.map((x) => x.module), ambient, locals, results);
          debug(`${missed.length} module(s) checked in ${Math.round(performance.now() - began)} ms (after waiting ${Math.round(began - waited)} ms for the declarations)`);
        } catch (e) {
          // The server could not be used (not found, crashed, spoke another protocol, or turned off with
          // TOVA_TYPECHECK_SERVER=off): the whole program with `tsc -p`, as before. Nothing is cached from it.
          debug(`the checker's server is not used (${e instanceof Error ? e.message.split("\n")[0] : String(e)}); running tsc -p on the whole program`);
          return await checkWithCli(modules, ambient, locals);
        }
        // Only a check that says nothing about the program as a whole is kept: each module's errors are its own.
        if (rest.syntactic.length === 0 && rest.failures.length === 0) {
          await writeEntries(missed.map((x) => ({ key: x.key, result: toKept(results.get(x.module.path)!, x.module.code) })));
          if (program !== undefined) await writeProgramMark(env, program);
        }
        return combine(results, rest);
      } finally {
        stop();
      }
    },
    cancel: stop,
  };
}

/** What a check finds outside the modules: syntax errors in the declaration files, and diagnostics of the program as a whole. */
interface Rest {
  syntactic: TsError[];
  /** Options, configuration and global diagnostics: `[stage, message, error-or-null]`, stage 1 reported with syntax errors, 2 before the semantic ones. */
  failures: { stage: 1 | 2; message: string; error: TsError | null }[];
}

function emptyRest(): Rest {
  return { syntactic: [], failures: [] };
}

/**
 * The errors `tsc -p` would print for the program, from the modules' and the
 * rest's: as tsc does, syntax errors (and the program's option errors) when
 * there are any, else global errors when there are any, else the semantic
 * errors; sorted by file and position, duplicates dropped. Errors with no
 * position mean the checker itself failed, as they did before.
 */
function combine(results: ReadonlyMap<string, CheckedModule>, rest: Rest): TsError[] {
  const syntactic = [...[...results.values()].flatMap((r) => r.syntactic), ...rest.syntactic];
  const stage1 = rest.failures.filter((f) => f.stage === 1);
  const stage2 = rest.failures.filter((f) => f.stage === 2);
  const pick = (errors: TsError[], failures: Rest["failures"]): TsError[] => {
    const all = [...errors, ...failures.flatMap((f) => (f.error ? [f.error] : []))];
    if (all.length === 0) throw new Error(`the TypeScript checker failed: ${failures.map((f) => f.message).join("\n").slice(0, 2000)}`);
    return sortErrors(all);
  };
  if (syntactic.length || stage1.length) return pick(syntactic, stage1);
  if (stage2.length) return pick([], stage2);
  return sortErrors([...results.values()].flatMap((r) => r.semantic));
}

function sortErrors(errors: TsError[]): TsError[] {
  const key = (e: TsError) => `${e.module}\0${String(e.line).padStart(9, "0")}\0${String(e.column).padStart(9, "0")}\0${e.code}\0${e.message}`;
  const seen = new Set<string>();
  return errors
    .map((e) => [key(e), e] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .filter(([k]) => (seen.has(k) ? false : (seen.add(k), true)))
    .map(([, e]) => e);
}

interface ApiDiagnostic {
  fileName?: string;
  pos: number;
  code: number;
  category: number;
  text: string;
}

/** DiagnosticCategory.Error: `tsc` prints the others without failing; they were never reported. */
const ERROR = 1;

/** An API diagnostic as `tsc --pretty false` prints it: the file's name, 1-based line and column (UTF-16, as `pos` is), the head of the message. */
function toTsError(d: ApiDiagnostic, textOf: (file: string) => string): TsError | null {
  if (d.fileName === undefined) return null;
  const text = textOf(d.fileName);
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i >= 0 && i < d.pos; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { module: path.basename(d.fileName), line, column: d.pos - lineStart + 1, code: `TS${d.code}`, message: d.text };
}

/**
 * The missed modules checked by the server (started with the declarations
 * alone): the project is given every module (the missed ones import the
 * others) but only the missed ones, and the scripts, are its roots, and only
 * they are checked. Their results go into `results`; what is found outside
 * them is returned.
 */
async function checkWithServer(dir: string, server: TscServer, modules: readonly EmittedModule[], missed: readonly EmittedModule[], ambient: string, locals: readonly { path: string; text: string }[], results: Map<string, CheckedModule>): Promise<Rest> {
  const texts = new Map<string, string>();
  const put = async (rel: string, text: string) => {
    const file = path.join(dir, rel);
    texts.set(file, text);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, text);
  };
  await Promise.all([...modules.map((m) => put(m.path, m.code)), put("tova-imports.d.ts", ambient), ...locals.map((l) => put(l.path, l.text))]);
  const missedPaths = new Set(missed.map((m) => m.path));
  const roots = modules.filter((m) => missedPaths.has(m.path) || isScript(m.code)).map((m) => m.path);
  const config = path.join(dir, "tsconfig.json");
  await writeFile(config, tsconfig([...roots, "tova-imports.d.ts"]));
  const snapshot = await server.request<{ snapshot: number; projects: { id: string; configFileName: string }[] }>("updateSnapshot", {
    fileChanges: { changed: [config, path.join(dir, "tova-imports.d.ts")], created: [...modules.map((m) => path.join(dir, m.path)), ...locals.map((l) => path.join(dir, l.path))] },
  });
  const project = snapshot.projects.find((p) => path.resolve(p.configFileName) === config)?.id;
  if (project === undefined) throw new Error("the checker's server did not load the project");
  const ask = (method: string, file?: string) => server.request<ApiDiagnostic[] | null>(method, { snapshot: snapshot.snapshot, project, ...(file ? { file } : {}) }).then((d) => (d ?? []).filter((x) => x.category === ERROR));
  const [syntactic, options, config_, global, ...semantic] = await Promise.all([
    ask("getSyntacticDiagnostics"),
    ask("getProgramDiagnostics"),
    ask("getConfigFileParsingDiagnostics"),
    ask("getGlobalDiagnostics"),
    ...missed.map((m) => ask("getSemanticDiagnostics", path.join(dir, m.path))),
  ]);
  const textOf = (file: string) => {
    const known = texts.get(path.resolve(file));
    if (known !== undefined) return known;
    try {
      return readFileSync(file, "utf8");
    } catch {
      return "";
    }
  };
  const moduleOf = (file: string | undefined) => (file !== undefined && path.dirname(path.resolve(file)) === dir && missedPaths.has(path.basename(file)) ? path.basename(file) : null);
  for (const m of missed) results.set(m.path, { syntactic: [], semantic: [] });
  const rest = emptyRest();
  for (const d of syntactic!) {
    const e = toTsError(d, textOf);
    const m = moduleOf(d.fileName);
    if (!e) rest.failures.push({ stage: 1, message: d.text, error: null });
    else if (m) results.get(m)!.syntactic.push(e);
    // A module taken from the cache is in the program when a missed one imports it: its errors are in its entry.
    else if (!(d.fileName && path.dirname(path.resolve(d.fileName)) === dir && modules.some((x) => x.path === path.basename(d.fileName!)))) rest.syntactic.push(e);
  }
  for (const d of [...options!, ...config_!]) rest.failures.push({ stage: 1, message: d.text, error: toTsError(d, textOf) });
  for (const d of global!) rest.failures.push({ stage: 2, message: d.text, error: toTsError(d, textOf) });
  missed.forEach((m, i) => {
    for (const d of semantic[i]!) {
      const e = toTsError(d, textOf);
      if (e) results.get(m.path)!.semantic.push(e);
    }
  });
  return rest;
}

/** `tsc -p` on the whole program in a fresh directory: the way every check ran before the server, kept for when it cannot be used. */
async function checkWithCli(modules: readonly EmittedModule[], ambient: string, locals: readonly { path: string; text: string }[]): Promise<TsError[]> {
  const dir = await mkdtemp(path.join(tmpdir(), "tova-check-"));
  try {
    await mkdir(path.join(dir, "runtime"));
    for (const name of await readdir(RUNTIME_DIR)) {
      if (name.endsWith(".d.ts")) await copyFile(path.join(RUNTIME_DIR, name), path.join(dir, "runtime", name));
    }
    for (const m of modules) await writeFile(path.join(dir, m.path), m.code);
    await writeFile(path.join(dir, "tova-imports.d.ts"), ambient);
    // The program's own modules are declared where their specifiers resolve.
    for (const d of locals) {
      await mkdir(path.dirname(path.join(dir, d.path)), { recursive: true });
      await writeFile(path.join(dir, d.path), d.text);
    }
    await writeFile(path.join(dir, "tsconfig.json"), tsconfig([...modules.map((m) => m.path), "tova-imports.d.ts"]));
    const exe = tscExecutable();
    const result = exe ? await run(exe, ["-p", "tsconfig.json", "--pretty", "false"], { cwd: dir, env: goRuntimeEnv() }) : await run(process.execPath, [TSC7, "-p", "tsconfig.json", "--pretty", "false"], { cwd: dir, env: goRuntimeEnv() });
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
 * The Go runtime's settings for tsc7, unless the user chose their own.
 * Measured (the server reading the declarations, then checking the 10k-line
 * flat program's modules; medians of 9, alternating, 2 cores): default 394 +
 * 230 ms; GOGC=off 326 + 232 ms, peak memory the same (81 MB for the 4-line
 * program's, 103 MB for the 10k one's: what tsc holds is live to the end, so
 * collections find little to free); GOMAXPROCS=1 400 + 239 ms. So: no
 * collection below a memory limit (a quarter of the memory, at most 4 GiB),
 * and one core left to the compile, which runs beside the server's start.
 */
function goRuntimeEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  if (env.GOGC === undefined && env.GOMEMLIMIT === undefined) {
    env.GOGC = "off";
    env.GOMEMLIMIT = `${Math.max(256, Math.min(4096, Math.floor(totalmem() / 4 / 2 ** 20)))}MiB`;
  }
  env.GOMAXPROCS ??= String(Math.max(1, availableParallelism() - 1));
  return env;
}

interface TscServer {
  request<T = unknown>(method: string, params: unknown): Promise<T>;
  close(): void;
}

/**
 * tsc7's API server (`tsc --api --async`): JSON-RPC 2.0 with `Content-Length`
 * headers on its stdin and stdout, as typescript7's own client
 * (`typescript/unstable/async`) speaks it; this is the part of that client the
 * check needs, without loading vscode-jsonrpc (about 100 ms of the Node
 * thread the front end runs on).
 */
function startTscServer(exe: string, cwd: string): TscServer {
  const child = spawn(exe, ["--api", "--async", "--cwd", cwd], { stdio: ["pipe", "pipe", "pipe"], env: goRuntimeEnv() });
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let nextId = 1;
  let stderr = "";
  let dead: Error | null = null;
  let buffer: Buffer = Buffer.alloc(0);
  const fail = (e: Error) => {
    dead ??= e;
    for (const p of pending.values()) p.reject(dead);
    pending.clear();
  };
  child.on("error", fail);
  child.on("close", (code) => fail(new Error(`the checker's server exited (${code}): ${stderr.trim().slice(0, 1000)}`)));
  child.stdin.on("error", () => undefined);
  child.stderr.on("data", (d: Buffer) => (stderr += d));
  child.stdout.on("data", (d: Buffer) => {
    buffer = buffer.length ? Buffer.concat([buffer, d]) : d;
    for (;;) {
      const end = buffer.indexOf("\r\n\r\n");
      if (end < 0) return;
      const length = Number(/content-length: *(\d+)/i.exec(buffer.subarray(0, end).toString("latin1"))?.[1] ?? NaN);
      if (!Number.isFinite(length)) return fail(new Error("the checker's server wrote a message without a length"));
      if (buffer.length < end + 4 + length) return;
      const body = buffer.subarray(end + 4, end + 4 + length).toString("utf8");
      buffer = buffer.subarray(end + 4 + length);
      let message: { id?: number; result?: unknown; error?: { message?: string } };
      try {
        message = JSON.parse(body) as typeof message;
      } catch {
        return fail(new Error("the checker's server wrote a message that is not JSON"));
      }
      const p = message.id === undefined ? undefined : pending.get(message.id);
      if (!p) continue;
      pending.delete(message.id!);
      if (message.error) p.reject(new Error(String(message.error.message ?? "error").slice(0, 2000)));
      else p.resolve(message.result);
    }
  });
  return {
    request<T>(method: string, params: unknown): Promise<T> {
      if (dead) return Promise.reject(dead);
      const id = nextId++;
      const body = Buffer.from(JSON.stringify({ jsonrpc: "2.0", id, method, params }), "utf8");
      child.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
      child.stdin.write(body);
      return new Promise<T>((resolve, reject) => pending.set(id, { resolve: resolve as (v: unknown) => void, reject }));
    },
    close() {
      child.stdin.end();
      child.kill();
    },
  };
}

