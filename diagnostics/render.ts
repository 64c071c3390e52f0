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
 * `path:line:col: error[CODE]: message`, a code frame with the span
 * underlined, each label with its own frame, and a `hint:` line.
 */
export function render(diagnostics: readonly Diagnostic[], sources: Sources, options: RenderOptions = {}): string {
  const map = lineMaps(sources);
  const paint = (code: string, s: string) => (options.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const blocks: string[] = [];
  for (const d of diagnostics) {
    const m = map(d.span.file);
    const s = m.position(d.span.start);
    const sev = d.severity === "error" ? paint("1;31", "error") : paint("1;33", "warning");
    const lines = [`${d.span.file}:${s.line}:${s.column}: ${sev}[${d.code}]: ${paint("1", d.message)}`];
    lines.push(...frame(m, d.span, "", paint));
    for (const l of d.labels) {
      const lm = map(l.span.file);
      const p = lm.position(l.span.start);
      lines.push(`  ${paint("36", "note")}: ${l.message} (${l.span.file}:${p.line}:${p.column})`);
      lines.push(...frame(lm, l.span, "", paint));
    }
    if (d.hint) lines.push(`  ${paint("32", "hint")}: ${d.hint}`);
    blocks.push(lines.join("\n"));
  }
  return blocks.join("\n\n") + (blocks.length ? "\n" : "");
}

function frame(m: LineMap, span: Span, _label: string, paint: (c: string, s: string) => string): string[] {
  const s = m.position(span.start);
  const e = m.position(Math.max(span.start, span.end));
  const width = String(e.line).length;
  const gutter = (n?: number) => paint("34", `${n === undefined ? " ".repeat(width) : String(n).padStart(width)} | `);
  const out: string[] = [];
  const last = Math.min(e.line, s.line + 3);
  for (let line = s.line; line <= last; line++) {
    const text = m.lineText(line).replace(/\t/g, " ");
    out.push(gutter(line) + text);
    const from = line === s.line ? s.column - 1 : text.length - text.trimStart().length;
    const to = line === e.line ? Math.max(e.column - 1, from + 1) : Math.max(text.length, from + 1);
    out.push(gutter() + " ".repeat(from) + paint("31", "^".repeat(Math.max(1, to - from))));
  }
  return out;
}
