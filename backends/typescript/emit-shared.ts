import type { TypeDecl, TypeExpr } from "../../ir/types.js";
import type { TsFile } from "./builders.js";
import { RUNTIME, type ModuleContext } from "./context.js";
import { emitFunctions, emitTopLevel } from "./emit-common.js";
import { safeName } from "./hygiene.js";
import { BodyEmitter } from "./lower/index.js";
import { isUnitEnum, schemaOf, tsType, typeDeclText, variantField } from "./types.js";

/**
 * `<stem>.shared.ts`: the shared block's types (records as interfaces, enums
 * as string or discriminated unions, with their variant constructors and
 * schemas), functions and bindings. Every other file imports what it uses.
 */
export function emitShared(ctx: ModuleContext): void {
  const { app, file } = ctx;
  const body = new BodyEmitter(ctx, file);
  for (const t of app.shared.types) ctx.moduleNames.add(t.name);
  for (const f of app.shared.fns) ctx.moduleNames.add(f.name);
  for (const b of app.shared.bindings) ctx.moduleNames.add(b.name);
  // The program's imports are written in the modules whose code uses them (context.ts, `reference`), this
  // one included: a module only the servers use must not become part of what the browser loads (security.md).
  emitTypes(ctx, file, app.shared.types, true);
  ctx.inferAsync(app.shared.fns);
  emitTopLevel(ctx, body, app.shared.bindings, app.shared.stmts, true);
  emitFunctions(ctx, body, app.shared.fns, true);
  if (!app.shared.types.length && !app.shared.fns.length && !app.shared.bindings.length && !app.shared.stmts.length) {
    file.comment("This application's shared block is empty.").line("export {}");
  }
}

/** Type declarations, variant constructors, then schemas in dependency order. */
export function emitTypes(ctx: ModuleContext, file: TsFile, types: TypeDecl[], exported: boolean): void {
  for (const d of types) {
    const text = typeDeclText(d, ctx.useType);
    if (text.kind === "interface") file.interface(d.name, d.typeParams, text.fields, exported, d.span);
    else file.typeAlias(d.name, d.typeParams, text.type, d.span);
    if (d.def.kind === "enum" && !isUnitEnum(d)) {
      for (const v of d.def.variants) {
        const params = v.fields.map((f, i) => `${safeName(variantField(f.name, i))}: ${tsType(f.type, ctx.useType)}`);
        const fields = v.fields.map((f, i) => {
          const key = variantField(f.name, i);
          return key === safeName(key) ? key : `${key}: ${safeName(key)}`;
        });
        const value = `{ tag: ${JSON.stringify(v.name)}${fields.length ? ", " + fields.join(", ") : ""} }`;
        const tps = d.typeParams.length ? `<${d.typeParams.join(", ")}>` : "";
        if (params.length) file.line(`export function ${safeName(v.name)}${tps}(${params.join(", ")}): ${d.name}${tps} { return ${value}; }`, v.span);
        else file.line(`export const ${safeName(v.name)}: ${d.name}${d.typeParams.length ? `<${d.typeParams.map(() => "never").join(", ")}>` : ""} = ${value}`, v.span);
      }
    }
    file.blank();
  }
  const withSchema = types.filter((d) => d.typeParams.length === 0 && d.def.kind !== "alias");
  if (!withSchema.length) return;
  const t = ctx.schemaBuilder();
  const ordered = dependencyOrder(withSchema);
  const cyclic = inCycle(withSchema);
  const declared = new Set<string>();
  for (const d of ordered) {
    const use = (name: string) => ctx.useSchema(name);
    // A type that refers to itself, or to one declared after it, is reached through `t.lazy`
    // (decisions.md, "Recursive types"); such schemas carry their type, which TypeScript cannot infer.
    const here = new Set(types.map((x) => x.name));
    const ref = (type: string, schema: string) => (here.has(type) && !declared.has(type) ? `${t}.lazy(() => ${schema})` : schema);
    let schema: string;
    if (d.def.kind === "record") {
      const fields = d.def.fields.map((f) => `${f.name}: ${schemaOf(f.type, ctx.types, use, t, ref)}`);
      schema = `${t}.record<${d.name}>(${JSON.stringify(d.name)}, { ${fields.join(", ")} })`;
    } else if (d.def.kind === "enum" && isUnitEnum(d)) {
      schema = `${t}.enum(${JSON.stringify(d.name)}, [${d.def.variants.map((v) => JSON.stringify(v.name)).join(", ")}] as const)`;
    } else if (d.def.kind === "enum") {
      const variants = d.def.variants.map((v) => `${v.name}: { ${v.fields.map((f, i) => `${variantField(f.name, i)}: ${schemaOf(f.type, ctx.types, use, t, ref)}`).join(", ")} }`);
      schema = `${t}.union(${JSON.stringify(d.name)}, { ${variants.join(", ")} })`;
    } else continue;
    const annotation = cyclic.has(d.name) ? `: ${ctx.runtimeType(RUNTIME.schema, "Schema")}<${d.name}>` : "";
    file.line(`${exported ? "export " : ""}const ${ctx.schemaName(d.name)}${annotation} = ${schema}`);
    declared.add(d.name);
  }
  file.blank();
}

/** The types that refer to themselves, directly or through others. */
function inCycle(types: TypeDecl[]): Set<string> {
  const byName = new Map(types.map((t) => [t.name, t]));
  const edges = new Map(types.map((t) => [t.name, references(t, byName)]));
  const out = new Set<string>();
  for (const start of byName.keys()) {
    const seen = new Set<string>();
    const stack = [...(edges.get(start) ?? [])];
    while (stack.length) {
      const n = stack.pop()!;
      if (n === start) {
        out.add(start);
        break;
      }
      if (seen.has(n)) continue;
      seen.add(n);
      stack.push(...(edges.get(n) ?? []));
    }
  }
  return out;
}

function references(d: TypeDecl, byName: ReadonlyMap<string, TypeDecl>): Set<string> {
  const acc = new Set<string>();
  const refs = (t: TypeExpr) => {
    if (t.kind === "TName") {
      if (byName.has(t.name)) acc.add(t.name);
      t.args.forEach(refs);
    } else if (t.kind === "TArray") refs(t.element);
    else if (t.kind === "TMap") refs(t.value);
  };
  if (d.def.kind === "record") d.def.fields.forEach((f) => refs(f.type));
  if (d.def.kind === "enum") d.def.variants.forEach((v) => v.fields.forEach((f) => refs(f.type)));
  return acc;
}

/** Types whose schemas reference others come after them (cycles fall back to declaration order). */
function dependencyOrder(types: TypeDecl[]): TypeDecl[] {
  const byName = new Map(types.map((t) => [t.name, t]));
  const out: TypeDecl[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (d: TypeDecl) => {
    if (state.get(d.name)) return;
    state.set(d.name, "visiting");
    for (const name of references(d, byName)) if (state.get(name) !== "visiting") visit(byName.get(name)!);
    state.set(d.name, "done");
    out.push(d);
  };
  types.forEach(visit);
  return out;
}
