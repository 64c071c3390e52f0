import type { Diagnostic } from "../../diagnostics/types.js";
import { diagnostic } from "../../diagnostics/catalog.js";
import type { Span } from "../span.js";
import { describe, type Token, type TokenKind } from "../tokens.js";
import { MAX_DEPTH, MAX_SYNTAX_ERRORS } from "../limits.js";
import { nearKeyword } from "./typos.js";
import { unclosedBrace } from "./unclosed.js";

/**
 * Primitive parsers over the token array. Every primitive looks at
 * `tokens[pos]` only, so parsing is linear in the number of tokens
 * (architecture.md: never parse source text).
 *
 * A parser is a function of the one parse cursor (`ctx`, `pos` below): it
 * returns its result and moves `pos` past what it read, or records what it
 * expected and throws `FAILED`. Only `recovering` (one statement) and `runOn`
 * (a whole token array) catch a failure, and both put the cursor back
 * themselves, so nothing else saves or restores it.
 *
 * This replaced arcsecond's `Parser` (issue 15). The grammar had long been
 * plain functions of `run` (below), so arcsecond was left wrapping each
 * primitive in a parser object that allocated a new immutable state per
 * token read and per rule, and a `gen` driver with a try/catch per rule. On
 * the 20,000-line benchmark program (bench/generate.mjs, generateFlatProgram)
 * that was about a third of the parser's time and a fifth of all garbage
 * collection; `npm run bench` prints the allocation per token before and after.
 *
 * The parse context records the furthest failure and what was expected
 * there, which becomes the one diagnostic of a statement that does not parse.
 * A grammar rule that recurses (expressions, statements, JSX) is a plain
 * function taking `run`, called directly: one stack frame per rule, which
 * with `nest` below lets deep nesting end in one diagnostic rather than a
 * stack overflow (issue 9).
 */
export interface Ctx {
  tokens: Token[];
  file: string;
  diagnostics: Diagnostic[];
  furthest: number;
  expected: Set<string>;
  /** Shared by a file's context and its interpolations' sub-contexts. */
  nesting: Nesting;
  /** The index of the `}` that closed the last object literal read (statements.ts: it ends no block). */
  objectEnd: number;
}

interface Nesting {
  depth: number;
  reported: boolean;
  /** Where the deepest nesting so far began (a source offset), for a stack overflow's diagnostic (parse.ts). */
  deepestAt: number;
  deepest: number;
  /** Set when the file had MAX_SYNTAX_ERRORS: the source offset where reading stopped. */
  stoppedAt: number | null;
  /** A `{` never closed is reported once per file, however many blocks end at the end of the file. */
  unclosedReported: boolean;
}

/** A parser: reads at the cursor and returns its result, or throws `FAILED`. */
export type P<T> = () => T;
export type Run = <K>(parser: P<K>) => K;

/** Thrown by a parser that does not match: one object, no stack trace to capture. */
const FAILED = Object.freeze({ failed: true });

/** The parse cursor. Parsing is synchronous; `runOn` saves and restores it around a nested token array (an interpolation). */
let ctx: Ctx = newCtx([], "", []);
let pos = 0;

/** Applies `parser` at the cursor; a failure propagates to the enclosing `recovering` or `runOn`. */
const run: Run = <K>(parser: P<K>): K => parser();

/** A parser written as straight-line code: `run(p)` applies `p`, and a failure abandons the whole statement. */
export function gen<T>(body: (run: Run) => T): P<T> {
  return () => body(run);
}

export function newCtx(tokens: Token[], file: string, diagnostics: Diagnostic[], parent?: Ctx): Ctx {
  return { tokens, file, diagnostics, furthest: -1, expected: new Set(), objectEnd: -1, nesting: parent ? parent.nesting : { depth: 0, reported: false, deepestAt: 0, deepest: 0, stoppedAt: null, unclosedReported: false } };
}

/** Runs a parser over a whole token array from its start. */
export function runOn<T>(parser: P<T>, on: Ctx): { ok: true; value: T; index: number } | { ok: false; index: number } {
  const outerCtx = ctx;
  const outerPos = pos;
  ctx = on;
  pos = 0;
  try {
    const value = parser();
    return { ok: true, value, index: pos };
  } catch (e) {
    if (e !== FAILED) throw e;
    return { ok: false, index: pos };
  } finally {
    ctx = outerCtx;
    pos = outerPos;
  }
}

/** Records `what` as expected at the cursor, for the message if parsing fails here. */
function note(what: string): void {
  if (pos > ctx.furthest) {
    ctx.furthest = pos;
    ctx.expected.clear(); // each `recovering` has a set of its own, so clearing it in place touches no enclosing one
    ctx.expected.add(what);
  } else if (pos === ctx.furthest) ctx.expected.add(what);
}

function fail(what: string): never {
  note(what);
  throw FAILED;
}

// ---- reading at the cursor, inside a `gen` body

/** The current token. */
export function current(): Token {
  return ctx.tokens[pos]!;
}

/** The token `k` places ahead (the last token is always `eof`). */
export function ahead(k: number): Token {
  const t = ctx.tokens;
  return t[Math.min(pos + k, t.length - 1)]!;
}

/** The current token index. */
export function here(): number {
  return pos;
}

/** Records `what` as also possible at the cursor, for the message if parsing fails here. */
export function alsoExpected(what: string): void {
  note(what);
}

/** The context of the running parser. */
export function ctxNow(): Ctx {
  return ctx;
}

// ---- primitive parsers

/** The current token, not consumed. Never fails. */
export const peek: P<Token> = () => ctx.tokens[pos]!;

/** The token `k` places ahead, not consumed (the last token is always `eof`). */
export function peekAt(k: number): P<Token> {
  return () => ahead(k);
}

/** The first token at or after the current one that is not a newline. */
export const peekPastNewlines: P<Token> = () => {
  const t = ctx.tokens;
  let i = pos;
  while (t[i]!.kind === "nl") i++;
  return t[i]!;
};

/** Current token index (for spans and recovery). */
export const mark: P<number> = () => pos;

/** Consumes any one token (never `eof`). */
export const next: P<Token> = () => {
  const t = ctx.tokens[pos]!;
  if (t.kind === "eof") fail("more input");
  pos++;
  return t;
};

const label = (kind: TokenKind, value?: string) =>
  value !== undefined ? `\`${value}\`` : kind === "ident" ? "a name" : kind === "str" ? "a string" : kind === "num" ? "a number" : kind;

/** Consumes a token of this kind (and value), or fails expecting it. */
export function tok(kind: TokenKind, value?: string, what?: string): P<Token> {
  const expected = what ?? label(kind, value);
  return () => {
    const t = ctx.tokens[pos]!;
    if (t.kind !== kind || (value !== undefined && t.value !== value)) fail(expected);
    pos++;
    return t;
  };
}

const opCache = new Map<string, P<Token>>();
/** `op(v)` parsers are made once per operator: they are asked for on every use. */
export const op = (value: string): P<Token> => {
  let p = opCache.get(value);
  if (!p) opCache.set(value, (p = tok("op", value)));
  return p;
};
const kwCache = new Map<string, P<Token>>();
export const kw = (value: string): P<Token> => {
  let p = kwCache.get(value);
  if (!p) kwCache.set(value, (p = tok("kw", value)));
  return p;
};

const acceptCache = new Map<TokenKind, Map<string | undefined, P<Token | null>>>();
/**
 * Consumes the token if it matches; otherwise succeeds with null and consumes nothing.
 * Made once per kind and value and looked up by both (two lookups of strings the
 * grammar spells as literals: a key built as one string was a new string to hash on every call).
 */
export function accept(kind: TokenKind, value?: string): P<Token | null> {
  let byValue = acceptCache.get(kind);
  if (!byValue) acceptCache.set(kind, (byValue = new Map()));
  let p = byValue.get(value);
  if (!p) byValue.set(value, (p = makeAccept(kind, value)));
  return p;
}

function makeAccept(kind: TokenKind, value?: string): P<Token | null> {
  return () => {
    const t = ctx.tokens[pos]!;
    if (t.kind !== kind || (value !== undefined && t.value !== value)) return null;
    pos++;
    return t;
  };
}

/** A name: an identifier, or a keyword where a key is expected (`type:` in an object). */
export function name(what = "a name", keywordsToo = false): P<Token> {
  return () => {
    const t = ctx.tokens[pos]!;
    if (t.kind !== "ident" && !(keywordsToo && t.kind === "kw")) fail(what);
    pos++;
    return t;
  };
}

/** A plain string literal (no interpolation), as used for block names, paths, events. */
export const stringLit: P<Token> = () => {
  const t = ctx.tokens[pos]!;
  if (t.kind === "str") {
    pos++;
    return t;
  }
  // `"/users/{id}"` in a route path: take the raw text; interpolation is not meant here.
  if (t.kind !== "tpl") fail("a string");
  pos++;
  return { ...t, kind: "str", value: t.value.slice(1, -1) };
};

/** Skips any newlines and `;`. Never fails. */
export const skipSeparators: P<null> = () => {
  const t = ctx.tokens;
  while (t[pos]!.kind === "nl" || (t[pos]!.kind === "op" && t[pos]!.value === ";")) pos++;
  return null;
};

/** Skips newlines only. Never fails. */
export const skipNewlines: P<null> = () => {
  const t = ctx.tokens;
  while (t[pos]!.kind === "nl") pos++;
  return null;
};

/** The span from the token at `from` to the last consumed token. */
export function spanFrom(from: number): P<Span> {
  return () => spanOfTokens(ctx, from, pos);
}

/** Inside a `gen` body: the span from the token at `from` to the last consumed token. */
export function spanSince(from: number): Span {
  return spanOfTokens(ctx, from, pos);
}

function spanOfTokens(c: Ctx, from: number, to: number): Span {
  const t = c.tokens;
  const first = t[Math.min(from, t.length - 1)]!;
  const last = t[Math.max(from, to - 1)] ?? first;
  const end = to > from ? last.end : first.start;
  return { file: c.file, start: first.start, end: Math.max(end, first.start) };
}

export function tokenSpan(ctx: Ctx, t: Token): Span {
  return { file: ctx.file, start: t.start, end: t.end };
}

/** The context itself, for code that needs the file name or the diagnostics list. */
export const context: P<Ctx> = () => ctx;

/** Fails with an expectation, without consuming. */
export function expected<T>(what: string): P<T> {
  return () => fail(what);
}

// ---- too many errors ----------------------------------------------------

/**
 * Inside a statement loop: true once the file has MAX_SYNTAX_ERRORS, after
 * moving the cursor to the end so every enclosing loop ends too. parse.ts
 * keeps the first MAX_SYNTAX_ERRORS and adds E0018 where reading stopped.
 */
export function stopReading(): boolean {
  if (ctx.diagnostics.length < MAX_SYNTAX_ERRORS && ctx.nesting.stoppedAt === null) return false;
  if (ctx.nesting.stoppedAt === null) ctx.nesting.stoppedAt = ctx.tokens[pos]!.start;
  pos = ctx.tokens.length - 1;
  return true;
}

// ---- nesting ----------------------------------------------------------

/**
 * Inside a `gen` body, at the token that opens a nested region (a bracket, a
 * block, a JSX element, a lambda's expression body, an interpolation): runs
 * `body` one level deeper. Past `MAX_DEPTH` it reports E0016 once per file,
 * skips the region (to the bracket's partner, or to the end of the
 * expression) without recursing, and yields `stub(span of the skipped code)`.
 * With `skip` false (an interpolation, whose tokens are not the cursor's)
 * nothing is skipped.
 */
export function nest<T>(body: (run: Run) => T, stub: (span: Span) => T, skip = true): T {
  const n = ctx.nesting;
  if (n.depth >= MAX_DEPTH) {
    const from = pos;
    const to = skip ? skipRegion(ctx.tokens, from) : from;
    if (!n.reported) {
      n.reported = true;
      const t = ctx.tokens[from]!;
      ctx.diagnostics.push(
        diagnostic("E0016", badTokenSpan(ctx, t), `this is nested more than ${MAX_DEPTH} levels deep`, {
          hint: "move the inner part into a function or a named value",
        }),
      );
    }
    pos = to;
    return stub(spanOfTokens(ctx, from, to));
  }
  if (++n.depth > n.deepest) {
    n.deepest = n.depth;
    n.deepestAt = ctx.tokens[pos]!.start;
  }
  try {
    return body(run);
  } finally {
    n.depth--;
  }
}

const OPENERS = new Set(["(", "[", "{"]);
const CLOSING = new Set([")", "]", "}"]);

/**
 * From `from`, the index after the region that starts there: a bracket or
 * JSX element up to its partner, anything else up to the end of the
 * expression (a new line, `;` or `,` outside brackets, or a closer of an
 * enclosing bracket). Iterative, so it cannot overflow.
 */
function skipRegion(tokens: Token[], from: number): number {
  const first = tokens[from]!;
  if (first.kind === "op" && first.value === "<") return skipAngles(tokens, from);
  const grouped = isOpener(first);
  let depth = 0; // brackets and JSX elements open since `from`
  let inTag = 0; // opening tags whose `>` has not come yet
  for (let i = from; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === "eof") return i;
    if (!grouped && depth === 0 && i > from && (t.kind === "nl" || (t.kind === "op" && (t.value === ";" || t.value === "," || CLOSING.has(t.value))))) return i;
    if (isOpener(t)) {
      depth++;
      if (t.kind === "jsx_open") inTag++;
      continue;
    }
    let closes = false;
    if (t.kind === "op" && CLOSING.has(t.value)) closes = true;
    else if (t.kind === "jsx_self_close") {
      inTag--;
      closes = true;
    } else if (t.kind === "jsx_end") {
      if (inTag > 0) inTag--; // `<a ...>`: the children follow, the element stays open
      else closes = true; // the `>` of `</a>`
    }
    if (closes && --depth <= 0 && grouped) return i + 1;
  }
  return tokens.length - 1;
}

/** A type's `<...>` (generic arguments): `<` and `>` are its brackets. */
function skipAngles(tokens: Token[], from: number): number {
  let depth = 0;
  for (let i = from; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === "eof" || t.kind === "nl") return i;
    if (t.kind !== "op") continue;
    if (t.value === "<") depth++;
    else if (t.value === ">" && --depth === 0) return i + 1;
  }
  return tokens.length - 1;
}

function isOpener(t: Token): boolean {
  return (t.kind === "op" && OPENERS.has(t.value)) || t.kind === "jsx_open";
}

// ---- recovery ---------------------------------------------------------

/**
 * Inside a `gen` body: runs `body`; when it fails, reports the furthest
 * failure as one E0010 diagnostic, skips to the end of the statement (a
 * newline or `;` outside brackets, or before the `}` closing the current
 * block) and yields `onError(span)`. Never fails: this is how one mistake
 * stays one error.
 */
export function recovering<T>(body: (run: Run) => T, onError: (span: Span, startToken: number, tokens: Token[]) => T): T {
  const c = ctx;
  const start = pos;
  const outerFurthest = c.furthest;
  const outerExpected = c.expected;
  c.furthest = -1;
  c.expected = new Set();
  try {
    const value = body(run);
    // Nested recovery must not hide what the enclosing statement was waiting for.
    if (outerFurthest >= c.furthest) {
      c.furthest = outerFurthest;
      c.expected = outerExpected;
    }
    return value;
  } catch (e) {
    if (e !== FAILED) throw e; // a bug, or a stack overflow (parse.ts reports that one)
  }
  const tokens = c.tokens;
  const at = Math.max(c.furthest, start);
  const bad = tokens[Math.min(at, tokens.length - 1)]!;
  const wanted = [...c.expected];
  const unclosed = bad.kind === "eof" ? unclosedBracket(tokens, start) : undefined;
  const first = tokens[start]!;
  if (unclosed) {
    reportUnclosed(c, start, unclosed, `this \`${unclosed.value}\` is never closed`);
  } else {
    // `fun f()`, `retrun x`, `serer {`: the statement broke right after a near-miss of a keyword.
    const typo = nearKeyword(tokens, start, at);
    if (typo) c.diagnostics.push(diagnostic("E0010", badTokenSpan(c, first), `\`${first.value}\` is not a keyword`, { hint: `did you mean \`${typo}\`?` }));
    else c.diagnostics.push(diagnostic("E0010", badTokenSpan(c, bad), `expected ${listOf(wanted)}, found ${describe(bad)}`, hintFor(wanted, bad)));
  }
  const resume = skipStatement(tokens, start);
  c.furthest = outerFurthest;
  c.expected = outerExpected;
  const span = { file: c.file, start: first.start, end: Math.max(first.start, tokens[Math.max(start, resume - 1)]!.end) };
  pos = Math.max(resume, start + (first.kind === "eof" ? 0 : 1));
  return onError(span, start, tokens);
}

/**
 * E0011 for a bracket still open at the end of the file, once per file: for
 * a `{`, the one the indentation points at (unclosed.ts), else `open`.
 */
export function reportUnclosed(ctx: Ctx, from: number, open: Token, message: string): void {
  if (ctx.nesting.unclosedReported) return;
  ctx.nesting.unclosedReported = true;
  if (open.value !== "{") {
    ctx.diagnostics.push(diagnostic("E0011", { file: ctx.file, start: open.start, end: open.end }, message, { hint: `add the missing \`${CLOSERS[open.value]}\`` }));
    return;
  }
  ctx.diagnostics.push(unclosedBrace(ctx.file, ctx.tokens, from, { brace: open, message }));
}

/** `recovering` as a parser. */
export function recover<T>(parser: P<T>, onError: (span: Span, startToken: number, tokens: Token[]) => T): P<T> {
  return gen((r) => recovering(() => r(parser), onError));
}

/** A failing token's span; at the end of input it is empty rather than one past the text. */
export function badTokenSpan(ctx: Ctx, bad: Token): Span {
  return { file: ctx.file, start: bad.start, end: bad.kind === "eof" ? bad.start : Math.max(bad.end, bad.start + 1) };
}

const CLOSERS: Record<string, string> = { "(": ")", "[": "]", "{": "}" };

function hintFor(wanted: string[], bad: Token): { hint?: string } {
  if (wanted.includes("the end of the statement")) return { hint: "statements end at a new line or `;`" };
  if (wanted.includes("`}`") && bad.kind === "eof") return { hint: "a `{` above is never closed" };
  if (wanted.includes("`)`") && bad.kind === "nl") return { hint: "close the `(` before the end of the line" };
  if (bad.kind === "kw" && wanted.some((w) => w.includes("name"))) return { hint: `\`${bad.value}\` is a keyword and cannot be used as a name` };
  return {};
}

function listOf(items: string[]): string {
  const sorted = items.slice(0, 6);
  if (sorted.length === 0) return "something else";
  if (sorted.length === 1) return sorted[0]!;
  return `${sorted.slice(0, -1).join(", ")} or ${sorted[sorted.length - 1]}`;
}

/**
 * From `from`, the index of the first token after the broken statement: past
 * the next newline or `;` at bracket depth 0, or at the `}` that closes the
 * enclosing block, or at `eof`.
 */
export function skipStatement(tokens: Token[], from: number): number {
  const open: string[] = [];
  const column = tokens[from]!.column;
  for (let i = from; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === "eof") return i;
    const closer = t.kind === "op" && (t.value === ")" || t.value === "]" || t.value === "}");
    // An unclosed bracket: resume at the next line indented no deeper than the statement.
    if (open.length > 0 && i > from && t.lineStart && t.column <= column && !closer) return i;
    if (t.kind === "op") {
      if (t.value === "(" || t.value === "[" || t.value === "{") open.push(t.value);
      else if (t.value === "}") {
        // A `}` closes the innermost `{`, abandoning any `(`/`[` left open inside it;
        // with no `{` open it closes the enclosing block, which is where we stop.
        while (open.length && open[open.length - 1] !== "{") open.pop();
        if (!open.length) return i;
        open.pop();
      } else if (t.value === ")" || t.value === "]") {
        if (!open.length) return i + 1;
        open.pop();
      } else if (t.value === ";" && open.length === 0) return i + 1;
    } else if (t.kind === "nl" && open.length === 0) return i + 1;
  }
  return tokens.length - 1;
}

/** The innermost bracket opened at or after `from` and never closed. */
function unclosedBracket(tokens: Token[], from: number): Token | undefined {
  const open: Token[] = [];
  for (let i = from; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== "op") continue;
    if (t.value === "(" || t.value === "[" || t.value === "{") open.push(t);
    else if (t.value === ")" || t.value === "]" || t.value === "}") open.pop();
  }
  return open[open.length - 1];
}

/** `p, p, p` (possibly none: the list ends at the first place `p` cannot start). */
export function commaSeparated<T>(p: P<T>): P<T[]> {
  return gen((r) => {
    const out: T[] = [];
    const first = current();
    if (first.kind === "op" && CLOSING.has(first.value)) return out;
    out.push(r(p));
    for (;;) {
      const t = current();
      if (t.kind !== "op" || t.value !== ",") {
        alsoExpected("`,`");
        return out;
      }
      r(next);
      out.push(r(p));
    }
  });
}
