import type * as ast from "../../../frontend/ast.js";
import type { Span } from "../../../frontend/span.js";
import { tsType } from "../types.js";
import { params } from "./calls.js";
import { ifStatement } from "./conditionals.js";
import { assignTo, DISCARD, isStatementLike, RETURN, type Lowered, type Tail } from "./lowered.js";
import type { Lowerer } from "./lowerer.js";
import { matchStatement } from "./match.js";
import { sequence } from "./sequence.js";
import { walkExpr } from "../../../ir/walk.js";
import { block, ifElse, line, type TsStmt } from "./ts-stmt.js";

/**
 * Statements of a body. `tail` says what happens to the value of the last
 * statement: returned (a function body), assigned (an `if` or `match` whose
 * value is needed), or discarded. Immutable bindings are `const` (binding a
 * name again declares a renamed `const`), `var` is `let`, and `x = e` on a
 * `var` assigns (resolve-names decided which).
 */
export function statements(l: Lowerer, list: readonly ast.Stmt[], tail: Tail): TsStmt[] {
  // Functions declared in a block are visible throughout it (resolve-names does the same).
  for (const s of list) if (s.kind === "FnDecl") l.scopes.declare(s.name, false);
  const out: TsStmt[] = [];
  list.forEach((s, i) => out.push(...statement(l, s, i === list.length - 1 ? tail : DISCARD)));
  if (!list.length && tail.kind === "assign") out.push(...assignValue(tail.to, "null"));
  return out;
}

/** Calls whose result nobody wants as a function's result. */
const STATEMENT_CALLS = new Set(["print", "publish", "spawn_job", "broadcast", "cache_control", "etag", "sleep"]);
const RESPONSE_METHODS = new Set(["json", "text", "send", "setHeader", "header", "status", "redirect", "on_finish"]);

function statement(l: Lowerer, s: ast.Stmt, tail: Tail): TsStmt[] {
  switch (s.kind) {
    case "Let":
      return letStatement(l, s);
    case "Assign": {
      if (s.op !== "=" && s.target.kind === "Index" && l.ctx.isMapLike(s.target.object, s.target.index)) {
        // `m[k] += n`: Tova's checker only lets this through when the entry's type allows it.
        const { pre, values } = sequence(l, [s.target.object, s.target.index, s.value], [true, false, true]);
        const get = `${l.ctx.stdlib("mapGet")}(${values[0]}, ${values[1]})`;
        return [...pre, line(`${l.ctx.stdlib("mapSet")}(${values[0]}, ${values[1]}, ${get} ${s.op[0]} ${values[2]})`, s.span)];
      }
      if (s.op !== "=" && l.hasPre(s.value) && !localUntouched(l, s.target, s.value)) {
        // `g += f()!`: the target is read before the value is evaluated (left to right, as JavaScript's `+=` does),
        // so the statements the value needs cannot run first.
        const read = l.expr(s.target);
        const previous = l.scopes.temp("previous");
        const v = l.operand(s.value);
        const sum = `${previous} ${s.op[0]} ${v.value}`;
        const t = s.target;
        const write =
          t.kind === "Index" && l.ctx.isMapLike(t.object, t.index)
            ? `${l.ctx.stdlib("mapSet")}(${l.operand(t.object).value}, ${l.expr(t.index).value}, ${sum})`
            : `${t.kind === "Ident" ? assignTarget(l, t, { kind: "Nil", span: s.span }).value : read.value} = ${sum}`;
        return [...read.pre, line(`const ${previous} = ${read.value}`, s.span), ...v.pre, line(write, s.span)];
      }
      const target = assignTarget(l, s.target, s.value);
      if (!target.value) return [...target.pre, line(target.rhs, s.span)];
      return [...target.pre, line(`${target.value} ${s.op} ${target.rhs}`, s.span)];
    }
    case "ExprStmt":
      return expressionStatement(l, s.expr, tail, s.span);
    case "Return":
      if (!s.value) return [line("return", s.span)];
      return expressionStatement(l, s.value, RETURN, s.span, true);
    case "Break":
      return [line("break", s.span)];
    case "Continue":
      return [line("continue", s.span)];
    case "For":
      return forStatement(l, s);
    case "While":
      return whileStatement(l, s);
    case "FnDecl":
      return [localFunction(l, s)];
    case "ErrorStmt":
    case "Placeholder":
      return [];
    default:
      throw new Error(`internal: a ${s.kind} statement inside a body survived name resolution`);
  }
}

/** `x = e` (a new binding, or an assignment when resolve-names found `x` is a `var`), `var x = e`. */
function letStatement(l: Lowerer, s: ast.LetStmt): TsStmt[] {
  const assigned = l.ctx.names.reassignments.get(s);
  if (assigned) {
    const local = l.scopes.lookup(s.name);
    const target = local ? local.ts : l.ctx.reference(s.name, assigned, true);
    if (isStatementLike(s.value) && l.hasPre(s.value)) return expressionStatement(l, s.value, assignTo(target), s.span);
    const v = l.expr(s.value);
    return [...v.pre, line(`${target} = ${v.value}`, s.span)];
  }
  // The value is lowered before the name is bound: `x = x + 1` reads the `x` before it.
  const ts = l.scopes.nameFor(s.name);
  l.scopes.reserve(ts); // a binding of the same name inside the value must not take this one's TypeScript name
  const type = s.type ? `: ${tsType(s.type, l.ctx.useType)}` : l.ctx.bindingType(s.value, l.ctx.app.types.bindings.get(s), s.mutable);
  if (isStatementLike(s.value) && l.hasPre(s.value)) {
    // `x = if ... { } else { }` whose branches need statements: declare `x`, and let each branch assign it.
    const out = [line(`let ${ts}${type || `: ${l.ctx.valueType(s.value)}`}`, s.span), ...expressionStatement(l, s.value, assignTo(ts), s.span)];
    l.scopes.bind(s.name, ts, s.mutable);
    return out;
  }
  const saved = l.bindingName;
  l.bindingName = s.name;
  const v = l.expr(s.value);
  l.bindingName = saved;
  l.scopes.bind(s.name, ts, s.mutable);
  return [...v.pre, line(`${s.mutable ? "let" : "const"} ${ts}${type} = ${v.value}`, s.span)];
}

/** Where an assignment writes, evaluated left to right with its value: a `var`, a state's value, a field, an element. */
function assignTarget(l: Lowerer, target: ast.Expr, valueExpr: ast.Expr): Lowered & { rhs: string } {
  if (target.kind === "Ident") {
    const local = l.scopes.lookup(target.name);
    const name = local ? local.ts : l.ctx.reference(target.name, l.ctx.names.symbols.get(target), true);
    const v = l.expr(valueExpr);
    return { pre: v.pre, value: name, rhs: v.value, atomic: true };
  }
  if (target.kind === "Index" && l.ctx.isMapLike(target.object, target.index)) {
    // `m[k] = v` on a map: the key becomes an own key, `__proto__` included (decisions.md, "Maps").
    const { pre, values } = sequence(l, [target.object, target.index, valueExpr], [true, false, false]);
    return { pre, value: "", rhs: `${l.ctx.stdlib("mapSet")}(${values[0]}, ${values[1]}, ${values[2]})`, atomic: true };
  }
  const v = l.expr(valueExpr);
  if (target.kind === "Member" && !v.pre.length) {
    const object = l.operand(target.object);
    return { pre: object.pre, value: `${object.value}.${target.name}`, rhs: v.value, atomic: true };
  }
  // The target's parts are evaluated before a value that needs statements.
  const t = l.expr(target);
  return { pre: [...t.pre, ...v.pre], value: t.value, rhs: v.value, atomic: true };
}

/** An expression in statement position, with what to do with its value. */
export function expressionStatement(l: Lowerer, e: ast.Expr, tail: Tail, span: Span, explicitReturn = false): TsStmt[] {
  switch (e.kind) {
    case "If":
      return ifStatement(l, e, tail, span);
    case "Match":
      return matchStatement(l, e, tail, span);
    case "Block":
      return [block("", l.scopes.nested(() => l.stmts(e.stmts, tail)), span)];
    case "Try":
      return [tryStatement(l, e, tail, span)];
  }
  const v = l.expr(e);
  return [...v.pre, ...applyTail(tail, v.value, span, !explicitReturn && isStatementCall(l, e))];
}

function applyTail(tail: Tail, value: string, span: Span, statementCall: boolean): TsStmt[] {
  if (tail.kind === "return" && !statementCall) return [line(`return ${value}`, span)];
  if (tail.kind === "assign") return assignValue(tail.to, value, span);
  return [line(value, span)];
}

export function assignValue(to: string, value: string, span?: Span): TsStmt[] {
  return [line(`${to} = ${value}`, span)];
}

function isStatementCall(l: Lowerer, e: ast.Expr): boolean {
  const inner = e.kind === "Await" ? e.expr : e;
  if (inner.kind !== "Call") return false;
  if (inner.callee.kind === "Ident") return STATEMENT_CALLS.has(inner.callee.name) && l.ctx.names.symbols.get(inner.callee)?.kind === "builtin";
  if (inner.callee.kind === "Member") return RESPONSE_METHODS.has(inner.callee.name) && inner.callee.object.kind === "Ident" && inner.callee.object.name === "res";
  return false;
}

function tryStatement(l: Lowerer, e: ast.TryExpr, tail: Tail, span: Span): TsStmt {
  const parts: { head: string; body: TsStmt[] }[] = [{ head: "try", body: l.scopes.nested(() => l.stmts(e.body.stmts, tail)) }];
  if (e.catchBody) {
    const body = e.catchBody;
    l.scopes.nested(() => {
      const name = e.catchName ? l.scopes.declare(e.catchName, false) : null;
      parts.push({ head: name ? `catch (${name}: any)` : "catch", body: l.stmts(body.stmts, tail) });
    });
  }
  if (e.finallyBody) parts.push({ head: "finally", body: l.scopes.nested(() => l.stmts(e.finallyBody!.stmts, DISCARD)) });
  return { kind: "chain", parts, span };
}

/** A block or `try` whose value is needed: a temporary the statements assign. */
export function statementValue(l: Lowerer, e: ast.BlockExpr | ast.TryExpr): Lowered {
  const t = l.scopes.temp("value");
  return { pre: [line(`let ${t}: ${l.ctx.valueType(e)}`, e.span), ...expressionStatement(l, e, assignTo(t), e.span)], value: t, atomic: true };
}

function forStatement(l: Lowerer, s: ast.ForStmt): TsStmt[] {
  const iterable = l.expr(s.iterable);
  return l.scopes.nested(() => {
    const names = s.names.map((n) => l.scopes.declare(n.name, false));
    const each = l.ctx.forAwait(s) ? "for await" : "for";
    const head = names.length === 1 ? `${each} (const ${names[0]} of ${iterable.value})` : `for (const [${names.join(", ")}] of ${l.ctx.stdlib("entries")}(${iterable.value}))`;
    return [...iterable.pre, block(head, l.scopes.nested(() => l.stmts(s.body.stmts, DISCARD)), s.span)];
  });
}

/** A condition that needs statements is computed at the top of every iteration, not once before the loop. */
function whileStatement(l: Lowerer, s: ast.WhileStmt): TsStmt[] {
  if (!l.hasPre(s.cond)) {
    const cond = l.expr(s.cond);
    return [block(`while (${cond.value})`, l.scopes.nested(() => l.stmts(s.body.stmts, DISCARD)), s.span)];
  }
  return [
    block("while (true)", l.scopes.nested(() => {
      const cond = l.expr(s.cond);
      return [...cond.pre, ifElse(`!(${cond.value})`, [line("break")], null, s.cond.span), ...l.scopes.nested(() => l.stmts(s.body.stmts, DISCARD))];
    }), s.span),
  ];
}

function localFunction(l: Lowerer, s: ast.FnDecl): TsStmt {
  const ts = l.scopes.lookup(s.name)!.ts;
  const isAsync = s.async || l.needsAsync(s.body);
  const ret = s.returnType ? tsType(s.returnType, l.ctx.useType) : l.ctx.inferredReturn(s);
  return l.inFunction(isAsync, () => {
    const ps = params(l, s.params);
    return {
      kind: "function",
      decl: { name: ts, async: isAsync, typeParams: s.typeParams, params: ps, returnType: ret && isAsync ? `Promise<${ret}>` : ret },
      body: l.stmts(s.body.stmts, RETURN),
      span: s.span,
    };
  });
}

/**
 * `x += e` where `x` is a local of this function that `e` never assigns: the statements `e` needs
 * cannot change `x` (calls cannot reach a local), so `x` may be read after them, as `x += v` does.
 */
function localUntouched(l: Lowerer, target: ast.Expr, value: ast.Expr): boolean {
  if (target.kind !== "Ident" || !l.scopes.lookup(target.name)) return false;
  let assigned = false;
  walkExpr(value, (x) => {
    if (x.kind !== "Block") return;
    for (const st of x.stmts) {
      if ((st.kind === "Assign" && st.target.kind === "Ident" && st.target.name === target.name) || (st.kind === "Let" && st.name === target.name)) assigned = true;
    }
  });
  return !assigned;
}

/** Whether a `break` or `continue` of an enclosing loop occurs in `e` (nested loops own theirs). */
export function breaksOrContinues(e: ast.Expr): boolean {
  let found = false;
  const stmts = (list: ast.Stmt[]) => {
    for (const s of list) {
      if (s.kind === "Break" || s.kind === "Continue") found = true;
      else if (s.kind === "ExprStmt") visit(s.expr);
    }
  };
  const visit = (x: ast.Expr): void => {
    if (found) return;
    if (x.kind === "Block") return stmts(x.stmts);
    if (x.kind === "If") {
      x.branches.forEach((b) => stmts(b.body.stmts));
      if (x.otherwise) stmts(x.otherwise.stmts);
    } else if (x.kind === "Match") x.arms.forEach((a) => visit(a.body));
    else if (x.kind === "Try") {
      stmts(x.body.stmts);
      if (x.catchBody) stmts(x.catchBody.stmts);
    }
  };
  visit(e);
  return found;
}

export { ifElse };
