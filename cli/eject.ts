import { existsSync, readFileSync, statSync } from "node:fs";
import { cp, mkdir, mkdtemp, readdir, rename, rm, rmdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { ts } from "ts-morph";
import { compile } from "../compile.js";
import { ejectProject } from "../backends/eject/index.js";
import { mapTypeErrors } from "../backends/typescript/source-map.js";
import { hasErrors } from "../diagnostics/types.js";
import { sessionAppKey } from "./app-key.js";
import { EXIT, UsageError, explainFsError } from "./errors.js";
import { readInput } from "./files.js";
import { declarationOf, planLocalImports, type LocalModule } from "./local-imports.js";
import { printDiagnostics } from "./report.js";
import { PACKAGE_ROOT } from "./toolchain.js";
import { typecheck } from "./typecheck.js";

export interface EjectArgs {
  path: string;
  /** The project's directory; default `<stem>-ejected` beside the working directory. Must not exist, or be empty. */
  out?: string | undefined;
}

/**
 * `tova eject <file-or-dir> [--out DIR]` (issue 14): compiles the program as
 * `tova build` does (checked and type-checked), turns the emitted modules into
 * a standalone TypeScript project (backends/eject/), and writes it with the
 * program's local modules, data files and static folders. Never writes into a
 * directory that has anything in it; the project appears only once complete.
 */
export async function runEject(args: EjectArgs): Promise<number> {
  const input = await readInput(args.path);
  const out = path.resolve(args.out ?? `${input.stem}-ejected`);
  await refuseNonEmpty(out);
  const result = compile(input.files, { stem: input.stem, emit: ["ts"] });
  const local = planLocalImports(result.localImports);
  const problems = [...result.diagnostics.filter((d) => d.severity === "error"), ...local.diagnostics];
  if (hasErrors(problems)) {
    printDiagnostics([...result.diagnostics, ...local.diagnostics], input.sources);
    return EXIT.errors;
  }
  // The same guard as `tova build`: emitted code that does not type-check is a compiler bug (E0900), not an ejectable project.
  const typeErrors = mapTypeErrors(await typecheck(result.modules, result.imports, local.modules.map(declarationOf)), result.modules, result.files);
  if (typeErrors.length) {
    printDiagnostics([...result.diagnostics, ...typeErrors], input.sources);
    return EXIT.errors;
  }
  if (result.diagnostics.length) printDiagnostics(result.diagnostics, input.sources);
  const programDir = statSync(args.path).isDirectory() ? path.resolve(args.path) : path.dirname(path.resolve(args.path));
  const ejected = await ejectProject({
    stem: input.stem,
    modules: result.modules,
    sources: result.files.map((f) => input.sources.get(f) ?? ""),
    servers: result.servers,
    npmImports: result.imports.map((name) => ({ name, version: programDependencyVersion(programDir, name) })),
    pinned: ownPins(),
    appKey: sessionAppKey({}),
    readPackageFile,
  });
  const files = new Map(ejected.files);
  const copies: { from: string; to: string }[] = [];
  for (const m of local.modules) placeLocalModule(m, programDir, files, copies);
  const notes: string[] = [];
  for (const d of ejected.dataFiles) {
    const from = path.resolve(programDir, d);
    if (path.isAbsolute(d) || d.split(/[\\/]/).includes("..")) continue;
    if (existsSync(from)) copies.push({ from, to: d });
    else notes.push(`the program reads ${d}, which is not beside it: put it in ${path.join(out, d)}`);
  }
  // `static { dir }` is relative to the server module's folder (runtime/server/static.ts), which is src/ now.
  for (const s of result.staticDirs) copies.push({ from: path.resolve(path.dirname(s.file), s.dir), to: path.posix.join("src", s.dir) });
  await writeProject(out, files, copies);
  const shown = shownPath(out);
  process.stdout.write(`ejected ${input.stem} into ${shown}: ${files.size + copies.length} files\n`);
  for (const n of notes) process.stdout.write(`note: ${n}\n`);
  process.stdout.write(`next: cd ${shown} && npm install && npm run typecheck && npm start\n`);
  return EXIT.ok;
}

/** Relative to the working directory when inside it, absolute otherwise. */
function shownPath(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel === "" ? "." : rel.startsWith("..") || path.isAbsolute(rel) ? p : rel;
}

async function refuseNonEmpty(out: string): Promise<void> {
  if (!existsSync(out)) return;
  if (!statSync(out).isDirectory()) throw new UsageError(`${out} exists and is not a directory; eject into a new or empty directory`);
  if ((await readdir(out)).length > 0) throw new UsageError(`${out} is not empty; eject into a new or empty directory (nothing was written)`);
}

/** Files of this package by package-relative path: the runtime's TypeScript sources, read as needed. */
function readPackageFile(rel: string): string | null {
  try {
    return readFileSync(path.join(PACKAGE_ROOT, rel), "utf8");
  } catch {
    return null;
  }
}

function ownPins(): Record<string, string> {
  const pkg = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, "package.json"), "utf8")) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
  return { ...pkg.devDependencies, ...pkg.dependencies };
}

/** The version a package.json at or above the program's directory gives an npm import, or null. */
function programDependencyVersion(dir: string, specifier: string): string | null {
  const name = specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0]!;
  for (let d = dir; ; d = path.dirname(d)) {
    const file = path.join(d, "package.json");
    if (existsSync(file) && path.resolve(d) !== path.resolve(PACKAGE_ROOT)) {
      try {
        const pkg = JSON.parse(readFileSync(file, "utf8")) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
        const v = pkg.dependencies?.[name] ?? pkg.devDependencies?.[name];
        if (v) return v;
      } catch {
        // not JSON: look further up
      }
    }
    if (path.dirname(d) === d) return null;
  }
}

/**
 * A local module (cli/local-imports.ts) is copied as it is, with the files it imports relatively, under src/ where
 * the emitted modules' specifiers find it. A JavaScript one gets a declaration naming what the program imports as
 * `any`, so the strict check sees it as Tova did.
 */
function placeLocalModule(m: LocalModule, programDir: string, files: Map<string, string>, copies: { from: string; to: string }[]): void {
  const queue = [m.source];
  const seen = new Set<string>();
  while (queue.length) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const rel = path.relative(programDir, file);
    if (rel.startsWith("..") || path.isAbsolute(rel)) continue;
    copies.push({ from: file, to: path.posix.join("src", rel.split(path.sep).join("/")) });
    const text = readFileSync(file, "utf8");
    for (const ref of ts.preProcessFile(text, true, true).importedFiles) {
      if (!ref.fileName.startsWith(".")) continue;
      const found = resolveRelative(path.resolve(path.dirname(file), ref.fileName));
      if (found) queue.push(found);
    }
  }
  const rel = path.relative(programDir, m.source).split(path.sep).join("/");
  if (!/\.[mc]?tsx?$/.test(rel)) {
    const d = declarationOf({ ...m, out: rel });
    files.set(path.posix.join("src", d.path), d.text);
  }
}

function resolveRelative(wanted: string): string | null {
  const stem = wanted.replace(/\.[mc]?js$/, "");
  const candidates = [wanted, ...[".ts", ".js", ".mts", ".mjs", ".tsx", ".jsx"].map((e) => stem + e), path.join(wanted, "index.ts"), path.join(wanted, "index.js")];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile()) ?? null;
}

/** Everything into a staging directory beside `out`, then renamed into place: a failure leaves no half-written project. */
async function writeProject(out: string, files: ReadonlyMap<string, string>, copies: readonly { from: string; to: string }[]): Promise<void> {
  const parent = path.dirname(out);
  await mkdir(parent, { recursive: true }).catch((e: unknown) => {
    throw explainFsError(e, parent);
  });
  const staging = await mkdtemp(path.join(parent, `.${path.basename(out)}-`)).catch((e: unknown) => {
    throw explainFsError(e, parent);
  });
  try {
    for (const [rel, text] of files) {
      await mkdir(path.dirname(path.join(staging, rel)), { recursive: true });
      await writeFile(path.join(staging, rel), text);
    }
    for (const c of copies) {
      await mkdir(path.dirname(path.join(staging, c.to)), { recursive: true });
      await cp(c.from, path.join(staging, c.to), { recursive: true });
    }
    if (existsSync(out)) await rmdir(out); // empty: checked before anything was compiled
    await rename(staging, out);
  } catch (e) {
    await rm(staging, { recursive: true, force: true });
    throw explainFsError(e, out);
  }
}
