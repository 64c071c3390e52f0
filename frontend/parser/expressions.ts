import type {
  Arg, ArrayLit, BinaryOp, BlockExpr, Expr, IfExpr, LambdaExpr, MatchArm, MatchExpr, ObjectLit, Param, Prop, Spread, TemplateLit, TryExpr,
} from "../ast.js";
import type { Span } from "../span.js";
import { diagnostic } from "../../diagnostics/catalog.js";
import type { Token } from "../tokens.js";
import {
  accept, ahead, badTokenSpan, context, ctxNow, current, expected, gen, here, kw, name, nest, newCtx, next, op, peekPastNewlines, runOn, skipNewlines,
  spanSince, tok, type P, type Run,
} from "./core.js";
import { jsxElementF } from "./jsx.js";
import { pattern } from "./patterns.js";
import { blockF, jumpBody } from "./statements.js";
import { typeExpr } from "./types.js";

/**
 * Expressions by precedence climbing (language.md, "Expressions"), low to
 * high: `|>`; `??`; `or ||`; `and &&`; `not`; comparisons (chained);
 * ranges; `+ -`; `* / %`; `**`; unary `- !`; postfix `!`, call, member, index.
 *
 * Each level is a plain function of `run` (core.ts); `noStruct` is set in
 * conditions and match subjects (`if user {`, `match x {`), where `Name {`
 * is not a record literal. Every bracket goes through `nest`, so nesting
 * depth is bounded (E0016) instead of overflowing the stack.
 */

const enum Prec {
  Coalesce = 1,
  Or = 2,
  And = 3,
  Not = 4,
  Compare = 5,
  Range = 6,
  Add = 7,
  Mul = 8,
  Pow = 9,
}

function binaryPrec(t: Token): number {
  if (t.kind === "kw") return t.value === "or" ? Prec.Or : t.value === "and" ? Prec.And : 0;
  if (t.kind !== "op") return 0;
  switch (t.value) {
    case "??":
      return Prec.Coalesce;
    case "||":
      return Prec.Or;
    case "&&":
      return Prec.And;
    case "==": case "!=": case "<": case "<=": case ">": case ">=":
      return Prec.Compare;
    case "..": case "..=":
      return Prec.Range;
    case "+": case "-":
      return Prec.Add;
    case "*": case "/": case "%":
      return Prec.Mul;
    case "**":
      return Prec.Pow;
    default:
      return 0;
  }
}

function normalizeOp(t: Token): BinaryOp {
  if (t.value === "||") return "or";
  if (t.value === "&&") return "and";
  return t.value as BinaryOp;
}

const isOp = (t: Token, v: string) => t.kind === "op" && t.value === v;
const isKw = (t: Token, v: string) => t.kind === "kw" && t.value === v;

// ---- the precedence levels, as plain functions of `run` (core.ts: one frame per level)

const errorExpr = (span: Span): Expr => ({ kind: "ErrorExpr", span });
const fieldName = name("a field or method name", true);
const implicitName = name("a field name after `.`", true);

/** `left |> stage op rest |> stage ...`; `noStruct` in conditions, where `Name {` opens the block. */
export function exprF(run: Run, noStruct: boolean): Expr {
  const start = here();
  let left = binaryF(run, Prec.Coalesce, noStruct);
  while (isOp(current(), "|>")) {
    run(next);
    const stage = postfixF(run, noStruct);
    const piped: Expr = { kind: "Pipe", left, stage, span: spanSince(start) };
    // An operator after the stage applies to the stage's result.
    left = continueBinaryF(run, piped, start, Prec.Coalesce, noStruct);
  }
  return left;
}

function binaryF(run: Run, min: number, noStruct: boolean): Expr {
  const start = here();
  let left: Expr;
  if (min <= Prec.Not && isKw(current(), "not")) {
    run(next);
    const operand = binaryF(run, Prec.Compare, noStruct);
    left = { kind: "Unary", op: "not", operand, span: spanSince(start) };
  } else left = unaryF(run, noStruct);
  return continueBinaryF(run, left, start, min, noStruct);
}

function continueBinaryF(run: Run, first: Expr, start: number, min: number, noStruct: boolean): Expr {
  let left = first;
  for (;;) {
    const t = current();
    const prec = binaryPrec(t);
    if (prec === 0 || prec < min) return left;
    run(next);
    if (prec === Prec.Compare) {
      const ops: BinaryOp[] = [normalizeOp(t)];
      const operands: Expr[] = [left, binaryF(run, Prec.Range, noStruct)];
      while (binaryPrec(current()) === Prec.Compare) ops.push(normalizeOp(run(next))), operands.push(binaryF(run, Prec.Range, noStruct));
      left =
        ops.length === 1
          ? { kind: "Binary", op: ops[0]!, left, right: operands[1]!, span: spanSince(start) }
          : { kind: "Compare", ops, operands, span: spanSince(start) };
    } else if (prec === Prec.Range) {
      const end = binaryF(run, Prec.Add, noStruct);
      left = { kind: "Range", start: left, end, inclusive: t.value === "..=", span: spanSince(start) };
    } else if (prec === Prec.Pow) {
      left = { kind: "Binary", op: "**", left, right: powChain(run, noStruct), span: spanSince(start) };
    } else {
      const right = binaryF(run, prec + 1, noStruct);
      left = { kind: "Binary", op: normalizeOp(t), left, right, span: spanSince(start) };
    }
  }
}

/** The right operand of `**`, which groups to the right (`a ** b ** c` is `a ** (b ** c)`), read in a loop rather than by recursion. */
function powChain(run: Run, noStruct: boolean): Expr {
  const starts = [here()];
  const operands = [unaryF(run, noStruct)];
  while (isOp(current(), "**")) {
    run(next);
    starts.push(here());
    operands.push(unaryF(run, noStruct));
  }
  let right = operands[operands.length - 1]!;
  for (let i = operands.length - 2; i >= 0; i--) right = { kind: "Binary", op: "**", left: operands[i]!, right, span: spanSince(starts[i]!) };
  return right;
}

/** `-x`, `!x`, `await x`: prefixes are read in a loop, so `- - - x` does not recurse. */
function unaryF(run: Run, noStruct: boolean): Expr {
  const t = current();
  if (!isOp(t, "-") && !isOp(t, "!") && !isKw(t, "await")) return postfixF(run, noStruct);
  const prefixes: { op: string; start: number }[] = [];
  for (let p = current(); isOp(p, "-") || isOp(p, "!") || isKw(p, "await"); p = current()) {
    prefixes.push({ op: p.value, start: here() });
    run(next);
  }
  let e = postfixF(run, noStruct);
  for (let i = prefixes.length - 1; i >= 0; i--) {
    const { op: o, start } = prefixes[i]!;
    e = o === "await" ? { kind: "Await", expr: e, span: spanSince(start) } : { kind: "Unary", op: o as "-" | "!", operand: e, span: spanSince(start) };
  }
  return e;
}

function postfixF(run: Run, noStruct: boolean): Expr {
  const start = here();
  return postfixRest(run, primaryF(run, noStruct), start);
}

/**
 * The rest of an expression whose first operand `first` (from token `start`)
 * is already read: postfix operators, binary operators and pipes. Lets a
 * statement that starts with `if`/`match` skip the precedence levels above
 * it, which keeps deep nesting cheap in stack (core.ts, `nest`).
 */
export function exprFrom(run: Run, first: Expr, start: number): Expr {
  let left = continueBinaryF(run, postfixRest(run, first, start), start, Prec.Coalesce, false);
  while (isOp(current(), "|>")) {
    run(next);
    const stage = postfixF(run, false);
    left = continueBinaryF(run, { kind: "Pipe", left, stage, span: spanSince(start) }, start, Prec.Coalesce, false);
  }
  return left;
}

function postfixRest(run: Run, first: Expr, start: number): Expr {
  let e = first;
  for (;;) {
    const t = current();
    if (t.kind !== "op") return e;
    if (t.value === "." || t.value === "?.") {
      run(next);
      const n = run(fieldName);
      e = { kind: "Member", object: e, name: n.value, nameSpan: spanOf(run, n), optional: t.value === "?.", span: spanSince(start) };
    } else if (t.value === "(") {
      // Too deep: the whole call is an error, not a call with no arguments (which would be checked as one).
      const args = nest<Arg[] | null>(callArgsF, () => null);
      e = args ? { kind: "Call", callee: e, args, span: spanSince(start) } : errorExpr(spanSince(start));
    } else if (t.value === "[") {
      const index = nest(bracketed, errorExpr);
      e = { kind: "Index", object: e, index, span: spanSince(start) };
    } else if (t.value === "!") {
      run(next);
      e = { kind: "Propagate", expr: e, span: spanSince(start) };
    } else return e;
  }
}

/** `( e )`, `[ e ]` (an index), `{ e }` (a JSX child): an expression between the current bracket and its partner. */
export function bracketed(run: Run): Expr {
  const closer = CLOSER_OF[run(next).value]!;
  const inner = exprF(run, false);
  run(op(closer));
  return inner;
}

const CLOSER_OF: Record<string, string> = { "(": ")", "[": "]", "{": "}" };

function primaryF(run: Run, noStruct: boolean): Expr {
  const start = here();
  const t = current();
  switch (t.kind) {
    case "num":
      run(next);
      return { kind: "Num", value: t.num ?? 0, raw: t.value, span: spanSince(start) };
    case "str":
      run(next);
      return { kind: "Str", value: t.value, span: spanSince(start) };
    case "tpl":
      run(next);
      return template(run, t);
    case "jsx_open":
      return nest(jsxElementF, errorExpr);
    case "kw":
      switch (t.value) {
        case "true":
        case "false":
          run(next);
          return { kind: "Bool", value: t.value === "true", span: spanSince(start) };
        case "nil":
          run(next);
          return { kind: "Nil", span: spanSince(start) };
        case "fn":
        case "async":
          return lambdaF(run);
        case "if":
          return ifF(run); // its blocks count the nesting
        case "match":
          return nest(matchF, errorExpr);
        case "try":
          return run(tryExpr);
      }
      break;
    case "ident": {
      run(next);
      const id: Expr = { kind: "Ident", name: t.value, span: spanSince(start) };
      const c = t.value.charCodeAt(0);
      if (!noStruct && c >= 65 && c <= 90 && isOp(current(), "{") && objectBodyAhead()) {
        const obj = nest(objectLitF, (span): ObjectLit => ({ kind: "Object", entries: [], span }));
        return { kind: "Record", type: t.value, typeSpan: id.span, fields: obj.entries.filter((e): e is Prop => e.kind === "Prop"), span: spanSince(start) };
      }
      return id;
    }
    case "op":
      switch (t.value) {
        case "(":
          return nest(bracketed, errorExpr);
        case "[":
          return nest(arrayLitF, errorExpr);
        case "{":
          return nest(objectLitF, errorExpr);
        case ".": {
          run(next);
          const n = run(implicitName);
          return { kind: "ImplicitMember", name: n.value, span: spanSince(start) };
        }
      }
      break;
  }
  return run(expected<Expr>("an expression"));
}

function spanOf(run: Run, t: Token) {
  const ctx = run(context);
  return { file: ctx.file, start: t.start, end: t.end };
}

/** An interpolation's own token list: one expression, then its end. */
const interpolation: P<Expr> = gen((r) => {
  const e = exprF(r, false);
  r(tok("eof", undefined, "`}` closing the interpolation"));
  return e;
});

/** Parses the interpolated parts of a string token, each on its own token list. */
function template(run: Run, t: Token): TemplateLit {
  const ctx = run(context);
  const parts: (string | Expr)[] = [];
  for (const part of t.parts ?? []) {
    if ("text" in part) {
      if (part.text) parts.push(part.text);
      continue;
    }
    const partSpan = { file: ctx.file, start: part.start, end: part.end };
    parts.push(
      nest(
        () => {
          const sub = newCtx(part.tokens, ctx.file, ctx.diagnostics, ctx);
          const out = runOn(interpolation, sub);
          if (out.ok) return out.value;
          const bad = part.tokens[Math.min(Math.max(sub.furthest, 0), part.tokens.length - 1)]!;
          ctx.diagnostics.push(diagnostic("E0010", badTokenSpan(ctx, bad), `expected ${[...sub.expected].join(" or ") || "an expression"} in the interpolation`, { hint: "write a literal `{` as `\\{`" }));
          return errorExpr(partSpan);
        },
        () => errorExpr(partSpan),
        false,
      ),
    );
  }
  return { kind: "Template", parts, span: { file: ctx.file, start: t.start, end: t.end } };
}

/** At a `{`: `}`, `key:`, `"key":`, `name,`, `name }` or `...` after it mean an object, not a block. */
export function objectBodyAhead(): boolean {
  const t = ctxNow().tokens;
  let i = here() + 1;
  while (t[i]!.kind === "nl") i++;
  const a = t[i]!;
  const b = t[i + 1]!;
  if (isOp(a, "}")) return true;
  if (isOp(a, "...")) return true;
  if ((a.kind === "ident" || a.kind === "str" || a.kind === "kw") && isOp(b, ":")) return true;
  if (a.kind === "ident" && (isOp(b, ",") || isOp(b, "}"))) return true;
  return false;
}

/** Like `objectBodyAhead`, but `{}` and `{ name }` are blocks (match arms, statements). */
export function objectStatementAhead(): boolean {
  const t = ctxNow().tokens;
  let i = here() + 1;
  while (t[i]!.kind === "nl") i++;
  const a = t[i]!;
  const b = t[i + 1]!;
  if (isOp(a, "...")) return true;
  if ((a.kind === "ident" || a.kind === "str" || a.kind === "kw") && isOp(b, ":")) return true;
  if (a.kind === "ident" && isOp(b, ",")) return true;
  return false;
}

/** At a `{`: `{ ... }`, the spec's placeholder for elided code (a block, not a spread). */
function placeholderAhead(): boolean {
  const t = ctxNow().tokens;
  let i = here() + 1;
  while (t[i]!.kind === "nl") i++;
  const after = t[i + 1]!;
  return isOp(t[i]!, "...") && (isOp(after, "}") || after.kind === "nl");
}

/** Between entries: `,` or a new line (or both); false when the closer follows. */
function separatorsThen(run: Run, close: string): boolean {
  const before = here();
  run(skipNewlines);
  const sawNewline = here() > before;
  const comma = run(accept("op", ","));
  run(skipNewlines);
  if (isOp(current(), close)) return false;
  if (!comma && !sawNewline) run(expected("`,` or a new line"));
  return true;
}

function objectLitF(run: Run): ObjectLit {
  const start = here();
  run(op("{"));
  run(skipNewlines);
  const entries: (Prop | Spread)[] = [];
  while (!isOp(current(), "}")) {
    const es = here();
    if (run(accept("op", "..."))) {
      const value = exprF(run, false);
      entries.push({ kind: "Spread", value, span: spanSince(es) });
    } else {
      const key = current();
      if (key.kind !== "ident" && key.kind !== "str" && key.kind !== "kw" && key.kind !== "num") run(expected("a key"));
      run(next);
      const keySpan = spanSince(es);
      if (run(accept("op", ":"))) {
        run(skipNewlines);
        const value = exprF(run, false);
        const prop: Prop = { kind: "Prop", key: key.value, keySpan, value, shorthand: false, span: spanSince(es) };
        // `{ "apple": 5 }`: a quoted key makes the literal a map (decisions.md, "Maps").
        if (key.kind === "str") prop.quoted = true;
        entries.push(prop);
      } else {
        if (key.kind !== "ident") run(op(":"));
        entries.push({ kind: "Prop", key: key.value, keySpan, value: { kind: "Ident", name: key.value, span: keySpan }, shorthand: true, span: keySpan });
      }
    }
    if (!separatorsThen(run, "}")) break;
  }
  run(op("}"));
  ctxNow().objectEnd = here() - 1;
  return { kind: "Object", entries, span: spanSince(start) };
}

export const objectLit: P<ObjectLit> = gen(objectLitF);

function arrayLitF(run: Run): ArrayLit {
  const start = here();
  run(op("["));
  const elements: (Expr | Spread)[] = [];
  while (!isOp(current(), "]")) {
    const es = here();
    if (run(accept("op", "..."))) elements.push({ kind: "Spread", value: exprF(run, false), span: spanSince(es) });
    else elements.push(exprF(run, false));
    if (!run(accept("op", ","))) break;
  }
  run(op("]"));
  return { kind: "Array", elements, span: spanSince(start) };
}

/** `(a, b, name: c)`: named arguments become a trailing options object when lowered. */
function callArgsF(run: Run): Arg[] {
  run(op("("));
  const args: Arg[] = [];
  while (!isOp(current(), ")")) {
    const as = here();
    let argName: string | null = null;
    if (current().kind === "ident" && isOp(ahead(1), ":")) {
      argName = run(next).value;
      run(next);
    }
    const value = exprF(run, false);
    args.push({ name: argName, value, span: spanSince(as) });
    if (!run(accept("op", ","))) break;
  }
  run(op(")"));
  return args;
}

export const callArgs: P<Arg[]> = gen(callArgsF);

const paramName = name("a parameter name");

function paramsF(run: Run): Param[] {
  run(op("("));
  const out: Param[] = [];
  while (!isOp(current(), ")")) {
    const ps = here();
    const n = run(paramName);
    const type = run(accept("op", ":")) ? run(typeExpr) : null;
    const dflt = run(accept("op", "=")) ? exprF(run, false) : null;
    out.push({ name: n.value, type, default: dflt, span: spanSince(ps) });
    if (!run(accept("op", ","))) break;
  }
  run(op(")"));
  return out;
}

export const params: P<Param[]> = gen(() => nest(paramsF, () => []));

/** `fn(x) x * 2`, `fn(x, y) { ... }`, `async fn() { ... }`, `fn name() { ... }`. */
function lambdaF(run: Run): LambdaExpr {
  const start = here();
  const isAsync = !!run(accept("kw", "async"));
  run(kw("fn"));
  const fnName = current().kind === "ident" ? run(next).value : null;
  const ps = nest(paramsF, () => []);
  const returnType = run(accept("op", "->")) ? run(typeExpr) : null;
  let body: Expr;
  if (isOp(current(), "{") && objectStatementAhead() && !placeholderAhead()) body = objectAsBody(ps);
  else if (isOp(current(), "{")) body = blockF();
  else body = nest(lambdaExprBodyF, errorExpr); // not bracketed, but nested all the same
  return { kind: "Lambda", name: fnName, async: isAsync, params: ps, returnType, body, span: spanSince(start) };
}

export const lambda: P<LambdaExpr> = gen(lambdaF);

/**
 * `fn(x) { v: x }`: the `{` after a lambda's parameters opens its body, a
 * block, so this is no object (issue 9). Said once, at the `{`, with the
 * form that works; the object is read as meant, so nothing else is reported.
 */
function objectAsBody(ps: Param[]): Expr {
  const ctx = ctxNow();
  const brace = current();
  const names = ps.map((p) => p.name).join(", ");
  ctx.diagnostics.push(
    diagnostic("E0010", badTokenSpan(ctx, brace), "this `{` opens the function's body, a block, not an object", {
      hint: `to return an object, wrap it in parentheses: \`fn(${names}) ({ ... })\``,
    }),
  );
  return nest(objectLitF, errorExpr);
}

/** An expression body; `fn() count += 1` assigns, so it becomes a one-statement block. */
function lambdaExprBodyF(run: Run): Expr {
  const start = here();
  const value = exprF(run, false);
  const t = current();
  if (t.kind === "op" && ASSIGN_OPS.has(t.value) && (value.kind === "Ident" || value.kind === "Member" || value.kind === "Index")) {
    run(next);
    const rhs = exprF(run, false);
    const span = spanSince(start);
    const block: BlockExpr = { kind: "Block", stmts: [{ kind: "Assign", target: value, op: t.value as "=", value: rhs, span }], span };
    return block;
  }
  return value;
}

const ASSIGN_OPS = new Set(["=", "+=", "-=", "*=", "/="]);

/** A branch: a block, or one `return` / `break` / `continue` without braces (statements.ts, `jumpBody`). */
function branchBody(run: Run): BlockExpr {
  return jumpBody(run) ?? blockF();
}

export function ifF(run: Run): IfExpr {
  const start = here();
  run(kw("if"));
  const branches = [{ cond: exprF(run, true), body: branchBody(run) }];
  let otherwise: BlockExpr | null = null;
  for (;;) {
    // `elif`/`else` may follow the `}` on the next line.
    const after = run(peekPastNewlines);
    if (!isKw(after, "elif") && !isKw(after, "else")) break;
    run(skipNewlines);
    if (run(accept("kw", "elif"))) {
      branches.push({ cond: exprF(run, true), body: branchBody(run) });
      continue;
    }
    run(kw("else"));
    if (run(accept("kw", "if"))) {
      branches.push({ cond: exprF(run, true), body: branchBody(run) });
      continue;
    }
    otherwise = branchBody(run);
    break;
  }
  return { kind: "If", branches, otherwise, span: spanSince(start) };
}

export function matchF(run: Run): MatchExpr {
  const start = here();
  run(kw("match"));
  const subject = exprF(run, true);
  run(op("{"));
  const arms: MatchArm[] = [];
  for (;;) {
    run(skipNewlines);
    while (run(accept("op", ","))) run(skipNewlines);
    if (isOp(current(), "}")) break;
    const as = here();
    const pat = run(pattern);
    const guard = run(accept("kw", "if")) ? exprF(run, false) : null;
    run(op("=>"));
    run(skipNewlines);
    let body: Expr;
    const jump = jumpBody(run);
    if (jump) body = jump;
    else if (isOp(current(), "{") && !objectStatementAhead()) body = blockF();
    else body = exprF(run, false);
    arms.push({ pattern: pat, guard, body, span: spanSince(as) });
    const t = current();
    if (!(t.kind === "nl" || isOp(t, ",") || isOp(t, "}"))) run(expected("a new line or `,` between match arms"));
  }
  run(op("}"));
  return { kind: "Match", subject, arms, span: spanSince(start) };
}

const tryExpr: P<TryExpr> = gen((run) => {
  const start = here();
  run(kw("try"));
  const body = blockF();
  let catchName: string | null = null;
  let catchBody: BlockExpr | null = null;
  let finallyBody: BlockExpr | null = null;
  if (isKw(run(peekPastNewlines), "catch")) {
    run(skipNewlines);
    run(kw("catch"));
    if (current().kind === "ident") catchName = run(next).value;
    catchBody = blockF();
  }
  if (isKw(run(peekPastNewlines), "finally")) {
    run(skipNewlines);
    run(kw("finally"));
    finallyBody = blockF();
  }
  if (!catchBody && !finallyBody) run(expected("`catch` or `finally`"));
  return { kind: "Try", body, catchName, catchBody, finallyBody, span: spanSince(start) };
});

/** Any expression. */
export const expr: P<Expr> = gen((run) => exprF(run, false));
/** An expression where `Name {` opens a block, not a record (conditions, subjects). */
export const condExpr: P<Expr> = gen((run) => exprF(run, true));
