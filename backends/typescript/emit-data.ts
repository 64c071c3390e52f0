import type * as ast from "../../frontend/ast.js";
import type { Span } from "../../frontend/span.js";
import type { DataBlock, Fn, PortedServer } from "../../ir/types.js";
import { walkExpr, walkServer } from "../../ir/walk.js";
import { RUNTIME, type ModuleContext } from "./context.js";
import { emitFunctions } from "./emit-common.js";
import { safeName } from "./hygiene.js";
import type { BodyEmitter } from "./lower/index.js";
import { writeStmts } from "./lower/ts-stmt.js";

/** A source or a derived binding of the data block. */
interface Item {
  name: string;
  value: ast.Expr;
  span: Span;
  source: boolean;
}

/**
 * The data block in the server modules that read it (scaling.md, "Data
 * Layer Scaling"): its sources are loaded when the server starts and
 * reloaded on their `refresh` interval; its derived bindings (pipelines over
 * the sources) are computed once and recomputed only when a source they read
 * is reloaded ("Caching": pipelines recompute when the source refreshes).
 *
 * A refresh is a function that computes the reloaded source and everything
 * derived from it into locals and assigns the module's bindings only at its
 * end, so a refresh that fails (runtime/server/data-sources.ts logs it)
 * leaves every value as it was.
 */
export function emitData(ctx: ModuleContext, body: BodyEmitter, server: PortedServer): void {
  const data = ctx.app.data;
  const used = usedNames(ctx, server);
  if (!used.size) return;
  const items = ctx.sourceOrder([
    ...data.sources.map((s) => ({ name: s.name, value: s.value, span: s.span, source: true })),
    ...data.bindings.map((b) => ({ name: b.name, value: b.value, span: b.span, source: false })),
  ]).filter((i) => used.has(i.name));
  const refreshes = data.refreshes.filter((r) => used.has(r.name) && items.some((i) => i.source && i.name === r.name));
  const refreshed = new Set(refreshes.flatMap((r) => affected(data, items, r.name).map((i) => i.name)));

  for (const item of items) {
    const keyword = refreshed.has(item.name) ? "let" : "const";
    if (item.source) {
      const load = ctx.runtime(RUNTIME.server, "loadSource");
      const value = body.topLevel(() => body.expr(item.value), item.span);
      const arrow = `${body.needsAsync(item.value) ? "async " : ""}() => ${value}`;
      ctx.file.line(`${keyword} ${safeName(item.name)}${ctx.bindingType(item.value)} = await ${load}(${JSON.stringify(item.name)}, ${arrow})`, item.span);
    } else {
      const b = data.bindings.find((x) => x.name === item.name)!;
      const value = body.topLevel(() => body.expr(item.value), item.span);
      ctx.file.line(`${keyword} ${safeName(item.name)}${ctx.bindingType(item.value, ctx.app.types.bindings.get(b), refreshed.has(item.name))} = ${value}`, item.span);
    }
  }

  for (const r of refreshes) {
    const recompute = affected(data, items, r.name);
    const isAsync = recompute.some((i) => body.needsAsync(i.value));
    const { stmts, names } = body.locals(recompute, isAsync);
    const fnName = ctx.fresh(`refresh_${r.name}`, true);
    ctx.file.blank();
    const derived = recompute.slice(1).map((i) => i.name);
    ctx.file.comment(`\`${r.name}\` reloaded${derived.length ? `, and ${derived.join(", ")} recomputed from it` : ""}; assigned only once all succeed`);
    ctx.file.function({ name: fnName, exported: false, async: isAsync, typeParams: [], params: [], returnType: isAsync ? "Promise<void>" : "void" }, () => {
      writeStmts(ctx.file, stmts);
      recompute.forEach((item, i) => ctx.file.line(`${safeName(item.name)} = ${names[i]}`, item.span));
    }, r.span);
    const interval = body.topLevel(() => body.expr(r.interval), r.span);
    ctx.file.line(`${ctx.runtime(RUNTIME.server, "refreshEvery")}(${JSON.stringify(r.name)}, ${interval}, ${fnName})`, r.span);
  }
  const fns: Fn[] = data.fns.filter((f) => used.has(f.name));
  ctx.file.blank();
  if (fns.length) emitFunctions(ctx, body, fns, false);
}

/** The data block's names `server` reads, directly or through the data block's own bindings and functions. */
function usedNames(ctx: ModuleContext, server: PortedServer): Set<string> {
  const data = ctx.app.data;
  const kinds = new Set([...data.sources.map((s) => s.name), ...data.bindings.map((b) => b.name), ...data.fns.map((f) => f.name)]);
  const used = new Set<string>();
  const visit = (e: ast.Expr) => {
    if (e.kind !== "Ident" || used.has(e.name) || !kinds.has(e.name)) return;
    const sym = ctx.names.symbols.get(e);
    if (!sym || (sym.kind !== "source" && sym.owner !== undefined)) return;
    used.add(e.name);
    const b = data.bindings.find((x) => x.name === e.name);
    if (b) walkExpr(b.value, visit);
    const s = data.sources.find((x) => x.name === e.name);
    if (s) walkExpr(s.value, visit);
    const f = data.fns.find((x) => x.name === e.name);
    if (f) walkExpr(f.body, visit);
  };
  walkServer(server, visit);
  return used;
}

/**
 * The source `name` and the items after it that read it, directly, through
 * one another, or through a data-block function, in the order they are declared.
 */
function affected(data: DataBlock, items: readonly Item[], name: string): Item[] {
  const at = items.findIndex((i) => i.source && i.name === name);
  const stale = new Set([name]);
  const out: Item[] = [items[at]!];
  for (const item of items.slice(at + 1)) {
    if (reads(data, item.value, stale)) {
      stale.add(item.name);
      out.push(item);
    }
  }
  return out;
}

/** Whether `e` mentions one of `names`, looking into the data-block functions it calls. */
function reads(data: DataBlock, e: ast.Expr, names: ReadonlySet<string>, seen = new Set<string>()): boolean {
  let found = false;
  walkExpr(e, (x) => {
    if (found || x.kind !== "Ident") return;
    if (names.has(x.name)) found = true;
    else if (!seen.has(x.name)) {
      const f = data.fns.find((fn) => fn.name === x.name);
      if (f) {
        seen.add(x.name);
        found = reads(data, f.body, names, seen);
      }
    }
  });
  return found;
}
