import type * as ast from "../../../frontend/ast.js";
import { type Lowered } from "./lowered.js";
import type { Lowerer } from "./lowerer.js";
import { line, type TsStmt } from "./ts-stmt.js";

/**
 * Operands evaluated left to right (decisions.md, "Evaluation order"). When
 * an operand needs statements (`f(a(), b()!)`), the operands before it are
 * evaluated first into temporaries, so `a()` still runs before `b()`; a
 * value that cannot change meanwhile (a literal, an immutable binding) is
 * used as is.
 */
export function sequence(l: Lowerer, exprs: readonly ast.Expr[], asOperands: boolean | readonly boolean[] = false): { pre: TsStmt[]; values: string[] } {
  const pre: TsStmt[] = [];
  const values: string[] = [];
  const laterPre = exprs.map((_, i) => exprs.slice(i + 1).some((x) => l.hasPre(x)));
  exprs.forEach((e, i) => {
    const lowered = (typeof asOperands === "boolean" ? asOperands : asOperands[i]) ? l.operand(e) : l.expr(e);
    pre.push(...lowered.pre);
    if (laterPre[i] && !isStable(l, e)) {
      const t = l.scopes.temp("arg");
      pre.push(line(`const ${t} = ${lowered.value}`, e.span));
      values.push(t);
    } else values.push(lowered.value);
  });
  return { pre, values };
}

/** One operand after another: `{ pre, values: [a, b] }` as a Lowered-friendly pair. */
export function sequencePair(l: Lowerer, a: ast.Expr, b: ast.Expr, asOperands: boolean | readonly boolean[] = false): { pre: TsStmt[]; a: string; b: string } {
  const { pre, values } = sequence(l, [a, b], asOperands);
  return { pre, a: values[0]!, b: values[1]! };
}

export function withPre(pre: TsStmt[], lowered: Lowered): Lowered {
  return pre.length ? { ...lowered, pre: [...pre, ...lowered.pre] } : lowered;
}

/** A value no statement can change before it is used: literals, functions, immutable bindings. */
function isStable(l: Lowerer, e: ast.Expr): boolean {
  switch (e.kind) {
    case "Num": case "Str": case "Bool": case "Nil": case "Lambda":
      return true;
    case "Template":
      return e.parts.every((p) => typeof p === "string");
    case "Ident": {
      const local = l.scopes.lookup(e.name);
      if (local) return !local.mutable;
      const sym = l.ctx.names.symbols.get(e);
      return !!sym && sym.kind !== "var" && sym.kind !== "state" && sym.kind !== "computed" && sym.kind !== "source";
    }
    default:
      return false;
  }
}
