import { readdirSync, readFileSync, statSync } from "node:fs";
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
  const info = statOrExplain(shown);
  if (info.isDirectory()) {
    const relative = findTovaFiles(shown, "").sort(byCodeUnits);
    if (relative.length === 0) throw new UsageError(`no ${EXT} files found under ${shown}`);
    const files = relative.map((r) => readSource(path.join(shown, r)));
    return withSources(files, path.basename(path.resolve(shown)));
  }
  if (!info.isFile()) throw new UsageError(`${shown} is neither a file nor a directory`);
  if (!shown.endsWith(EXT)) throw new UsageError(`${shown} is not a ${EXT} file`);
  return withSources([readSource(shown)], path.basename(shown, EXT));
}

function withSources(files: SourceFile[], stem: string): Input {
  return { files, stem, sources: new Map(files.map((f) => [f.path, f.text])) };
}

/** Plain code-unit order, the same on every machine and locale. */
function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function findTovaFiles(root: string, dir: string): string[] {
  const entries = attempt(() => readdirSync(path.join(root, dir), { withFileTypes: true }), path.join(root, dir));
  const found: string[] = [];
  for (const entry of entries) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
      found.push(...findTovaFiles(root, rel));
    } else if (entry.name.endsWith(EXT) && (entry.isFile() || (entry.isSymbolicLink() && isFile(path.join(root, rel))))) {
      // Symbolic links to files count; links to directories are not followed, so there are no cycles.
      found.push(rel);
    }
  }
  return found;
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function readSource(p: string): SourceFile {
  const bytes = attempt(() => readFileSync(p), p);
  const text = decodeSource(bytes);
  // An editor's byte-order mark is not part of the program.
  return { path: p, text: text.startsWith("\uFEFF") ? text.slice(1) : text };
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const lenientUtf8 = new TextDecoder("utf-8", { ignoreBOM: true });

/**
 * A source file's text. A file that is not UTF-8 is not accepted silently
 * (issue 9): its first byte that is not UTF-8 becomes a lone surrogate
 * (U+DC80..U+DCFF, as Python's "surrogateescape" does), which no UTF-8 text
 * decodes to, and the lexer reports it as E0017 at its line and column.
 */
export function decodeSource(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    const bad = firstInvalidByte(bytes);
    if (bad < 0) return lenientUtf8.decode(bytes);
    return strictUtf8.decode(bytes.subarray(0, bad)) + String.fromCharCode(0xdc00 + bytes[bad]!) + lenientUtf8.decode(bytes.subarray(bad + 1));
  }
}

/** The offset of the first byte that starts no well-formed UTF-8 sequence (Unicode, table 3-7), or -1. */
export function firstInvalidByte(b: Uint8Array): number {
  const cont = (i: number, lo = 0x80, hi = 0xbf) => i < b.length && b[i]! >= lo && b[i]! <= hi;
  for (let i = 0; i < b.length; ) {
    const c = b[i]!;
    let n = 0;
    if (c < 0x80) n = 1;
    else if (c >= 0xc2 && c <= 0xdf) n = cont(i + 1) ? 2 : 0;
    else if (c === 0xe0) n = cont(i + 1, 0xa0) && cont(i + 2) ? 3 : 0;
    else if (c === 0xed) n = cont(i + 1, 0x80, 0x9f) && cont(i + 2) ? 3 : 0;
    else if (c >= 0xe1 && c <= 0xef) n = cont(i + 1) && cont(i + 2) ? 3 : 0;
    else if (c === 0xf0) n = cont(i + 1, 0x90) && cont(i + 2) && cont(i + 3) ? 4 : 0;
    else if (c === 0xf4) n = cont(i + 1, 0x80, 0x8f) && cont(i + 2) && cont(i + 3) ? 4 : 0;
    else if (c >= 0xf1 && c <= 0xf3) n = cont(i + 1) && cont(i + 2) && cont(i + 3) ? 4 : 0;
    if (n === 0) return i;
    i += n;
  }
  return -1;
}

function statOrExplain(p: string) {
  return attempt(() => statSync(p), p);
}

/**
 * `read()`, or the reason it failed in the user's words. Synchronous: a command reads its sources before
 * anything else, and `node:fs/promises` alone loaded nine more of Node's modules into `tova check` (issue 15).
 */
function attempt<T>(read: () => T, p: string): T {
  try {
    return read();
  } catch (e) {
    throw explainFsError(e, p);
  }
}
