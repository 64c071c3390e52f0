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
  for (const err of errors) {
    const mod = byPath.get(err.module);
    const at = mod ? offsetOf(mod.code, err.line, err.column) : -1;
    const marker = mod && at >= 0 ? lastMarkerBefore(mod.code, at) : null;
    const message = cleanMessage(err.message);
    if (marker && files[marker.file] !== undefined) {
      const file = files[marker.file]!;
      out.push(
        diagnostic("E0208", { file, start: marker.offset, end: marker.offset + 1 }, message, {
          hint: `TypeScript ${err.code} in ${err.module}:${err.line}:${err.column}`,
        }),
      );
    } else {
      out.push(
        diagnostic("E0900", { file: files[0] ?? err.module, start: 0, end: 0 }, `internal compiler error: the emitted ${err.module} does not type-check: ${message} (${err.code} at ${err.line}:${err.column})`, {
          hint: "this is a bug in the Tova compiler, not in your program; please report it with the program",
        }),
      );
    }
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
