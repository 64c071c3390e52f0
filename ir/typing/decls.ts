import type { Field, PortedApp, TypeDecl, TypeExpr } from "../types.js";
import { ANY, array, BOOL, FLOAT, fn, INT, map, named, NIL, option, result, STRING, type Ty } from "./ty.js";

/**
 * The application's declared types, as the checker needs them: records and
 * their fields, enums and their variants, models and their rows, and how a
 * written type (`[User]`, `Option<Int>`) reads as a `Ty`.
 */
export interface Variant {
  enumName: string;
  typeParams: string[];
  fields: { name: string; type: TypeExpr }[];
}

export class Decls {
  readonly types = new Map<string, TypeDecl>();
  readonly variants = new Map<string, Variant>();
  /** Model row types (`Item`, or `User` for `model User`) with their fields, `id` first. */
  readonly models = new Map<string, Field[]>();

  constructor(app: PortedApp) {
    const all = [...app.shared.types, ...app.servers.flatMap((s) => s.types), ...app.clients.flatMap((c) => c.types)];
    for (const t of all) if (!this.types.has(t.name)) this.types.set(t.name, t);
    for (const t of this.types.values()) {
      if (t.def.kind !== "enum") continue;
      for (const v of t.def.variants) this.variants.set(v.name, { enumName: t.name, typeParams: t.typeParams, fields: v.fields });
    }
    for (const s of app.servers) {
      for (const m of s.models) {
        const decl = this.types.get(m.typeName);
        const fields = m.fields ?? (decl?.def.kind === "record" ? decl.def.fields : []);
        const id: Field = { name: "id", type: { kind: "TName", name: "Int", args: [], span: m.span }, span: m.span };
        this.models.set(m.typeName, fields.some((f) => f.name === "id") ? fields : [id, ...fields]);
      }
    }
  }

  /** A written type as a `Ty`; names in `params` are the enclosing declaration's type parameters. */
  ty(t: TypeExpr | null, params: ReadonlySet<string> = new Set()): Ty {
    if (!t) return ANY;
    switch (t.kind) {
      case "TArray":
        return array(this.ty(t.element, params));
      case "TMap":
        return map(this.ty(t.value, params));
      case "TFn":
        return fn(t.params.map((p) => this.ty(p, params)), this.ty(t.result, params));
      case "TName": {
        const args = t.args.map((a) => this.ty(a, params));
        if (params.has(t.name)) return { k: "param", name: t.name };
        switch (t.name) {
          case "Int": return INT;
          case "Float": return FLOAT;
          case "String": return STRING;
          case "Bool": return BOOL;
          case "Nil": case "Void": return NIL;
          case "Option": return option(args[0] ?? ANY);
          case "Result": return result(args[0] ?? ANY, args[1] ?? ANY);
          case "Any": case "Json": case "Object": case "Date": case "Promise": case "Error": return ANY;
          // An uploaded file (security.md, "uploads"): `{ name, type, size, path }`.
          case "File": return { k: "object", fields: new Map([["name", STRING], ["type", STRING], ["size", INT], ["path", STRING]]) };
        }
        const decl = this.types.get(t.name);
        if (decl?.def.kind === "alias") return this.ty(decl.def.type, new Set(decl.typeParams));
        if (decl || this.models.has(t.name)) return named(t.name, decl ? decl.typeParams.map((_, i) => args[i] ?? ANY) : []);
        return ANY; // an unknown or imported type: resolve-names reported the unknown ones
      }
    }
  }

  /** The fields of a record or model row type, with the type's arguments put in for its parameters. */
  fields(name: string, args: readonly Ty[] = []): Map<string, Ty> | null {
    const decl = this.types.get(name);
    if (decl?.def.kind === "record") {
      const sub = substitution(decl.typeParams, args);
      return new Map(decl.def.fields.map((f) => [f.name, substitute(this.ty(f.type, new Set(decl.typeParams)), sub)]));
    }
    const model = this.models.get(name);
    return model ? new Map(model.map((f) => [f.name, this.ty(f.type)])) : null;
  }

  isRecord(name: string): boolean {
    return this.types.get(name)?.def.kind === "record" || this.models.has(name);
  }

  isEnum(name: string): boolean {
    return this.types.get(name)?.def.kind === "enum";
  }

  /** A variant's fields, with the enum's arguments put in. */
  variantFields(name: string, args: readonly Ty[] = []): { name: string; ty: Ty }[] {
    const v = this.variants.get(name);
    if (!v) return [];
    const sub = substitution(v.typeParams, args);
    return v.fields.map((f) => ({ name: f.name, ty: substitute(this.ty(f.type, new Set(v.typeParams)), sub) }));
  }
}

function substitution(params: readonly string[], args: readonly Ty[]): Map<string, Ty> {
  return new Map(params.map((p, i) => [p, args[i] ?? ANY]));
}

/** Puts types in for type parameters. */
export function substitute(t: Ty, sub: ReadonlyMap<string, Ty>): Ty {
  if (!sub.size) return t;
  switch (t.k) {
    case "param": return sub.get(t.name) ?? t;
    case "array": return array(substitute(t.el, sub));
    case "stream": return { k: "stream", el: substitute(t.el, sub) };
    case "map": return map(substitute(t.value, sub));
    case "option": return option(substitute(t.inner, sub));
    case "promise": return { k: "promise", inner: substitute(t.inner, sub) };
    case "result": return result(substitute(t.ok, sub), substitute(t.err, sub));
    case "named": return named(t.name, t.args.map((a) => substitute(a, sub)));
    case "object": return { k: "object", fields: new Map([...t.fields].map(([k, v]) => [k, substitute(v, sub)])) };
    case "fn": return { ...t, params: t.params.map((p) => substitute(p, sub)), ret: substitute(t.ret, sub), rest: t.rest && substitute(t.rest, sub) };
    default: return t;
  }
}

/**
 * Binds type parameters by matching a parameter's type against an
 * argument's: `[T]` against `[Int]` binds `T` to `Int`. The first binding wins.
 */
export function unify(param: Ty, arg: Ty, into: Map<string, Ty>, params: ReadonlySet<string>): void {
  switch (param.k) {
    case "param":
      if (params.has(param.name) && !into.has(param.name) && arg.k !== "never") into.set(param.name, arg.k === "nil" ? ANY : arg);
      return;
    case "array":
      if (arg.k === "array") unify(param.el, arg.el, into, params);
      return;
    case "map":
      if (arg.k === "map") unify(param.value, arg.value, into, params);
      return;
    case "option":
      unify(param.inner, arg.k === "option" ? arg.inner : arg, into, params);
      return;
    case "result":
      if (arg.k === "result") {
        unify(param.ok, arg.ok, into, params);
        unify(param.err, arg.err, into, params);
      }
      return;
    case "named":
      if (arg.k === "named" && arg.name === param.name) param.args.forEach((p, i) => arg.args[i] && unify(p, arg.args[i]!, into, params));
      return;
    case "fn":
      if (arg.k === "fn") unify(param.ret, arg.ret, into, params);
      return;
    default:
      return;
  }
}

export { NIL };
