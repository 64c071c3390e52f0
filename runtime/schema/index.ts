// Type descriptions that generated code hands to the server (to check route
// and RPC arguments at the boundary, decisions.md "Routes and RPC"), to
// `loadEnv` and to `model` (column types). Generated code builds them once at
// module load; checking against them is precompiled into plain loops.
import { arrayNode, enumNode, lazyNode, mapNode, optionNode, recordNode, resultNode, unionNode } from "./compound.js";
import { anyNode, boolNode, floatNode, intNode, stringNode, type SchemaNode } from "./node.js";
import { fileNode } from "./file.js";

/**
 * The runtime description of a Tova type. Opaque to generated code: build it
 * with `t`, pass it to the runtime.
 *
 * @example
 * const Metric = t.record<Metric>("Metric", { service: t.string, value: t.float, tags: t.array(t.string) });
 */
export interface Schema<T> {
  readonly kind: string;
  /** Never set: it only carries `T` so that `t.record` can infer field types. */
  readonly __type?: T;
}

/** What a `File` parameter receives: the client's file name, the type its content shows, its size and where it was saved. */
export interface TovaFile {
  readonly name: string;
  readonly type: string;
  readonly size: number;
  readonly path: string;
}

/** The builders of `Schema`s, one per Tova type expression. */
export interface SchemaBuilders {
  /** `Int`: a whole number (`"5"` in a path or query converts to 5). */
  int: Schema<number>;
  /** `Float`: any finite number. */
  float: Schema<number>;
  /** `String`. */
  string: Schema<string>;
  /** `Bool` (`"true"`/`"false"` in a path or query convert). */
  bool: Schema<boolean>;
  /** `Any`: anything that is present. */
  any: Schema<any>;
  /**
   * `File`: a part of a `multipart/form-data` body that the server saved (security.md, "uploads").
   * `[File]` is `t.array(t.file)`. Only the runtime makes one: no JSON value is a File.
   */
  file: Schema<TovaFile>;
  /** `[T]`. */
  array<T>(element: Schema<T>): Schema<T[]>;
  /** `{String: T}`. */
  map<T>(value: Schema<T>): Schema<Record<string, T>>;
  /** `Option<T>`: may be absent or null. */
  option<T>(inner: Schema<T>): Schema<T | null>;
  /** A record type; extra fields are rejected. */
  record<T>(name: string, fields: { [K in keyof T]: Schema<T[K]> }): Schema<T>;
  /** An enum of unit variants, carried as their names. */
  enum<T extends string>(name: string, variants: readonly T[]): Schema<T>;
  /** An enum whose variants have fields, carried as `{ tag, ...fields }`. */
  union(name: string, variants: Record<string, Record<string, Schema<any>>>): Schema<any>;
  /** `Result<T, E>`: for `show` (a Result is a return value, never request data). */
  result<T, E>(ok: Schema<T>, err: Schema<E>): Schema<{ ok: true; value: T } | { ok: false; error: E }>;
  /**
   * A schema declared later, looked up at its first use: recursive types
   * (`type Tree { Leaf, Node(left: Tree, value: Int) }`) and schemas in any
   * order. A check follows at most 1000 lazy references into one value.
   * @example const TreeSchema: Schema<Tree> = t.union("Tree", { Leaf: {}, Node: { left: t.lazy(() => TreeSchema), value: t.int } });
   */
  lazy<T>(get: () => Schema<T>): Schema<T>;
}

const node = (schema: Schema<unknown>): SchemaNode => schema as unknown as SchemaNode;
const nodes = (fields: Record<string, Schema<unknown>>): Record<string, SchemaNode> =>
  Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, node(v)]));
const schema = <T>(n: SchemaNode): Schema<T> => n as unknown as Schema<T>;

/**
 * The schema builders.
 *
 * @example
 * app.rpc("resolve_alert", resolve_alert, [{ name: "id", schema: t.int }]);
 */
export const t: SchemaBuilders = {
  int: schema(intNode),
  float: schema(floatNode),
  string: schema(stringNode),
  bool: schema(boolNode),
  any: schema(anyNode),
  file: schema(fileNode),
  array: (element) => schema(arrayNode(node(element))),
  map: (value) => schema(mapNode(node(value))),
  option: (inner) => schema(optionNode(node(inner))),
  record: (name, fields) => schema(recordNode(name, nodes(fields as Record<string, Schema<unknown>>))),
  enum: (name, variants) => schema(enumNode(name, variants)),
  union: (name, variants) =>
    schema(unionNode(name, Object.fromEntries(Object.entries(variants).map(([tag, f]) => [tag, nodes(f)])))),
  result: (ok, err) => schema(resultNode(node(ok), node(err))),
  lazy: (get) => schema(lazyNode(() => node(get()))),
};
