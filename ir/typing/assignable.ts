import type { Decls } from "./decls.js";
import type { Ty } from "./ty.js";

/**
 * Whether a value of type `from` may be used where `to` is expected. Dynamic
 * values go anywhere and anything goes where a dynamic value is expected
 * (decisions.md, "Gradual typing"); an Int is a Float; a value is an Option of
 * its type (`Some(x)` is `x`); nil is any Option; an object literal is a
 * record when it has exactly the record's fields.
 */
export function assignable(from: Ty, to: Ty, decls: Decls): boolean {
  if (from.k === "any" && from.alts) return to.k === "any" || from.alts.every((a) => assignable(a, to, decls));
  if (from.k === "any" || to.k === "any" || from.k === "never") return true;
  switch (to.k) {
    case "option":
      if (from.k === "nil") return true;
      return assignable(from.k === "option" ? from.inner : from, to.inner, decls);
    case "nil":
      return from.k === "nil";
    case "float":
      return from.k === "int" || from.k === "float";
    case "int":
    case "string":
    case "bool":
      return from.k === to.k;
    case "param":
      return from.k === "param" && from.name === to.name;
    case "array":
      return from.k === "array" && assignable(from.el, to.el, decls);
    case "stream":
      return from.k === "stream";
    case "map":
      if (from.k === "map") return assignable(from.value, to.value, decls);
      if (from.k === "object") return [...from.fields.values()].every((v) => assignable(v, to.value, decls));
      return false;
    case "result":
      return from.k === "result" && assignable(from.ok, to.ok, decls) && assignable(from.err, to.err, decls);
    case "promise":
      return assignable(from.k === "promise" ? from.inner : from, to.inner, decls);
    case "named": {
      if (from.k === "named") return from.name === to.name && from.args.every((a, i) => !to.args[i] || assignable(a, to.args[i]!, decls));
      if (from.k === "object") return objectFitsRecord(from.fields, to, decls) === null;
      return false;
    }
    case "object":
      if (from.k === "object" || from.k === "named") {
        const fields = from.k === "object" ? from.fields : decls.fields(from.name, from.args);
        if (!fields) return false;
        return [...to.fields].every(([k, v]) => fields.has(k) && assignable(fields.get(k)!, v, decls));
      }
      return false;
    case "fn":
      // A function that takes what the caller gives (its parameters accept the expected ones) and gives what it wants.
      return from.k === "fn" && assignable(from.ret, to.ret, decls) && from.params.every((p, i) => i >= to.params.length || assignable(to.params[i]!, p, decls));
    case "never":
      return false;
  }
}

/**
 * Why an object literal is not a value of a record type: a field it lacks, one
 * the record does not have, or one of the wrong type; null when it is one.
 */
export function objectFitsRecord(fields: ReadonlyMap<string, Ty>, to: Extract<Ty, { k: "named" }>, decls: Decls): string | null {
  const want = decls.fields(to.name, to.args);
  if (!want) return decls.isEnum(to.name) ? `an object is not a \`${to.name}\`` : null;
  for (const k of fields.keys()) if (!want.has(k)) return `\`${to.name}\` has no field \`${k}\``;
  for (const [k, t] of want) {
    if (k === "id" && decls.models.has(to.name) && !decls.types.has(to.name)) continue;
    const given = fields.get(k);
    if (!given) {
      if (t.k === "option" || t.k === "any") continue;
      return `field \`${k}\` of \`${to.name}\` is missing`;
    }
    if (!assignable(given, t, decls)) return `field \`${k}\` of \`${to.name}\` expects another type`;
  }
  return null;
}
