import type * as ast from "../../frontend/ast.js";
import type { Span } from "../../frontend/span.js";
import type { CheckedApp } from "../../ir/checked.js";
import type { Binding } from "../../ir/types.js";
import { walkApp } from "../../ir/walk.js";

/**
 * The lambdas the program binds to a name (`count = fn() { len(Note.all()) }`,
 * in a function or at the top of a block), by where the name is declared: the
 * span resolve-names gives the symbol of every use. A call through such a
 * name is a call of that lambda: awaited when the lambda is async
 * (context.ts, `isAsyncCall`). Made once per application.
 */
const byApp = new WeakMap<CheckedApp, Map<string, ast.LambdaExpr>>();

export const spanKey = (span: Span) => `${span.file}:${span.start}`;

export function lambdaBindings(app: CheckedApp): Map<string, ast.LambdaExpr> {
  const known = byApp.get(app);
  if (known) return known;
  const found = new Map<string, ast.LambdaExpr>();
  const fromStmts = (stmts: readonly ast.Stmt[]) => {
    for (const s of stmts) if (s.kind === "Let" && s.value.kind === "Lambda") found.set(spanKey(s.nameSpan), s.value);
  };
  const fromBindings = (bindings: readonly Binding[]) => {
    for (const b of bindings) if (b.value.kind === "Lambda") found.set(spanKey(b.nameSpan), b.value);
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
