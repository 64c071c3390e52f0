import type { Diagnostic } from "./diagnostics/types.js";
import { hasErrors } from "./diagnostics/types.js";
import { analyze, type SourceFile } from "./ir/pipeline.js";
import { emitIr } from "./backends/ir/emit-ir.js";

export type Emit = "ir";

export interface CompileOptions {
  stem: string;
  basePort?: number;
  emit: readonly Emit[];
}

export interface CompileResult {
  /** Output files by path relative to the output directory; empty when there are errors. */
  outputs: Map<string, string>;
  diagnostics: Diagnostic[];
}

/**
 * The whole pipeline (architecture.md): .tova text → AST → IR → checked IR →
 * outputs. Pure: the CLI reads the files and writes the outputs.
 */
export function compile(files: readonly SourceFile[], options: CompileOptions): CompileResult {
  const { app, diagnostics } = analyze(files, { stem: options.stem, basePort: options.basePort });
  const outputs = new Map<string, string>();
  if (hasErrors(diagnostics)) return { outputs, diagnostics };
  if (options.emit.includes("ir")) outputs.set(`${app.stem}.ir.json`, emitIr(app));
  return { outputs, diagnostics };
}

/** `tova check`: the front end and the passes, nothing emitted. */
export function check(files: readonly SourceFile[], options: { stem: string; basePort?: number }): Diagnostic[] {
  return analyze(files, options).diagnostics;
}

export type { SourceFile };
