import type * as ast from "../../../frontend/ast.js";
import type { Span } from "../../../frontend/span.js";
import { assignTo, single, type Lowered, type Tail } from "./lowered.js";
import type { Lowerer } from "./lowerer.js";
import { sequence } from "./sequence.js";
import { assignValue } from "./statements.js";
import { ifElse, line, type TsStmt } from "./ts-stmt.js";

/**
 * Everything that evaluates a part only under a condition (decisions.md,
 * "Evaluation order"): `and`, `or`, `??`, chained comparisons, `if`. A part
 * that needs statements cannot be hoisted in front of its condition, so the
 * construct becomes statements itself: a temporary assigned inside an `if`.
 */

const OPERATORS: Record<ast.BinaryOp, string> = {
  "+": "+", "-": "-", "*": "*", "/": "/", "%": "%", "**": "**", "??": "??", or: "||", and: "&&",
  "==": "===", "!=": "!==", "<": "<", "<=": "<=", ">": ">", ">=": ">=",
};

export function binary(l: Lowerer, e: ast.BinaryExpr): Lowered {
  if (e.op === "and" || e.op === "or" || e.op === "??") return shortCircuit(l, e);
  if (e.op === "==" || e.op === "!=") return equality(l, e);
  const { pre, values } = sequence(l, [e.left, e.right], true);
  return { pre, value: `${values[0]} ${OPERATORS[e.op]} ${values[1]}`, atomic: false };
}

/**
 * `==` and `!=` (decisions.md, "nil"): `nil`, `null` and `undefined` are one
 * value, so a comparison with `nil` is `== null`; values the type checker
 * knows cannot be nil compare strictly; anything else goes through `eq`.
 */
function equality(l: Lowerer, e: ast.BinaryExpr): Lowered {
  const nilSide = isNil(l, e.right) ? e.left : isNil(l, e.left) ? e.right : null;
  if (nilSide) {
    const other = l.operand(nilSide);
    return { pre: other.pre, value: `${other.value} ${e.op === "==" ? "==" : "!="} null`, atomic: false };
  }
  const { pre, values } = sequence(l, [e.left, e.right], true);
  if (l.ctx.strictlyComparable(e.left, e.right)) return { pre, value: `${values[0]} ${OPERATORS[e.op]} ${values[1]}`, atomic: false };
  const eq = `${l.ctx.stdlib("eq")}(${values[0]}, ${values[1]})`;
  return { pre, value: e.op === "==" ? eq : `!${eq}`, atomic: e.op === "==" };
}

const LITERALS = new Set<ast.Expr["kind"]>(["Num", "Str", "Template", "Bool", "Array", "Object", "Record", "Lambda"]);

function isNil(l: Lowerer, e: ast.Expr): boolean {
  return e.kind === "Nil" || (e.kind === "Ident" && e.name === "None" && l.ctx.names.symbols.get(e)?.kind === "builtin");
}

/** `a and b`, `a or b`, `a ?? b`: the right side only when needed, even when it needs statements. */
function shortCircuit(l: Lowerer, e: ast.BinaryExpr): Lowered {
  // `5 ?? x` is 5 and `nil ?? x` is x; TypeScript rejects a `??` whose left side is never (or always) nil, so say it directly.
  if (e.op === "??") {
    // Only a literal is known to be there (a map lookup typed Int may still be nil), and only literals are
    // left out without changing what runs.
    if (LITERALS.has(e.left.kind)) return l.expr(e.left);
    if (isNil(l, e.left) || (e.left.kind === "Binary" && e.left.op === "??" && isNil(l, e.left.left) && isNil(l, e.left.right))) return l.expr(e.right);
  }
  const left = l.operand(e.left);
  if (!l.hasPre(e.right)) {
    const right = l.operand(e.right);
    return { pre: left.pre, value: `${left.value} ${OPERATORS[e.op]} ${right.value}`, atomic: false };
  }
  const t = l.scopes.temp(e.op === "??" ? "value" : "test");
  const test = e.op === "and" ? t : e.op === "or" ? `!${t}` : `${t} == null`;
  const right = l.expr(e.right);
  return {
    pre: [...left.pre, line(`let ${t}: any = ${left.value}`, e.span), ifElse(test, [...right.pre, line(`${t} = ${right.value}`, e.right.span)], null, e.span)],
    value: t,
    atomic: true,
  };
}

/** `a < b < c`: each operand evaluated once, in order, and only while the comparisons before it hold. */
export function compare(l: Lowerer, e: ast.CompareExpr): Lowered {
  const ops = e.operands;
  const op = (i: number) => OPERATORS[e.ops[i]!];
  if (!ops.some((x) => l.hasPre(x)) && ops.slice(1, -1).every((x) => l.isSimple(x))) {
    const values = ops.map((o) => l.operand(o).value);
    const tests = e.ops.map((_, i) => `${values[i]} ${op(i)} ${values[i + 1]}`);
    return { pre: [], value: `(${tests.join(" && ")})`, atomic: true };
  }
  const pre: TsStmt[] = [];
  const capture = (x: ast.Expr, into: TsStmt[]): string => {
    const lowered = l.operand(x);
    into.push(...lowered.pre);
    if (l.isSimple(x)) return lowered.value;
    const t = l.scopes.temp("operand");
    into.push(line(`const ${t} = ${lowered.value}`, x.span));
    return t;
  };
  let previous = capture(ops[0]!, pre);
  const second = capture(ops[1]!, pre);
  const result = l.scopes.temp("test");
  pre.push(line(`let ${result} = ${previous} ${op(0)} ${second}`, e.span));
  previous = second;
  // Each later comparison is nested in the one before, so its operand is evaluated only when reached.
  const nest = (i: number): TsStmt[] => {
    const body: TsStmt[] = [];
    const current = capture(ops[i]!, body);
    body.push(line(`${result} = ${previous} ${op(i - 1)} ${current}`, e.span));
    previous = current;
    if (i + 1 < ops.length) body.push(ifElse(result, nest(i + 1), null, e.span));
    return body;
  };
  pre.push(ifElse(result, nest(2), null, e.span));
  return { pre, value: result, atomic: true };
}

/** `if` as a value: a conditional expression when no part needs statements, else a temporary. */
export function ifValue(l: Lowerer, e: ast.IfExpr): Lowered {
  if (!l.hasPre(e)) {
    const conds = e.branches.map((b) => l.operand(b.cond).value);
    const values = e.branches.map((b) => l.scopes.nested(() => l.operand(single(b.body)!).value));
    const otherwise = e.otherwise ? l.scopes.nested(() => l.operand(single(e.otherwise!)!).value) : "null";
    return { pre: [], value: conds.reduceRight((acc, c, i) => `${c} ? ${values[i]} : ${acc}`, otherwise), atomic: false };
  }
  const t = l.scopes.temp("value");
  return { pre: [line(`let ${t}: ${l.ctx.valueType(e)}`, e.span), ...ifStatement(l, e, assignTo(t), e.span)], value: t, atomic: true };
}

/** `if` as statements: each branch gets the same tail; a condition that needs statements runs only when reached. */
export function ifStatement(l: Lowerer, e: ast.IfExpr, tail: Tail, span: Span): TsStmt[] {
  const branch = (i: number): TsStmt[] => {
    if (i === e.branches.length) {
      if (e.otherwise) return l.scopes.nested(() => l.stmts(e.otherwise!.stmts, tail));
      return tail.kind === "assign" ? assignValue(tail.to, "null", span) : [];
    }
    const b = e.branches[i]!;
    const cond = l.expr(b.cond);
    const then = l.scopes.nested(() => l.stmts(b.body.stmts, tail));
    const rest = branch(i + 1);
    return [...cond.pre, ifElse(cond.value, then.length ? then : [], rest.length ? rest : null, i === 0 ? span : b.cond.span)];
  };
  return branch(0);
}

