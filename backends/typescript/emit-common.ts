import type * as ast from "../../frontend/ast.js";
import type { Binding, Fn } from "../../ir/types.js";
import type { ModuleContext } from "./context.js";
import type { BodyEmitter } from "./lower/index.js";
import { safeName } from "./hygiene.js";
import { tsType } from "./types.js";

/** Declarations every module kind has: top-level bindings and statements, and functions. */

/**
 * Top-level bindings and statements, in source order (decisions.md,
 * "Evaluation order": top-level statements run in source order), so
 * `var items = []`, `items.push("a")`, `n = len(items)` sees the push.
 * Binding a name again at the top level shadows it: earlier versions get
 * numbered names (`greeting_1`), each value reads the version before it, and
 * the last keeps the name (and is the one exported).
 */
export function emitTopLevel(ctx: ModuleContext, body: BodyEmitter, bindings: readonly Binding[], stmts: readonly ast.Stmt[], exported: boolean): void {
  const total = new Map<string, number>();
  for (const b of bindings) total.set(b.name, (total.get(b.name) ?? 0) + 1);
  const seen = new Map<string, number>();
  const order = ctx.sourceOrder([...bindings.map((b) => ({ binding: b, span: b.span })), ...stmts.map((s) => ({ stmt: s, span: s.span }))]);
  let pending: ast.Stmt[] = [];
  const flush = () => {
    if (pending.length) body.statements(pending);
    pending = [];
  };
  for (const item of order) {
    if ("stmt" in item) {
      pending.push(item.stmt);
      continue;
    }
    flush();
    const b = item.binding;
    const n = (seen.get(b.name) ?? 0) + 1;
    seen.set(b.name, n);
    const last = n === total.get(b.name);
    const tsName = last ? safeName(b.name) : ctx.fresh(`${b.name}_${n}`);
    const value = body.topLevel(() => body.expr(b.value), b.span);
    const type = b.type ? `: ${tsType(b.type, ctx.useType)}` : ctx.bindingType(b.value, ctx.app.types.bindings.get(b), b.mutable);
    ctx.file.line(`${exported && last ? "export " : ""}${b.mutable ? "let" : "const"} ${tsName}${type} = ${value}`, b.span);
    if (!last) ctx.moduleAliases.set(b.name, tsName);
    else ctx.moduleAliases.delete(b.name);
  }
  flush();
  if (order.length) ctx.file.blank();
}

export function emitFunctions(ctx: ModuleContext, body: BodyEmitter, fns: readonly Fn[], exported: boolean): void {
  for (const f of fns) {
    const isAsync = ctx.asyncFns.has(f.name);
    const ret = f.returnType ? tsType(f.returnType, ctx.useType) : ctx.inferredReturn(f);
    const lowered = body.function(f.params, f.body, true, isAsync);
    ctx.file.function(
      { name: safeName(f.name), exported, async: isAsync, typeParams: f.typeParams, params: lowered.params, returnType: ret && isAsync ? `Promise<${ret}>` : ret },
      lowered.write,
      f.span,
    );
    ctx.file.blank();
  }
}
