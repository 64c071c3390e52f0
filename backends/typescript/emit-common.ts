import type * as ast from "../../frontend/ast.js";
import type { Binding, Fn } from "../../ir/types.js";
import { vagueType, type BodyEmitter } from "./body.js";
import type { ModuleContext } from "./context.js";
import { tsType } from "./types.js";

/** Declarations every module kind has: top-level bindings, functions, and start-up statements. */

export function emitBindings(ctx: ModuleContext, body: BodyEmitter, bindings: Binding[], exported: boolean): void {
  // Binding a name again at the top level shadows it: earlier versions get numbered names
  // (`greeting_1`), each value reads the version before it, and the last keeps the name.
  const total = new Map<string, number>();
  for (const b of bindings) total.set(b.name, (total.get(b.name) ?? 0) + 1);
  const seen = new Map<string, number>();
  for (const b of bindings) {
    const n = (seen.get(b.name) ?? 0) + 1;
    seen.set(b.name, n);
    const last = n === total.get(b.name);
    const tsName = last ? b.name : `${b.name}_${n}`;
    const value = body.topLevel(() => body.expr(b.value), b.span);
    const type = b.type ? `: ${tsType(b.type, ctx.useType)}` : vagueType(b.value);
    ctx.file.line(`${exported && last ? "export " : ""}${b.mutable ? "let" : "const"} ${tsName}${type} = ${value}`, b.span);
    if (!last) ctx.moduleAliases.set(b.name, tsName);
    else ctx.moduleAliases.delete(b.name);
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
