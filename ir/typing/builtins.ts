import type * as ast from "../../frontend/ast.js";
import type { Checker } from "./checker.js";
import { aType, ANY, array, BOOL, FLOAT, fn, INT, isNumeric, join, map, NEVER, NIL, option, promise, result, show, STRING, type Ty } from "./ty.js";

/**
 * The types of the standard library's functions (language.md, "Standard
 * library"; runtime/README.md). Collection functions give a lambda argument
 * its parameter types from the collection (`xs |> map(fn(x) x * 2)` with `xs:
 * [Int]` makes `x` an Int), so the lambda's body is checked too.
 *
 * Answers null for a name that is not a typed builtin (a JavaScript global,
 * which is dynamic).
 */
/** Types that are certainly not lists: what a list function may not be given. */
const NOT_LISTS: ReadonlySet<Ty["k"]> = new Set(["int", "float", "string", "bool", "map", "object", "named", "fn"]);

export function builtinCall(c: Checker, name: string, e: ast.CallExpr, expected: Ty | null): Ty | null {
  const args = e.args.map((a) => a.value);
  const arg = (i: number, want: Ty | null = null): Ty => (args[i] ? (want ? c.check(args[i]!, want, () => `argument ${i + 1} of \`${name}\``) : c.infer(args[i]!)) : ANY);
  const rest = (from: number) => {
    for (let i = from; i < args.length; i++) c.infer(args[i]!);
  };
  /**
   * The collection argument of a list function (its runtime takes an array): a value that is certainly not
   * one is E0206 here, in Tova's words, instead of TypeScript's in the emitted code.
   */
  const list = (i: number): Ty => {
    const t = arg(i);
    if (args[i] && NOT_LISTS.has(t.k)) {
      const hint = t.k === "string" ? "a String is not a list: `split(s, \"\")` gives its characters" : "pass a list (`[...]`)";
      c.error("E0206", args[i]!.span, `\`${name}\` takes a list, but this is ${aType(t)}`, hint);
    }
    return t;
  };
  /** A lambda (or function) argument called with `params`: its result type. */
  const callback = (i: number, params: Ty[]): Ty => {
    if (!args[i]) return ANY;
    const f = c.infer(args[i]!, fn(params, ANY));
    if (f.k !== "fn") return ANY;
    // A lambda that declares its parameters must accept what `name` passes it.
    f.params.forEach((p, j) => {
      const given = params[j];
      if (given && !c.assignable(given, p)) c.error("E0206", args[i]!.span, `\`${name}\` passes ${show(given)} to this function, whose parameter ${j + 1} is declared \`${show(p)}\``, "change the parameter's type, or leave it out to accept what it is given");
    });
    return f.ret;
  };
  switch (name) {
    case "print":
      rest(0);
      return NIL;
    case "len":
      rest(0);
      return INT;
    case "range":
      args.forEach((_, i) => arg(i, INT));
      return array(INT);
    case "map": {
      const xs = list(0);
      const el = element(xs);
      const out = callback(1, [el]);
      rest(2);
      if (xs.k === "option") return option(out);
      if (xs.k === "result") return result(out, xs.err);
      if (xs.k === "any") return ANY;
      return array(out);
    }
    case "flat_map": {
      const xs = list(0);
      const out = callback(1, [element(xs)]);
      return array(out.k === "array" ? out.el : out);
    }
    case "filter":
    case "where":
    case "drop_nil":
    case "sort_by": {
      const xs = list(0);
      const el = element(xs);
      if (args[1]?.kind === "Object") arg(1);
      else callback(1, name === "sort_by" ? [el, el] : [el]);
      return xs.k === "any" ? ANY : array(el);
    }
    case "each": {
      const xs = list(0);
      const out = callback(1, [element(xs)]);
      return xs.k === "stream" || out.k === "promise" ? promise(NIL) : NIL;
    }
    case "reduce": {
      const xs = list(0);
      const el = element(xs);
      const init = args[2] ? c.infer(args[2]) : el;
      const acc = init.k === "array" && init.el.k === "any" ? init : init;
      callback(1, [acc, el]);
      return acc;
    }
    case "sum": {
      const xs = list(0);
      const el = element(xs);
      const key = args[1] ? callback(1, [el]) : el;
      return isNumeric(key) ? key : key.k === "any" ? ANY : FLOAT;
    }
    case "min":
    case "max": {
      const xs = arg(0);
      if (xs.k !== "array" && xs.k !== "any") {
        rest(1);
        return isNumeric(xs) ? xs : ANY;
      }
      if (args[1]) callback(1, [element(xs)]);
      // The element, not an Option: language.md names only `first`, `last` and `find` as returning Options.
      return xs.k === "any" ? ANY : element(xs);
    }
    case "sort":
    case "reverse":
    case "unique": {
      const xs = list(0);
      return xs.k === "array" ? xs : ANY;
    }
    case "take":
    case "skip": {
      const xs = list(0);
      arg(1, INT);
      return xs.k === "array" ? xs : ANY;
    }
    case "first":
    case "last": {
      const xs = list(0);
      if (xs.k === "option") return xs;
      return xs.k === "array" ? option(xs.el) : ANY;
    }
    case "find": {
      const xs = list(0);
      const el = element(xs);
      callback(1, [el]);
      return xs.k === "any" ? ANY : option(el);
    }
    case "any":
    case "all":
      callback(1, [element(list(0))]);
      return BOOL;
    case "count":
      callback(1, [element(list(0))]);
      return INT;
    case "group_by": {
      const xs = list(0);
      if (args[1]?.kind === "Str") arg(1);
      else callback(1, [element(xs)]);
      return map(xs.k === "array" ? xs : array(ANY));
    }
    case "join":
      list(0);
      if (args[1]) arg(1, STRING);
      return STRING;
    case "split":
      arg(0, STRING);
      arg(1, STRING);
      return array(STRING);
    case "trim":
    case "upper":
    case "lower":
      arg(0, STRING);
      return STRING;
    case "replace":
      arg(0, STRING);
      arg(1, STRING);
      arg(2, STRING);
      return STRING;
    case "starts_with":
    case "ends_with":
      arg(0, STRING);
      arg(1, STRING);
      return BOOL;
    case "contains":
      rest(0);
      return BOOL;
    case "to_string":
      rest(0);
      return STRING;
    case "to_int":
    case "to_float":
      // None when the value does not convert; dynamic so both `to_int(x) + 1` and `unwrapOr` read naturally (runtime/README.md).
      rest(0);
      return ANY;
    case "abs": {
      const x = arg(0, FLOAT);
      return x.k === "int" ? INT : x.k === "any" ? ANY : FLOAT;
    }
    case "round":
      arg(0, FLOAT);
      if (args[1]) {
        arg(1, INT);
        return FLOAT;
      }
      return INT;
    case "floor":
    case "ceil":
      arg(0, FLOAT);
      return INT;
    case "uuid":
      return STRING;
    case "env":
      // A value from the environment, dynamic like other JavaScript values (scaling.md: `env("ALLOWED_ORIGINS") |> split(",")`).
      arg(0, STRING);
      return ANY;
    case "sleep":
      arg(0, FLOAT);
      return promise(NIL);
    case "Some": {
      const x = args[0] ? c.infer(args[0], expected?.k === "option" ? expected.inner : null) : ANY;
      return option(x);
    }
    case "Ok": {
      const x = args[0] ? c.infer(args[0], expected?.k === "result" ? expected.ok : null) : NIL;
      return result(x, expected?.k === "result" ? expected.err : NEVER);
    }
    case "Err": {
      const x = args[0] ? c.infer(args[0], expected?.k === "result" ? expected.err : null) : NIL;
      return result(expected?.k === "result" ? expected.ok : NEVER, x);
    }
    case "unwrapOr":
    case "unwrap_or": {
      const x = arg(0);
      const inner = x.k === "option" ? x.inner : x.k === "result" ? x.ok : x.k === "nil" ? NEVER : x;
      const d = args[1] ? c.infer(args[1], inner.k === "any" || inner.k === "never" ? null : inner) : ANY;
      return join(inner, d);
    }
    case "ok_or": {
      const x = arg(0);
      const err = args[1] ? c.infer(args[1]) : ANY;
      return result(x.k === "option" ? x.inner : x, err);
    }
    case "is_some":
    case "is_none":
    case "is_ok":
    case "is_err":
      rest(0);
      return BOOL;
    case "keys": {
      const x = arg(0);
      return array(x.k === "array" ? INT : STRING);
    }
    case "values": {
      const x = arg(0);
      if (x.k === "map") return array(x.value);
      if (x.k === "object") return array([...x.fields.values()].reduce(join, NEVER));
      return array(ANY);
    }
    case "entries":
      rest(0);
      return array(array(ANY));
    case "read":
      arg(0, STRING);
      rest(1);
      return array(ANY);
    case "write":
      rest(0);
      return NIL;
    case "stream":
      arg(0, STRING);
      rest(1);
      return { k: "stream", el: array(ANY) };
    case "cache_control":
    case "etag":
    case "publish":
    case "broadcast":
    case "spawn_job":
      rest(0);
      return NIL;
    case "delete_all":
      rest(0);
      return INT;
    case "sign_jwt":
      // security.md: signs the claims with the block's secret and `expires` (runtime/server/auth-functions.ts).
      rest(0);
      return STRING;
    case "has_role":
    case "can":
      arg(0);
      arg(1, STRING);
      return BOOL;
    default:
      return null;
  }
}

/** The element a collection function's callback receives. */
export function element(t: Ty): Ty {
  switch (t.k) {
    case "array":
    case "stream":
      return t.el;
    case "option":
      return t.inner;
    case "result":
      return t.ok;
    case "map":
      return t.value;
    default:
      return ANY;
  }
}
