import type * as ast from "../frontend/ast.js";
import type { Span } from "../frontend/span.js";

/**
 * Rewrites syntax sugar into the plain forms the IR keeps
 * (language.md, "Expressions"):
 *
 * - `a |> f(b)` is `f(a, b)`, `a |> f` is `f(a)`, `a |> obj.m(b)` is
 *   `obj.m(a, b)`; a `!` ending a stage applies to the stage's result.
 * - An argument mentioning `.field` becomes `fn(it) it.field ...`.
 * - Named arguments become one trailing options object.
 * - `30.seconds` and `5.megabytes` on literals become numbers (the unit is
 *   kept on the node for the emitted comment).
 * - `emit "name" { ... }` is `publish("name", { ... })`.
 */

export const DURATION_UNITS: Record<string, number> = {
  ms: 1, millisecond: 1, milliseconds: 1,
  second: 1000, seconds: 1000,
  minute: 60_000, minutes: 60_000,
  hour: 3_600_000, hours: 3_600_000,
  day: 86_400_000, days: 86_400_000,
  week: 604_800_000, weeks: 604_800_000,
};

export const SIZE_UNITS: Record<string, number> = {
  byte: 1, bytes: 1,
  kilobyte: 1024, kilobytes: 1024, kb: 1024,
  megabyte: 1024 ** 2, megabytes: 1024 ** 2, mb: 1024 ** 2,
  gigabyte: 1024 ** 3, gigabytes: 1024 ** 3, gb: 1024 ** 3,
};

export function unitFactor(name: string): number | undefined {
  return DURATION_UNITS[name] ?? SIZE_UNITS[name];
}

export function desugarExpr(e: ast.Expr): ast.Expr {
  switch (e.kind) {
    case "Num": case "Str": case "Bool": case "Nil": case "Ident": case "ErrorExpr": case "ImplicitMember":
      return e;
    case "Template":
      return { ...e, parts: e.parts.map((p) => (typeof p === "string" ? p : desugarExpr(p))) };
    case "Array":
      return { ...e, elements: e.elements.map((x) => (x.kind === "Spread" ? { ...x, value: desugarExpr(x.value) } : desugarExpr(x))) };
    case "Object":
      return { ...e, entries: e.entries.map((x) => ({ ...x, value: desugarExpr(x.value) })) };
    case "Record":
      return { ...e, fields: e.fields.map((f) => ({ ...f, value: desugarExpr(f.value) })) };
    case "Member": {
      const factor = unitFactor(e.name);
      if (factor !== undefined && e.object.kind === "Num") {
        return { kind: "Num", value: e.object.value * factor, raw: `${e.object.raw}.${e.name}`, span: e.span };
      }
      return { ...e, object: desugarExpr(e.object) };
    }
    case "Index":
      return { ...e, object: desugarExpr(e.object), index: desugarExpr(e.index) };
    case "Call":
      return { ...e, callee: desugarExpr(e.callee), args: desugarArgs(e.args, e.span) };
    case "Unary":
      return { ...e, operand: desugarExpr(e.operand) };
    case "Binary":
      return { ...e, left: desugarExpr(e.left), right: desugarExpr(e.right) };
    case "Compare":
      return { ...e, operands: e.operands.map(desugarExpr) };
    case "Range":
      return { ...e, start: desugarExpr(e.start), end: desugarExpr(e.end) };
    case "Pipe":
      return desugarExpr(pipeToCall(e.left, e.stage, e.span));
    case "Propagate":
      return { ...e, expr: desugarExpr(e.expr) };
    case "Lambda":
      return desugarLambda(e);
    case "If":
      return {
        ...e,
        branches: e.branches.map((b) => ({ cond: desugarExpr(b.cond), body: desugarBlock(b.body) })),
        otherwise: e.otherwise ? desugarBlock(e.otherwise) : null,
      };
    case "Match":
      return {
        ...e,
        subject: desugarExpr(e.subject),
        arms: e.arms.map((a) => ({ ...a, guard: a.guard ? desugarExpr(a.guard) : null, body: desugarExpr(a.body) })),
      };
    case "Block":
      return desugarBlock(e);
    case "Await":
      return { ...e, expr: desugarExpr(e.expr) };
    case "Try":
      return {
        ...e,
        body: desugarBlock(e.body),
        catchBody: e.catchBody ? desugarBlock(e.catchBody) : null,
        finallyBody: e.finallyBody ? desugarBlock(e.finallyBody) : null,
      };
    case "JsxElement":
      return desugarJsx(e);
  }
}

export function desugarLambda(e: ast.LambdaExpr): ast.LambdaExpr {
  return { ...e, params: e.params.map(desugarParam), body: desugarExpr(e.body) };
}

export function desugarParam(p: ast.Param): ast.Param {
  return { ...p, default: p.default ? desugarExpr(p.default) : null };
}

function desugarJsx(e: ast.JsxElement): ast.JsxElement {
  return { ...e, attrs: e.attrs.map((a) => ({ ...a, value: a.value ? desugarExpr(a.value) : null })), children: e.children.map(desugarJsxChild) };
}

function desugarJsxChild(c: ast.JsxChild): ast.JsxChild {
  switch (c.kind) {
    case "JsxText":
      return c;
    case "JsxElement":
      return desugarJsx(c);
    case "JsxExpr":
      return { ...c, expr: desugarExpr(c.expr) };
    case "JsxFor":
      return { ...c, iterable: desugarExpr(c.iterable), key: c.key ? desugarExpr(c.key) : null, children: c.children.map(desugarJsxChild) };
    case "JsxIf":
      return {
        ...c,
        branches: c.branches.map((b) => ({ cond: desugarExpr(b.cond), children: b.children.map(desugarJsxChild) })),
        otherwise: c.otherwise ? c.otherwise.map(desugarJsxChild) : null,
      };
  }
}

/** `left |> stage` as a call; a stage ending in `!` propagates the call's result. */
function pipeToCall(left: ast.Expr, stage: ast.Expr, span: Span): ast.Expr {
  if (stage.kind === "Propagate") return { kind: "Propagate", expr: pipeToCall(left, stage.expr, span), span };
  if (stage.kind === "Await") return { kind: "Await", expr: pipeToCall(left, stage.expr, span), span };
  const first: ast.Arg = { name: null, value: left, span: left.span };
  if (stage.kind === "Call") return { kind: "Call", callee: stage.callee, args: [first, ...stage.args], span };
  return { kind: "Call", callee: stage, args: [first], span };
}

function desugarArgs(args: ast.Arg[], span: Span): ast.Arg[] {
  const positional: ast.Arg[] = [];
  const named: ast.Prop[] = [];
  for (const a of args) {
    const value = implicitLambda(desugarExpr(a.value));
    if (a.name === null) positional.push({ ...a, value });
    else named.push({ kind: "Prop", key: a.name, keySpan: a.span, value, shorthand: false, span: a.span });
  }
  if (named.length) {
    const objSpan = { file: span.file, start: named[0]!.span.start, end: named[named.length - 1]!.span.end };
    positional.push({ name: null, value: { kind: "Object", entries: named, fromNamedArgs: true, span: objSpan }, span: objSpan });
  }
  return positional;
}

/** Turns an argument that mentions `.field` into `fn(it) ...` with `it.field`. */
function implicitLambda(e: ast.Expr): ast.Expr {
  if (!mentionsImplicit(e)) return e;
  // `filter(.price > it)` where `it` is the user's: the implicit parameter takes another name.
  let it = "it";
  while (mentionsName(e, it)) it = `${it}_`;
  const body = replaceImplicit(e, it);
  return {
    kind: "Lambda",
    name: null,
    async: false,
    params: [{ name: it, type: null, default: null, span: e.span }],
    returnType: null,
    body,
    span: e.span,
  };
}

function mentionsName(e: ast.Expr, name: string): boolean {
  let found = false;
  const visit = (x: ast.Expr): void => {
    if (found) return;
    if (x.kind === "Ident" && x.name === name) found = true;
    else if (x.kind === "Member") visit(x.object);
    else if (x.kind === "Index") (visit(x.object), visit(x.index));
    else if (x.kind === "Unary") visit(x.operand);
    else if (x.kind === "Binary") (visit(x.left), visit(x.right));
    else if (x.kind === "Compare") x.operands.forEach(visit);
    else if (x.kind === "Call") (visit(x.callee), x.args.forEach((a) => visit(a.value)));
    else if (x.kind === "Template") x.parts.forEach((p) => typeof p !== "string" && visit(p));
    else if (x.kind === "Propagate") visit(x.expr);
  };
  visit(e);
  return found;
}

/** Looks for `.field` without entering nested lambdas or call arguments (they own theirs). */
function mentionsImplicit(e: ast.Expr): boolean {
  switch (e.kind) {
    case "ImplicitMember":
      return true;
    case "Member":
      return mentionsImplicit(e.object);
    case "Index":
      return mentionsImplicit(e.object) || mentionsImplicit(e.index);
    case "Unary":
      return mentionsImplicit(e.operand);
    case "Binary":
      return mentionsImplicit(e.left) || mentionsImplicit(e.right);
    case "Compare":
      return e.operands.some(mentionsImplicit);
    case "Call":
      return mentionsImplicit(e.callee);
    case "Template":
      return e.parts.some((p) => typeof p !== "string" && mentionsImplicit(p));
    case "Propagate":
      return mentionsImplicit(e.expr);
    default:
      return false;
  }
}

function replaceImplicit(e: ast.Expr, it: string): ast.Expr {
  switch (e.kind) {
    case "ImplicitMember":
      return { kind: "Member", object: { kind: "Ident", name: it, span: e.span }, name: e.name, nameSpan: e.span, optional: false, span: e.span };
    case "Member":
      return { ...e, object: replaceImplicit(e.object, it) };
    case "Index":
      return { ...e, object: replaceImplicit(e.object, it), index: replaceImplicit(e.index, it) };
    case "Unary":
      return { ...e, operand: replaceImplicit(e.operand, it) };
    case "Binary":
      return { ...e, left: replaceImplicit(e.left, it), right: replaceImplicit(e.right, it) };
    case "Compare":
      return { ...e, operands: e.operands.map((o) => replaceImplicit(o, it)) };
    case "Call":
      return { ...e, callee: replaceImplicit(e.callee, it) };
    case "Template":
      return { ...e, parts: e.parts.map((p) => (typeof p === "string" ? p : replaceImplicit(p, it))) };
    case "Propagate":
      return { ...e, expr: replaceImplicit(e.expr, it) };
    default:
      return e;
  }
}

export function desugarBlock(b: ast.BlockExpr): ast.BlockExpr {
  return { ...b, stmts: b.stmts.map(desugarStmt) };
}

/** Statements inside bodies; block-level statements are lowered by `lower.ts`. */
export function desugarStmt(s: ast.Stmt): ast.Stmt {
  switch (s.kind) {
    case "Let":
      return { ...s, value: desugarExpr(s.value) };
    case "Assign":
      return { ...s, target: desugarExpr(s.target), value: desugarExpr(s.value) };
    case "ExprStmt":
      return { ...s, expr: desugarExpr(s.expr) };
    case "Return":
      return { ...s, value: s.value ? desugarExpr(s.value) : null };
    case "For":
      return { ...s, iterable: desugarExpr(s.iterable), body: desugarBlock(s.body) };
    case "While":
      return { ...s, cond: desugarExpr(s.cond), body: desugarBlock(s.body) };
    case "FnDecl":
      return { ...s, params: s.params.map(desugarParam), body: desugarBlock(s.body) };
    case "Emit": {
      const call: ast.CallExpr = {
        kind: "Call",
        callee: { kind: "Ident", name: "publish", span: s.span },
        args: [
          { name: null, value: { kind: "Str", value: s.event, span: s.eventSpan }, span: s.eventSpan },
          { name: null, value: desugarExpr(s.value), span: s.value.span },
        ],
        span: s.span,
      };
      return { kind: "ExprStmt", expr: call, span: s.span };
    }
    default:
      return s;
  }
}
