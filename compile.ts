import type { Diagnostic } from "./diagnostics/types.js";
import type { Span } from "./frontend/span.js";
import { hasErrors } from "./diagnostics/types.js";
import { analyze, type SourceFile } from "./ir/pipeline.js";
import { emitIr } from "./backends/ir/emit-ir.js";
import { emitTypeScript, type EmittedModule } from "./backends/typescript/index.js";
import { emitDeploy } from "./backends/deploy/index.js";

export type Emit = "ir" | "ts" | "js" | "deploy";

export interface CompileOptions {
  stem: string;
  basePort?: number | undefined;
  emit: readonly Emit[];
}

export interface CompileResult {
  /** Output files by path relative to the output directory; empty when there are errors. */
  outputs: Map<string, string>;
  /** The TypeScript modules, with source markers, for type-checking and compiling to JS. */
  modules: EmittedModule[];
  /** The application's files in the order markers index them. */
  files: string[];
  /** npm modules the program imports: dynamically typed (decisions.md, "Gradual typing"). */
  imports: string[];
  /**
   * The program's own JavaScript or TypeScript files (`import x from "./file.js"`),
   * each with the `.tova` file that imports it: the CLI bundles them beside the
   * emitted modules, and they are dynamically typed like npm modules.
   */
  localImports: LocalImport[];
  /** Every server block with its assigned port and port variable (decisions.md, "Ports"). */
  servers: { name: string | null; port: number; portEnv: string; /** It has a `background fn`: with Redis it loads the durable queue. */ jobs: boolean }[];
  /**
   * The directories `static { dir }` serves (security.md), each relative to the `.tova` file that declares it:
   * the CLI puts them into the output directory under the same relative path, where the server looks.
   */
  staticDirs: { dir: string; file: string; span: Span }[];
  diagnostics: Diagnostic[];
}

export interface LocalImport {
  /** The specifier as written: `./helpers.js`. */
  from: string;
  /** The importing `.tova` file, as given to `compile`. */
  file: string;
  span: Span;
  /** The names it imports (`default` for a default import). */
  names: string[];
}

/**
 * The whole pipeline (architecture.md): .tova text → AST → IR → checked IR →
 * TypeScript per block (and the IR as JSON). Pure: the CLI reads the files,
 * type-checks and compiles the modules, and writes the outputs.
 */
export function compile(files: readonly SourceFile[], options: CompileOptions): CompileResult {
  const { app, diagnostics } = analyze(files, { stem: options.stem, basePort: options.basePort });
  const outputs = new Map<string, string>();
  const imports = npmImports(app.shared.imports);
  const localImports = app.shared.imports
    .filter((i) => i.from.startsWith("."))
    .map((i) => ({ from: i.from, file: i.span.file, span: i.span, names: [...(i.defaultName ? ["default"] : []), ...i.names.map((n) => n.name)] }));
  const servers = app.servers.map((s) => ({ name: s.name, port: s.port, portEnv: s.portEnv, jobs: s.fns.some((f) => f.kind === "background") }));
  const staticDirs = app.servers.flatMap((s) => s.configs.filter((c) => c.name === "static").map((c) => ({ dir: staticDir(c.values), file: c.span.file, span: c.values["dir"]?.span ?? c.span })));
  if (hasErrors(diagnostics)) return { outputs, modules: [], files: app.files, imports, localImports, servers, staticDirs, diagnostics };
  if (options.emit.includes("ir")) outputs.set(`${app.stem}.ir.json`, emitIr(app));
  if (options.emit.includes("deploy")) for (const [p, text] of emitDeploy(app)) outputs.set(p, text);
  const needsCode = options.emit.includes("ts") || options.emit.includes("js");
  const emitted = needsCode ? emitTypeScript(app) : null;
  if (emitted && hasErrors(emitted.diagnostics)) {
    // What the emitter cannot compile as the source says (E0214): nothing is written.
    return { outputs: new Map(), modules: [], files: app.files, imports, localImports, servers, staticDirs, diagnostics: [...diagnostics, ...emitted.diagnostics] };
  }
  return { outputs, modules: emitted?.modules ?? [], files: app.files, imports, localImports, servers, staticDirs, diagnostics };
}

/** `static { dir }`, or `public` (security.md); the check made sure it is a plain relative path. */
function staticDir(values: Record<string, { value: { kind: string; value?: unknown } | null }>): string {
  const v = values["dir"]?.value;
  return v && v.kind === "Str" ? String(v.value) : "public";
}

/** The npm packages a program imports (every import that is not a relative path), once each. */
export function npmImports(imports: readonly { from: string }[]): string[] {
  return [...new Set(imports.map((i) => i.from).filter((m) => !m.startsWith(".")))];
}

/** `tova check`: the front end and the passes, nothing emitted. */
export function check(files: readonly SourceFile[], options: { stem: string; basePort?: number | undefined }): Diagnostic[] {
  return analyze(files, options).diagnostics;
}

export type { SourceFile, EmittedModule };
