import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import type { SourceFile } from "../compile.js";
import { explainFsError, UsageError } from "./errors.js";

/** What a command compiles: the files, their text by path, and the output stem. */
export interface Input {
  files: SourceFile[];
  /** Text by display path, for `render` and `locate`. */
  sources: Map<string, string>;
  /** The file's name without `.tova`, or the directory's name (decisions.md, "Output"). */
  stem: string;
}

const EXT = ".tova";

/**
 * Reads one `.tova` file, or every `.tova` file under a directory. Paths are
 * shown as the user wrote them (`examples/app.tova`), and a directory's files
 * come in sorted path order, which decides port numbering (decisions.md,
 * "Ports", rule 2). Directories starting with `.` and `node_modules` are
 * skipped so `.tova-out/` and `.git/` never count as sources.
 */
export async function readInput(given: string): Promise<Input> {
  const shown = path.normalize(given);
  const info = await statOrExplain(shown);
  if (info.isDirectory()) {
    const relative = (await findTovaFiles(shown, "")).sort(byCodeUnits);
    if (relative.length === 0) throw new UsageError(`no ${EXT} files found under ${shown}`);
    const files = await Promise.all(relative.map((r) => readSource(path.join(shown, r))));
    return withSources(files, path.basename(path.resolve(shown)));
  }
  if (!info.isFile()) throw new UsageError(`${shown} is neither a file nor a directory`);
  if (!shown.endsWith(EXT)) throw new UsageError(`${shown} is not a ${EXT} file`);
  return withSources([await readSource(shown)], path.basename(shown, EXT));
}

function withSources(files: SourceFile[], stem: string): Input {
  return { files, stem, sources: new Map(files.map((f) => [f.path, f.text])) };
}

/** Plain code-unit order, the same on every machine and locale. */
function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function findTovaFiles(root: string, dir: string): Promise<string[]> {
  const entries = await readdir(path.join(root, dir), { withFileTypes: true }).catch((e: unknown) => explain(e, path.join(root, dir)));
  const found: string[] = [];
  for (const entry of entries) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
      found.push(...(await findTovaFiles(root, rel)));
    } else if (entry.name.endsWith(EXT) && (entry.isFile() || (entry.isSymbolicLink() && (await isFile(path.join(root, rel)))))) {
      // Symbolic links to files count; links to directories are not followed, so there are no cycles.
      found.push(rel);
    }
  }
  return found;
}

async function isFile(p: string): Promise<boolean> {
  return stat(p).then((s) => s.isFile(), () => false);
}

async function readSource(p: string): Promise<SourceFile> {
  const text = await readFile(p, "utf8").catch((e: unknown) => explain(e, p));
  // An editor's byte-order mark is not part of the program.
  return { path: p, text: text.startsWith("\uFEFF") ? text.slice(1) : text };
}

async function statOrExplain(p: string) {
  return stat(p).catch((e: unknown) => explain(e, p));
}

function explain(e: unknown, p: string): never {
  throw explainFsError(e, p);
}
