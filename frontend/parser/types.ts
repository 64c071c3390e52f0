import { recursiveParser } from "arcsecond";
import type { TypeExpr } from "../ast.js";
import { accept, commaSeparated, gen, kw, mark, name, op, peek, spanFrom, type P } from "./core.js";

/**
 * Type expressions (language.md, "Types"): `Int`, `[T]`, `{String: T}`,
 * `Option<T>`, `Result<T, E>`, declared and generic names, `fn(A) -> B`.
 */
export const typeExpr: P<TypeExpr> = recursiveParser(() =>
  gen((run) => {
    const start = run(mark);
    const t = run(peek);
    if (t.kind === "op" && t.value === "[") {
      run(op("["));
      const element = run(typeExpr);
      run(op("]"));
      return { kind: "TArray", element, span: run(spanFrom(start)) };
    }
    if (t.kind === "op" && t.value === "{") {
      run(op("{"));
      const key = run(typeExpr);
      run(op(":"));
      const value = run(typeExpr);
      run(op("}"));
      return { kind: "TMap", key, value, span: run(spanFrom(start)) };
    }
    if (t.kind === "kw" && t.value === "fn") {
      run(kw("fn"));
      run(op("("));
      const params = run(commaSeparated(typeExpr));
      run(op(")"));
      run(op("->"));
      const result = run(typeExpr);
      return { kind: "TFn", params, result, span: run(spanFrom(start)) };
    }
    const n = run(name("a type"));
    let args: TypeExpr[] = [];
    if (run(accept("op", "<"))) {
      args = run(commaSeparated(typeExpr));
      run(op(">"));
    }
    return { kind: "TName", name: n.value, args, span: run(spanFrom(start)) };
  }),
);

/** `<A, B>` after a function or type name; empty when absent. */
export const typeParams: P<string[]> = gen((run) => {
  if (!run(accept("op", "<"))) return [];
  const names = run(commaSeparated(name("a type parameter")));
  run(op(">"));
  return names.map((n) => n.value);
});
