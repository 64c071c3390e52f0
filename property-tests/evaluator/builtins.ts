import { Builtin, EvalError, Obj, Variant, describe, equals, show, type Value } from "./values.js";

/**
 * The standard-library functions the evaluator models (language.md,
 * "Standard library"), from their descriptions there. `apply` calls a Tova
 * function value (for `map`, `filter`, `find`); `print` appends to the trace.
 */
export function builtins(apply: (f: Value, args: Value[]) => Value, print: (line: string) => void): Map<string, Value> {
  const arr = (v: Value, fn: string): Value[] => {
    if (Array.isArray(v)) return v;
    throw new EvalError(`${fn} expects an array, got ${describe(v)}`);
  };
  const bool = (v: Value, fn: string): boolean => {
    if (typeof v === "boolean") return v;
    throw new EvalError(`${fn}: the function must return a Bool, got ${describe(v)}`);
  };
  const fns: Record<string, (args: Value[]) => Value> = {
    // One argument that is a String prints as it is; otherwise each shown and joined with a space.
    print: (args) => (print(args.length === 1 && typeof args[0] === "string" ? args[0] : args.map(show).join(" ")), null),
    Some: ([x]) => new Variant("Some", x ?? null),
    Ok: ([x]) => new Variant("Ok", x ?? null),
    Err: ([x]) => new Variant("Err", x ?? null),
    len: ([x]) => {
      if (x === null || x === undefined) return 0;
      if (typeof x === "string" || Array.isArray(x)) return x.length;
      if (x instanceof Obj) return x.fields.size;
      throw new EvalError(`len of ${describe(x)}`);
    },
    sum: ([xs]) => arr(xs ?? null, "sum").reduce<number>((s, x) => s + (x as number), 0),
    // `map` works on Options as well as arrays (language.md).
    map: ([xs, f]) => {
      if (xs === null) return null;
      if (xs instanceof Variant && xs.tag === "Some") return new Variant("Some", apply(f!, [xs.value]));
      return arr(xs!, "map").map((x) => apply(f!, [x]));
    },
    filter: ([xs, f]) => arr(xs ?? null, "filter").filter((x) => bool(apply(f!, [x]), "filter")),
    // `first`, `last`, `find` return an Option (language.md).
    first: ([xs]) => {
      const a = arr(xs ?? null, "first");
      return a.length ? new Variant("Some", a[0]!) : null;
    },
    last: ([xs]) => {
      const a = arr(xs ?? null, "last");
      return a.length ? new Variant("Some", a[a.length - 1]!) : null;
    },
    find: ([xs, f]) => {
      for (const x of arr(xs ?? null, "find")) if (bool(apply(f!, [x]), "find")) return new Variant("Some", x);
      return null;
    },
    unwrapOr: ([o, d]) => unwrapOr(o ?? null, d ?? null),
    unwrap_or: ([o, d]) => unwrapOr(o ?? null, d ?? null),
    is_some: ([o]) => o !== null && o !== undefined && !(o instanceof Variant && o.tag !== "Some"),
    is_none: ([o]) => o === null || o === undefined,
    is_ok: ([r]) => r instanceof Variant && r.tag === "Ok",
    is_err: ([r]) => r instanceof Variant && r.tag === "Err",
    to_string: ([x]) => show(x ?? null),
    contains: ([xs, x]) => (typeof xs === "string" ? xs.includes(x as string) : arr(xs ?? null, "contains").some((y) => equals(y, x ?? null))),
  };
  const out = new Map<string, Value>(Object.entries(fns).map(([name, f]) => [name, new Builtin(name, f)]));
  out.set("None", null);
  return out;
}

function unwrapOr(o: Value, d: Value): Value {
  if (o === null) return d;
  if (o instanceof Variant) return o.tag === "Err" ? d : o.value;
  return o;
}
