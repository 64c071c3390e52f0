import type * as ast from "../../frontend/ast.js";

/**
 * The reference evaluator's values, written from language.md and
 * decisions.md, independent of the runtime's representation:
 *
 * - `nil`, `None` (and JavaScript's `undefined`) are one value, `null`
 *   (decisions.md, "Semantics programs rely on", `nil`);
 * - `Some(x)`, `Ok(x)`, `Err(e)` are tagged values, so `Some(nil)` and
 *   `Some(Some(1))` stay distinct from `None` and `Some(1)`;
 * - numbers are JavaScript numbers (Int and Float alike), arrays are arrays,
 *   objects are maps of their fields.
 */
export type Value = null | number | string | boolean | Value[] | Variant | Obj | Closure | Builtin;

export class Variant {
  constructor(
    readonly tag: "Some" | "Ok" | "Err",
    readonly value: Value,
  ) {}
}

export class Obj {
  constructor(readonly fields: Map<string, Value>) {}
}

/** A function or lambda with the scope it closes over. */
export class Closure {
  constructor(
    readonly name: string,
    readonly params: readonly ast.Param[],
    readonly body: ast.Expr,
    readonly env: Env,
    readonly returnType: ast.TypeExpr | null,
  ) {}
}

export class Builtin {
  constructor(
    readonly name: string,
    readonly call: (args: Value[]) => Value,
  ) {}
}

interface Slot {
  value: Value;
  mutable: boolean;
}

/** A lexical scope: each block, loop iteration, match arm and call has its own. */
export class Env {
  private readonly slots = new Map<string, Slot>();

  constructor(readonly parent: Env | null) {}

  define(name: string, value: Value, mutable: boolean): void {
    this.slots.set(name, { value, mutable });
  }

  /** The nearest binding of `name`, in this scope or an enclosing one (closures see their defining scope's). */
  lookup(name: string): Slot | undefined {
    for (let e: Env | null = this; e; e = e.parent) {
      const s = e.slots.get(name);
      if (s) return s;
    }
    return undefined;
  }
}

/** Something the program does that the language defines as an error, or that this evaluator does not model. */
export class EvalError extends Error {}

export function isNil(v: Value): v is null {
  return v === null;
}

/** `==` (decisions.md: nil, None and undefined are one value). */
export function equals(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  if (a instanceof Variant && b instanceof Variant) return a.tag === b.tag && equals(a.value, b.value);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equals(x, b[i]!));
  if (a instanceof Obj && b instanceof Obj) {
    if (a.fields.size !== b.fields.size) return false;
    for (const [k, v] of a.fields) if (!b.fields.has(k) || !equals(v, b.fields.get(k)!)) return false;
    return true;
  }
  return false;
}

/**
 * `to_string`, and what `print` and interpolation show, for the values the
 * differential property prints (Int, Bool, String). Other values are refused
 * rather than guessed: their format is not what the property checks.
 */
export function show(v: Value): string {
  if (typeof v === "string") return v;
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number") return Object.is(v, -0) ? "0" : String(v);
  throw new EvalError(`the evaluator does not format ${describe(v)}`);
}

export function describe(v: Value): string {
  if (v === null) return "nil";
  if (v instanceof Variant) return `${v.tag}(${describe(v.value)})`;
  if (Array.isArray(v)) return `[${v.map(describe).join(", ")}]`;
  if (v instanceof Obj) return `{ ${[...v.fields].map(([k, x]) => `${k}: ${describe(x)}`).join(", ")} }`;
  if (v instanceof Closure) return `fn ${v.name}`;
  if (v instanceof Builtin) return `builtin ${v.name}`;
  return typeof v === "string" ? JSON.stringify(v) : String(v);
}

/**
 * Whether a value has a declared type (language.md, "Types"), for the types
 * the evaluator knows; declared types of its own (records, enums, generic
 * parameters) are not modelled and accept anything. A program whose values
 * break their declared types is not valid Tova: the evaluator stops it.
 */
export function conforms(v: Value, t: ast.TypeExpr): boolean {
  switch (t.kind) {
    case "TArray":
      return Array.isArray(v) && v.every((x) => conforms(x, t.element));
    case "TMap":
      return v instanceof Obj && [...v.fields.values()].every((x) => conforms(x, t.value));
    case "TFn":
      return v instanceof Closure || v instanceof Builtin;
    case "TName":
      switch (t.name) {
        case "Int":
          return typeof v === "number" && Number.isInteger(v);
        case "Float":
          return typeof v === "number";
        case "String":
          return typeof v === "string";
        case "Bool":
          return typeof v === "boolean";
        case "Option":
          return v === null || (v instanceof Variant && v.tag === "Some" && (!t.args[0] || conforms(v.value, t.args[0])));
        case "Result":
          return v instanceof Variant && (v.tag === "Ok" ? !t.args[0] || conforms(v.value, t.args[0]) : v.tag === "Err" && (!t.args[1] || conforms(v.value, t.args[1])));
        default:
          return true;
      }
  }
}
