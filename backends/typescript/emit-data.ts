import type * as ast from "../../frontend/ast.js";
import type { Binding, Fn, PortedServer } from "../../ir/types.js";
import { walkExpr, walkServer } from "../../ir/walk.js";
import type { ModuleContext } from "./context.js";
import { emitFunctions } from "./emit-common.js";
import { safeName } from "./hygiene.js";
import type { BodyEmitter } from "./lower/index.js";

/**
 * The data block in the server modules that read it (scaling.md, "Data
 * Layer Scaling"): its sources are loaded when the server starts and
 * reloaded on their `refresh` interval; its derived bindings (pipelines over
 * the sources) are computed once and recomputed only when a source they read
 * is reloaded ("Caching": pipelines recompute when the source refreshes).
 */
export function emitData(ctx: ModuleContext, body: BodyEmitter, server: PortedServer): void {
  const data = ctx.app.data;
  const kinds = dataNames(ctx);
  if (!kinds.size) return;
  const used = new Set<string>();
  const visit = (e: ast.Expr) => {
    if (e.kind !== "Ident" || used.has(e.name) || !kinds.has(e.name)) return;
    const sym = ctx.names.symbols.get(e);
    if (!sym || (sym.kind !== "source" && sym.owner !== undefined)) return;
    used.add(e.name);
    const b = data.bindings.find((x) => x.name === e.name);
    if (b) walkExpr(b.value, visit);
    const f = data.fns.find((x) => x.name === e.name);
    if (f) walkExpr(f.body, visit);
  };
  walkServer(server, visit);
  if (!used.size) return;
  const sources = data.sources.filter((s) => used.has(s.name));
  const bindings = data.bindings.filter((b) => used.has(b.name));
  for (const s of sources) {
    const value = body.topLevel(() => body.expr(s.value), s.span);
    ctx.file.line(`let ${safeName(s.name)}${ctx.bindingType(s.value)} = ${value}`, s.span);
  }
  for (const b of bindings) {
    const value = body.topLevel(() => body.expr(b.value), b.span);
    ctx.file.line(`let ${safeName(b.name)}${ctx.bindingType(b.value, ctx.app.types.bindings.get(b), true)} = ${value}`, b.span);
  }
  for (const s of sources) {
    for (const r of data.refreshes.filter((x) => x.name === s.name)) {
      const interval = body.topLevel(() => body.expr(r.interval), r.span);
      const reload = [`${safeName(s.name)} = ${body.topLevel(() => body.expr(s.value), s.span)};`];
      for (const b of dependents(bindings, s.name)) reload.push(`${safeName(b.name)} = ${body.topLevel(() => body.expr(b.value), b.span)};`);
      ctx.file.line(`${ctx.stdlib("setInterval")}(() => { ${reload.join(" ")} }, ${interval})`, r.span);
    }
  }
  const fns: Fn[] = data.fns.filter((f) => used.has(f.name));
  ctx.file.blank();
  if (fns.length) emitFunctions(ctx, body, fns, false);
}

/** Every name the data block declares. */
function dataNames(ctx: ModuleContext): Set<string> {
  const d = ctx.app.data;
  return new Set([...d.sources.map((s) => s.name), ...d.bindings.map((b) => b.name), ...d.fns.map((f) => f.name)]);
}

/** The derived bindings that read `source`, directly or through one another, in the order they are declared. */
function dependents(bindings: readonly Binding[], source: string): Binding[] {
  const stale = new Set([source]);
  const out: Binding[] = [];
  for (const b of bindings) {
    let reads = false;
    walkExpr(b.value, (e) => {
      if (e.kind === "Ident" && stale.has(e.name)) reads = true;
    });
    if (reads) {
      stale.add(b.name);
      out.push(b);
    }
  }
  return out;
}
