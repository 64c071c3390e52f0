import type * as ast from "../../frontend/ast.js";
import { didYouMean } from "../../diagnostics/catalog.js";
import { builtinCall } from "./builtins.js";
import type { Checker } from "./checker.js";
import { substitute, unify } from "./decls.js";
import { optionHint } from "./expressions.js";
import { checkModelArguments, modelMember } from "./models.js";
import { ANY, array, BOOL, INT, isNumeric, NIL, option, show, STRING, type Ty } from "./ty.js";

/**
 * Calls and members: functions of the program (generic ones instantiated
 * from their arguments), the standard library, record and variant
 * constructors, models, peers, `server.f()`, and methods of lists and text.
 * Values from JavaScript are dynamic: calling them checks nothing.
 */
export function call(c: Checker, e: ast.CallExpr, expected: Ty | null): Ty {
  const callee = e.callee;
  if (callee.kind === "Ident" && !c.local(callee.name)) {
    const sym = c.names.symbols.get(callee);
    if (sym?.kind === "builtin") {
      const t = builtinCall(c, callee.name, e, expected);
      if (t) {
        c.info.exprs.set(callee, ANY);
        return t;
      }
    }
  }
  const f = callee.kind === "Member" ? memberType(c, callee, true) : c.infer(callee);
  c.info.exprs.set(callee, f);
  const t = apply(c, f, e, calleeLabel(callee), expected);
  if (callee.kind === "Member" && callee.object.kind === "Ident" && !c.local(callee.object.name)) {
    const sym = c.names.symbols.get(callee.object);
    if (sym?.kind === "model") checkModelArguments(c, sym.name, callee.name, e);
  }
  return t;
}

function calleeLabel(callee: ast.Expr): string {
  if (callee.kind === "Ident") return `\`${callee.name}\``;
  if (callee.kind === "Member") return callee.object.kind === "Ident" ? `\`${callee.object.name}.${callee.name}\`` : `\`.${callee.name}\``;
  return "this function";
}

/** A call of a value of type `f`: arguments checked against its parameters, its result with type parameters put in. */
export function apply(c: Checker, f: Ty, e: ast.CallExpr, label: string, expected: Ty | null): Ty {
  const args = e.args.map((a) => a.value);
  if (f.k === "any" || f.k === "never") {
    for (const a of args) c.infer(a);
    return ANY;
  }
  if (f.k !== "fn") {
    for (const a of args) c.infer(a);
    const hint = f.k === "option" ? optionHint : e.callee.kind === "Ident" ? `\`${e.callee.name}\` is a binding of the program here, which hides any function of that name` : undefined;
    c.error("E0209", e.callee.span, `${label} is ${article(show(f))}, not a function`, hint);
    return ANY;
  }
  const named = args.some((a) => a.kind === "Object" && a.fromNamedArgs);
  const generics = new Set<string>();
  collectParams(f, generics);
  const bound = new Map<string, Ty>();
  if (expected && generics.size) unify(f.ret, expected, bound, generics);
  args.forEach((a, i) => {
    const p = i < f.params.length ? f.params[i]! : f.rest;
    if (!p || (named && i === args.length - 1)) {
      c.infer(a);
      return;
    }
    const want = substitute(p, bound);
    const t = c.infer(a, hasParams(want, generics) ? null : want);
    unify(p, t, bound, generics);
    const resolved = substitute(p, bound);
    if (!hasParams(resolved, generics) && !c.assignable(t, resolved)) {
      const name = f.names?.[i];
      c.mismatch(a.span, name ? `argument \`${name}\` of ${label}` : `argument ${i + 1} of ${label}`, resolved, t);
    }
  });
  return eraseParams(substitute(f.ret, bound), generics);
}

function article(s: string): string {
  return /^[AEIOU]/.test(s) ? `an ${s}` : `a ${s}`;
}

/** Type parameters that are still free in a generic function's type (not the enclosing function's own). */
function collectParams(t: Ty, into: Set<string>): void {
  switch (t.k) {
    case "param": into.add(t.name); return;
    case "array": case "stream": return collectParams(t.el, into);
    case "map": return collectParams(t.value, into);
    case "option": case "promise": return collectParams(t.inner, into);
    case "result": collectParams(t.ok, into); return collectParams(t.err, into);
    case "named": return t.args.forEach((a) => collectParams(a, into));
    case "fn": t.params.forEach((p) => collectParams(p, into)); return collectParams(t.ret, into);
    default: return;
  }
}

function hasParams(t: Ty, params: ReadonlySet<string>): boolean {
  const found = new Set<string>();
  collectParams(t, found);
  return [...found].some((p) => params.has(p));
}

/** A type parameter no argument bound is dynamic at the call. */
function eraseParams(t: Ty, params: ReadonlySet<string>): Ty {
  if (!params.size) return t;
  const sub = new Map([...params].map((p) => [p, ANY] as const));
  return substitute(t, sub);
}

/** `a.b`: a field, a method, a model's or a peer's function. `called` when it is the callee of a call. */
export function memberType(c: Checker, e: ast.MemberExpr, called = false): Ty {
  const factor = c.names.durations.get(e);
  if (factor !== undefined) {
    const t = c.infer(e.object);
    return t.k === "float" ? t : INT;
  }
  if (e.object.kind === "Ident" && !c.local(e.object.name)) {
    const sym = c.names.symbols.get(e.object);
    if (sym?.kind === "model") {
      c.info.exprs.set(e.object, ANY);
      return modelMember(c, sym.name, e);
    }
    if (sym?.kind === "peer") {
      c.info.exprs.set(e.object, ANY);
      return c.peerFunction(sym.name, e.name);
    }
    if (sym?.kind === "type") {
      // `Note.create(...)` where `model Note` (no body) made the accessor `NoteModel` (decisions.md, "Models").
      const model = c.app.servers.flatMap((s) => s.models).find((m) => m.typeName === sym.name && m.accessor !== sym.name);
      const hint = model ? `the model of \`${sym.name}\` is \`${model.accessor}\`: \`${model.accessor}.${e.name}(...)\`` : `\`${sym.name}(...)\` builds a \`${sym.name}\`; a type itself has no fields`;
      c.error("E0210", e.nameSpan, `\`${sym.name}\` is a type, which has no \`.${e.name}\``, hint);
      c.info.exprs.set(e.object, ANY);
      return ANY;
    }
    if (sym?.kind === "builtin" && sym.name === "server" && c.block.kind === "client") {
      c.info.exprs.set(e.object, ANY);
      return c.serverFunction(e.name);
    }
  }
  const object = c.infer(e.object);
  return fieldOf(c, object, e, called);
}

function fieldOf(c: Checker, object: Ty, e: ast.MemberExpr, called: boolean): Ty {
  switch (object.k) {
    case "any":
    case "never":
      return ANY;
    case "option":
      if (e.optional) {
        const inner = fieldOf(c, object.inner, { ...e, optional: false }, called);
        return inner.k === "any" ? ANY : option(inner);
      }
      c.error("E0209", e.object.span, `this is ${show(object)}, which may be None, so it has no field \`${e.name}\` until it is unwrapped`, "use `?.` to get None when it is None, `match` on it, or unwrap it with `!`");
      return ANY;
    case "nil":
      return e.optional ? NIL : ANY;
    case "named": {
      const fields = c.decls.fields(object.name, object.args);
      if (fields) {
        const t = fields.get(e.name);
        if (t) return t;
        unknownField(c, e, `\`${object.name}\``, [...fields.keys()]);
        return ANY;
      }
      if (c.decls.isEnum(object.name)) {
        const unit = c.decls.variantFields(object.name).length === 0;
        if (!unit || c.decls.types.get(object.name)?.def.kind === "enum") {
          c.error("E0210", e.nameSpan, `\`${object.name}\` is an enum: its variants' fields are reached by \`match\`, not \`.${e.name}\``, `match on it: \`match x { Variant(${e.name}) => ... }\``);
        }
        return ANY;
      }
      return ANY;
    }
    case "object": {
      const t = object.fields.get(e.name);
      if (t) return t;
      unknownField(c, e, "this object", [...object.fields.keys()]);
      return ANY;
    }
    case "map":
      return option(object.value); // as `m[k]` (expressions.ts, indexType)
    case "result":
      if (e.name === "ok") return BOOL;
      c.error("E0210", e.nameSpan, `a Result has no field \`${e.name}\``, "`match` on it (`Ok(v) => ...`, `Err(e) => ...`) or unwrap it with `!`");
      return ANY;
    case "array":
      return arrayMember(object.el, e.name) ?? jsMember(c, e, "a list", ARRAY_MEMBERS);
    case "string":
      return stringMember(e.name) ?? jsMember(c, e, "text", STRING_MEMBERS);
    case "int":
    case "float":
      return jsMember(c, e, "a number", NUMBER_MEMBERS);
    case "bool":
      return jsMember(c, e, "a Bool", ["toString", "valueOf"]);
    case "param":
      c.error("E0210", e.nameSpan, `\`${object.name}\` is a type parameter: nothing is known about its fields`, "declare the parameter with a concrete type to read its fields");
      return ANY;
    default:
      void called;
      return ANY;
  }
}

function unknownField(c: Checker, e: ast.MemberExpr, owner: string, fields: string[]): void {
  const near = didYouMean(e.name, fields);
  c.error("E0210", e.nameSpan, `${owner} has no field \`${e.name}\``, near ? `did you mean \`${near}\`?` : fields.length ? `its fields are ${fields.map((f) => `\`${f}\``).join(", ")}` : undefined);
}

const fnOf = (params: Ty[], ret: Ty, min = params.length, rest: Ty | null = null): Ty => ({ k: "fn", params, ret, min, rest });

/**
 * The JavaScript members of lists, text and numbers (ES2022, what the emitted
 * TypeScript is checked against). A member among them that Tova does not type
 * is dynamic; any other name is a mistake, reported with the nearest one.
 */
const STRING_MEMBERS = ["at", "charAt", "charCodeAt", "codePointAt", "concat", "endsWith", "includes", "indexOf", "lastIndexOf", "length", "localeCompare", "match", "matchAll", "normalize", "padEnd", "padStart", "repeat", "replace", "replaceAll", "search", "slice", "split", "startsWith", "substring", "toLocaleLowerCase", "toLocaleUpperCase", "toLowerCase", "toString", "toUpperCase", "trim", "trimEnd", "trimStart", "valueOf"];
const ARRAY_MEMBERS = ["at", "concat", "copyWithin", "entries", "every", "fill", "filter", "find", "findIndex", "flat", "flatMap", "forEach", "includes", "indexOf", "join", "keys", "lastIndexOf", "length", "map", "pop", "push", "reduce", "reduceRight", "reverse", "shift", "slice", "some", "sort", "splice", "toLocaleString", "toString", "unshift", "values"];
const NUMBER_MEMBERS = ["toExponential", "toFixed", "toLocaleString", "toPrecision", "toString", "valueOf"];

function jsMember(c: Checker, e: ast.MemberExpr, what: string, members: readonly string[]): Ty {
  if (members.includes(e.name)) return ANY;
  const near = didYouMean(e.name, members);
  c.error("E0210", e.nameSpan, `${what} has no field or method \`${e.name}\``, near ? `did you mean \`${near}\`?` : undefined);
  return ANY;
}

/** The JavaScript methods of a list that programs use, with their types (others are dynamic). */
function arrayMember(el: Ty, name: string): Ty | null {
  switch (name) {
    case "length": return INT;
    case "push": case "unshift": return fnOf([], INT, 0, el);
    case "pop": case "shift": return fnOf([], option(el));
    case "includes": return fnOf([el], BOOL);
    case "indexOf": case "lastIndexOf": return fnOf([el], INT);
    case "join": return fnOf([STRING], STRING, 0);
    case "slice": return fnOf([INT, INT], array(el), 0);
    case "concat": return fnOf([], array(el), 0, ANY);
    case "reverse": return fnOf([], array(el));
    case "at": return fnOf([INT], option(el));
    default: return null;
  }
}

/** The JavaScript methods of text that programs use, with their types (others are dynamic). */
function stringMember(name: string): Ty | null {
  switch (name) {
    case "length": return INT;
    case "toUpperCase": case "toLowerCase": case "trim": case "trimStart": case "trimEnd": return fnOf([], STRING);
    case "split": return fnOf([STRING], array(STRING));
    case "includes": case "startsWith": case "endsWith": return fnOf([STRING], BOOL);
    case "indexOf": return fnOf([STRING], INT);
    case "slice": case "substring": return fnOf([INT, INT], STRING, 1);
    case "replace": case "replaceAll": return fnOf([STRING, STRING], STRING);
    case "padStart": case "padEnd": return fnOf([INT, STRING], STRING, 1);
    case "repeat": return fnOf([INT], STRING);
    case "charAt": return fnOf([INT], STRING);
    default: return null;
  }
}

export { isNumeric };
