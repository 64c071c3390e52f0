import type * as ast from "../../frontend/ast.js";
import type { Checker } from "./checker.js";
import { BUILTIN_VARIANTS } from "../builtins.js";
import { firstNamed } from "../named.js";
import { aType, ANY, array, NEVER, type Ty } from "./ty.js";

/**
 * The names a `match` pattern binds, with the types of the parts they match:
 * `Some(v)` on an `Option<Int>` binds `v: Int`, `Circle(r)` binds the
 * variant's field, `[first, ...rest]` on `[T]` binds `T` and `[T]`.
 */
export function bindPattern(c: Checker, p: ast.Pattern, subject: Ty): void {
  switch (p.kind) {
    case "PBind":
      c.define(p.name, subject);
      return;
    case "PVariant": {
      const arg = p.args[0];
      switch (p.name) {
        case "Some":
          if (arg) bindPattern(c, arg, subject.k === "option" ? subject.inner : subject.k === "nil" ? NEVER : subject);
          return;
        case "None":
          return;
        case "Ok":
          if (arg) bindPattern(c, arg, subject.k === "result" ? subject.ok : ANY);
          return;
        case "Err":
          if (arg) bindPattern(c, arg, subject.k === "result" ? subject.err : ANY);
          return;
      }
      const fields = c.decls.variantFields(p.name, subject.k === "named" ? subject.args : []);
      p.args.forEach((a, i) => bindPattern(c, a, fields[i]?.ty ?? ANY));
      return;
    }
    case "PArray": {
      const el = subject.k === "array" ? subject.el : ANY;
      for (const x of p.elements) bindPattern(c, x, el);
      if (p.rest) c.define(p.rest, subject.k === "array" ? subject : array(ANY));
      return;
    }
    case "PObject": {
      const fields = subject.k === "object" ? subject.fields : subject.k === "named" ? c.decls.fields(subject.name, subject.args) : null;
      for (const f of p.fields) {
        const t = fields?.get(f.key) ?? ANY;
        if (f.pattern) bindPattern(c, f.pattern, t);
        else c.define(f.key, t);
      }
      return;
    }
    default:
      return;
  }
}

/**
 * E0207 when a match's variants belong to an enum its subject cannot be:
 * `match grade(x) { Low(n) => ... }` where this `grade` gives a String. The
 * arms are held to the enum of their first variant (check-types reports an
 * arm of another enum); here that enum is held to the subject's type, when
 * Tova knows it.
 */
export function checkVariantsFit(c: Checker, e: ast.MatchExpr, subject: Ty): void {
  let here = subject;
  for (const arm of e.arms) {
    const p = arm.pattern;
    // After an unguarded `nil` arm the later arms see the value inside the Option, as the Match typing narrows it
    // (after a `None` arm the match is over an Option's variants, and check-types holds the others to them).
    if (!arm.guard && here.k === "option" && p.kind === "PLit" && p.value === null) here = here.inner;
    if (p.kind !== "PVariant") continue;
    if (BUILTIN_VARIANTS[p.name]) return;
    const owner = c.decls.variants.get(p.name)?.enumName;
    if (owner === undefined || canBe(here, owner)) return;
    c.error("E0207", p.span, `\`${p.name}\` is a variant of \`${owner}\`, but this match is on ${aType(here)}`, hintFor(c, e, owner, here));
    return;
  }
}

/** Whether a value of type `t` may be a value of the enum `owner` (unknown types may). */
function canBe(t: Ty, owner: string): boolean {
  switch (t.k) {
    case "named": return t.name === owner;
    case "any": return !t.alts || t.alts.some((a) => canBe(a, owner));
    case "int": case "float": case "string": case "bool": case "array": case "map": case "option": case "result": case "fn": case "promise": case "stream":
      return false;
    default: return true; // nil, never, a type parameter, an object literal's type
  }
}

/** The usual cause, named: a function of this block that hides a shared one of the same name. */
function hintFor(c: Checker, e: ast.MatchExpr, owner: string, subject: Ty): string {
  if (subject.k === "option" && canBe(subject.inner, owner)) return "it may be None: add a `nil => ...` arm before the variants, or match `Some(...)` around them and `None`";
  const s = e.subject;
  const callee = s.kind === "Call" && s.callee.kind === "Ident" ? s.callee : null;
  const sym = callee ? c.names.symbols.get(callee) : undefined;
  if (callee && sym?.kind === "fn" && sym.owner !== undefined) {
    const shared = firstNamed(c.app.shared.fns, callee.name);
    if (shared) return `\`${callee.name}\` here is this server's own \`fn ${callee.name}\`, which hides the shared one; rename one of them to call the shared \`${callee.name}\``;
  }
  return `match on a value of type \`${owner}\`, or use patterns of the subject's own type`;
}
