/**
 * Source maps from the emitted JavaScript to the `.tova` program, so that a
 * stack trace names `app.tova:LINE:COL` (issue 9, "Source maps").
 *
 * Bun's transpiler writes no source map, and it reprints the code (it joins
 * and splits statements), so the TypeScript's line structure is lost. What it
 * does keep are legal comments (`/*! ... *\/`): each one is printed on a line
 * of its own, just before the statement it preceded. So the markers of
 * builders.ts (`/*@file:offset*\/` at the start of every statement) go
 * through the transpiler as legal comments, and afterwards each marker line
 * is removed and the JavaScript line after it is mapped to the marker's
 * `.tova` position: one linear pass, statement granularity.
 *
 * Bun reads a file's `//# sourceMappingURL=` (an external `.map` or an inline
 * data URL) only for files that start with the `// @bun` pragma, which says
 * "already transpiled for Bun" (measured with Bun 1.4.5; without the pragma
 * Bun transpiles the file again and maps to its own copy). A map without
 * `sourcesContent` is ignored, so it is always written. The pragma also means
 * Bun does not add `require`, `__dirname` or `__filename` to an ES module;
 * emitted code uses none of them (ir/builtins.ts lists the globals Tova
 * accepts).
 */

/** A marker of builders.ts: `/*@file:offset*\/`, or `/*@-*\/` for code the compiler wrote on its own. */
const MARKER = /\/\*@(\d+:\d+|-)\*\//g;
/** The same marker as a legal comment alone on a JavaScript line (after the transpiler). */
const MARKER_LINE = /^( *)\/\*!@(?:(\d+):(\d+)|-)\*\/$/;

/** What `markForTranspiler` made of a marker-like text inside a string literal, found anywhere but on a line of its own. */
const INLINE_MARKER = /\/\*!@(\d+:\d+|-)\*\//g;

/** The TypeScript to give Bun's transpiler: the markers as legal comments, which it keeps. */
export function markForTranspiler(code: string): string {
  return code.replace(MARKER, "/*!@$1*/");
}

/** One `.tova` file of the program, by its index in the markers. */
export interface MapSource {
  /** The file as the map names it: a path relative to the map's own directory, `/`-separated. */
  name: string;
  text: string;
}

/**
 * Maps the modules of one program. The `.tova` texts are indexed and
 * JSON-escaped once, not once per module: a program of one large file and a
 * hundred servers has a hundred maps of that file.
 */
export class SourceMapper {
  private readonly lineStarts: (number[] | undefined)[] = [];
  private readonly escaped: (string | undefined)[] = [];

  /** `sources[i]` is the file of marker index `i` (`CompileResult.files` order). */
  constructor(private readonly sources: readonly MapSource[]) {}

  /**
   * The transpiler's output (from `markForTranspiler`'s input) made into the
   * module Bun runs: `// @bun` first, the marker lines removed, the map's URL
   * last; and the map's JSON text. `jsName` is the module's file name (the
   * map is `<jsName>.map` beside it).
   *
   * A line without a marker (a statement's continuation, `} else {`, a
   * closing `});`) is mapped to the statement that encloses it: the latest
   * marker at the same or a smaller indentation (Bun indents by nesting).
   * Lines of code the compiler wrote on its own, and the imports, are left
   * unmapped, so a trace there names the `.js` line, not a wrong `.tova` one.
   */
  attach(js: string, jsName: string): { js: string; map: string } {
    const lines = js.split("\n");
    if (lines[lines.length - 1] === "") lines.pop();
    const out: string[] = ["// @bun"];
    const mappings: string[] = [""]; // the pragma line
    const used = new Map<number, number>(); // marker file index -> index in this map's sources
    // The enclosing statements, innermost last: indentation and `.tova` position (null: compiler-written).
    const stack: { indent: number; at: Position | null }[] = [];
    let pending: { indent: number; at: Position | null } | null = null;
    let prev: Position = { source: 0, line: 0, column: 0 };

    for (const line of lines) {
      const m = MARKER_LINE.exec(line);
      if (m) {
        // Consecutive markers (a statement the transpiler dropped, a type declaration): the last one wins.
        pending = { indent: m[1]!.length, at: m[2] === undefined ? null : this.position(used, Number(m[2]), Number(m[3])) };
        continue;
      }
      // A marker-like text that is not a line of its own is inside a string the program wrote: given back as it was.
      out.push(line.includes("/*!@") ? line.replace(INLINE_MARKER, "/*@$1*/") : line);
      const indent = line.length - line.trimStart().length;
      if (indent === line.length) {
        mappings.push("");
        continue;
      }
      if (pending && pending.indent === indent) {
        while (stack.length && stack[stack.length - 1]!.indent >= indent) stack.pop();
        stack.push(pending);
      } else {
        while (stack.length && stack[stack.length - 1]!.indent > indent) stack.pop();
      }
      pending = null;
      const at = stack.length ? stack[stack.length - 1]!.at : null;
      if (!at) {
        mappings.push("");
        continue;
      }
      // One segment at column 0: generated column, source, line, column, each relative to the previous segment.
      mappings.push("A" + vlq(at.source - prev.source) + vlq(at.line - prev.line) + vlq(at.column - prev.column));
      prev = at;
    }
    out.push(`//# sourceMappingURL=${encodeURI(jsName)}.map`, "");

    const files = [...used].sort((a, b) => a[1] - b[1]).map(([file]) => file);
    // Written by hand so each `.tova` text is escaped once per program (JSON.stringify of the object would redo it per map).
    const map =
      `{"version":3,"file":${JSON.stringify(jsName)},` +
      `"sources":[${files.map((f) => JSON.stringify(this.sources[f]!.name)).join(",")}],` +
      `"sourcesContent":[${files.map((f) => (this.escaped[f] ??= JSON.stringify(this.sources[f]!.text))).join(",")}],` +
      `"names":[],"mappings":"${mappings.join(";")}"}`;
    return { js: out.join("\n"), map };
  }

  /** A marker's `.tova` position: this map's source index, 0-based line and UTF-16 column (what the spec and Bun use). */
  private position(used: Map<number, number>, file: number, offset: number): Position | null {
    const src = this.sources[file];
    if (!src) return null;
    const starts = (this.lineStarts[file] ??= lineStartsOf(src.text));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    let source = used.get(file);
    if (source === undefined) used.set(file, (source = used.size));
    return { source, line: lo, column: offset - starts[lo]! };
  }
}

interface Position {
  source: number;
  line: number;
  column: number;
}

function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** A source map's base-64 VLQ: sign in the lowest bit, five bits a digit, continuation in the sixth. */
function vlq(n: number): string {
  let v = n < 0 ? (-n << 1) | 1 : n << 1;
  let s = "";
  do {
    let digit = v & 31;
    v >>>= 5;
    if (v) digit |= 32;
    s += BASE64[digit];
  } while (v);
  return s;
}
