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
const MARKER_LINE = /^ *\/\*!@(?:(\d+):(\d+)|-)\*\/$/;

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
 * How many bytes of `.tova` text the maps of one build may carry in
 * `sourcesContent`. Each map carries the text of the files it maps to, so a
 * program of one large file and many servers would write that file once per
 * server: the 10,000-line bench program (240 KB, 108 modules) would write
 * 26 MB of copies, which took longer to write than the rest of the build
 * (issue 15). Above the budget the maps name the files with a `null` content,
 * which Bun accepts: it then reads the `.tova` file from disk for the code
 * frame of a trace. Lines and columns are the same either way.
 */
export const CONTENT_BUDGET = 2 * 1024 * 1024;

/**
 * The modules of one program (each the transpiler's output from
 * `markForTranspiler`'s input), as Bun runs them, each with its map's JSON
 * text (`<name>.map` beside it). `sources[i]` is the file of marker index `i`
 * (`CompileResult.files` order).
 */
export function mapModules(modules: readonly { name: string; js: string }[], sources: readonly MapSource[], contentBudget = CONTENT_BUDGET): { name: string; js: string; map: string }[] {
  const mapper = new SourceMapper(sources);
  const mapped = modules.map((m) => ({ name: m.name, ...mapper.attach(m.js, m.name) }));
  let copies = 0;
  for (const m of mapped) for (const f of m.files) copies += sources[f]!.text.length;
  const withContent = copies <= contentBudget;
  return mapped.map((m) => ({ name: m.name, js: m.js, map: mapper.serialize(m.name, m.files, m.mappings, withContent) }));
}

/** Maps modules one by one; the `.tova` texts are indexed and JSON-escaped once per program, not once per module. */
class SourceMapper {
  private readonly lineStarts: (number[] | undefined)[] = [];
  private readonly escaped: (string | undefined)[] = [];

  constructor(private readonly sources: readonly MapSource[]) {}

  /**
   * The transpiler's output made into the module Bun runs: `// @bun` first,
   * the marker lines removed, the map's URL last; with the map's `mappings`
   * and the marker file indexes it names, in the order of its `sources`.
   *
   * A line without a marker (a statement's continuation, `} else {`, a
   * closing `});`) is mapped to the statement that encloses it: the latest
   * marker at the same or a smaller indentation (Bun indents by nesting).
   * Lines of code the compiler wrote on its own, and the imports, are left
   * unmapped, so a trace there names the `.js` line, not a wrong `.tova` one.
   */
  attach(js: string, jsName: string): { js: string; files: number[]; mappings: string } {
    const lines = js.split("\n");
    if (lines[lines.length - 1] === "") lines.pop();
    const out: string[] = ["// @bun"];
    const mappings: string[] = [""]; // the pragma line
    const used = new Map<number, number>(); // marker file index -> index in this map's sources
    // The enclosing statements, innermost last: indentation and `.tova` position (null: compiler-written).
    const stack: { indent: number; at: Position | null }[] = [];
    let pending: { indent: number; at: Position | null } | null = null;
    let prev: Position = { source: 0, file: 0, line: 0, column: 0 };

    for (const line of lines) {
      let indent = 0;
      while (line.charCodeAt(indent) === 32) indent++;
      const m = line.startsWith("/*!@", indent) ? MARKER_LINE.exec(line) : null;
      if (m) {
        // Consecutive markers (a statement the transpiler dropped, a type declaration): the last one wins.
        pending = { indent, at: m[1] === undefined ? null : this.position(used, Number(m[1]), Number(m[2])) };
        continue;
      }
      // A marker-like text that is not a line of its own is inside a string the program wrote: given back as it was.
      out.push(line.includes("/*!@") ? line.replace(INLINE_MARKER, "/*@$1*/") : line);
      if (indent === line.length || line.trim() === "") {
        mappings.push("");
        continue;
      }
      if (pending && pending.indent === indent) {
        while (stack.length && stack[stack.length - 1]!.indent >= indent) stack.pop();
        stack.push(pending);
      } else {
        while (stack.length && stack[stack.length - 1]!.indent > indent) stack.pop();
      }
      const fresh = pending !== null && pending.indent === indent;
      pending = null;
      const at = stack.length ? stack[stack.length - 1]!.at : null;
      if (!at) {
        mappings.push("");
        continue;
      }
      // A segment at column 0: generated column, source, line, column, each relative to the previous segment.
      let segments = "A" + vlq(at.source - prev.source) + vlq(at.line - prev.line) + vlq(at.column - prev.column);
      prev = at;
      // Then, on a statement's first line, one segment per call found again on its `.tova` line: a trace names the call.
      if (fresh) {
        let jsColumn = 0;
        for (const call of this.calls(line, at)) {
          segments += "," + vlq(call.jsColumn - jsColumn) + "AA" + vlq(call.column - prev.column);
          jsColumn = call.jsColumn;
          prev = { ...at, column: call.column };
        }
      }
      mappings.push(segments);
    }
    out.push(`//# sourceMappingURL=${encodeURI(jsName.slice(jsName.lastIndexOf("/") + 1))}.map`, "");

    const files = [...used].sort((a, b) => a[1] - b[1]).map(([file]) => file);
    return { js: out.join("\n"), files, mappings: mappings.join(";") };
  }

  /**
   * A version 3 map. Written by hand so each `.tova` text is escaped once per
   * program (JSON.stringify of the whole map would redo it for every map).
   * `sourcesContent` is always there: Bun ignores a map without it.
   */
  serialize(jsName: string, files: readonly number[], mappings: string, withContent: boolean): string {
    const content = files.map((f) => (withContent ? (this.escaped[f] ??= JSON.stringify(this.sources[f]!.text)) : "null"));
    const names = files.map((f) => JSON.stringify(this.sources[f]!.name));
    return `{"version":3,"file":${JSON.stringify(jsName)},"sources":[${names.join(",")}],"sourcesContent":[${content.join(",")}],"names":[],"mappings":"${mappings}"}`;
  }

  /**
   * The calls of a statement's first JavaScript line (`name(` and `.name(`,
   * where JavaScriptCore puts a call's frame) that are also on the statement's
   * `.tova` line, in order, from the statement's start: each call's column in
   * both. A name the emitter introduced or renamed is not found and keeps the
   * statement's position. Bounded by the two lines, so linear overall.
   */
  private calls(line: string, at: Position): { jsColumn: number; column: number }[] {
    const text = this.sources[at.file]!.text;
    const starts = this.lineStarts[at.file]!;
    const tova = text.slice(starts[at.line]!, at.line + 1 < starts.length ? starts[at.line + 1]! : text.length);
    const found: { jsColumn: number; column: number }[] = [];
    let cursor = at.column;
    for (const m of line.matchAll(CALL)) {
      const name = m[1]!;
      if (KEYWORDS.has(name)) continue;
      for (let i = tova.indexOf(name, cursor); i >= 0; i = tova.indexOf(name, i + 1)) {
        if (IDENTIFIER_CHAR.test(tova[i - 1] ?? " ") || !/^\s*\(/.test(tova.slice(i + name.length, i + name.length + 8))) continue;
        found.push({ jsColumn: m.index, column: i });
        cursor = i + name.length;
        break;
      }
    }
    return found;
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
    return { source, file, line: lo, column: offset - starts[lo]! };
  }
}

/** A name followed by `(` in JavaScript: a call (or a declaration, which the `.tova` line has too). */
const CALL = /(?<![\w$])([A-Za-z_$][\w$]*)\s*\(/g;
const IDENTIFIER_CHAR = /[\w$]/;
/** Words before a `(` that are not calls. */
const KEYWORDS = new Set(["if", "for", "while", "switch", "catch", "function", "return", "typeof", "await", "new", "in", "of", "do", "else", "case", "void", "delete", "yield", "throw"]);

interface Position {
  source: number;
  /** The marker's file index (`sources` of the mapper). */
  file: number;
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
