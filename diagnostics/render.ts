import { LineMap, type Span } from "../frontend/span.js";
import type { Diagnostic } from "./types.js";

/** Source text per file path, for code frames and line/column numbers. */
export type Sources = ReadonlyMap<string, string>;

export interface Located {
  code: string;
  severity: string;
  message: string;
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  hint?: string;
  labels: { message: string; file: string; line: number; column: number }[];
}

function lineMaps(sources: Sources) {
  const cache = new Map<string, LineMap>();
  return (file: string): LineMap => {
    let m = cache.get(file);
    if (!m) {
      m = new LineMap(sources.get(file) ?? "");
      cache.set(file, m);
    }
    return m;
  };
}

/** Line and column of both ends of every diagnostic (the `--json` format). */
export function locate(diagnostics: readonly Diagnostic[], sources: Sources): Located[] {
  const map = lineMaps(sources);
  return diagnostics.map((d) => {
    const m = map(d.span.file);
    const s = m.position(d.span.start);
    const e = m.position(Math.max(d.span.start, d.span.end));
    const out: Located = {
      code: d.code,
      severity: d.severity,
      message: d.message,
      file: d.span.file,
      line: s.line,
      column: s.column,
      endLine: e.line,
      endColumn: e.column,
      labels: d.labels.map((l) => {
        const p = map(l.span.file).position(l.span.start);
        return { message: l.message, file: l.span.file, line: p.line, column: p.column };
      }),
    };
    if (d.hint !== undefined) out.hint = d.hint;
    return out;
  });
}

export interface RenderOptions {
  color?: boolean;
}

/**
 * At most this many diagnostics of one file are shown, then one line says how
 * many more there are (issue 9): past a few dozen, more of them only bury the
 * first. `locate` (the `--json` output) keeps every one; the front end itself
 * stops reading a file after 100 syntax errors and says so (E0018,
 * frontend/limits.ts), so the JSON tells when it was cut.
 */
export const SHOWN_PER_FILE = 50;

/** Code frames show at most this many columns of a line, around the span. */
export const FRAME_WIDTH = 120;

/**
 * `path:line:col: error[CODE]: message`, a code frame with the span
 * underlined, each label with its own frame, and a `hint:` line; then, for a
 * file with more than SHOWN_PER_FILE, `path: and N more diagnostics`.
 */
export function render(diagnostics: readonly Diagnostic[], sources: Sources, options: RenderOptions = {}): string {
  const map = lineMaps(sources);
  const paint = (code: string, s: string) => (options.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const blocks: string[] = [];
  const shown = new Map<string, number>();
  for (const d of diagnostics) {
    const count = shown.get(d.span.file) ?? 0;
    shown.set(d.span.file, count + 1);
    if (count >= SHOWN_PER_FILE) continue;
    const m = map(d.span.file);
    const s = m.position(d.span.start);
    const sev = d.severity === "error" ? paint("1;31", "error") : paint("1;33", "warning");
    const lines = [`${d.span.file}:${s.line}:${s.column}: ${sev}[${d.code}]: ${paint("1", d.message)}`];
    lines.push(...frame(m, d.span, paint));
    for (const l of d.labels) {
      const lm = map(l.span.file);
      const p = lm.position(l.span.start);
      lines.push(`  ${paint("36", "note")}: ${l.message} (${l.span.file}:${p.line}:${p.column})`);
      lines.push(...frame(lm, l.span, paint));
    }
    if (d.hint) lines.push(`  ${paint("32", "hint")}: ${d.hint}`);
    blocks.push(lines.join("\n"));
  }
  for (const [file, count] of shown) {
    if (count > SHOWN_PER_FILE) {
      const more = count - SHOWN_PER_FILE;
      blocks.push(`${file}: and ${more} more diagnostic${more === 1 ? "" : "s"} (\`tova check --json\` lists them all)`);
    }
  }
  return blocks.join("\n\n") + (blocks.length ? "\n" : "");
}

function frame(m: LineMap, span: Span, paint: (c: string, s: string) => string): string[] {
  const s = m.position(span.start);
  const e = m.position(Math.max(span.start, span.end));
  const width = String(e.line).length;
  const gutter = (n?: number) => paint("34", `${n === undefined ? " ".repeat(width) : String(n).padStart(width)} | `);
  const out: string[] = [];
  const last = Math.min(e.line, s.line + 3);
  for (let line = s.line; line <= last; line++) {
    const length = m.lineLength(line);
    // The underline, in columns of the whole line (0-based, end exclusive).
    let from: number;
    if (line === s.line) from = s.column - 1;
    else {
      const head = m.lineSlice(line, 0, FRAME_WIDTH);
      from = head.length - head.trimStart().length;
    }
    const to = line === e.line ? Math.max(e.column - 1, from + 1) : Math.max(length, from + 1);
    // A long line is cut to FRAME_WIDTH columns around the start of the underline.
    const left = length <= FRAME_WIDTH ? 0 : Math.max(0, Math.min(from - 40, length - FRAME_WIDTH));
    const right = Math.min(length, left + FRAME_WIDTH);
    const before = left > 0 ? "..." : "";
    const text = before + m.lineSlice(line, left, right).replace(/\t/g, " ") + (right < length ? "..." : "");
    out.push(gutter(line) + text);
    const at = before.length + from - left;
    const len = Math.max(1, Math.min(to, right + (right < length ? 0 : 1)) - from);
    out.push(gutter() + " ".repeat(at) + paint("31", "^".repeat(len)));
  }
  return out;
}
