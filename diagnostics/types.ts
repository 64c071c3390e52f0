import type { Span } from "../frontend/span.js";

export type Severity = "error" | "warning";

/** A secondary location shown with a diagnostic ("first defined here"). */
export interface Label {
  span: Span;
  message: string;
}

/**
 * Errors are data: every stage returns these, and only `render.ts` turns them
 * into text. Codes are stable (see `catalog.ts`).
 */
export interface Diagnostic {
  code: string;
  severity: Severity;
  message: string;
  span: Span;
  labels: Label[];
  hint?: string;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}
