import type * as ast from "../../frontend/ast.js";
import type { Binding, Fn } from "../../ir/types.js";
import type { BodyEmitter } from "./body.js";
import type { ModuleContext } from "./context.js";
import { tsType } from "./types.js";

/** Declarations every module kind has: top-level bindings, functions, and start-up statements. */

export function emitBindings(ctx: ModuleContext, body: BodyEmitter, bindings: Binding[], exported: boolean): void {
  for (const b of bindings) {
    const value = body.topLevel(() => body.expr(b.value), b.span);
    const type = b.type ? `: ${tsType(b.type, ctx.useType)}` : "";
    ctx.file.line(`${exported ? "export " : ""}${b.mutable ? "let" : "const"} ${b.name}${type} = ${value}`, b.span);
  }
  if (bindings.length) ctx.file.blank();
}

export function emitFunctions(ctx: ModuleContext, body: BodyEmitter, fns: Fn[], exported: boolean): void {
  for (const f of fns) {
    const isAsync = ctx.asyncFns.has(f.name);
    const ret = f.returnType ? tsType(f.returnType, ctx.useType) : null;
    ctx.file.function(
      { name: f.name, exported, async: isAsync, typeParams: f.typeParams, params: body.params(f.params), returnType: ret && isAsync ? `Promise<${ret}>` : ret },
      () => body.body(f.params, f.body, true, isAsync),
      f.span,
    );
    ctx.file.blank();
  }
}

/** Statements at the top of a block run once, when the module loads. */
export function emitTopStatements(body: BodyEmitter, stmts: ast.Stmt[]): void {
  if (!stmts.length) return;
  body.body([], { kind: "Block", stmts, span: stmts[0]!.span }, false, true);
}
