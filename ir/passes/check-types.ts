import type * as ast from "../../frontend/ast.js";
import type { Diagnostic } from "../../diagnostics/types.js";
import { diagnostic, suggestion } from "../../diagnostics/catalog.js";
import { BUILTIN_VARIANTS } from "../builtins.js";
import type { NameInfo, Proxy } from "../checked.js";
import type { Field, Param, PortedApp, PortedServer, TypeDecl, TypeExpr } from "../types.js";
import { walkApp } from "../walk.js";
import { typeCheckApp } from "../typing/check-app.js";
import { missingVariants } from "./exhaustive.js";
import type { TypeInfo } from "../typing/checker.js";
import { hasRpc, isReqRes } from "../rpc.js";
import { allNamed, firstNamed } from "../named.js";

/**
 * The checks on values whose types Tova knows (decisions.md, "Gradual
 * typing"); values from JavaScript stay dynamic and are accepted anywhere.
 * The structural checks live here; inference and the type of every value
 * against its place are Tova's type checker (ir/typing/), run last.
 *
 * - record construction: unknown and missing fields, positional arity;
 * - `match` over an enum, Option, Result or Bool: every variant covered;
 * - calls to peer functions, local functions and jobs: argument counts,
 *   and literal arguments against declared parameter types;
 * - route handlers take the route's path parameters;
 * - `env` defaults and annotated bindings match their declared types;
 * - `spawn_job` only of a `background fn`.
 */
export function checkTypes(app: PortedApp, names: NameInfo, proxies: Proxy[]): { diagnostics: Diagnostic[]; types: TypeInfo } {
  const diagnostics: Diagnostic[] = [];
  const types = new Map<string, TypeDecl>();
  for (const t of app.shared.types) types.set(t.name, t);
  for (const s of app.servers) for (const t of s.types) if (!types.has(t.name)) types.set(t.name, t);
  for (const c of app.clients) for (const t of c.types) if (!types.has(t.name)) types.set(t.name, t);
  const modelFields = new Map<string, Field[]>();
  for (const s of app.servers) for (const m of s.models) if (m.fields) modelFields.set(m.typeName, m.fields);
  const variantOwner = new Map<string, TypeDecl>();
  for (const t of types.values()) if (t.def.kind === "enum") for (const v of t.def.variants) variantOwner.set(v.name, t);

  const ctx: Ctx = { app, names, proxies, types, modelFields, variantOwner, diagnostics };
  walkApp(app, (e, owner) => {
    switch (e.kind) {
      case "Record":
        return checkRecord(ctx, e);
      case "Match":
        return checkMatch(ctx, e);
      case "Call":
        return checkCall(ctx, e, owner.kind === "server" ? app.servers.find((s) => s.name === owner.name) ?? null : null);
      default:
        return;
    }
  });
  for (const s of app.servers) {
    checkRoutes(ctx, s);
    for (const e of s.envs) {
      if (e.default && !acceptsLiteral(ctx, e.type, e.default)) {
        diagnostics.push(
          diagnostic("E0309", e.default.span, `the default of \`${e.name}\` does not match its type \`${showType(e.type)}\``, {
            hint: e.type.kind === "TName" && e.type.name === "Option" ? "an Option default is `None` or `Some(value)`" : `write a ${showType(e.type)} literal`,
          }),
        );
      }
    }
  }
  // Tova's type checker proper: inference, and every value against the type its place expects (ir/typing/).
  const typed = typeCheckApp(app, names, proxies);
  diagnostics.push(...typed.diagnostics);
  return { diagnostics, types: typed.info };
}

interface Ctx {
  app: PortedApp;
  names: NameInfo;
  proxies: Proxy[];
  types: Map<string, TypeDecl>;
  modelFields: Map<string, Field[]>;
  variantOwner: Map<string, TypeDecl>;
  diagnostics: Diagnostic[];
}

function recordFields(ctx: Ctx, name: string): Field[] | null {
  const t = ctx.types.get(name);
  if (t && t.def.kind === "record") return t.def.fields;
  return ctx.modelFields.get(name) ?? null;
}

function checkRecord(ctx: Ctx, e: ast.RecordLit) {
  const fields = recordFields(ctx, e.type);
  if (!fields) return;
  const declared = new Map(fields.map((f) => [f.name, f]));
  const given = new Set<string>();
  for (const f of e.fields) {
    given.add(f.key);
    const decl = declared.get(f.key);
    if (!decl) {
      ctx.diagnostics.push(diagnostic("E0201", f.keySpan, `\`${e.type}\` has no field \`${f.key}\``, suggestion(f.key, declared.keys())));
    }
  }
  const isModel = !ctx.types.has(e.type);
  const missing = fields.filter((f) => !given.has(f.name) && !(isModel && f.name === "id")).map((f) => `\`${f.name}\``);
  if (missing.length) {
    ctx.diagnostics.push(
      diagnostic("E0202", e.typeSpan, `missing ${missing.length === 1 ? "field" : "fields"} ${missing.join(", ")} in \`${e.type}\``, {
        hint: `every field of \`${e.type}\` must be given`,
      }),
    );
  }
}

// ---- match exhaustiveness ------------------------------------------------

function irrefutable(p: ast.Pattern): boolean {
  return p.kind === "PWild" || p.kind === "PBind";
}

/** The variants a match must cover, from the first variant (or boolean) pattern its arms use. */
function family(ctx: Ctx, arms: ast.MatchArm[]): { name: string; variants: string[] } | null {
  for (const arm of arms) {
    const p = arm.pattern;
    if (p.kind === "PVariant") {
      const builtin = BUILTIN_VARIANTS[p.name];
      if (builtin) return builtin.type === "Option" ? { name: "Option", variants: ["Some", "None"] } : { name: "Result", variants: ["Ok", "Err"] };
      const owner = ctx.variantOwner.get(p.name);
      if (owner && owner.def.kind === "enum") return { name: owner.name, variants: owner.def.variants.map((v) => v.name) };
      return null;
    }
    if (p.kind === "PLit" && typeof p.value === "boolean") return { name: "Bool", variants: ["true", "false"] };
    if (p.kind === "PLit") return null;
  }
  return null;
}

function checkMatch(ctx: Ctx, e: ast.MatchExpr) {
  const fam = family(ctx, e.arms);
  if (!fam) return;
  for (const arm of e.arms) {
    const p = arm.pattern;
    if (p.kind !== "PVariant" || fam.variants.includes(p.name)) continue;
    const known = BUILTIN_VARIANTS[p.name] !== undefined || ctx.variantOwner.has(p.name);
    if (!known) continue; // an unknown name: resolve-names reported it
    ctx.diagnostics.push(
      diagnostic("E0207", p.span, `\`${p.name}\` is not a variant of \`${fam.name}\``, {
        hint: `the variants of \`${fam.name}\` are ${fam.variants.map((v) => `\`${v}\``).join(", ")}`,
      }),
    );
  }
  if (e.arms.some((a) => !a.guard && irrefutable(a.pattern))) return;
  const missing = missingVariants(e.arms, ctx, fam.variants);
  if (!missing.length) return;
  const names = missing.map((v) => `\`${v}\``).join(", ");
  const matchWord = { ...e.span, end: e.span.start + "match".length };
  ctx.diagnostics.push(
    diagnostic("E0203", matchWord, `this match on ${fam.name === "Bool" ? "a Bool" : `\`${fam.name}\``} does not cover ${names}`, {
      hint: `add ${missing.length === 1 ? "an arm" : "arms"} for ${names}, or a \`_ => ...\` arm`,
    }),
  );
}

// ---- calls ---------------------------------------------------------------

function arity(params: Param[]): { min: number; max: number } {
  const required = params.filter((p) => !p.optional && p.default === null);
  return { min: required.length, max: params.length };
}

function countText(n: number, { min, max }: { min: number; max: number }) {
  const takes = min === max ? `${max} argument${max === 1 ? "" : "s"}` : `${min} to ${max} arguments`;
  return `takes ${takes}, but ${n} ${n === 1 ? "was" : "were"} given`;
}

function checkArgs(ctx: Ctx, call: ast.CallExpr, label: string, params: Param[], declSpan: ast.Ident["span"] | null, args = call.args) {
  if (args.some((a) => a.value.kind === "Object" && a.value.fromNamedArgs)) return;
  if (args.some((a) => a.value.kind === "Array" && a.value.elements.some((x) => x.kind === "Spread"))) return;
  const a = arity(params);
  if (args.length < a.min || args.length > a.max) {
    ctx.diagnostics.push(
      diagnostic("E0204", call.span, `${label} ${countText(args.length, a)}`, {
        labels: declSpan ? [{ span: declSpan, message: "declared here" }] : [],
        hint: `its parameters are (${params.map((p) => (p.type ? `${p.name}: ${showType(p.type)}` : p.name)).join(", ")})`,
      }),
    );
  }
}

function checkCall(ctx: Ctx, call: ast.CallExpr, server: PortedServer | null) {
  const callee = call.callee;
  // peer.fn(...)
  if (callee.kind === "Member" && callee.object.kind === "Ident") {
    const sym = ctx.names.symbols.get(callee.object);
    if (sym?.kind === "builtin" && sym.name === "server" && !server) {
      const owners = ctx.app.servers.filter((s) => allNamed(s.fns, callee.name).some((f) => f.kind === "fn"));
      const fn = owners.length === 1 ? allNamed(owners[0]!.fns, callee.name).find(hasRpc) : undefined; // no endpoint: E0108 said so
      if (fn) checkArgs(ctx, call, `\`server.${fn.name}\``, fn.params, fn.nameSpan);
      return;
    }
    if (sym?.kind === "peer" && server) {
      const proxy = ctx.proxies.find((p) => p.from === server.name && p.peer === sym.name);
      const fn = proxy?.functions?.find((f) => f.name === callee.name);
      const target = ctx.app.servers.find((s) => s.name === proxy?.target);
      const decl = target ? firstNamed(target.fns, callee.name) : undefined;
      if (fn) checkArgs(ctx, call, `\`${sym.name}.${callee.name}\``, fn.params, decl?.nameSpan ?? null);
    }
    return;
  }
  if (callee.kind !== "Ident") return;
  const sym = ctx.names.symbols.get(callee);
  if (!sym) return;
  if (sym.kind === "builtin" && sym.name === "spawn_job" && server) return checkSpawn(ctx, call, server);
  if (sym.kind === "fn") {
    const owner = sym.owner === undefined ? null : ctx.app.servers.find((s) => s.name === sym.owner);
    const fn = owner ? firstNamed(owner.fns, sym.name) : (firstNamed(ctx.app.shared.fns, sym.name) ?? firstNamed(ctx.app.data.fns, sym.name));
    if (fn) checkArgs(ctx, call, `\`${fn.name}\``, fn.params, fn.nameSpan);
    return;
  }
  if (sym.kind === "type") {
    const fields = recordFields(ctx, sym.name);
    if (fields) {
      const params: Param[] = fields.map((f) => ({ name: f.name, type: f.type, default: null, optional: false, span: f.span }));
      checkArgs(ctx, call, `\`${sym.name}(...)\``, params, sym.span ?? null);
    }
    return;
  }
  if (sym.kind === "variant") {
    const owner = ctx.variantOwner.get(sym.name);
    const variant = owner?.def.kind === "enum" ? owner.def.variants.find((v) => v.name === sym.name) : undefined;
    if (variant) {
      const params: Param[] = variant.fields.map((f) => ({ name: f.name, type: f.type, default: null, optional: false, span: f.span }));
      checkArgs(ctx, call, `variant \`${sym.name}\``, params, variant.span);
    }
  }
}

/** `spawn_job(job, args...)` (monitoring-service.md, "Background Jobs"). */
function checkSpawn(ctx: Ctx, call: ast.CallExpr, server: PortedServer) {
  const first = call.args[0]?.value;
  if (!first || first.kind !== "Ident") return;
  const sym = ctx.names.symbols.get(first);
  if (!sym || sym.kind !== "fn") return;
  const fn = firstNamed(sym.owner === undefined ? ctx.app.shared.fns : server.fns, sym.name);
  if (!fn) return;
  if (fn.kind !== "background") {
    ctx.diagnostics.push(
      diagnostic("E0111", first.span, `\`${fn.name}\` is not a background fn, so it cannot be spawned as a job`, {
        labels: [{ span: fn.nameSpan, message: "declared here" }],
        hint: `declare it as \`background fn ${fn.name}(...)\``,
      }),
    );
    return;
  }
  checkArgs(ctx, call, `job \`${fn.name}\``, fn.params, fn.nameSpan, call.args.slice(1));
}

// ---- routes --------------------------------------------------------------

/** A handler binds path parameters by name unless it is declared `(req, res)` (decisions.md, "Routes and RPC"). */
function checkRoutes(ctx: Ctx, server: PortedServer) {
  for (const r of server.routes) {
    if (!r.pathParams.length) continue;
    let params: { name: string; type: TypeExpr | null }[] | null = null;
    let declSpan = null;
    let handlerName = "the handler";
    if (r.handler.kind === "Ident") {
      const sym = ctx.names.symbols.get(r.handler);
      if (sym?.kind !== "fn") continue;
      const fn = firstNamed(sym.owner === undefined ? ctx.app.shared.fns : server.fns, sym.name);
      if (!fn) continue;
      params = fn.params;
      declSpan = fn.nameSpan;
      handlerName = `\`${fn.name}\``;
    } else if (r.handler.kind === "Lambda") params = r.handler.params;
    if (!params) continue;
    if (isReqRes(params)) continue; // a `(req, res)` handler reads the path itself (decisions.md, "`req` and `res`")
    const missing = r.pathParams.filter((p) => !params!.some((x) => x.name === p));
    if (!missing.length) continue;
    const list = missing.map((m) => `\`${m}\``).join(", ");
    ctx.diagnostics.push(
      diagnostic("E0205", r.pathSpan, `route \`${r.method} ${r.path}\` has path parameter${missing.length > 1 ? "s" : ""} ${list}, but ${handlerName} does not take ${missing.length > 1 ? "them" : "it"}`, {
        labels: declSpan ? [{ span: declSpan, message: "handler declared here" }] : [],
        hint: `add ${list} to the handler's parameters, or declare it \`(req, res)\``,
      }),
    );
  }
}

// ---- literal types -------------------------------------------------------

type Lit = "Int" | "Float" | "String" | "Bool" | "Nil" | "Array" | "Object";

function literalType(e: ast.Expr): Lit | null {
  switch (e.kind) {
    case "Num":
      return Number.isInteger(e.value) && !e.raw.includes(".") ? "Int" : "Float";
    case "Str":
    case "Template":
      return "String";
    case "Bool":
      return "Bool";
    case "Nil":
      return "Nil";
    case "Array":
      return "Array";
    case "Object":
      return "Object";
    case "Unary":
      return e.op === "-" && e.operand.kind === "Num" ? literalType(e.operand) : null;
    default:
      return null;
  }
}

/** Whether a literal fits the declared type; non-literals are not judged here. */
function acceptsLiteral(ctx: Ctx, t: TypeExpr, e: ast.Expr): boolean {
  if (t.kind === "TName" && t.name === "Option") {
    if (e.kind === "Ident" && e.name === "None") return true;
    if (e.kind === "Nil") return true;
    if (e.kind === "Call" && e.callee.kind === "Ident" && e.callee.name === "Some" && e.args[0]) return t.args[0] ? acceptsLiteral(ctx, t.args[0], e.args[0].value) : true;
    return t.args[0] ? acceptsLiteral(ctx, t.args[0], e) : true;
  }
  const lit = literalType(e);
  if (lit === null) return true;
  switch (t.kind) {
    case "TArray":
      return lit === "Array";
    case "TMap":
      return lit === "Object";
    case "TFn":
      return false;
    case "TName":
      switch (t.name) {
        case "Int":
          return lit === "Int";
        case "Float":
          return lit === "Int" || lit === "Float";
        case "String":
          return lit === "String";
        case "Bool":
          return lit === "Bool";
        case "Any":
          return true;
        default: {
          const decl = ctx.types.get(t.name);
          if (!decl) return true;
          if (decl.def.kind === "alias") return acceptsLiteral(ctx, decl.def.type, e);
          return lit === "Object" || lit === "Nil";
        }
      }
  }
}

export function showType(t: TypeExpr): string {
  switch (t.kind) {
    case "TName":
      return t.args.length ? `${t.name}<${t.args.map(showType).join(", ")}>` : t.name;
    case "TArray":
      return `[${showType(t.element)}]`;
    case "TMap":
      return `{${showType(t.key)}: ${showType(t.value)}}`;
    case "TFn":
      return `fn(${t.params.map(showType).join(", ")}) -> ${showType(t.result)}`;
  }
}
