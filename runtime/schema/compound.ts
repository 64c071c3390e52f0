// Schemas built from other schemas: arrays, maps, options, records, enums and
// enums with fields. Each precomputes what it can (field lists, variant sets)
// so that `check` is a plain loop.
import { INVALID, isPlainObject, mismatch, parseJsonText, type SchemaNode } from "./node.js";

export function arrayNode(element: SchemaNode): SchemaNode {
  const name = `[${element.name}]`;
  const node: SchemaNode = {
    kind: "array",
    name,
    inner: element,
    optional: false,
    check(value) {
      if (!Array.isArray(value)) return false;
      for (let i = 0; i < value.length; i++) if (!element.check(value[i])) return false;
      return true;
    },
    explain(value, at) {
      if (!Array.isArray(value)) return mismatch(name, value, at);
      const i = value.findIndex((item) => !element.check(item));
      return element.explain(value[i], `${at}[${i}]`);
    },
    // A single query value: JSON text, or one element (`?tag=a&tag=b` is bound element by element by the server).
    parse(text) {
      if (text.startsWith("[")) return parseJsonText(node, text);
      const one = element.parse(text);
      return one === INVALID ? INVALID : [one];
    },
  };
  return node;
}

export function mapNode(valueNode: SchemaNode): SchemaNode {
  const name = `{String: ${valueNode.name}}`;
  const node: SchemaNode = {
    kind: "map",
    name,
    inner: valueNode,
    optional: false,
    check(value) {
      if (!isPlainObject(value)) return false;
      for (const key in value) if (!valueNode.check(value[key])) return false;
      return true;
    },
    explain(value, at) {
      if (!isPlainObject(value)) return mismatch(name, value, at);
      const key = Object.keys(value).find((k) => !valueNode.check(value[k]))!;
      return valueNode.explain(value[key], `${at}.${key}`);
    },
    parse: (text) => parseJsonText(node, text),
  };
  return node;
}

export function optionNode(inner: SchemaNode): SchemaNode {
  if (inner.optional) return inner; // Option<Option<T>> is Option<T>: None is null either way.
  const name = `Option<${inner.name}>`;
  return {
    kind: "option",
    name,
    inner,
    optional: true,
    check: (value) => value === null || value === undefined || inner.check(value),
    explain: (value, at) => (inner.kind === "record" ? inner.explain(value, at) : mismatch(name, value, at)),
    parse: (text) => (text === "" ? null : inner.parse(text)),
  };
}

/**
 * Checks the fields of an object against `fields`; extra keys fail. Shared by
 * records and by the variants of enums with fields (which also allow `tag`).
 */
function fieldsChecker(fields: Record<string, SchemaNode>, allowTag: boolean) {
  const names = Object.keys(fields);
  const nodes = names.map((n) => fields[n]!);
  const known = new Set(names);
  return {
    check(value: Record<string, unknown>): boolean {
      let present = 0;
      for (let i = 0; i < names.length; i++) {
        const v = value[names[i]!];
        if (v === undefined) {
          if (!nodes[i]!.optional) return false;
        } else {
          if (!nodes[i]!.check(v)) return false;
          present++;
        }
      }
      // No key outside the declared fields: count the keys rather than allocating Object.keys.
      let keys = 0;
      for (const key in value) if (value[key] !== undefined) keys++;
      return keys === present + (allowTag ? 1 : 0);
    },
    explain(value: Record<string, unknown>, at: string): string {
      for (let i = 0; i < names.length; i++) {
        const v = value[names[i]!];
        const here = at ? `${at}.${names[i]}` : names[i]!;
        if (v === undefined) {
          if (!nodes[i]!.optional) return `${here}: missing field`;
        } else if (!nodes[i]!.check(v)) return nodes[i]!.explain(v, here);
      }
      const extra = Object.keys(value).find((k) => !known.has(k) && !(allowTag && k === "tag") && value[k] !== undefined);
      return `${at ? at + "." : ""}${extra}: unexpected field`;
    },
  };
}

export function recordNode(name: string, fields: Record<string, SchemaNode>): SchemaNode {
  const checker = fieldsChecker(fields, false);
  const node: SchemaNode = {
    kind: "record",
    name,
    optional: false,
    check: (value) => isPlainObject(value) && checker.check(value),
    explain: (value, at) => (isPlainObject(value) ? checker.explain(value, at) : mismatch(name, value, at)),
    parse: (text) => parseJsonText(node, text),
  };
  return Object.assign(node, { fields });
}

export function enumNode(name: string, variants: readonly string[]): SchemaNode {
  const known = new Set(variants);
  return {
    kind: "enum",
    name,
    optional: false,
    check: (value) => typeof value === "string" && known.has(value),
    explain: (value, at) => `${mismatch(name, value, at)} (one of ${variants.join(", ")})`,
    parse: (text) => (known.has(text) ? text : INVALID),
  };
}

/** Enums with fields: `{ tag: "Circle", radius: 2 }`. */
export function unionNode(name: string, variants: Record<string, Record<string, SchemaNode>>): SchemaNode {
  const checkers = new Map(Object.entries(variants).map(([tag, fields]) => [tag, fieldsChecker(fields, true)]));
  const tags = [...checkers.keys()].join(", ");
  const node: SchemaNode = {
    kind: "union",
    name,
    optional: false,
    check(value) {
      if (!isPlainObject(value) || typeof value.tag !== "string") return false;
      const checker = checkers.get(value.tag);
      return checker !== undefined && checker.check(value);
    },
    explain(value, at) {
      if (!isPlainObject(value)) return mismatch(name, value, at);
      const checker = typeof value.tag === "string" ? checkers.get(value.tag) : undefined;
      if (!checker) return `${at ? at + ": " : ""}expected ${name} with tag one of ${tags}, got tag ${JSON.stringify(value.tag)}`;
      return checker.explain(value, at);
    },
    parse: (text) => parseJsonText(node, text),
  };
  return node;
}
