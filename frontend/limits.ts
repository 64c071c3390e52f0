/**
 * The front end's limits (issue 9, "Diagnostics that mislead or overflow"):
 * input no person writes, such as 1,000 nested brackets or 4 KB of random
 * bytes, ends in a few clear diagnostics instead of a stack overflow or
 * megabytes of output. Real programs stay far below each of them.
 */

/**
 * How many brackets (and bracket-less nested bodies: a lambda's expression
 * body, an interpolation) the parser follows at once; deeper code is one
 * E0016 and is skipped (parser/core.ts, `nest`). The parser's stack use at
 * this depth is well inside Node's default stack (spec-tests/parser-limits).
 */
export const MAX_DEPTH = 256;

/**
 * How deep strings in interpolations and JSX elements nest while lexing
 * (each level is a recursive call). Above MAX_DEPTH, so the parser's E0016
 * comes first whenever the lexer gets through.
 */
export const LEX_MAX_DEPTH = 512;

/**
 * Syntax errors kept per file; at the next one the front end stops reading
 * the file and says so (E0018). javac's default `-Xmaxerrs` is the same
 * number. The renderer shows fewer (diagnostics/render.ts, 50 per file).
 */
export const MAX_SYNTAX_ERRORS = 100;
