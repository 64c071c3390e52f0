import { render } from "../diagnostics/render.js";
import type { Diagnostic } from "../diagnostics/types.js";

/** Colour only for a person at a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function useColor(stream: NodeJS.WriteStream): boolean {
  return stream.isTTY === true && !process.env["NO_COLOR"];
}

/** The rendered diagnostics, then one summary line: `2 errors, 1 warning in 3 files`. */
export function printDiagnostics(diagnostics: readonly Diagnostic[], sources: ReadonlyMap<string, string>): void {
  const out = process.stdout;
  const text = render(diagnostics, sources, { color: useColor(out) });
  if (text) out.write(text + "\n");
  out.write(summary(diagnostics, sources.size) + "\n");
}

function summary(diagnostics: readonly Diagnostic[], fileCount: number): string {
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.length - errors;
  const files = plural(fileCount, "file");
  if (errors === 0 && warnings === 0) return `no problems in ${files}`;
  return `${plural(errors, "error")}, ${plural(warnings, "warning")} in ${files}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
