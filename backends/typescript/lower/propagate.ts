import type * as ast from "../../../frontend/ast.js";
import type { Lowered } from "./lowered.js";
import type { Lowerer } from "./lowerer.js";
import { line } from "./ts-stmt.js";

/**
 * `e!` (language.md, "Propagate"): `Ok(v)`/`Some(v)` is `v`; on `Err`/`None`
 * the function whose body it is written in returns it at once. In straight
 * line code it reads as a person would write it:
 *
 *     const userResult = find_user(id);
 *     if (isFailure(userResult)) return userResult;
 *     ... unwrap(userResult) ...
 *
 * The two statements are this expression's own; the construct around it
 * decides where they go (before a statement, inside the branch that
 * evaluates them, at the top of a loop's iteration).
 */
export function propagate(l: Lowerer, e: ast.PropagateExpr): Lowered {
  const inner = l.expr(e.expr);
  const r = l.scopes.temp(l.bindingName ? `${camel(l.bindingName)}Result` : resultName(e.expr));
  return {
    pre: [...inner.pre, line(`const ${r} = ${inner.value}`, e.span), line(`if (${l.ctx.stdlib("isFailure")}(${r})) return ${r}`, e.span)],
    value: `${l.ctx.stdlib("unwrap")}(${r})`,
    atomic: true,
  };
}

/** `find_user(id)!` → `userResult`-like names read better than `result2`: the callee's name when it has one. */
function resultName(e: ast.Expr): string {
  const callee = e.kind === "Call" ? e.callee : e.kind === "Await" && e.expr.kind === "Call" ? e.expr.callee : null;
  const name = callee?.kind === "Ident" ? callee.name : callee?.kind === "Member" ? callee.name : null;
  if (!name || !/^[A-Za-z]\w*$/.test(name)) return "result";
  return `${camel(name)}Result`;
}

const camel = (name: string) => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
