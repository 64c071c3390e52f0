import { createHash, randomBytes } from "node:crypto";
import { statSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import path from "node:path";
import type { TsError } from "../backends/typescript/source-map.js";

/**
 * What the type-check of one emitted module found, kept by content so that an
 * unchanged module is never type-checked twice: not by the next build into
 * another directory, not by `tova dev` after an edit to another block.
 *
 * An entry is keyed by everything the module's errors can depend on: the
 * module's own text, the text of every emitted module it imports (directly or
 * not) and of every module that is a script (its declarations are global), the
 * declarations it is checked against (the npm imports' ambient file, the local
 * modules' declarations, the runtime's `.d.ts`), the checker's and the type
 * packages' versions, and the compiler options. The entry holds the errors the
 * checker found in that module (usually none).
 *
 * The modules' texts are taken without the compiler's `/*@file:offset*\/`
 * markers: they are comments, so they change nothing the checker finds, but
 * they hold offsets into the `.tova` file, so an edit to one block changes
 * them in every module after it (a 10k-line program of 108 server blocks: an
 * edit to the first changed the text of all 109 modules, and of one without
 * them). The errors' columns are kept in the text without markers and put
 * back into the module's current text when read.
 *
 * Where: `$TOVA_CACHE_DIR`, else `$XDG_CACHE_HOME/tova`, else `~/.cache/tova`;
 * entries under `typecheck-v2/`. An entry that cannot be read or parsed is a
 * miss, never an error; an entry is written to a temporary name and renamed, so
 * a reader never sees half of one; a cache that cannot be written is skipped.
 */

const FORMAT = "tova-typecheck-v2";

export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TOVA_CACHE_DIR) return path.resolve(env.TOVA_CACHE_DIR);
  if (env.XDG_CACHE_HOME) return path.join(path.resolve(env.XDG_CACHE_HOME), "tova");
  return path.join(homedir(), ".cache", "tova");
}

function entriesDir(): string {
  return path.join(cacheRoot(), "typecheck-v2");
}

/** One module's result: syntax errors and semantic (type) errors, kept apart because tsc reports the latter only when there are none of the former. */
export interface CheckedModule {
  syntactic: TsError[];
  semantic: TsError[];
}

/**
 * The part of every key that is the same for all modules of all builds with
 * this toolchain: the checker's and the type packages' versions, the options,
 * the runtime's declarations.
 */
export function environmentKey(parts: { toolVersions: readonly string[]; compilerOptions: object; runtimeDeclarations: readonly (readonly [string, string])[] }): string {
  const hash = createHash("sha256");
  hash.update(`${FORMAT}\0`);
  for (const v of parts.toolVersions) hash.update(`${v}\0`);
  hash.update(`${JSON.stringify(parts.compilerOptions)}\0`);
  for (const [name, text] of [...parts.runtimeDeclarations].sort((a, b) => (a[0] < b[0] ? -1 : 1))) hash.update(`${name}\0${text}\0`);
  return hash.digest("hex");
}

/**
 * A module with `import`/`export` at the start of a line (after the compiler's
 * `/*@…*\/` markers) is an ES module; any other is a script, whose top-level
 * declarations every other file sees. (A module taken for a script only costs
 * checks: it is then part of every module's key.)
 */
export function isScript(code: string): boolean {
  return !/^[ \t]*(?:\/\*(?:[^*]|\*(?!\/))*\*\/[ \t]*)*(?:import|export)\b/m.test(code);
}

/** The emitted modules a module imports: `from "./x.js"`, `import "./x.js"`, `import("./x.js")`, as paths of the other modules (`x.ts`). */
function importedModules(code: string, byPath: ReadonlyMap<string, unknown>): string[] {
  const out: string[] = [];
  const re = /\b(?:from|import)\s*\(?\s*["']\.\/([^"'/]+?)(?:\.js|\.ts)?["']/g;
  for (let m = re.exec(code); m; m = re.exec(code)) {
    const target = `${m[1]}.ts`;
    if (byPath.has(target)) out.push(target);
  }
  return out;
}

/** The compiler's markers (as backends/typescript/source-map.ts reads them). */
const MARKER = /\/\*@(?:\d+:\d+|-)\*\//g;

export function withoutMarkers(code: string): string {
  return code.replace(MARKER, "");
}

/** A 1-based column of `line` (a line of a module's text) in the same line without its markers. */
function columnWithoutMarkers(line: string, column: number): number {
  let removed = 0;
  MARKER.lastIndex = 0;
  for (let m = MARKER.exec(line); m && m.index < column - 1; m = MARKER.exec(line)) removed += Math.min(m[0].length, column - 1 - m.index);
  return column - removed;
}

/** The inverse: a column of the line without markers in the line with them (a column where markers start: after them, at the token). */
function columnWithMarkers(line: string, column: number): number {
  let removed = 0;
  MARKER.lastIndex = 0;
  for (let m = MARKER.exec(line); m && column - 1 >= m.index - removed; m = MARKER.exec(line)) removed += m[0].length;
  return column + removed;
}

function mapColumns(result: CheckedModule, code: string, map: (line: string, column: number) => number): CheckedModule {
  const lines = code.split("\n");
  const each = (e: TsError): TsError => ({ ...e, column: map(lines[e.line - 1] ?? "", e.column) });
  return { syntactic: result.syntactic.map(each), semantic: result.semantic.map(each) };
}

/** A module's result as kept: columns in its text without markers. */
export function toKept(result: CheckedModule, code: string): CheckedModule {
  return mapColumns(result, code, columnWithoutMarkers);
}

/** A kept result in the module's current text. */
export function fromKept(result: CheckedModule, code: string): CheckedModule {
  return mapColumns(result, code, columnWithMarkers);
}

/**
 * The key of each module: see the top of this file. `ambient` and `locals`
 * are the files every module is checked with.
 */
export function moduleKeys(env: string, emitted: readonly { path: string; code: string }[], ambient: string, locals: readonly { path: string; text: string }[]): string[] {
  const modules = emitted.map((m) => ({ path: m.path, code: withoutMarkers(m.code) }));
  const byPath = new Map(modules.map((m) => [m.path, m]));
  const shared = createHash("sha256");
  shared.update(`${env}\0${ambient}\0`);
  for (const l of [...locals].sort((a, b) => (a.path < b.path ? -1 : 1))) shared.update(`${l.path}\0${l.text}\0`);
  const scripts = modules.filter((m) => isScript(m.code)).map((m) => m.path);
  const common = shared.digest("hex");
  return modules.map((m) => {
    // The module, what it imports (transitively), and every script.
    const seen = new Set<string>([m.path, ...scripts]);
    const queue = [m.path];
    while (queue.length) {
      for (const next of importedModules(byPath.get(queue.pop()!)!.code, byPath)) {
        if (!seen.has(next)) {
          seen.add(next);
          queue.push(next);
        }
      }
    }
    const hash = createHash("sha256");
    hash.update(`${common}\0${m.path}\0`);
    for (const p of [...seen].sort()) hash.update(`${p}\0${byPath.get(p)!.code}\0`);
    return hash.digest("hex");
  });
}

function isTsError(e: unknown): e is TsError {
  if (typeof e !== "object" || e === null) return false;
  const x = e as Record<string, unknown>;
  return typeof x.module === "string" && typeof x.line === "number" && typeof x.column === "number" && typeof x.code === "string" && typeof x.message === "string";
}

/** The entry for a key, or null: missing, unreadable, not JSON, or not the shape written here. */
export async function readEntry(key: string): Promise<CheckedModule | null> {
  try {
    const data = JSON.parse(await readFile(path.join(entriesDir(), `${key}.json`), "utf8")) as unknown;
    if (typeof data !== "object" || data === null) return null;
    const { format, syntactic, semantic } = data as Record<string, unknown>;
    if (format !== FORMAT || !Array.isArray(syntactic) || !Array.isArray(semantic)) return null;
    if (!syntactic.every(isTsError) || !semantic.every(isTsError)) return null;
    return { syntactic, semantic };
  } catch {
    return null;
  }
}

/** Writes the entries (temp file, then rename); a failure to write is not the build's failure. */
export async function writeEntries(entries: readonly { key: string; result: CheckedModule }[]): Promise<void> {
  if (entries.length === 0) return;
  const dir = entriesDir();
  try {
    await mkdir(dir, { recursive: true });
    await Promise.all(
      entries.map(async ({ key, result }) => {
        const file = path.join(dir, `${key}.json`);
        const tmp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
        try {
          await writeFile(tmp, JSON.stringify({ format: FORMAT, ...result }));
          await rename(tmp, file);
        } catch {
          await rm(tmp, { force: true }).catch(() => undefined);
        }
      }),
    );
    await pruneDaily(dir);
  } catch {
    // A read-only or full disk: the next build checks again.
  }
}

/**
 * A program whose every module was found in (or written to) the cache by the
 * last check of the same sources: its next build does not start the checker's
 * server in advance (it would read the declarations for nothing). Only a hint:
 * the modules' own entries decide what is checked.
 */
function markFile(env: string, program: string): string {
  return path.join(entriesDir(), `program-${createHash("sha256").update(`${env}\0${program}`).digest("hex")}`);
}

export function hasProgramMark(env: string, program: string): boolean {
  try {
    return statSync(markFile(env, program)).isFile();
  } catch {
    return false;
  }
}

export async function writeProgramMark(env: string, program: string): Promise<void> {
  try {
    await mkdir(entriesDir(), { recursive: true });
    await writeFile(markFile(env, program), "");
  } catch {
    // As for the entries: a cache that cannot be written is skipped.
  }
}

const DAY = 24 * 60 * 60 * 1000;

/** At most once a day: entries not written for 30 days go (each is a few hundred bytes; this keeps a long `tova dev` from piling them up). */
async function pruneDaily(dir: string): Promise<void> {
  const marker = path.join(dir, ".pruned");
  const last = await stat(marker).then((s) => s.mtimeMs, () => 0);
  if (Date.now() - last < DAY) return;
  await writeFile(marker, "");
  const cutoff = Date.now() - 30 * DAY;
  for (const name of await readdir(dir)) {
    if (!name.endsWith(".json") && !name.endsWith(".tmp") && !name.startsWith("program-")) continue;
    const file = path.join(dir, name);
    const s = await stat(file).catch(() => null);
    if (s && s.mtimeMs < (name.endsWith(".tmp") ? Date.now() - DAY : cutoff)) await rm(file, { force: true }).catch(() => undefined);
  }
}
