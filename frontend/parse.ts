import type { Diagnostic } from "../diagnostics/types.js";
import { diagnostic } from "../diagnostics/catalog.js";
import type { Program } from "./ast.js";
import { lex } from "./lexer.js";
import { newCtx, runOn } from "./parser/core.js";
import { program } from "./parser/program.js";

export interface ParseResult {
  program: Program;
  diagnostics: Diagnostic[];
}

/** The front end's entry: source text to AST. Never throws, whatever the input. */
export function parse(text: string, file: string): ParseResult {
  const diagnostics: Diagnostic[] = [];
  try {
    const lexed = lex(text, file);
    diagnostics.push(...lexed.diagnostics);
    const ctx = newCtx(lexed.tokens, file, diagnostics);
    const out = runOn(program, ctx);
    const items = out.ok ? out.value : [];
    return { program: { kind: "Program", file, items, span: { file, start: 0, end: text.length } }, diagnostics };
  } catch (e) {
    // A compiler bug, not a user mistake: say so, with the place, rather than crash.
    diagnostics.push(
      diagnostic("E0010", { file, start: 0, end: 0 }, `internal parser error: ${(e as Error).message}`, {
        hint: "this is a bug in the Tova compiler; please report it with this file",
      }),
    );
    return { program: { kind: "Program", file, items: [], span: { file, start: 0, end: text.length } }, diagnostics };
  }
}
