import { parse } from "../frontend/parse.js";
import type { Diagnostic } from "../diagnostics/types.js";
import { lowerFile } from "./lower.js";
import { mergeBlocks } from "./passes/merge-blocks.js";
import { assignPorts } from "./passes/assign-ports.js";
import { checkSecurity } from "./passes/check-security.js";
import { resolveNames } from "./passes/resolve-names.js";
import { synthesizeProxies } from "./passes/synthesize-proxies.js";
import { routeEvents } from "./passes/route-events.js";
import { checkTypes } from "./passes/check-types.js";
import { inferInfrastructure } from "./passes/infer-infrastructure.js";
import type { CheckedApp } from "./checked.js";

export interface SourceFile {
  path: string;
  text: string;
}

export interface AnalyzeOptions {
  /** The output stem: the file's name for one file, the directory's for a directory. */
  stem: string;
  /** Base port for `assign-ports` (`--port`). */
  basePort?: number;
}

/**
 * The front end and the IR passes for a whole application, in the order of
 * architecture.md. Each pass is a pure function returning its result and its
 * diagnostics; later passes run even after errors so one run reports as much
 * as it can.
 */
export function analyze(files: readonly SourceFile[], options: AnalyzeOptions): { app: CheckedApp; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const lowered = files.map((f) => {
    const parsed = parse(f.text, f.path);
    diagnostics.push(...parsed.diagnostics);
    const l = lowerFile(parsed.program);
    diagnostics.push(...l.diagnostics);
    return l.ir;
  });
  const merged = mergeBlocks(lowered, options.stem);
  const secured = checkSecurity(merged.app);
  const ported = assignPorts(secured.app, options.basePort);
  const names = resolveNames(ported.app);
  const proxies = synthesizeProxies(ported.app, names.names);
  const events = routeEvents(ported.app, names.names);
  const types = checkTypes(ported.app, names.names, proxies.proxies);
  const infra = inferInfrastructure(ported.app, names.names);
  diagnostics.push(...merged.diagnostics, ...secured.diagnostics, ...ported.diagnostics, ...names.diagnostics, ...proxies.diagnostics, ...events.diagnostics, ...types.diagnostics, ...infra.diagnostics);
  const app: CheckedApp = { ...ported.app, names: names.names, types: types.types, proxies: proxies.proxies, events: events.events, infrastructure: infra.infrastructure };
  return { app, diagnostics: sortDiagnostics(diagnostics) };
}

/** By file, then position; stable for equal positions. */
function sortDiagnostics(ds: Diagnostic[]): Diagnostic[] {
  return ds
    .map((d, i) => ({ d, i }))
    .sort((a, b) => (a.d.span.file < b.d.span.file ? -1 : a.d.span.file > b.d.span.file ? 1 : a.d.span.start - b.d.span.start || a.i - b.i))
    .map((x) => x.d);
}
