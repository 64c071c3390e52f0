import type * as ast from "../../../frontend/ast.js";
import type { TsStmt } from "./ts-stmt.js";

/**
 * The result of lowering an expression: the statements that must run first,
 * in order, and the TypeScript expression for its value. Most expressions
 * have no statements; `e!`, a `match` or `if` whose branches need statements,
 * `try` and blocks do. Whoever places the value also places the statements,
 * so they run exactly where, and as often as, the source evaluates them
 * (decisions.md, "Semantics programs rely on", "Evaluation order").
 */
export interface Lowered {
  pre: TsStmt[];
  value: string;
  /** The value needs no parentheses as an operand (a name, a call, a literal). */
  atomic: boolean;
}

export const value = (text: string, atomic = true): Lowered => ({ pre: [], value: text, atomic });

/** What happens to the value of the last statement of a body. */
export type Tail = { kind: "return" } | { kind: "discard" } | { kind: "assign"; to: string };

export const RETURN: Tail = { kind: "return" };
export const DISCARD: Tail = { kind: "discard" };
export const assignTo = (to: string): Tail => ({ kind: "assign", to });

/**
 * Whether lowering `e` produces statements. Decided once, from the syntax,
 * so every construct picks its form (one expression, or statements with a
 * temporary) before lowering its parts and never lowers anything twice. It
 * must be conservative: when it says no, the lowering must produce none
 * (`Lowerer.expr` checks this).
 */
export function hasPre(e: ast.Expr): boolean {
  switch (e.kind) {
    case "Propagate":
    case "Block":
    case "Try":
      return true;
    case "Num": case "Str": case "Bool": case "Nil": case "Ident": case "ImplicitMember": case "ErrorExpr": case "Lambda":
      return false;
    case "If":
      return e.branches.some((b) => single(b.body) === null || hasPre(b.cond) || hasPre(single(b.body)!)) || (!!e.otherwise && (single(e.otherwise) === null || hasPre(single(e.otherwise)!)));
    case "Match":
      return !isSimple(e.subject) || e.arms.some((a) => (a.guard !== null && hasPre(a.guard)) || armValue(a) === null || hasPre(armValue(a)!));
    case "Compare":
      return e.operands.some(hasPre) || e.operands.slice(1, -1).some((o) => !isSimple(o));
    case "Template":
      return e.parts.some((p) => typeof p !== "string" && hasPre(p));
    case "Array":
      return e.elements.some((x) => hasPre(x.kind === "Spread" ? x.value : x));
    case "Object":
      return e.entries.some((x) => hasPre(x.value));
    case "Record":
      return e.fields.some((f) => hasPre(f.value));
    case "Member":
      return hasPre(e.object);
    case "Index":
      return hasPre(e.object) || hasPre(e.index);
    case "Call":
      return hasPre(e.callee) || e.args.some((a) => hasPre(a.value));
    case "Unary":
      return hasPre(e.operand);
    case "Binary":
      return hasPre(e.left) || hasPre(e.right);
    case "Range":
      return hasPre(e.start) || hasPre(e.end);
    case "Pipe":
      return hasPre(e.left) || hasPre(e.stage);
    case "Await":
      return hasPre(e.expr);
    case "JsxElement":
      return e.attrs.some((a) => a.value !== null && hasPre(a.value)) || e.children.some(jsxHasPre);
  }
}

function jsxHasPre(c: ast.JsxChild): boolean {
  switch (c.kind) {
    case "JsxText":
      return false;
    case "JsxElement":
      return hasPre(c);
    case "JsxExpr":
      return hasPre(c.expr);
    case "JsxFor":
      return hasPre(c.iterable) || (c.key !== null && c.key !== undefined && hasPre(c.key)) || c.children.some(jsxHasPre);
    case "JsxIf":
      return c.branches.some((b) => hasPre(b.cond) || b.children.some(jsxHasPre)) || (c.otherwise ?? []).some(jsxHasPre);
  }
}

/** A subject that can be read more than once without evaluating anything: a name or a chain of fields. */
export function isSimple(e: ast.Expr): boolean {
  if (e.kind === "Ident") return true;
  if (e.kind === "Member") return !e.optional && isSimple(e.object);
  return e.kind === "Num" || e.kind === "Str" || e.kind === "Bool" || e.kind === "Nil";
}

/** The one expression of a block that is just one expression statement (an empty block is nil). */
export function single(b: ast.BlockExpr): ast.Expr | null {
  if (b.stmts.length === 0) return { kind: "Nil", span: b.span };
  if (b.stmts.length !== 1) return null;
  const s = b.stmts[0]!;
  if (s.kind !== "ExprStmt") return null;
  if (s.expr.kind === "Block" || s.expr.kind === "Try") return null;
  return s.expr;
}

/** A match arm's value when it is one expression. */
export function armValue(a: ast.MatchArm): ast.Expr | null {
  return a.body.kind === "Block" ? single(a.body) : a.body;
}

/** Constructs that are statements in statement position: `if`, `match`, `try`, a block. */
export function isStatementLike(e: ast.Expr): e is ast.IfExpr | ast.MatchExpr | ast.TryExpr | ast.BlockExpr {
  return e.kind === "If" || e.kind === "Match" || e.kind === "Try" || e.kind === "Block";
}
