import type * as ast from "../../frontend/ast.js";
import type { Span } from "../../frontend/span.js";
import type { CheckedApp } from "../../ir/checked.js";
import type { Binding } from "../../ir/types.js";
import { walkApp } from "../../ir/walk.js";

/**
 * Every value the program binds to a name, by where the name is declared (the
 * span resolve-names gives the symbol of every use): the value of a binding
 * (`count = fn() { len(Note.all()) }`, in a function or at the top of a
 * block) and of every later assignment to it (`var f = fn() 0` then `f = fn()
 * len(Note.all())`). A call through such a name calls one of them: it is
 * awaited when one of them may wait (context.ts, `isAsyncCall`). A name with
 * no entry (a parameter, a loop or pattern variable) is bound to values the
 * program passes in. Made once per application.
 */
const byApp = new WeakMap<CheckedApp, Map<string, ast.Expr[]>>();

export const spanKey = (span: Span) => `${span.file}:${span.start}`;

export function boundValues(app: CheckedApp): Map<string, ast.Expr[]> {
  const known = byApp.get(app);
  if (known) return known;
  const found = new Map<string, ast.Expr[]>();
  const add = (span: Span | undefined, value: ast.Expr) => {
    if (!span) return;
    const key = spanKey(span);
    const values = found.get(key);
    if (values) values.push(value);
    else found.set(key, [value]);
  };
  const fromStmts = (stmts: readonly ast.Stmt[]) => {
    for (const s of stmts) {
      if (s.kind === "Let") add(app.names.reassignments.get(s)?.span ?? s.nameSpan, s.value);
      else if (s.kind === "Assign" && s.op === "=" && s.target.kind === "Ident") add(app.names.symbols.get(s.target)?.span, s.value);
    }
  };
  const fromBindings = (bindings: readonly Binding[]) => {
    for (const b of bindings) add(b.nameSpan, b.value);
  };
  fromBindings(app.shared.bindings);
  fromStmts(app.shared.stmts);
  fromBindings(app.data.bindings);
  fromStmts(app.data.stmts);
  for (const s of app.servers) {
    fromBindings(s.bindings);
    fromStmts(s.stmts);
  }
  for (const c of app.clients) {
    fromBindings(c.bindings);
    fromStmts(c.stmts);
  }
  walkApp(app, (e) => {
    if (e.kind === "Block") fromStmts(e.stmts);
  });
  byApp.set(app, found);
  return found;
}

/** A function's parameter, by where the parameter is declared: the function (by where its name is) and its place. */
export interface ParamOf {
  fn: string;
  index: number;
  name: string;
  /** What it holds when a call leaves it out. */
  default: ast.Expr | null;
}

const paramsByApp = new WeakMap<CheckedApp, { params: Map<string, ParamOf>; calls: Map<string, ast.CallExpr[]> }>();

/**
 * The parameters of the program's functions, and every direct call of each
 * function (`twice(fn(n) len(Note.all()), 1)`), by where its name is declared:
 * what a parameter holds is what these calls pass. Made once per application.
 */
export function paramsAndCalls(app: CheckedApp): { params: Map<string, ParamOf>; calls: Map<string, ast.CallExpr[]> } {
  const known = paramsByApp.get(app);
  if (known) return known;
  const params = new Map<string, ParamOf>();
  for (const f of [...app.shared.fns, ...app.data.fns, ...app.servers.flatMap((s) => s.fns), ...app.clients.flatMap((c) => c.fns)]) {
    f.params.forEach((p, index) => params.set(spanKey(p.span), { fn: spanKey(f.nameSpan), index, name: p.name, default: p.default }));
  }
  const calls = new Map<string, ast.CallExpr[]>();
  walkApp(app, (e) => {
    if (e.kind !== "Call" || e.callee.kind !== "Ident") return;
    const sym = app.names.symbols.get(e.callee);
    if (sym?.kind !== "fn" || !sym.span) return;
    const key = spanKey(sym.span);
    const list = calls.get(key);
    if (list) list.push(e);
    else calls.set(key, [e]);
  });
  const found = { params, calls };
  paramsByApp.set(app, found);
  return found;
}
