import type { Diagnostic } from "../diagnostics/types.js";
import { diagnostic, tooManyErrors } from "../diagnostics/catalog.js";
import type { Program } from "./ast.js";
import { lex } from "./lexer.js";
import { MAX_DEPTH, MAX_SYNTAX_ERRORS } from "./limits.js";
import { newCtx, runOn, type Ctx } from "./parser/core.js";
import { program } from "./parser/program.js";
import { closeByIndentation } from "./parser/unclosed.js";

export interface ParseResult {
  program: Program;
  diagnostics: Diagnostic[];
}

/** The front end's entry: source text to AST. Never throws, whatever the input. */
export function parse(text: string, file: string): ParseResult {
  const diagnostics: Diagnostic[] = [];
  const empty = (): ParseResult => ({ program: { kind: "Program", file, items: [], span: { file, start: 0, end: text.length } }, diagnostics });
  let ctx: Ctx | undefined;
  try {
    const lexed = lex(text, file);
    diagnostics.push(...lexed.diagnostics);
    // Not UTF-8 text, too deep or too broken to lex: its one diagnostic says so, and there is nothing to parse.
    if (lexed.abandoned) return empty();
    const repaired = closeByIndentation(lexed.tokens, file, diagnostics);
    ctx = newCtx(lexed.tokens, file, diagnostics);
    ctx.nesting.unclosedReported = repaired;
    const out = runOn(program, ctx);
    const items = out.ok ? out.value : [];
    const stoppedAt = ctx.nesting.stoppedAt;
    if (stoppedAt !== null) {
      // What was reported while unwinding after the stop (blocks left open at the end) is noise.
      diagnostics.length = Math.min(diagnostics.length, MAX_SYNTAX_ERRORS);
      diagnostics.push(tooManyErrors({ file, start: stoppedAt, end: stoppedAt }));
    }
    return { program: { kind: "Program", file, items, span: { file, start: 0, end: text.length } }, diagnostics };
  } catch (e) {
    if (e instanceof RangeError) {
      // The stack ran out before the nesting limit (a caller deep in its own stack): still the depth diagnostic, not a crash.
      const at = ctx ? ctx.nesting.deepestAt : 0;
      diagnostics.push(
        diagnostic("E0016", { file, start: at, end: Math.min(at + 1, text.length) }, `this is nested too deeply to read (at most ${MAX_DEPTH} levels)`, {
          hint: "move the inner part into a function or a named value",
        }),
      );
      return empty();
    }
    // A compiler bug, not a user mistake: say so, with the place, rather than crash.
    diagnostics.push(
      diagnostic("E0010", { file, start: 0, end: 0 }, `internal parser error: ${(e as Error).message}`, {
        hint: "this is a bug in the Tova compiler; please report it with this file",
      }),
    );
    return empty();
  }
}
