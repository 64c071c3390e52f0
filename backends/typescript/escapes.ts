import type * as ast from "../../frontend/ast.js";
import { diagnostic } from "../../diagnostics/catalog.js";
import type { Diagnostic } from "../../diagnostics/types.js";
import type { Binding, Fn } from "../../ir/types.js";
import { forEachChild } from "../../ir/walk.js";
import type { ModuleContext } from "./context.js";

/**
 * Tova awaits what waits without being told (a model's functions, another
 * server's, functions that call them). It follows a function that waits
 * where the program calls it, binds it to a name, passes it to a stdlib
 * function or to a parameter of one of its own functions, or gives it to a
 * package. Put anywhere else (in a list or a record, returned, given to a
 * function held in a name), its later calls would not be awaited and would
 * give a promise where the program expects a value: that is E0214, at the
 * place it escapes, rather than a program that compiles and answers wrongly.
 * Run over the code of one server block or of the shared scope.
 */
export function waitingEscapes(ctx: ModuleContext, fns: readonly Fn[], bindings: readonly Binding[], stmts: readonly ast.Stmt[]): Diagnostic[] {
  const found: Diagnostic[] = [];
  const report = (e: ast.Expr, why: string, place: string) => {
    found.push(
      diagnostic("E0214", e.span, `this function waits (${why}), and ${place}, where Tova cannot await its calls`, {
        hint: "call it where its value is needed (`rows = f()`), pass it to a function of the program or of the stdlib (`map`, `each`, ...), or bind it to a name and call that",
      }),
    );
  };

  /**
   * `tracked`: the value is called, bound to a name, or handed to a function that waits for it;
   * otherwise `place` says where it goes.
   */
  const expr = (e: ast.Expr, tracked: boolean, place = "it is used as a value"): void => {
    if (!tracked) {
      const why = ctx.waitingValue(e);
      if (why !== null) report(e, why, place);
    }
    switch (e.kind) {
      case "Call": {
        expr(e.callee, true);
        const place = ctx.unfollowedArguments(e);
        for (const a of e.args) expr(a.value, place === null, place ?? undefined);
        return;
      }
      case "Lambda":
        for (const p of e.params) if (p.default) expr(p.default, true);
        return result(e.body);
      case "If":
        for (const b of e.branches) {
          expr(b.cond, false);
          expr(b.body, tracked, place);
        }
        if (e.otherwise) expr(e.otherwise, tracked, place);
        return;
      case "Match":
        expr(e.subject, false);
        for (const a of e.arms) {
          if (a.guard) expr(a.guard, false);
          expr(a.body, tracked, place);
        }
        return;
      case "Block":
        return block(e.stmts, tracked, place);
      case "Try":
        expr(e.body, tracked, place);
        if (e.catchBody) expr(e.catchBody, tracked, place);
        if (e.finallyBody) expr(e.finallyBody, true);
        return;
      case "Pipe":
        expr(e.left, false);
        return expr(e.stage, true);
      case "Await":
        return; // `await Promise.all(ids.map(fn(id) Item.find(id)))`: the program waits for what it wrote itself
      case "JsxElement":
        for (const a of e.attrs) if (a.value) expr(a.value, true); // handlers: the runtime awaits them
        return;
      default: {
        const inside = e.kind === "Array" ? "it is kept in a list" : e.kind === "Object" || e.kind === "Record" ? "it is kept in a record" : e.kind === "Template" ? "it is written into text" : "it is used as a value";
        return forEachChild(e, (x) => expr(x, false, inside));
      }
    }
  };

  /** A function's or lambda's body: what it gives back leaves Tova's sight. */
  const result = (body: ast.Expr) => expr(body, false, "it is returned");

  const block = (list: readonly ast.Stmt[], tracked: boolean, place = "it is used as a value") => {
    list.forEach((s, i) => {
      const last = i === list.length - 1;
      switch (s.kind) {
        case "Let":
          return expr(s.value, true);
        case "Assign":
          expr(s.target, true);
          return expr(s.value, s.op === "=" && s.target.kind === "Ident");
        case "ExprStmt":
          return expr(s.expr, last ? tracked : true, place); // a value not used is harmless
        case "Return":
          if (s.value) expr(s.value, false, "it is returned");
          return;
        case "For":
          expr(s.iterable, false);
          return expr(s.body, true);
        case "While":
          expr(s.cond, false);
          return expr(s.body, true);
        case "FnDecl":
          for (const p of s.params) if (p.default) expr(p.default, true);
          return result(s.body);
        default:
          return;
      }
    });
  };

  for (const f of fns) {
    for (const p of f.params) if (p.default) expr(p.default, true);
    result(f.body);
  }
  for (const b of bindings) expr(b.value, true);
  block(stmts, true);
  return found;
}
