import type { Diagnostic } from "../../diagnostics/types.js";
import { diagnostic } from "../../diagnostics/catalog.js";
import type { EmittedModule } from "./index.js";

/**
 * Type errors in emitted code, reported where they come from. Every emitted
 * statement starts with a `/*@file:offset*\/` marker (builders.ts); an error
 * is reported at the `.tova` position of the last marker before it. An error
 * before any marker is in code the compiler wrote on its own: a compiler bug,
 * and the build says so. (The same markers give the emitted JavaScript its
 * source maps: js-source-map.ts.)
 */
export interface TsError {
  /** The emitted module's path, as in `EmittedModule.path`. */
  module: string;
  /** 1-based line and column in the module's code (markers included). */
  line: number;
  column: number;
  code: string;
  message: string;
}

const MARKER = /\/\*@(?:(\d+):(\d+)|-)\*\//g;

export function mapTypeErrors(errors: readonly TsError[], modules: readonly EmittedModule[], files: readonly string[]): Diagnostic[] {
  const byPath = new Map(modules.map((m) => [m.path, m]));
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const err of errors) {
    const mod = byPath.get(err.module);
    const at = mod ? offsetOf(mod.code, err.line, err.column) : -1;
    const marker = mod && at >= 0 ? lastMarkerBefore(mod.code, at) : null;
    // Tova's own checker accepted the program, so a type error in the code it wrote is the compiler's
    // mistake (decisions.md, "Types"): E0900 at the construct that produced the code, never the
    // checker's words presented as the user's. Its details are for the bug report.
    const file = marker && files[marker.file] !== undefined ? files[marker.file]! : (files[0] ?? err.module);
    const span = marker && files[marker.file] !== undefined ? { file, start: marker.offset, end: marker.offset + 1 } : { file, start: 0, end: 0 };
    const key = `${span.file}:${span.start}`;
    if (seen.has(key)) continue; // one report per construct
    seen.add(key);
    out.push(
      diagnostic("E0900", span, "internal compiler error: the code Tova wrote for this does not type-check", {
        hint: `this is a bug in the Tova compiler, not in your program; please report it with the program (details: ${err.module}:${err.line}:${err.column} ${err.code} ${cleanMessage(err.message)})`,
      }),
    );
  }
  return out;
}

function offsetOf(code: string, line: number, column: number): number {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const nl = code.indexOf("\n", offset);
    if (nl < 0) return -1;
    offset = nl + 1;
  }
  return offset + column - 1;
}

function lastMarkerBefore(code: string, at: number): { file: number; offset: number } | null {
  let found: { file: number; offset: number } | null = null;
  MARKER.lastIndex = 0;
  for (let m = MARKER.exec(code); m && m.index <= at; m = MARKER.exec(code)) found = m[1] === undefined ? null : { file: Number(m[1]), offset: Number(m[2]) };
  return found;
}

/** TypeScript's message without its trailing period and elaboration chains. */
function cleanMessage(message: string): string {
  return message.split("\n")[0]!.trim().replace(/\.$/, "");
}
