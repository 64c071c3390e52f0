// Whether a value written by the program fits a declared type: a model's
// field (create, update, filters) or an event subscriber's parameter
// (security.md, "Between the application's own servers").
//
// This is the schema's strict check with one widening, from decisions.md
// "Gradual typing": a dynamic value may stand where a `String` is declared,
// and the monitoring example does exactly that (`timestamp: Date.now()` in a
// `String` field of a model row and of a published `Alert`). So where a
// `String` is expected a finite number, or a Date (in-process; it travels as
// its ISO text), is accepted too. Nothing else is: `"lots"` is not an `Int`,
// an unknown field is not a field. Request data is not checked here: the
// binder checks it strictly at the boundary (binding.ts).
import { isPlainObject, mismatch, type SchemaNode } from "../schema/node.js";

const MAX_DEPTH = 1000;

/** Null when `value` fits `node`; otherwise why not, naming the place (`alert.timestamp`). */
export function explainValue(node: SchemaNode, value: unknown, at: string): string | null {
  // The strict check is the fast path: a value it accepts is fine here too.
  if (node.check(value)) return null;
  return widened(node, value, at, 0);
}

function widened(node: SchemaNode, value: unknown, at: string, depth: number): string | null {
  if (depth > MAX_DEPTH) return `${at || "value"}: nested more than ${MAX_DEPTH} levels deep`;
  switch (node.kind) {
    case "string":
      return (typeof value === "number" && Number.isFinite(value)) || value instanceof Date ? null : node.explain(value, at);
    case "float":
      // A computation of the program's own (an average of no values, 0 / 0) may give NaN or an infinity: a Float
      // all the same, stored as SQL NULL (monitoring-service.md's `aggregate_metrics` with no metrics yet).
      return typeof value === "number" ? null : node.explain(value, at);
    case "option":
      return value === null || value === undefined ? null : widened(node.inner!, value, at, depth + 1);
    case "array": {
      if (!Array.isArray(value)) return mismatch(node.name, value, at);
      for (let i = 0; i < value.length; i++) {
        const why = fits(node.inner!, value[i], `${at}[${i}]`, depth);
        if (why !== null) return why;
      }
      return null;
    }
    case "map": {
      if (!isPlainObject(value)) return mismatch(node.name, value, at);
      for (const key of Object.keys(value)) {
        const why = fits(node.inner!, value[key], `${at}.${key}`, depth);
        if (why !== null) return why;
      }
      return null;
    }
    case "record":
      return isPlainObject(value) ? fields(node.fields!, value, at, false, depth) : mismatch(node.name, value, at);
    case "union": {
      if (!isPlainObject(value)) return mismatch(node.name, value, at);
      const variant = typeof value["tag"] === "string" && Object.hasOwn(node.variants!, value["tag"]) ? node.variants![value["tag"]] : undefined;
      if (!variant) return `${at ? at + ": " : ""}expected ${node.name} with tag one of ${Object.keys(node.variants!).join(", ")}, got tag ${JSON.stringify(value["tag"])}`;
      return fields(variant, value, at, true, depth);
    }
    default:
      // Int, Float, Bool, enums, Any, Result: exactly the schema's own check.
      return node.explain(value, at);
  }
}

function fits(node: SchemaNode, value: unknown, at: string, depth: number): string | null {
  return node.check(value) ? null : widened(node, value, at, depth + 1);
}

function fields(declared: Record<string, SchemaNode>, value: Record<string, unknown>, at: string, tagged: boolean, depth: number): string | null {
  for (const [name, node] of Object.entries(declared)) {
    const here = at ? `${at}.${name}` : name;
    const v = Object.hasOwn(value, name) ? value[name] : undefined;
    if (v === undefined) {
      if (!node.optional) return `${here}: missing field`;
      continue;
    }
    const why = fits(node, v, here, depth);
    if (why !== null) return why;
  }
  for (const key of Object.keys(value)) {
    if (!Object.hasOwn(declared, key) && !(tagged && key === "tag") && value[key] !== undefined) return `${at ? at + "." : ""}${key}: unexpected field`;
  }
  return null;
}
