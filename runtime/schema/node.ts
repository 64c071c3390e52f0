// The inside of a schema: what the server's parameter binding, `loadEnv` and
// the model layer need from a type description. Generated code only sees the
// opaque `Schema<T>` of index.ts; this file is shared by the runtime modules.
//
// Checking is split in two on purpose: `check` is the hot path (a boolean,
// no allocation, run on every request), and `explain` builds the error
// message only once a value has already failed. `explain` finds the first
// failure in one walk (null where the value is fine), so explaining costs no
// more than checking, however deep the value.

/** Returned by `parse` when a string does not convert. */
export const INVALID: unique symbol = Symbol("invalid");

export interface SchemaNode {
  readonly kind: string;
  /** The Tova spelling of the type, for error messages: `Int`, `[String]`, `Option<Bool>`. */
  readonly name: string;
  /** Strict check of a JSON value (a string is not an Int). */
  check(value: unknown): boolean;
  /** Why `value` fails `check` (null exactly when it passes); `at` is the path so far (`metric.tags[2]`). */
  explain(value: unknown, at: string): string | null;
  /** Converts a string from a path, query string or environment variable; `INVALID` when it does not convert. */
  parse(text: string): unknown;
  /** Option<T>: the value may be absent or null. */
  readonly optional: boolean;
  /** The element type of an array or map, or the wrapped type of an Option. */
  readonly inner?: SchemaNode;
  /** A record's fields. */
  readonly fields?: Record<string, SchemaNode>;
  /** An enum with fields: the fields of each variant, by tag. */
  readonly variants?: Record<string, Record<string, SchemaNode>>;
  /** A Result's two sides. */
  readonly ok?: SchemaNode;
  readonly err?: SchemaNode;
}

/** A short description of a value for an error message: `String "abc"`, `Float 1.5`, `null`. */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "nothing";
  if (typeof value === "string") {
    const shown = value.length > 40 ? value.slice(0, 40) + "..." : value;
    return `String ${JSON.stringify(shown)}`;
  }
  if (typeof value === "number") return `${Number.isInteger(value) ? "Int" : "Float"} ${value}`;
  if (typeof value === "boolean") return `Bool ${value}`;
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}

export function mismatch(name: string, value: unknown, at: string): string {
  return `${at ? at + ": " : ""}expected ${name}, got ${describeValue(value)}`;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** JSON text for the structured types (`[1,2]`, `{"a":1}`), checked strictly after parsing. */
export function parseJsonText(node: SchemaNode, text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return INVALID;
  }
  return node.check(value) ? value : INVALID;
}

export function scalar(
  kind: string,
  name: string,
  check: (value: unknown) => boolean,
  parse: (text: string) => unknown,
): SchemaNode {
  return {
    kind,
    name,
    check,
    parse,
    optional: false,
    explain: (value, at) => (check(value) ? null : mismatch(name, value, at)),
  };
}

const INT_TEXT = /^[+-]?\d+$/;
const FLOAT_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * `Int`: a safe integer (|n| ≤ 2^53 − 1, security.md "Requests"), from JSON as
 * from text. JSON.parse turns `9223372036854775808` and `1e300` into numbers
 * that are integers but not exact: they fail, with a message saying why.
 */
export const intNode: SchemaNode = {
  ...scalar(
    "int",
    "Int",
    (v) => Number.isSafeInteger(v),
    (s) => {
      if (!INT_TEXT.test(s)) return INVALID;
      const n = Number(s);
      return Number.isSafeInteger(n) ? n : INVALID;
    },
  ),
  explain: (value, at) => {
    if (Number.isSafeInteger(value)) return null;
    if (typeof value === "number" && Number.isInteger(value)) {
      return `${at ? at + ": " : ""}expected Int, got ${value}, outside the safe integers (|n| ≤ ${Number.MAX_SAFE_INTEGER})`;
    }
    return mismatch("Int", value, at);
  },
};

export const floatNode: SchemaNode = scalar(
  "float",
  "Float",
  (v) => typeof v === "number" && Number.isFinite(v),
  (s) => (FLOAT_TEXT.test(s) ? Number(s) : INVALID),
);

export const stringNode: SchemaNode = scalar("string", "String", (v) => typeof v === "string", (s) => s);

export const boolNode: SchemaNode = scalar(
  "bool",
  "Bool",
  (v) => typeof v === "boolean",
  (s) => (s === "true" || s === "1" ? true : s === "false" || s === "0" ? false : INVALID),
);

/** Any value at all, as long as it is there. */
export const anyNode: SchemaNode = {
  kind: "any",
  name: "Any",
  check: (v) => v !== undefined,
  explain: (v, at) => (v !== undefined ? null : mismatch("Any", v, at)),
  parse: (s) => s,
  optional: false,
};
