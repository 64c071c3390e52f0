import { createHash } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { cp, mkdir, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { compile, type CompileResult, type Emit } from "../compile.js";
import { mapTypeErrors } from "../backends/typescript/source-map.js";
import { formatModule } from "../backends/typescript/format.js";
import { mapModules, markForTranspiler } from "../backends/typescript/js-source-map.js";
import { diagnostic } from "../diagnostics/catalog.js";
import { hasErrors, type Diagnostic } from "../diagnostics/types.js";
import { EXIT, UsageError } from "./errors.js";
import { readInput } from "./files.js";
import { printDiagnostics } from "./report.js";
import { declarationOf, planLocalImports, type LocalModule } from "./local-imports.js";
import { BundleFailure, bundleModule, runtimeFiles, startTranspiler } from "./toolchain.js";
import { startTypecheck } from "./typecheck.js";
import { writeOutputs } from "./write-outputs.js";
import { createSteps, stepStyle } from "./steps.js";

export interface BuildArgs {
  path: string;
  emit: readonly string[];
  out: string;
  port?: number | undefined;
  typecheck: boolean;
  /** Print the steps and one line per written file (false: a build inside another command, which says nothing). */
  verbose?: boolean;
  /** Plain step lines even at a terminal. */
  quiet?: boolean;
  /** Link `static { dir }` folders into the output instead of copying them (`tova dev`: edits show at once). */
  linkStatic?: boolean;
}

export interface BuildResult {
  code: number;
  stem: string;
  /** The emitted server and shared modules, by kind, as `.js` paths relative to the output directory. */
  entries: { kind: "shared" | "server" | "client"; block: string | null; js: string; port?: number; portEnv?: string; jobs?: boolean }[];
  /** How many `.tova` files the program has. */
  fileCount: number;
  /** The local modules the program imports (absolute paths), for `tova dev` to watch. */
  localModules: string[];
}

const KNOWN: readonly Emit[] = ["ir", "ts", "js", "deploy"];

/**
 * `tova build <file-or-dir>`: check, emit TypeScript per block, type-check it
 * (unless `--no-typecheck`), compile it to `.js`, and write it with the
 * runtime into `--out` (default `.tova-out/`). `--emit ts` adds the formatted
 * `.ts` beside each `.js`; `--emit ir` writes `<stem>.ir.json` (alone, or with
 * the others when they are named too). On any error it prints the diagnostics
 * and writes nothing.
 */
export async function runBuild(args: BuildArgs): Promise<number> {
  return (await build(args)).code;
}

export async function build(args: BuildArgs): Promise<BuildResult> {
  const emit = parseEmit(args.emit);
  const steps = createSteps(stepStyle({ quiet: args.quiet, silent: args.verbose === false }));
  const input = await steps.run("Reading the program", "Read the program", () => readInput(args.path));
  // Nothing changed since the last successful build into this directory: its outputs stand.
  const key = buildKey(input.files, { emit, port: args.port ?? null, typecheck: args.typecheck });
  const cached = await readCache(args.out, key);
  if (cached) {
    const problems = await placeStaticDirs(args, cached.staticDirs ?? []);
    if (problems.length) {
      printDiagnostics(problems, input.sources);
      return { code: EXIT.errors, stem: input.stem, entries: [], fileCount: input.files.length, localModules: [] };
    }
    if (args.verbose !== false) process.stdout.write(`${args.out}: up to date (no source changed since the last build)\n`);
    return { code: EXIT.ok, stem: input.stem, entries: cached.entries, fileCount: input.files.length, localModules: (cached.locals ?? []).map(([file]) => file) };
  }
  const transpiler = emit.includes("js") ? startTranspiler() : null;
  // The checker starts now too: it reads the declarations every program is checked against while the program compiles.
  const checker = emit.includes("js") && args.typecheck ? startTypecheck(key) : null;
  try {
    const lines = input.files.reduce((n, f) => n + lineCount(f.text), 0);
    const size = `${input.files.length === 1 ? "1 file" : `${input.files.length} files`}, ${lines === 1 ? "1 line" : `${lines.toLocaleString("en-US")} lines`}`;
    const result = await steps.run(`Checking ${size}`, `Checked ${size}`, () => compile(input.files, { stem: input.stem, basePort: args.port, emit }));
    const fail = (diagnostics: typeof result.diagnostics): BuildResult => {
      transpiler?.cancel();
      checker?.cancel();
      printDiagnostics(diagnostics, input.sources);
      return { code: EXIT.errors, stem: input.stem, entries: [], fileCount: input.files.length, localModules: [] };
    };
    if (hasErrors(result.diagnostics)) return fail(result.diagnostics);
    const missingStatic = await missingStaticDirs(result.staticDirs);
    if (missingStatic.length) return fail([...result.diagnostics, ...missingStatic]);
    const outputs = new Map(result.outputs);
    const entries: BuildResult["entries"] = [];
    const local = emit.includes("js") ? planLocalImports(result.localImports) : { modules: [], diagnostics: [] };
    if (local.diagnostics.length) return fail([...result.diagnostics, ...local.diagnostics]);
    if (emit.includes("js")) {
      // The checker, the transpiler and the bundling of local modules run side by side; the JavaScript is used only if the check passes.
      const modules = `${result.modules.length} module${result.modules.length === 1 ? "" : "s"}`;
      const [doing, done] = args.typecheck ? ["Type-checking and transpiling", "Type-checked and transpiled"] : ["Transpiling", "Transpiled"];
      const [tsErrors, js, bundled] = await steps.run(`${doing} ${modules}`, `${done} ${modules}`, () => Promise.all([
        checker ? checker.check(result.modules, result.imports, local.modules.map(declarationOf)) : Promise.resolve([]),
        transpiler!.transpile(result.modules.map((m) => ({ path: m.path, code: markForTranspiler(m.code) }))),
        Promise.all(local.modules.map((m) => bundleModule(m.source, path.resolve(args.out, m.out)).then((b) => ({ m, ...b }), (e: unknown) => ({ m, error: e })))),
      ]));
      const bundleErrors = bundled.flatMap((b) => ("error" in b ? [bundleDiagnostic(b.m, b.error)] : []));
      if (bundleErrors.length) return fail([...result.diagnostics, ...bundleErrors]);
      const typeErrors = mapTypeErrors(tsErrors, result.modules, result.files);
      if (typeErrors.length) return fail([...result.diagnostics, ...typeErrors]);
      // Each module with its source map beside it, naming the `.tova` files relative to the map.
      // (The modules are all at the top of the output directory, so one set of relative names serves every map.)
      const sources = result.files.map((f) => ({ name: mapSourceName(args.out, f), text: input.sources.get(f) ?? "" }));
      for (const m of mapModules([...js].map(([name, code]) => ({ name, js: code })), sources)) {
        outputs.set(m.name, m.js);
        outputs.set(`${m.name}.map`, m.map);
      }
      for (const b of bundled) {
        if (!("code" in b)) continue;
        outputs.set(b.m.out, b.code);
        outputs.set(`${b.m.out}.map`, b.map);
      }
      // The durable job queue (BullMQ, 1.6 MB) only for a program with a background fn: the others never load it.
      const jobs = result.servers.some((x) => x.jobs);
      for (const [p, code] of await runtimeFiles()) if (jobs || p !== "runtime/durable.js") outputs.set(p, code);
      for (const m of result.modules) {
        const server = m.kind === "server" ? result.servers.find((s) => s.name === m.block) : undefined;
        entries.push({ kind: m.kind, block: m.block, js: m.path.replace(/\.ts$/, ".js"), ...(server ? { port: server.port, portEnv: server.portEnv, jobs: server.jobs } : {}) });
      }
    }
    if (emit.includes("ts")) for (const m of result.modules) outputs.set(m.path, await formatModule(m.code));
    if (result.diagnostics.length > 0) printDiagnostics(result.diagnostics, input.sources);
    const written = await steps.run(`Writing ${outputs.size} files into ${args.out}/`, `Wrote ${outputs.size} files into ${args.out}/`, () => writeOutputs(args.out, outputs));
    if (emit.includes("js")) await placeStaticDirs(args, result.staticDirs);
    await writeCache(args.out, { key, entries, outputs: [...outputs.keys()], staticDirs: result.staticDirs, locals: await Promise.all(local.modules.map(async (m) => [m.source, await fileHash(m.source)] as [string, string])) });
    if (args.verbose !== false) {
      const shown = written.filter((w) => !/[\\/]runtime[\\/]/.test(w));
      for (const w of shown) process.stdout.write(`wrote ${w}\n`);
      if (shown.length < written.length) process.stdout.write(`wrote ${written.length - shown.length} runtime file(s) into ${args.out}/runtime/\n`);
    }
    return { code: EXIT.ok, stem: input.stem, entries, fileCount: input.files.length, localModules: local.modules.map((m) => m.source) };
  } catch (e) {
    // An internal error: the helper processes go with the build.
    transpiler?.cancel();
    checker?.cancel();
    throw e;
  }
}

/**
 * How a map names a `.tova` file: relative to the map's directory, as the
 * spec of source maps resolves it, so the output directory and the program
 * can move together. Bun shows the resolved, absolute path in a stack trace.
 */
function mapSourceName(out: string, file: string): string {
  return path.relative(path.resolve(out), path.resolve(file)).split(path.sep).join("/");
}

/** `static { dir }` folders that are not there: one error each, at the `dir` of the statement. */
async function missingStaticDirs(dirs: CompileResult["staticDirs"]): Promise<Diagnostic[]> {
  const out: Diagnostic[] = [];
  for (const d of dirs) {
    const src = path.resolve(path.dirname(d.file), d.dir);
    const ok = await stat(src).then((x) => x.isDirectory(), () => false);
    if (!ok) out.push(diagnostic("E0506", d.span, `static.dir: there is no folder \`${d.dir}\` beside ${path.basename(d.file)}`, { hint: `create ${src}, or point \`dir\` at the folder to serve` }));
  }
  return out;
}

/**
 * Puts every `static { dir }` folder into the output under the same relative path, where the server looks
 * (runtime/server/static.ts): a fresh copy, or a link for `tova dev`. The folders are not build outputs: they
 * are placed after every build, cached or not, so a changed file is always served.
 */
async function placeStaticDirs(args: BuildArgs, dirs: CompileResult["staticDirs"]): Promise<Diagnostic[]> {
  const missing = await missingStaticDirs(dirs);
  if (missing.length) return missing;
  for (const d of dirs) {
    const src = path.resolve(path.dirname(d.file), d.dir);
    const dst = path.resolve(args.out, d.dir);
    await rm(dst, { recursive: true, force: true });
    await mkdir(path.dirname(dst), { recursive: true });
    if (args.linkStatic) await symlink(src, dst, "dir");
    else await cp(src, dst, { recursive: true, verbatimSymlinks: true });
  }
  return [];
}

interface Cache {
  key: string;
  /** The `static { dir }` folders, placed again after a cached build. */
  staticDirs?: CompileResult["staticDirs"];
  entries: BuildResult["entries"];
  outputs: string[];
  /** The local modules the build bundled, with their hashes: a change to one means a new build. */
  locals?: [string, string][];
}

async function fileHash(file: string): Promise<string> {
  try {
    return createHash("sha256").update(await readFile(file)).digest("hex");
  } catch {
    return "missing";
  }
}

/** A local module Bun could not bundle, reported at its import. */
function bundleDiagnostic(m: LocalModule, error: unknown): Diagnostic {
  if (!(error instanceof BundleFailure)) throw error;
  // Bun prints `error: <what>` and `    at <file>:<line>:<col>` for each problem.
  const lines = error.message.split("\n");
  const problems = lines.flatMap((line, i) => {
    const what = /^error: (.*)$/.exec(line.trim())?.[1];
    if (!what) return [];
    const at = /^at (.+)$/.exec(lines[i + 1]?.trim() ?? "")?.[1];
    return [at ? `${path.relative(process.cwd(), at)}: ${what}` : what];
  });
  const detail = problems.length ? problems.slice(0, 3).join("; ") : (lines.find((l) => l.trim()) ?? "").trim();
  return diagnostic("E0120", m.span, `the local module ${path.relative(process.cwd(), m.source)} cannot be bundled: ${detail}`, { hint: "fix the error in that file; it is bundled with Bun beside the emitted modules" });
}

const CACHE_FILE = ".tova-build.json";

/** The sources, the options and this compiler's own build: any change means a new build. */
function buildKey(files: readonly { path: string; text: string }[], options: object): string {
  const hash = createHash("sha256");
  hash.update(JSON.stringify(options));
  try {
    hash.update(String(statSync(fileURLToPath(import.meta.url)).mtimeMs));
  } catch {
    hash.update(String(Date.now()));
  }
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : 1))) hash.update(`${f.path}\0${f.text}\0`);
  return hash.digest("hex");
}

async function readCache(out: string, key: string): Promise<Cache | null> {
  try {
    const cache = JSON.parse(await readFile(path.join(out, CACHE_FILE), "utf8")) as Cache;
    if (cache.key !== key || !cache.outputs.every((o) => existsSync(path.join(out, o)))) return null;
    for (const [file, hash] of cache.locals ?? []) if ((await fileHash(file)) !== hash) return null;
    return cache;
  } catch {
    return null;
  }
}

async function writeCache(out: string, cache: Cache): Promise<void> {
  await writeFile(path.join(out, CACHE_FILE), JSON.stringify(cache));
}

/**
 * What to write. Nothing named: the `.js` (with the runtime). `ts` is written
 * beside the `.js`, so it brings it; `ir` alone writes only `<stem>.ir.json`.
 */
function parseEmit(values: readonly string[]): Emit[] {
  const names = values.flatMap((v) => v.split(",")).map((v) => v.trim()).filter((v) => v !== "");
  const emit: Emit[] = [];
  for (const name of names) {
    const known = KNOWN.find((a) => a === name);
    if (!known) throw new UsageError(`unknown --emit value "${name}"; use js, ts, ir or deploy`);
    if (!emit.includes(known)) emit.push(known);
  }
  if (emit.length === 0 || emit.includes("ts")) if (!emit.includes("js")) emit.unshift("js");
  return emit;
}

/**
 * The lines of a source text, for the progress line: counted, not split into strings (splitting 10k
 * lines took 20 ms of a cold `tova build`, issue 15). A last line without a line break counts.
 */
function lineCount(text: string): number {
  let n = 0;
  for (let at = text.indexOf("\n"); at !== -1; at = text.indexOf("\n", at + 1)) n++;
  return text.length > 0 && !text.endsWith("\n") ? n + 1 : n;
}
