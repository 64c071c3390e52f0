import { Parser } from "arcsecond";
import type { Diagnostic } from "../../diagnostics/types.js";
import { diagnostic } from "../../diagnostics/catalog.js";
import type { Span } from "../span.js";
import { describe, type Token, type TokenKind } from "../tokens.js";
import { MAX_DEPTH, MAX_SYNTAX_ERRORS } from "../limits.js";
import { nearKeyword } from "./typos.js";
import { unclosedBrace } from "./unclosed.js";

/**
 * Primitive parsers over the token array. arcsecond's `Parser` runs on these:
 * every primitive looks at `tokens[state.index]` only, so parsing is linear
 * in the number of tokens (architecture.md: never parse source text with
 * arcsecond).
 *
 * The parse context rides in arcsecond's user-state slot (`state.data`). It
 * records the furthest failure and what was expected there, which becomes the
 * one diagnostic of a statement that does not parse.
 *
 * `gen` bodies are plain functions of `run`, so a grammar rule that recurses
 * (expressions, statements, JSX) is written as a plain function taking `run`
 * and called directly: one stack frame per rule instead of a parser
 * invocation's three. That, and `nest` below, is what lets deep nesting end
 * in one diagnostic rather than a stack overflow (issue 9).
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


export interface PState {
  dataView: null;
  inputType: "tokens";
  isError: boolean;
  error: unknown;
  result: unknown;
  data: Ctx;
  index: number;
}

export type P<T> = Parser<T>;
export type Run = <K>(parser: P<K>) => K;

/**
 * The state the innermost running `gen` body has reached. Parsing is
 * synchronous, so one shared cursor replaces arcsecond's `coroutine`, which
 * allocates a `run` closure and copies the state with an object spread on
 * every call (several `gen`s run per token).
 */
let cursor: PState;

/** Applies `parser` at the cursor; a failure abandons the running `gen` body (it is caught there). */
const run: Run = <K>(parser: P<K>): K => {
  const out = (parser as unknown as { p: (s: PState) => PState }).p(cursor);
  if (out.isError) throw out;
  cursor = out;
  return out.result as K;
};

/** A parser written as straight-line code: `run(p)` applies `p` or abandons the whole parser. */
export function gen<T>(body: (run: Run) => T): P<T> {
  return make((s) => {
    const saved = cursor;
    cursor = s;
    try {
      const result = body(run);
      return withResult(cursor, result);
    } catch (e) {
      return failedState(e);
    } finally {
      cursor = saved;
    }
  });
}

/** A failed `run` throws the failing state; anything else is a bug (or a stack overflow) and goes on up. */
function failedState(e: unknown): PState {
  if (e instanceof Error || typeof e !== "object" || e === null || !(e as PState).isError) throw e;
  return e as PState;
}

export function newCtx(tokens: Token[], file: string, diagnostics: Diagnostic[], parent?: Ctx): Ctx {
  return { tokens, file, diagnostics, furthest: -1, expected: new Set(), objectEnd: -1, nesting: parent ? parent.nesting : { depth: 0, reported: false, deepestAt: 0, deepest: 0, stoppedAt: null, unclosedReported: false } };
}

/** Runs a parser on a token array without arcsecond's text input layer. */
export function runOn<T>(parser: P<T>, ctx: Ctx): { ok: true; value: T; index: number } | { ok: false; index: number } {
  const state: PState = { dataView: null, inputType: "tokens", isError: false, error: null, result: null, data: ctx, index: 0 };
  const out = (parser as unknown as { p: (s: PState) => PState }).p(state);
  return out.isError ? { ok: false, index: out.index } : { ok: true, value: out.result as T, index: out.index };
}

/**
 * arcsecond's `updateResult` / `updateParserState` copy the state with an
 * object spread; these build the same fixed-shape record directly, which is
 * several times cheaper on the hot path (every token looked at goes through
 * here). States stay immutable.
 */
function withResult(s: PState, result: unknown): PState {
  return { dataView: null, inputType: "tokens", isError: false, error: null, result, data: s.data, index: s.index };
}

function advance(s: PState, result: unknown, index: number): PState {
  return { dataView: null, inputType: "tokens", isError: false, error: null, result, data: s.data, index };
}

function make<T>(fn: (s: PState) => PState): P<T> {
  return new Parser(fn as never) as unknown as P<T>;
}

function fail(s: PState, what: string): PState {
  const ctx = s.data;
  if (s.index > ctx.furthest) {
    ctx.furthest = s.index;
    ctx.expected = new Set([what]);
  } else if (s.index === ctx.furthest) ctx.expected.add(what);
  return { dataView: null, inputType: "tokens", isError: true, error: what, result: null, data: ctx, index: s.index };
}

// ---- reading at the cursor, inside a `gen` body (no parser call, no allocation)

/** The current token. */
export function current(): Token {
  return cursor.data.tokens[cursor.index]!;
}

/** The token `k` places ahead (the last token is always `eof`). */
export function ahead(k: number): Token {
  const t = cursor.data.tokens;
  return t[Math.min(cursor.index + k, t.length - 1)]!;
}

/** The current token index. */
export function here(): number {
  return cursor.index;
}

/** Records `what` as also possible at the cursor, for the message if parsing fails here. */
export function alsoExpected(what: string): void {
  fail(cursor, what);
}

/** The context of the running parser. */
export function ctxNow(): Ctx {
  return cursor.data;
}

// ---- primitive parsers

/** The current token, not consumed. Never fails. */
export const peek: P<Token> = make((s) => withResult(s, s.data.tokens[s.index]));

/** The token `k` places ahead, not consumed (the last token is always `eof`). */
export function peekAt(k: number): P<Token> {
  return make((s) => {
    const t = s.data.tokens;
    return withResult(s, t[Math.min(s.index + k, t.length - 1)]);
  });
}

/** The first token at or after the current one that is not a newline. */
export const peekPastNewlines: P<Token> = make((s) => {
  const t = s.data.tokens;
  let i = s.index;
  while (t[i]!.kind === "nl") i++;
  return withResult(s, t[i]);
});

/** Current token index (for spans and recovery). */
export const mark: P<number> = make((s) => withResult(s, s.index));

/** Consumes any one token (never `eof`). */
export const next: P<Token> = make((s) => {
  const t = s.data.tokens[s.index]!;
  if (t.kind === "eof") return fail(s, "more input");
  return advance(s, t, s.index + 1);
});

const label = (kind: TokenKind, value?: string) =>
  value !== undefined ? `\`${value}\`` : kind === "ident" ? "a name" : kind === "str" ? "a string" : kind === "num" ? "a number" : kind;

/** Consumes a token of this kind (and value), or fails expecting it. */
export function tok(kind: TokenKind, value?: string, what?: string): P<Token> {
  const expected = what ?? label(kind, value);
  return make((s) => {
    const t = s.data.tokens[s.index]!;
    if (t.kind === kind && (value === undefined || t.value === value)) return advance(s, t, s.index + 1);
    return fail(s, expected);
  });
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

const acceptCache = new Map<string, P<Token | null>>();
/** Consumes the token if it matches; otherwise succeeds with null and consumes nothing. */
export function accept(kind: TokenKind, value?: string): P<Token | null> {
  const key = value === undefined ? kind : `${kind} ${value}`;
  let p = acceptCache.get(key);
  if (!p) acceptCache.set(key, (p = makeAccept(kind, value)));
  return p;
}

function makeAccept(kind: TokenKind, value?: string): P<Token | null> {
  return make((s) => {
    const t = s.data.tokens[s.index]!;
    if (t.kind === kind && (value === undefined || t.value === value)) return advance(s, t, s.index + 1);
    return withResult(s, null);
  });
}

/** A name: an identifier, or a keyword where a key is expected (`type:` in an object). */
export function name(what = "a name", keywordsToo = false): P<Token> {
  return make((s) => {
    const t = s.data.tokens[s.index]!;
    if (t.kind === "ident" || (keywordsToo && t.kind === "kw")) return advance(s, t, s.index + 1);
    return fail(s, what);
  });
}

/** A plain string literal (no interpolation), as used for block names, paths, events. */
export const stringLit: P<Token> = make((s) => {
  const t = s.data.tokens[s.index]!;
  if (t.kind === "str") return advance(s, t, s.index + 1);
  if (t.kind === "tpl") {
    // `"/users/{id}"` in a route path: take the raw text; interpolation is not meant here.
    return advance(s, { ...t, kind: "str", value: t.value.slice(1, -1) }, s.index + 1);
  }
  return fail(s, "a string");
});

/** Skips any newlines and `;`. Never fails. */
export const skipSeparators: P<null> = make((s) => {
  const t = s.data.tokens;
  let i = s.index;
  while (t[i]!.kind === "nl" || (t[i]!.kind === "op" && t[i]!.value === ";")) i++;
  return advance(s, null, i);
});

/** Skips newlines only. Never fails. */
export const skipNewlines: P<null> = make((s) => {
  const t = s.data.tokens;
  let i = s.index;
  while (t[i]!.kind === "nl") i++;
  return advance(s, null, i);
});

/** The span from the token at `from` to the last consumed token. */
export function spanFrom(from: number): P<Span> {
  return make((s) => withResult(s, spanOfTokens(s.data, from, s.index)));
}

/** Inside a `gen` body: the span from the token at `from` to the last consumed token. */
export function spanSince(from: number): Span {
  return spanOfTokens(cursor.data, from, cursor.index);
}

function spanOfTokens(ctx: Ctx, from: number, to: number): Span {
  const t = ctx.tokens;
  const first = t[Math.min(from, t.length - 1)]!;
  const last = t[Math.max(from, to - 1)] ?? first;
  const end = to > from ? last.end : first.start;
  return { file: ctx.file, start: first.start, end: Math.max(end, first.start) };
}

export function tokenSpan(ctx: Ctx, t: Token): Span {
  return { file: ctx.file, start: t.start, end: t.end };
}

/** The context itself, for code that needs the file name or the diagnostics list. */
export const context: P<Ctx> = make((s) => withResult(s, s.data));

/** Fails with an expectation, without consuming. */
export function expected<T>(what: string): P<T> {
  return make((s) => fail(s, what));
}

// ---- too many errors ----------------------------------------------------

/**
 * Inside a statement loop: true once the file has MAX_SYNTAX_ERRORS, after
 * moving the cursor to the end so every enclosing loop ends too. parse.ts
 * keeps the first MAX_SYNTAX_ERRORS and adds E0018 where reading stopped.
 */
export function stopReading(): boolean {
  const ctx = cursor.data;
  if (ctx.diagnostics.length < MAX_SYNTAX_ERRORS && ctx.nesting.stoppedAt === null) return false;
  if (ctx.nesting.stoppedAt === null) ctx.nesting.stoppedAt = ctx.tokens[cursor.index]!.start;
  cursor = advance(cursor, null, ctx.tokens.length - 1);
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
  const ctx = cursor.data;
  const n = ctx.nesting;
  if (n.depth >= MAX_DEPTH) {
    const from = cursor.index;
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
    cursor = advance(cursor, null, to);
    return stub(spanOfTokens(ctx, from, to));
  }
  if (++n.depth > n.deepest) {
    n.deepest = n.depth;
    n.deepestAt = ctx.tokens[cursor.index]!.start;
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
  const s = cursor;
  const ctx = s.data;
  const outerFurthest = ctx.furthest;
  const outerExpected = ctx.expected;
  ctx.furthest = -1;
  ctx.expected = new Set();
  try {
    const value = body(run);
    // Nested recovery must not hide what the enclosing statement was waiting for.
    if (outerFurthest >= ctx.furthest) {
      ctx.furthest = outerFurthest;
      ctx.expected = outerExpected;
    }
    return value;
  } catch (e) {
    failedState(e);
  }
  const at = Math.max(ctx.furthest, s.index);
  const bad = ctx.tokens[Math.min(at, ctx.tokens.length - 1)]!;
  const wanted = [...ctx.expected];
  const unclosed = bad.kind === "eof" ? unclosedBracket(ctx.tokens, s.index) : undefined;
  if (unclosed) {
    reportUnclosed(ctx, s.index, unclosed, `this \`${unclosed.value}\` is never closed`);
  } else {
    // `fun f()`, `retrun x`, `serer {`: the statement broke right after a near-miss of a keyword.
    const typo = nearKeyword(ctx.tokens, s.index, at);
    const first = ctx.tokens[s.index]!;
    if (typo) ctx.diagnostics.push(diagnostic("E0010", badTokenSpan(ctx, first), `\`${first.value}\` is not a keyword`, { hint: `did you mean \`${typo}\`?` }));
    else ctx.diagnostics.push(diagnostic("E0010", badTokenSpan(ctx, bad), `expected ${listOf(wanted)}, found ${describe(bad)}`, hintFor(wanted, bad)));
  }
  const resume = skipStatement(ctx.tokens, s.index);
  ctx.furthest = outerFurthest;
  ctx.expected = outerExpected;
  const first = ctx.tokens[s.index]!;
  const span = { file: ctx.file, start: first.start, end: Math.max(first.start, ctx.tokens[Math.max(s.index, resume - 1)]!.end) };
  cursor = advance(s, null, Math.max(resume, s.index + (first.kind === "eof" ? 0 : 1)));
  return onError(span, s.index, ctx.tokens);
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
