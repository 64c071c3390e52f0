import { Parser, coroutine, sepBy, updateError } from "arcsecond";
import type { Diagnostic } from "../../diagnostics/types.js";
import { diagnostic } from "../../diagnostics/catalog.js";
import type { Span } from "../span.js";
import { describe, type Token, type TokenKind } from "../tokens.js";

/**
 * Primitive parsers over the token array. arcsecond runs on these: every
 * primitive looks at `tokens[state.index]` only, so parsing is linear in the
 * number of tokens (architecture.md: never parse source text with arcsecond).
 *
 * The parse context rides in arcsecond's user-state slot (`state.data`). It
 * records the furthest failure and what was expected there, which becomes the
 * one diagnostic of a statement that does not parse.
 */
export interface Ctx {
  tokens: Token[];
  file: string;
  diagnostics: Diagnostic[];
  furthest: number;
  expected: Set<string>;
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

/** A parser written as straight-line code: `run(p)` applies `p` or abandons the whole parser. */
export function gen<T>(body: (run: Run) => T): P<T> {
  return coroutine(body as never) as P<T>;
}

export function newCtx(tokens: Token[], file: string, diagnostics: Diagnostic[]): Ctx {
  return { tokens, file, diagnostics, furthest: -1, expected: new Set() };
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
  return updateError(s as never, what) as unknown as PState;
}

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

export const op = (value: string) => tok("op", value);
export const kw = (value: string) => tok("kw", value);

/** Consumes the token if it matches; otherwise succeeds with null and consumes nothing. */
export function accept(kind: TokenKind, value?: string): P<Token | null> {
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
  return make((s) => {
    const t = s.data.tokens;
    const first = t[Math.min(from, t.length - 1)]!;
    const last = t[Math.max(from, s.index - 1)] ?? first;
    const end = s.index > from ? last.end : first.start;
    return withResult(s, { file: s.data.file, start: first.start, end: Math.max(end, first.start) });
  });
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

/**
 * Runs `parser`; when it fails, reports the furthest failure as one E0010
 * diagnostic, skips to the end of the statement (a newline or `;` outside
 * brackets, or before the `}` closing the current block) and yields
 * `onError(span)`. Never fails: this is how one mistake stays one error.
 */
export function recover<T>(parser: P<T>, onError: (span: Span, startToken: number, tokens: Token[]) => T): P<T> {
  const inner = (parser as unknown as { p: (s: PState) => PState }).p;
  return make((s) => {
    const ctx = s.data;
    const outerFurthest = ctx.furthest;
    const outerExpected = ctx.expected;
    ctx.furthest = -1;
    ctx.expected = new Set();
    const out = inner(s);
    if (!out.isError) {
      // Nested recovery must not hide what the enclosing statement was waiting for.
      if (outerFurthest >= ctx.furthest) {
        ctx.furthest = outerFurthest;
        ctx.expected = outerExpected;
      }
      return out;
    }
    const at = Math.max(ctx.furthest, s.index);
    const bad = ctx.tokens[Math.min(at, ctx.tokens.length - 1)]!;
    const wanted = [...ctx.expected];
    const unclosed = bad.kind === "eof" ? unclosedBracket(ctx.tokens, s.index) : undefined;
    if (unclosed) {
      ctx.diagnostics.push(
        diagnostic("E0011", { file: ctx.file, start: unclosed.start, end: unclosed.end }, `this \`${unclosed.value}\` is never closed`, {
          hint: `add the missing \`${CLOSERS[unclosed.value]}\``,
        }),
      );
    } else {
      ctx.diagnostics.push(
        diagnostic("E0010", badTokenSpan(ctx, bad), `expected ${listOf(wanted)}, found ${describe(bad)}`, hintFor(wanted, bad)),
      );
    }
    const resume = skipStatement(ctx.tokens, s.index);
    ctx.furthest = outerFurthest;
    ctx.expected = outerExpected;
    const first = ctx.tokens[s.index]!;
    const span = { file: ctx.file, start: first.start, end: Math.max(first.start, ctx.tokens[Math.max(s.index, resume - 1)]!.end) };
    return advance(s, onError(span, s.index, ctx.tokens), Math.max(resume, s.index + (first.kind === "eof" ? 0 : 1)));
  });
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


/** `p, p, p` (possibly none). */
export function commaSeparated<T>(p: P<T>): P<T[]> {
  return sepBy(op(","))(p) as unknown as P<T[]>;
}
