import type * as ast from "../../frontend/ast.js";
import type { Checker, FnCtx } from "./checker.js";
import { branchValues, widenLiteral } from "./checker.js";
import { element } from "./builtins.js";
import { ANY, INT, isNumeric, join, NEVER, NIL, option, show, STRING, type Ty } from "./ty.js";

/**
 * Statements and bodies. A body's type is the join of what it returns and
 * its last expression; a declared result type is checked against both.
 * Narrowing follows TypeScript's: after `if x == nil { return ... }`, or in
 * the branch of `if x != nil`, `is_some(x)` or `if x`, an Option `x` is its
 * value's type.
 */

export interface BodySpec {
  params: { name: string; ty: Ty; default: ast.Expr | null }[];
  body: ast.Expr;
  ret: Ty | null;
  typeParams: ReadonlySet<string>;
  kind: FnCtx["kind"];
}

export function checkBody(c: Checker, spec: BodySpec): Ty {
  const ctx: FnCtx = { ret: spec.ret, typeParams: spec.typeParams, returns: [], kind: spec.kind };
  return c.inFunction(ctx, () => {
    for (const p of spec.params) {
      if (p.default) c.check(p.default, p.ty, () => `the default of \`${p.name}\``);
      c.define(p.name, p.ty);
    }
    const body = spec.body;
    const what = () => "the result of this function";
    let tail: Ty;
    if (body.kind === "Block") {
      tail = statements(c, body.stmts, spec.ret);
      const last = body.stmts[body.stmts.length - 1];
      if (spec.ret && !endsWithValue(last) && !c.assignable(NIL, spec.ret) && tail.k !== "never") {
        c.error("E0206", last?.span ?? body.span, `the result is declared \`${show(spec.ret)}\`, but the body ends without a value`, "end the body with the value to return, or `return` it");
      } else if (spec.ret && last?.kind === "ExprStmt" && (!c.assignable(tail, spec.ret) || tail.k === "any")) {
        reportTail(c, last.expr, spec.ret, tail);
      }
    } else {
      tail = spec.ret ? c.check(body, spec.ret, what) : c.infer(body);
    }
    if (spec.ret) return spec.ret;
    return [tail, ...ctx.returns].reduce(join, NEVER);
  });
}

/** Reports a wrong result at the branch that produces it, not at the whole `if` or `match`. */
function reportTail(c: Checker, e: ast.Expr, want: Ty, got: Ty): void {
  const at = branchValues(e).find((x) => {
    const t = c.info.exprs.get(x);
    return t !== undefined && !c.assignable(t, want);
  });
  if (!at && c.assignable(got, want)) return;
  const t = at ? c.info.exprs.get(at)! : got;
  c.mismatch((at ?? e).span, "the result of this function", want, t);
}

function endsWithValue(s: ast.Stmt | undefined): boolean {
  return !!s && (s.kind === "ExprStmt" || s.kind === "Return");
}

/** The statements of a block: the type of its value (its last expression, or nil). */
export function statements(c: Checker, list: readonly ast.Stmt[], expectedTail: Ty | null = null): Ty {
  // Functions declared in a block are visible throughout it (resolve-names does the same).
  for (const s of list) if (s.kind === "FnDecl") c.define(s.name, localFnType(c, s, null));
  let value: Ty = NIL;
  list.forEach((s, i) => {
    const last = i === list.length - 1;
    value = statement(c, s, last ? expectedTail : null);
    if (!last) value = NIL;
  });
  return value;
}

function statement(c: Checker, s: ast.Stmt, expected: Ty | null): Ty {
  switch (s.kind) {
    case "Let":
      letStatement(c, s);
      return NIL;
    case "Assign":
      assign(c, s);
      return NIL;
    case "ExprStmt": {
      const t = c.infer(s.expr, expected);
      if (s.expr.kind === "If") narrowAfterIf(c, s.expr);
      return t;
    }
    case "Return": {
      const ctx = c.fnCtx;
      if (!ctx || ctx.kind === "top") {
        c.error("E0212", s.span, "`return` is only allowed inside a function", "top-level statements run once, in order; wrap them in a `fn` to return from it");
        if (s.value) c.infer(s.value);
        return NEVER;
      }
      const t = s.value ? (ctx.ret ? c.check(s.value, ctx.ret, () => "the result of this function") : c.infer(s.value)) : NIL;
      if (!s.value && ctx.ret && !c.assignable(NIL, ctx.ret)) c.error("E0206", s.span, `the result is declared \`${show(ctx.ret)}\`, but this \`return\` has no value`, "return a value of that type");
      ctx.returns.push(t);
      return NEVER;
    }
    case "Break":
    case "Continue":
      return NEVER;
    case "For": {
      const iterable = c.infer(s.iterable);
      c.withFrame(() => {
        const [a, b] = s.names;
        if (s.names.length === 1) c.define(a!.name, element(iterable));
        else if (iterable.k === "stream") {
          c.error("E0209", s.span, "a stream gives its rows in batches, one name at a time", "write `for batch in stream(...)`, then loop over the rows of each batch");
          c.define(a!.name, ANY);
          c.define(b!.name, ANY);
        } else {
          c.define(a!.name, iterable.k === "array" ? INT : iterable.k === "map" || iterable.k === "object" ? STRING : ANY);
          c.define(b!.name, iterable.k === "object" ? [...iterable.fields.values()].reduce(join, NEVER) : element(iterable));
        }
        c.withFrame(() => statements(c, s.body.stmts));
      });
      return NIL;
    }
    case "While":
      c.infer(s.cond);
      c.withFrame(() => {
        for (const [name, ty, was] of narrowings(c, s.cond, true)) c.narrow(name, ty, was);
        statements(c, s.body.stmts);
      });
      return NIL;
    case "FnDecl": {
      const t = localFnType(c, s, s);
      c.define(s.name, t);
      return NIL;
    }
    default:
      return NIL;
  }
}

function letStatement(c: Checker, s: ast.LetStmt): void {
  const target = c.names.reassignments.get(s);
  if (target) {
    const local = c.local(s.name);
    const want = local ? local.declared : c.globalType(s.name, target);
    c.check(s.value, want, () => `\`${s.name}\``);
    if (local) c.narrow(s.name, local.declared);
    return;
  }
  const declared = s.type ? c.decls.ty(s.type, c.fnCtx?.typeParams) : null;
  const t = declared ? c.check(s.value, declared, () => `\`${s.name}\``) : widenLiteral(c.infer(s.value));
  const bound = declared ?? t;
  c.info.bindings.set(s, bound);
  c.define(s.name, bound, s.mutable);
}

function assign(c: Checker, s: ast.AssignStmt): void {
  const target = s.target;
  let want: Ty;
  if (target.kind === "Ident") {
    const local = c.local(target.name);
    const sym = c.names.symbols.get(target);
    want = local ? local.declared : sym ? c.globalType(target.name, sym) : ANY;
    c.info.exprs.set(target, want);
    if (local) c.narrow(target.name, local.declared);
  } else if (target.kind === "Index") {
    const object = c.infer(target.object);
    c.infer(target.index);
    want = object.k === "map" ? object.value : object.k === "array" ? object.el : ANY;
    c.info.exprs.set(target, want);
    if (object.k === "map" && s.op !== "=") {
      // `m[k] += n` reads an entry that may be missing (decisions.md, "Maps").
      c.infer(s.value);
      c.error("E0209", s.span, `\`${s.op}\` reads \`${show(option(object.value))}\`: a map entry may be missing`, `write it as \`m[k] = (m[k] ?? 0) ${s.op[0]} ...\``);
      return;
    }
  } else want = c.infer(target);
  if (s.op === "=") {
    c.check(s.value, want, () => (target.kind === "Ident" ? `\`${target.name}\`` : "this place"));
    return;
  }
  const value = c.infer(s.value, want);
  if (value.k === "never" || want.k === "never") return; // `g += None!`: the assignment never happens
  const ok = s.op === "+=" ? (isNumeric(want) && isNumeric(value)) || want.k === "string" || want.k === "any" || value.k === "any" : (isNumeric(want) || want.k === "any") && (isNumeric(value) || value.k === "any");
  if (!ok) {
    const hint = want.k === "option" ? "it may be None: give it a value first, e.g. `m[k] = (m[k] ?? 0) + n`" : undefined;
    c.error("E0209", s.span, `\`${s.op}\` needs ${s.op === "+=" ? "numbers or text" : "numbers"}, but this is ${show(want)} ${s.op} ${show(value)}`, hint);
  } else if (want.k === "int" && value.k === "float") c.mismatch(s.value.span, "this place", want, value);
}

/** A function declared inside a body: its parameters, and its result (checked now when `decl` is given). */
function localFnType(c: Checker, s: ast.FnDecl, decl: ast.FnDecl | null): Ty {
  const typeParams = new Set(s.typeParams);
  const ps = s.params.map((p) => c.decls.ty(p.type, typeParams));
  const declared = s.returnType ? c.decls.ty(s.returnType, typeParams) : null;
  const min = s.params.filter((p) => !p.default && !(p.type?.kind === "TName" && p.type.name === "Option")).length;
  if (!decl) return { k: "fn", params: ps, ret: declared ?? ANY, min, rest: null };
  const ret = checkBody(c, { params: s.params.map((p, i) => ({ name: p.name, ty: ps[i]!, default: p.default })), body: s.body, ret: declared, typeParams, kind: "fn" });
  if (!declared) c.info.returns.set(s, ret);
  return { k: "fn", params: ps, ret: declared ?? ret, min, rest: null };
}

// ---- narrowing -----------------------------------------------------------

/** What a condition tells about Option names when it is true (or false): `[name, its type then, its type before]`. */
export function narrowings(c: Checker, cond: ast.Expr, whenTrue: boolean): [string, Ty, Ty][] {
  const unwrapped = (e: ast.Expr): [string, Ty, Ty][] => {
    if (e.kind !== "Ident") return [];
    const t = c.info.exprs.get(e);
    if (!t || t.k !== "option") return [];
    return [[e.name, t.inner, t]];
  };
  const isNil = (e: ast.Expr) => e.kind === "Nil" || (e.kind === "Ident" && e.name === "None");
  switch (cond.kind) {
    case "Binary":
      if ((cond.op === "!=" && whenTrue) || (cond.op === "==" && !whenTrue)) {
        if (isNil(cond.right)) return unwrapped(cond.left);
        if (isNil(cond.left)) return unwrapped(cond.right);
      }
      if (cond.op === "and" && whenTrue) return [...narrowings(c, cond.left, true), ...narrowings(c, cond.right, true)];
      if (cond.op === "or" && !whenTrue) return [...narrowings(c, cond.left, false), ...narrowings(c, cond.right, false)];
      return [];
    case "Unary":
      return cond.op === "-" ? [] : narrowings(c, cond.operand, !whenTrue);
    case "Call":
      if (cond.callee.kind === "Ident" && c.names.symbols.get(cond.callee)?.kind === "builtin" && cond.args[0]) {
        if (cond.callee.name === "is_some" && whenTrue) return unwrapped(cond.args[0].value);
        if (cond.callee.name === "is_none" && !whenTrue) return unwrapped(cond.args[0].value);
      }
      return [];
    case "Ident":
      return whenTrue ? unwrapped(cond) : [];
    default:
      return [];
  }
}

/** `if x == nil { return ... }`: after it, `x` has a value. */
function narrowAfterIf(c: Checker, e: ast.IfExpr): void {
  if (e.otherwise || e.branches.length !== 1) return;
  const b = e.branches[0]!;
  if (!exits(b.body.stmts)) return;
  for (const [name, ty, was] of narrowings(c, b.cond, false)) c.narrow(name, ty, was);
}

/** Whether control never reaches the end of these statements. */
export function exits(stmts: readonly ast.Stmt[]): boolean {
  const last = stmts[stmts.length - 1];
  if (!last) return false;
  if (last.kind === "Return" || last.kind === "Break" || last.kind === "Continue") return true;
  if (last.kind === "ExprStmt" && last.expr.kind === "If" && last.expr.otherwise) {
    return last.expr.branches.every((b) => exits(b.body.stmts)) && exits(last.expr.otherwise.stmts);
  }
  return false;
}

export { show };
