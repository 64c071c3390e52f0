// Tova values as Tova writes them (issue 9; decisions.md "Strings"): what
// `print`, `to_string`, `show` and string interpolation produce.
//
//   Ok(0)  Err("bad")  Some(1)  None  [1, 2]  { a: 1 }
//   User { id: 1, name: "a" }  Warning  Circle(2.5)  Dot
//
// A string at the top level is itself; inside a value it is quoted. Options
// are `T | null` at run time, so `Some(1)` and `1` (and an enum value and a
// string, a record and a map) look the same: a schema (runtime/schema) says
// which they are. Without one, or where the value does not have the shape
// the schema describes (a dynamic value), the value is formatted by
// inspection: null/undefined is None, a Result is Ok/Err, an array is a list,
// any other object a map (a class instance with its class name).
//
// Bounded for any value: a value nested deeper than MAX_DEPTH shows `...`
// there, and a value that contains itself shows `<cycle>`.
import type { SchemaNode } from "../schema/node.js";
import { isResult } from "./result-shape.js";

const MAX_DEPTH = 100;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The structural part of a schema this file reads; `Schema<T>` from runtime/schema is one. */
export type FormatSchema = { readonly kind: string };

/**
 * The Tova text of `value`. `quoted`: format it as it would appear inside a
 * list (a string quoted), for error messages.
 */
export function format(value: unknown, schema?: FormatSchema, quoted = false): string {
  return new Formatter().value(value, schema as SchemaNode | undefined, quoted ? 1 : 0);
}

/** A map key: bare when it is an identifier, else a quoted string. */
const key = (k: string): string => (IDENTIFIER.test(k) ? k : JSON.stringify(k));

const isPlainObject = (v: object): boolean => {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

class Formatter {
  /** The objects being formatted, outermost first: one met again is a cycle. */
  private readonly open: object[] = [];

  /**
   * `depth` 0 is the top level, where a string is itself. `json`: `v` came
   * from a `toJSON`, whose result is not asked again (as JSON.stringify does).
   */
  value(v: unknown, node: SchemaNode | undefined, depth: number, json = false): string {
    if (depth > MAX_DEPTH) return "...";
    if (node) {
      const text = this.typed(v, node, depth);
      if (text !== undefined) return text;
    }
    return this.inspect(v, depth, json);
  }

  /** By the schema; undefined when `v` does not have the schema's shape. */
  private typed(v: unknown, node: SchemaNode, depth: number): string | undefined {
    switch (node.kind) {
      case "option":
        return v === null || v === undefined ? "None" : `Some(${this.value(v, node.inner, depth + 1)})`;
      case "enum":
        return typeof v === "string" ? v : undefined;
      case "array":
        return Array.isArray(v) ? this.nested(v, () => this.list(v, node.inner, depth)) : undefined;
      case "map":
        return isObject(v) && isPlainObject(v) ? this.nested(v, () => this.map(v, node.inner, depth)) : undefined;
      case "record": {
        if (!isObject(v) || Array.isArray(v) || isResult(v)) return undefined;
        const fields = node.fields ?? {};
        return this.nested(v, () => {
          const parts = Object.keys(fields).map((f) => `${key(f)}: ${this.value(own(v, f), fields[f], depth + 1)}`);
          return parts.length ? `${node.name} { ${parts.join(", ")} }` : `${node.name} {}`;
        });
      }
      case "union": {
        if (!isObject(v) || Array.isArray(v)) return undefined;
        const tag = own(v, "tag");
        const fields = typeof tag === "string" && node.variants && Object.hasOwn(node.variants, tag) ? node.variants[tag]! : undefined;
        if (!fields) return undefined;
        const names = Object.keys(fields);
        if (!names.length) return tag as string;
        return this.nested(v, () => `${tag}(${names.map((f) => this.value(own(v, f), fields[f], depth + 1)).join(", ")})`);
      }
      case "result":
        if (!isResult(v)) return undefined;
        return v.ok ? `Ok(${this.value(v.value, node.ok, depth + 1)})` : `Err(${this.value(v.error, node.err, depth + 1)})`;
      default:
        return undefined; // Int, Float, String, Bool, Any: as they are
    }
  }

  private inspect(v: unknown, depth: number, json: boolean): string {
    switch (typeof v) {
      case "undefined":
        return "None";
      case "string":
        return depth === 0 ? v : JSON.stringify(v);
      case "number":
      case "bigint":
      case "boolean":
      case "symbol":
        return String(v);
      case "function": {
        // A function that stands for a value (`res.status`) shows that value.
        const toJSON = (v as { toJSON?: unknown }).toJSON;
        if (typeof toJSON === "function" && !json) return this.value(toJSON.call(v), undefined, depth, true);
        return `<fn${v.name ? " " + v.name : ""}>`;
      }
    }
    if (v === null) return "None";
    const o = v as object;
    if (isResult(o)) return o.ok ? `Ok(${this.value(o.value, undefined, depth + 1)})` : `Err(${this.value(o.error, undefined, depth + 1)})`;
    if (Array.isArray(o)) return this.nested(o, () => this.list(o, undefined, depth));
    if (isPlainObject(o)) return this.nested(o, () => this.map(o as Record<string, unknown>, undefined, depth));
    if (o instanceof Error) return depth === 0 ? o.message : JSON.stringify(o.message);
    // Dates, URLs and other values that say how they serialise.
    const toJSON = (o as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function" && !json) return this.value(toJSON.call(o), undefined, depth, true);
    if (o instanceof Map) {
      return this.nested(o, () => {
        const parts = [...o].map(([k, x]) => `${typeof k === "string" ? key(k) : this.value(k, undefined, depth + 1)}: ${this.value(x, undefined, depth + 1)}`);
        return parts.length ? `{ ${parts.join(", ")} }` : "{}";
      });
    }
    if (o instanceof Set || (ArrayBuffer.isView(o) && !(o instanceof DataView))) return this.nested(o, () => this.list([...(o as Iterable<unknown>)], undefined, depth));
    const name = (o.constructor as { name?: unknown } | undefined)?.name;
    const text = this.nested(o, () => this.map(o as Record<string, unknown>, undefined, depth));
    return typeof name === "string" && name ? `${name} ${text}` : text;
  }

  private list(xs: readonly unknown[], element: SchemaNode | undefined, depth: number): string {
    return `[${xs.map((x) => this.value(x, element, depth + 1)).join(", ")}]`;
  }

  /** Own enumerable keys only (decisions.md "Maps"). */
  private map(o: object, valueNode: SchemaNode | undefined, depth: number): string {
    const parts = Object.keys(o).map((k) => `${key(k)}: ${this.value((o as Record<string, unknown>)[k], valueNode, depth + 1)}`);
    return parts.length ? `{ ${parts.join(", ")} }` : "{}";
  }

  /** Formats the inside of a container, unless it contains itself. */
  private nested(o: object, inside: () => string): string {
    if (this.open.includes(o)) return "<cycle>";
    this.open.push(o);
    try {
      return inside();
    } finally {
      this.open.pop();
    }
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;

/** A field's value when the object itself has it (a record field named `constructor` is not Object's). */
const own = (o: object, name: string): unknown => (Object.hasOwn(o, name) ? (o as Record<string, unknown>)[name] : undefined);
