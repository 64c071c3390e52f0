import type * as ast from "../../frontend/ast.js";
import { type Env, EvalError, Variant, equals, type Value } from "./values.js";

/**
 * Whether a value matches a pattern (language.md, "Expressions", `match`),
 * binding the pattern's names in `env`: literals by `==` (`nil` matches nil,
 * None and undefined alike), ranges `a..b` (end excluded) and `a..=b`
 * (included), `Some` / `None` / `Ok` / `Err`, arrays with a rest.
 */
export function matchPattern(p: ast.Pattern, v: Value, env: Env): boolean {
  switch (p.kind) {
    case "PWild":
      return true;
    case "PBind":
      env.define(p.name, v, false);
      return true;
    case "PLit":
      return p.value === null ? v === null : equals(v, p.value);
    case "PRange":
      return typeof v === "number" && v >= p.start && (p.inclusive ? v <= p.end : v < p.end);
    case "PVariant": {
      if (p.name === "None") return v === null;
      if (p.name !== "Some" && p.name !== "Ok" && p.name !== "Err") throw new EvalError(`the evaluator does not model the variant ${p.name}`);
      if (!(v instanceof Variant) || v.tag !== p.name) return false;
      return p.args.length === 0 || matchPattern(p.args[0]!, v.value, env);
    }
    case "PArray": {
      if (!Array.isArray(v) || (p.rest === null ? v.length !== p.elements.length : v.length < p.elements.length)) return false;
      if (!p.elements.every((q, i) => matchPattern(q, v[i]!, env))) return false;
      if (p.rest !== null) env.define(p.rest, v.slice(p.elements.length), false);
      return true;
    }
    case "PObject":
      throw new EvalError("the evaluator does not model object patterns");
  }
}
