// Schemas built from other schemas: arrays, maps, options, records, enums,
// enums with fields, Results and lazy references (recursive types). Each
// precomputes what it can (field lists, variant sets) so that `check` is a
// plain loop; `explain` walks the value once and stops at the first failure.
// Arrays, maps, options, records and unions compile their `check` into
// straight-line code at its first call (compile.ts); the loops here are what
// that code does, and the fallback where code cannot be generated.
import { isResult } from "../stdlib/result-shape.js";
import { INVALID, isPlainObject, mismatch, parseJsonText, type SchemaNode } from "./node.js";
import { compiledOnFirstUse, opaque } from "./compile.js";

// Names of compound types are built when first needed: an element may be a
// lazy reference whose target does not exist yet.

export function arrayNode(element: SchemaNode): SchemaNode {
  const node: SchemaNode = {
    kind: "array",
    get name() {
      return `[${element.name}]`;
    },
    inner: element,
    optional: false,
    check: compiledOnFirstUse(() => node, (value) => {
      if (!Array.isArray(value)) return false;
      for (let i = 0; i < value.length; i++) if (!element.check(value[i])) return false;
      return true;
    }),
    explain(value, at) {
      if (!Array.isArray(value)) return mismatch(node.name, value, at);
      for (let i = 0; i < value.length; i++) {
        const why = element.explain(value[i], `${at}[${i}]`);
        if (why !== null) return why;
      }
      return null;
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
  const node: SchemaNode = {
    kind: "map",
    get name() {
      return `{String: ${valueNode.name}}`;
    },
    inner: valueNode,
    optional: false,
    check: compiledOnFirstUse(() => node, (value) => {
      if (!isPlainObject(value)) return false;
      for (const key in value) if (!valueNode.check(value[key])) return false;
      return true;
    }),
    explain(value, at) {
      if (!isPlainObject(value)) return mismatch(node.name, value, at);
      for (const key in value) {
        const why = valueNode.explain(value[key], `${at}.${key}`);
        if (why !== null) return why;
      }
      return null;
    },
    parse: (text) => parseJsonText(node, text),
  };
  return node;
}

export function optionNode(inner: SchemaNode): SchemaNode {
  // Option<Option<T>> is Option<T>: None is null either way. (A lazy reference is not resolved yet: it never names an Option.)
  if (!lazyNodes.has(inner) && inner.optional) return inner;
  const nameOf = () => `Option<${inner.name}>`;
  const node: SchemaNode = {
    kind: "option",
    get name() {
      return nameOf();
    },
    inner,
    optional: true,
    check: compiledOnFirstUse(() => node, (value) => value === null || value === undefined || inner.check(value)),
    explain(value, at) {
      if (value === null || value === undefined) return null;
      const why = inner.explain(value, at);
      if (why === null || inner.kind === "record") return why;
      // A value that is not even the wrapped type names the Option: `expected Option<Int>, got String "x"`.
      const plain = mismatch(inner.name, value, at);
      return why.startsWith(plain) ? mismatch(nameOf(), value, at) + why.slice(plain.length) : why;
    },
    parse: (text) => (text === "" ? null : inner.parse(text)),
  };
  return node;
}

/**
 * Checks the fields of an object against `fields`; extra keys fail. Shared by
 * records and by the variants of enums with fields (which also allow `tag`).
 * Fields are read only from the object itself: a field named `constructor`
 * or `toString` that the JSON lacks is missing, not Object's method.
 */
function fieldsChecker(fields: Record<string, SchemaNode>, allowTag: boolean) {
  const names = Object.keys(fields);
  const nodes = names.map((n) => fields[n]!);
  const inherited = names.map((n) => n in Object.prototype);
  const known = new Set(names);
  const field = (value: Record<string, unknown>, i: number): unknown =>
    inherited[i] && !Object.hasOwn(value, names[i]!) ? undefined : value[names[i]!];
  return {
    check(value: Record<string, unknown>): boolean {
      let present = 0;
      for (let i = 0; i < names.length; i++) {
        const v = field(value, i);
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
    explain(value: Record<string, unknown>, at: string): string | null {
      for (let i = 0; i < names.length; i++) {
        const v = field(value, i);
        const here = at ? `${at}.${names[i]}` : names[i]!;
        if (v === undefined) {
          if (!nodes[i]!.optional) return `${here}: missing field`;
        } else {
          const why = nodes[i]!.explain(v, here);
          if (why !== null) return why;
        }
      }
      const extra = Object.keys(value).find((k) => !known.has(k) && !(allowTag && k === "tag") && value[k] !== undefined);
      return extra === undefined ? null : `${at ? at + "." : ""}${extra}: unexpected field`;
    },
  };
}

export function recordNode(name: string, fields: Record<string, SchemaNode>): SchemaNode {
  const checker = fieldsChecker(fields, false);
  const node: SchemaNode = {
    kind: "record",
    name,
    fields,
    optional: false,
    check: compiledOnFirstUse(() => node, (value) => isPlainObject(value) && checker.check(value)),
    explain: (value, at) => (isPlainObject(value) ? checker.explain(value, at) : mismatch(name, value, at)),
    parse: (text) => parseJsonText(node, text),
  };
  return node;
}

export function enumNode(name: string, variants: readonly string[]): SchemaNode {
  const known = new Set(variants);
  const check = (value: unknown) => typeof value === "string" && known.has(value);
  return {
    kind: "enum",
    name,
    optional: false,
    check,
    explain: (value, at) => (check(value) ? null : `${mismatch(name, value, at)} (one of ${variants.join(", ")})`),
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
    variants,
    optional: false,
    check: compiledOnFirstUse(() => node, (value) => {
      if (!isPlainObject(value) || typeof value.tag !== "string") return false;
      const checker = checkers.get(value.tag);
      return checker !== undefined && checker.check(value);
    }),
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

/**
 * `Result<T, E>`: a value built by `Ok`/`Err` (the brand of
 * stdlib/result-shape.ts). Results are return values, not request data, so
 * no text converts to one; `show` reads the two sides.
 */
export function resultNode(ok: SchemaNode, err: SchemaNode): SchemaNode {
  const check = (value: unknown) => isResult(value) && (value.ok ? ok.check(value.value) : err.check(value.error));
  const nameOf = () => `Result<${ok.name}, ${err.name}>`;
  return {
    kind: "result",
    get name() {
      return nameOf();
    },
    ok,
    err,
    optional: false,
    check,
    explain(value, at) {
      if (!isResult(value)) return mismatch(nameOf(), value, at);
      return value.ok ? ok.explain(value.value, at) : err.explain(value.error, at);
    },
    parse: () => INVALID,
  };
}

/**
 * How many lazy references a check may follow inside one value. Only
 * recursive types nest without bound, and only through a lazy reference, so
 * this bounds the recursion of `check` and `explain` (and their time) for any
 * input: a 10,000-deep JSON body is a 400, not a stack overflow.
 */
export const MAX_NESTING = 1000;
let nesting = 0;

const lazyNodes = new WeakSet<SchemaNode>();

/**
 * A reference to a schema declared later (`t.lazy(() => TreeSchema)`), so
 * that recursive types and schemas in any order work. The target is looked up
 * at the first use, after every schema of the module exists.
 */
export function lazyNode(get: () => SchemaNode): SchemaNode {
  let target: SchemaNode | undefined;
  const resolve = (): SchemaNode => (target ??= get());
  const node: SchemaNode = {
    get kind() {
      return resolve().kind;
    },
    get name() {
      return resolve().name;
    },
    get optional() {
      return resolve().optional;
    },
    get inner() {
      return resolve().inner;
    },
    get fields() {
      return resolve().fields;
    },
    get variants() {
      return resolve().variants;
    },
    get ok() {
      return resolve().ok;
    },
    get err() {
      return resolve().err;
    },
    check(value) {
      if (nesting >= MAX_NESTING) return false;
      nesting++;
      try {
        return resolve().check(value);
      } finally {
        nesting--;
      }
    },
    explain(value, at) {
      if (nesting >= MAX_NESTING) return `${rootOf(at)}: nested more than ${MAX_NESTING} levels deep`;
      nesting++;
      try {
        return resolve().explain(value, at);
      } finally {
        nesting--;
      }
    },
    parse: (text) => resolve().parse(text),
  };
  lazyNodes.add(node);
  opaque(node); // compiled checks call it (it counts the nesting), never inline its target
  return node;
}

/** The parameter a path starts with (`tree` of `tree.left.left[0]`): the full path would be as deep as the value. */
const rootOf = (at: string): string => /^[^.[]*/.exec(at)![0] || "value";
