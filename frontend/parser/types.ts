import type { TypeExpr } from "../ast.js";
import type { Span } from "../span.js";
import { accept, alsoExpected, commaSeparated, gen, kw, mark, name, nest, next, op, peek, spanFrom, type P, type Run } from "./core.js";

/**
 * Type expressions (language.md, "Types"): `Int`, `[T]`, `{String: T}`,
 * `Option<T>`, `Result<T, E>`, declared and generic names, `fn(A) -> B`.
 * Bracketed and function types go through `nest` (core.ts), so depth is bounded.
 */
export const typeExpr: P<TypeExpr> = gen(typeF);

const anyType = (span: Span): TypeExpr => ({ kind: "TName", name: "Any", args: [], span });

function typeF(run: Run): TypeExpr {
  const start = run(mark);
  const t = run(peek);
  if (t.kind === "op" && t.value === "[") {
    return nest((r) => {
      r(op("["));
      const element = typeF(r);
      r(op("]"));
      return { kind: "TArray", element, span: r(spanFrom(start)) };
    }, anyType);
  }
  if (t.kind === "op" && t.value === "{") {
    return nest((r) => {
      r(op("{"));
      const key = typeF(r);
      r(op(":"));
      const value = typeF(r);
      r(op("}"));
      return { kind: "TMap", key, value, span: r(spanFrom(start)) };
    }, anyType);
  }
  if (t.kind === "kw" && t.value === "fn") {
    run(kw("fn"));
    const params = nest(typeList(")"), (): TypeExpr[] => []);
    run(op("->"));
    // `fn() -> fn() -> T` nests without brackets.
    const result = nest(typeF, anyType);
    return { kind: "TFn", params, result, span: run(spanFrom(start)) };
  }
  const n = run(name("a type"));
  const args = run(peek).kind === "op" && run(peek).value === "<" ? nest(typeList(">"), (): TypeExpr[] => []) : [];
  return { kind: "TName", name: n.value, args, span: run(spanFrom(start)) };
}

const lists = new Map<string, (run: Run) => TypeExpr[]>();
/** `(A, B)` or `<A, B>`, from the opening bracket to `close`. */
function typeList(close: ")" | ">"): (run: Run) => TypeExpr[] {
  let list = lists.get(close);
  if (!list) {
    list = (run: Run) => {
      run(next);
      const out: TypeExpr[] = [];
      if (run(peek).kind !== "op" || run(peek).value !== close) {
        out.push(typeF(run));
        while (run(accept("op", ","))) out.push(typeF(run));
        alsoExpected("`,`");
      }
      run(op(close));
      return out;
    };
    lists.set(close, list);
  }
  return list;
}

/** `<A, B>` after a function or type name; empty when absent. */
export const typeParams: P<string[]> = gen((run) => {
  if (!run(accept("op", "<"))) return [];
  const names = run(commaSeparated(name("a type parameter")));
  run(op(">"));
  return names.map((n) => n.value);
});
