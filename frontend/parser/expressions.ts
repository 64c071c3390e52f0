import { recursiveParser } from "arcsecond";
import type {
  Arg, ArrayLit, BinaryOp, BlockExpr, Expr, IfExpr, LambdaExpr, MatchArm, MatchExpr, ObjectLit, Param, Prop, Spread, TemplateLit, TryExpr,
} from "../ast.js";
import { diagnostic } from "../../diagnostics/catalog.js";
import type { Token } from "../tokens.js";
import {
  accept, badTokenSpan, context, expected, gen, kw, mark, name, newCtx, next, op, peek, peekAt, peekPastNewlines, runOn, skipNewlines, spanFrom, tok,
  type P, type Run,
} from "./core.js";
import { jsxElement } from "./jsx.js";
import { pattern } from "./patterns.js";
import { blockExpr } from "./statements.js";
import { typeExpr } from "./types.js";

/**
 * Expressions by precedence climbing (language.md, "Expressions"), low to
 * high: `|>`; `??`; `or ||`; `and &&`; `not`; comparisons (chained);
 * ranges; `+ -`; `* / %`; `**`; unary `- !`; postfix `!`, call, member, index.
 *
 * Two instances exist: the ordinary one, and one for conditions and match
 * subjects (`if user {`, `match x {`), where `Name {` is not a record literal.
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

interface ExprParsers {
  expr: P<Expr>;
  binary: (min: number) => P<Expr>;
  postfix: P<Expr>;
}

function build(noStruct: boolean): ExprParsers {
  const binaryCache = new Map<number, P<Expr>>();

  /** `left |> stage op rest |> stage ...` */
  const expr: P<Expr> = recursiveParser(() =>
    gen((run) => {
      const start = run(mark);
      let left = run(binary(Prec.Coalesce));
      while (isOp(run(peek), "|>")) {
        run(next);
        const stage = run(parsers.postfix);
        const piped: Expr = { kind: "Pipe", left, stage, span: run(spanFrom(start)) };
        // An operator after the stage applies to the stage's result.
        left = run(continueBinary(piped, start, Prec.Coalesce));
      }
      return left;
    }),
  );

  function binary(min: number): P<Expr> {
    let p = binaryCache.get(min);
    if (!p) {
      p = gen((run) => {
        const start = run(mark);
        let left: Expr;
        if (min <= Prec.Not && isKw(run(peek), "not")) {
          run(next);
          const operand = run(binary(Prec.Compare));
          left = { kind: "Unary", op: "not", operand, span: run(spanFrom(start)) };
        } else left = run(unary);
        return run(continueBinary(left, start, min));
      });
      binaryCache.set(min, p);
    }
    return p;
  }

  function continueBinary(first: Expr, start: number, min: number): P<Expr> {
    return gen((run) => {
      let left = first;
      for (;;) {
        const t = run(peek);
        const prec = binaryPrec(t);
        if (prec === 0 || prec < min) return left;
        run(next);
        if (prec === Prec.Compare) {
          const ops: BinaryOp[] = [normalizeOp(t)];
          const operands: Expr[] = [left, run(binary(Prec.Range))];
          while (binaryPrec(run(peek)) === Prec.Compare) ops.push(normalizeOp(run(next))), operands.push(run(binary(Prec.Range)));
          left =
            ops.length === 1
              ? { kind: "Binary", op: ops[0]!, left, right: operands[1]!, span: run(spanFrom(start)) }
              : { kind: "Compare", ops, operands, span: run(spanFrom(start)) };
        } else if (prec === Prec.Range) {
          const end = run(binary(Prec.Add));
          left = { kind: "Range", start: left, end, inclusive: t.value === "..=", span: run(spanFrom(start)) };
        } else {
          const right = run(binary(prec === Prec.Pow ? Prec.Pow : prec + 1));
          left = { kind: "Binary", op: normalizeOp(t), left, right, span: run(spanFrom(start)) };
        }
      }
    });
  }

  const unary: P<Expr> = recursiveParser(() =>
    gen((run): Expr => {
      const start = run(mark);
      const t = run(peek);
      if (isOp(t, "-") || isOp(t, "!")) {
        run(next);
        const operand = run(unary);
        return { kind: "Unary", op: t.value as "-" | "!", operand, span: run(spanFrom(start)) };
      }
      if (isKw(t, "await")) {
        run(next);
        const inner = run(unary);
        return { kind: "Await", expr: inner, span: run(spanFrom(start)) };
      }
      return run(parsers.postfix);
    }),
  );

  const postfix: P<Expr> = gen((run) => {
    const start = run(mark);
    let e = run(primary);
    for (;;) {
      const t = run(peek);
      if (t.kind !== "op") return e;
      if (t.value === "." || t.value === "?.") {
        run(next);
        const n = run(name("a field or method name", true));
        e = { kind: "Member", object: e, name: n.value, nameSpan: spanOf(run, n), optional: t.value === "?.", span: run(spanFrom(start)) };
      } else if (t.value === "(") {
        const args = run(callArgs);
        e = { kind: "Call", callee: e, args, span: run(spanFrom(start)) };
      } else if (t.value === "[") {
        run(next);
        const index = run(plain.expr);
        run(op("]"));
        e = { kind: "Index", object: e, index, span: run(spanFrom(start)) };
      } else if (t.value === "!") {
        run(next);
        e = { kind: "Propagate", expr: e, span: run(spanFrom(start)) };
      } else return e;
    }
  });

  const primary: P<Expr> = gen((run): Expr => {
    const start = run(mark);
    const t = run(peek);
    switch (t.kind) {
      case "num":
        run(next);
        return { kind: "Num", value: t.num ?? 0, raw: t.value, span: run(spanFrom(start)) };
      case "str":
        run(next);
        return { kind: "Str", value: t.value, span: run(spanFrom(start)) };
      case "tpl":
        run(next);
        return template(run, t);
      case "jsx_open":
        return run(jsxElement);
      case "kw":
        switch (t.value) {
          case "true":
          case "false":
            run(next);
            return { kind: "Bool", value: t.value === "true", span: run(spanFrom(start)) };
          case "nil":
            run(next);
            return { kind: "Nil", span: run(spanFrom(start)) };
          case "fn":
          case "async":
            return run(lambda);
          case "if":
            return run(ifExpr);
          case "match":
            return run(matchExpr);
          case "try":
            return run(tryExpr);
        }
        break;
      case "ident": {
        run(next);
        const id: Expr = { kind: "Ident", name: t.value, span: run(spanFrom(start)) };
        if (!noStruct && /^[A-Z]/.test(t.value) && isOp(run(peek), "{") && run(looksLikeObjectBody)) {
          const obj = run(objectLit);
          return { kind: "Record", type: t.value, typeSpan: id.span, fields: obj.entries.filter((e): e is Prop => e.kind === "Prop"), span: run(spanFrom(start)) };
        }
        return id;
      }
      case "op":
        switch (t.value) {
          case "(": {
            run(next);
            const inner = run(plain.expr);
            run(op(")"));
            return inner;
          }
          case "[":
            return run(arrayLit);
          case "{":
            return run(objectLit);
          case ".": {
            run(next);
            const n = run(name("a field name after `.`", true));
            return { kind: "ImplicitMember", name: n.value, span: run(spanFrom(start)) };
          }
        }
        break;
    }
    return run(expected<Expr>("an expression"));
  });

  const parsers: ExprParsers = { expr, binary, postfix };
  return parsers;
}

function spanOf(run: Run, t: Token) {
  const ctx = run(context);
  return { file: ctx.file, start: t.start, end: t.end };
}

/** Parses the interpolated parts of a string token, each on its own token list. */
function template(run: Run, t: Token): TemplateLit {
  const ctx = run(context);
  const parts: (string | Expr)[] = [];
  for (const part of t.parts ?? []) {
    if ("text" in part) {
      if (part.text) parts.push(part.text);
      continue;
    }
    const sub = newCtx(part.tokens, ctx.file, ctx.diagnostics);
    const out = runOn(gen((r) => {
      const e = r(plain.expr);
      r(tok("eof", undefined, "`}` closing the interpolation"));
      return e;
    }), sub);
    if (out.ok) parts.push(out.value);
    else {
      const bad = part.tokens[Math.min(Math.max(sub.furthest, 0), part.tokens.length - 1)]!;
      ctx.diagnostics.push(diagnostic("E0010", badTokenSpan(ctx, bad), `expected ${[...sub.expected].join(" or ") || "an expression"} in the interpolation`, { hint: "write a literal `{` as `\\{`" }));
      parts.push({ kind: "ErrorExpr", span: { file: ctx.file, start: part.start, end: part.end } });
    }
  }
  return { kind: "Template", parts, span: { file: ctx.file, start: t.start, end: t.end } };
}

/** After `{`: `}`, `key:`, `"key":`, `name,`, `name }` or `...` mean an object, not a block. */
export const looksLikeObjectBody: P<boolean> = gen((run) => {
  const ctx = run(context);
  const start = run(mark);
  const t = ctx.tokens;
  let i = start + 1;
  while (t[i]!.kind === "nl") i++;
  const a = t[i]!;
  const b = t[i + 1]!;
  if (isOp(a, "}")) return true;
  if (isOp(a, "...")) return true;
  if ((a.kind === "ident" || a.kind === "str" || a.kind === "kw") && isOp(b, ":")) return true;
  if (a.kind === "ident" && (isOp(b, ",") || isOp(b, "}"))) return true;
  return false;
});

/** Like `looksLikeObjectBody`, but `{}` and `{ name }` are blocks (match arms, statements). */
export const looksLikeObjectStatement: P<boolean> = gen((run) => {
  const ctx = run(context);
  const t = ctx.tokens;
  let i = run(mark) + 1;
  while (t[i]!.kind === "nl") i++;
  const a = t[i]!;
  const b = t[i + 1]!;
  if (isOp(a, "...")) return true;
  if ((a.kind === "ident" || a.kind === "str" || a.kind === "kw") && isOp(b, ":")) return true;
  if (a.kind === "ident" && isOp(b, ",")) return true;
  return false;
});

/** Between entries: `,` or a new line (or both); false when the closer follows. */
const separatorsThen = (close: string) =>
  gen((run) => {
    const before = run(mark);
    run(skipNewlines);
    const sawNewline = run(mark) > before;
    const comma = run(accept("op", ","));
    run(skipNewlines);
    if (isOp(run(peek), close)) return false;
    if (!comma && !sawNewline) run(expected("`,` or a new line"));
    return true;
  });

export const objectLit: P<ObjectLit> = gen((run) => {
  const start = run(mark);
  run(op("{"));
  run(skipNewlines);
  const entries: (Prop | Spread)[] = [];
  while (!isOp(run(peek), "}")) {
    const es = run(mark);
    if (run(accept("op", "..."))) {
      const value = run(plain.expr);
      entries.push({ kind: "Spread", value, span: run(spanFrom(es)) });
    } else {
      const key = run(peek);
      if (key.kind !== "ident" && key.kind !== "str" && key.kind !== "kw" && key.kind !== "num") run(expected("a key"));
      run(next);
      const keySpan = run(spanFrom(es));
      if (run(accept("op", ":"))) {
        run(skipNewlines);
        const value = run(plain.expr);
        entries.push({ kind: "Prop", key: key.value, keySpan, value, shorthand: false, span: run(spanFrom(es)) });
      } else {
        if (key.kind !== "ident") run(op(":"));
        entries.push({ kind: "Prop", key: key.value, keySpan, value: { kind: "Ident", name: key.value, span: keySpan }, shorthand: true, span: keySpan });
      }
    }
    if (!run(separatorsThen("}"))) break;
  }
  run(op("}"));
  return { kind: "Object", entries, span: run(spanFrom(start)) };
});

const arrayLit: P<ArrayLit> = gen((run) => {
  const start = run(mark);
  run(op("["));
  const elements: (Expr | Spread)[] = [];
  while (!isOp(run(peek), "]")) {
    const es = run(mark);
    if (run(accept("op", "..."))) elements.push({ kind: "Spread", value: run(plain.expr), span: run(spanFrom(es)) });
    else elements.push(run(plain.expr));
    if (!run(accept("op", ","))) break;
  }
  run(op("]"));
  return { kind: "Array", elements, span: run(spanFrom(start)) };
});

/** `(a, b, name: c)`: named arguments become a trailing options object when lowered. */
export const callArgs: P<Arg[]> = gen((run) => {
  run(op("("));
  const args: Arg[] = [];
  while (!isOp(run(peek), ")")) {
    const as = run(mark);
    let argName: string | null = null;
    if (run(peek).kind === "ident" && isOp(run(peekAt(1)), ":")) {
      argName = run(next).value;
      run(next);
    }
    const value = run(plain.expr);
    args.push({ name: argName, value, span: run(spanFrom(as)) });
    if (!run(accept("op", ","))) break;
  }
  run(op(")"));
  return args;
});

export const params: P<Param[]> = gen((run) => {
  run(op("("));
  const out: Param[] = [];
  while (!isOp(run(peek), ")")) {
    const ps = run(mark);
    const n = run(name("a parameter name"));
    const type = run(accept("op", ":")) ? run(typeExpr) : null;
    const dflt = run(accept("op", "=")) ? run(plain.expr) : null;
    out.push({ name: n.value, type, default: dflt, span: run(spanFrom(ps)) });
    if (!run(accept("op", ","))) break;
  }
  run(op(")"));
  return out;
});

/** `fn(x) x * 2`, `fn(x, y) { ... }`, `async fn() { ... }`, `fn name() { ... }`. */
export const lambda: P<LambdaExpr> = gen((run) => {
  const start = run(mark);
  const isAsync = !!run(accept("kw", "async"));
  run(kw("fn"));
  const fnName = run(peek).kind === "ident" ? run(next).value : null;
  const ps = run(params);
  const returnType = run(accept("op", "->")) ? run(typeExpr) : null;
  let body: Expr;
  if (isOp(run(peek), "{")) body = run(blockExpr);
  else body = run(lambdaExprBody);
  return { kind: "Lambda", name: fnName, async: isAsync, params: ps, returnType, body, span: run(spanFrom(start)) };
});

/** An expression body; `fn() count += 1` assigns, so it becomes a one-statement block. */
const lambdaExprBody: P<Expr> = gen((run) => {
  const start = run(mark);
  const value = run(plain.expr);
  const t = run(peek);
  if (t.kind === "op" && ["=", "+=", "-=", "*=", "/="].includes(t.value) && (value.kind === "Ident" || value.kind === "Member" || value.kind === "Index")) {
    run(next);
    const rhs = run(plain.expr);
    const span = run(spanFrom(start));
    const block: BlockExpr = { kind: "Block", stmts: [{ kind: "Assign", target: value, op: t.value as "=", value: rhs, span }], span };
    return block;
  }
  return value;
});

const ifExpr: P<IfExpr> = gen((run) => {
  const start = run(mark);
  run(kw("if"));
  const branches = [{ cond: run(cond.expr), body: run(blockExpr) }];
  let otherwise: BlockExpr | null = null;
  for (;;) {
    // `elif`/`else` may follow the `}` on the next line.
    const after = run(peekPastNewlines);
    if (!isKw(after, "elif") && !isKw(after, "else")) break;
    run(skipNewlines);
    if (run(accept("kw", "elif"))) {
      branches.push({ cond: run(cond.expr), body: run(blockExpr) });
      continue;
    }
    run(kw("else"));
    if (run(accept("kw", "if"))) {
      branches.push({ cond: run(cond.expr), body: run(blockExpr) });
      continue;
    }
    otherwise = run(blockExpr);
    break;
  }
  return { kind: "If", branches, otherwise, span: run(spanFrom(start)) };
});

const matchExpr: P<MatchExpr> = gen((run) => {
  const start = run(mark);
  run(kw("match"));
  const subject = run(cond.expr);
  run(op("{"));
  const arms: MatchArm[] = [];
  for (;;) {
    run(skipNewlines);
    while (run(accept("op", ","))) run(skipNewlines);
    if (isOp(run(peek), "}")) break;
    const as = run(mark);
    const pat = run(pattern);
    const guard = run(accept("kw", "if")) ? run(plain.expr) : null;
    run(op("=>"));
    run(skipNewlines);
    let body: Expr;
    if (isOp(run(peek), "{") && !run(looksLikeObjectStatement)) body = run(blockExpr);
    else body = run(plain.expr);
    arms.push({ pattern: pat, guard, body, span: run(spanFrom(as)) });
    const t = run(peek);
    if (!(t.kind === "nl" || isOp(t, ",") || isOp(t, "}"))) run(expected("a new line or `,` between match arms"));
  }
  run(op("}"));
  return { kind: "Match", subject, arms, span: run(spanFrom(start)) };
});

const tryExpr: P<TryExpr> = gen((run) => {
  const start = run(mark);
  run(kw("try"));
  const body = run(blockExpr);
  let catchName: string | null = null;
  let catchBody: BlockExpr | null = null;
  let finallyBody: BlockExpr | null = null;
  if (isKw(run(peekPastNewlines), "catch")) {
    run(skipNewlines);
    run(kw("catch"));
    if (run(peek).kind === "ident") catchName = run(next).value;
    catchBody = run(blockExpr);
  }
  if (isKw(run(peekPastNewlines), "finally")) {
    run(skipNewlines);
    run(kw("finally"));
    finallyBody = run(blockExpr);
  }
  if (!catchBody && !finallyBody) run(expected("`catch` or `finally`"));
  return { kind: "Try", body, catchName, catchBody, finallyBody, span: run(spanFrom(start)) };
});

const plain = build(false);
const cond = build(true);

/** Any expression. */
export const expr: P<Expr> = plain.expr;
/** An expression where `Name {` opens a block, not a record (conditions, subjects). */
export const condExpr: P<Expr> = cond.expr;

