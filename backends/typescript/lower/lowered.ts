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
 * (`Lowerer.expr` checks this). `hp` answers for the parts: the Lowerer
 * passes its memo, so each node is decided once however deep it sits.
 */
export function hasPre(e: ast.Expr, fixed: Fixed, hp: (x: ast.Expr) => boolean = (x) => hasPre(x, fixed, hp)): boolean {
  switch (e.kind) {
    case "Propagate":
    case "Block":
    case "Try":
      return true;
    case "Num": case "Str": case "Bool": case "Nil": case "Ident": case "ImplicitMember": case "ErrorExpr": case "Lambda":
      return false;
    case "If":
      return e.branches.some((b) => single(b.body) === null || hp(b.cond) || hp(single(b.body)!)) || (!!e.otherwise && (single(e.otherwise) === null || hp(single(e.otherwise)!)));
    case "Match":
      return !isSimple(e.subject, fixed) || e.arms.some((a) => (a.guard !== null && hp(a.guard)) || armValue(a) === null || hp(armValue(a)!));
    case "Compare":
      return e.operands.some(hp) || e.operands.slice(1, -1).some((o) => !isSimple(o, fixed));
    case "Template":
      return e.parts.some((p) => typeof p !== "string" && hp(p));
    case "Array":
      return e.elements.some((x) => hp(x.kind === "Spread" ? x.value : x));
    case "Object":
      return e.entries.some((x) => hp(x.value));
    case "Record":
      return e.fields.some((f) => hp(f.value));
    case "Member":
      return hp(e.object);
    case "Index":
      return hp(e.object) || hp(e.index);
    case "Call":
      return hp(e.callee) || e.args.some((a) => hp(a.value));
    case "Unary":
      return hp(e.operand);
    case "Binary":
      return hp(e.left) || hp(e.right);
    case "Range":
      return hp(e.start) || hp(e.end);
    case "Pipe":
      return hp(e.left) || hp(e.stage);
    case "Await":
      return hp(e.expr);
    case "JsxElement":
      return e.attrs.some((a) => a.value !== null && hp(a.value)) || e.children.some((c) => jsxHasPre(c, hp));
  }
}

function jsxHasPre(c: ast.JsxChild, hp: (x: ast.Expr) => boolean): boolean {
  const child = (x: ast.JsxChild) => jsxHasPre(x, hp);
  switch (c.kind) {
    case "JsxText":
      return false;
    case "JsxElement":
      return hp(c);
    case "JsxExpr":
      return hp(c.expr);
    case "JsxFor":
      return hp(c.iterable) || (c.key !== null && c.key !== undefined && hp(c.key)) || c.children.some(child);
    case "JsxIf":
      return c.branches.some((b) => hp(b.cond) || b.children.some(child)) || (c.otherwise ?? []).some(child);
  }
}

/** Whether the value of a name cannot change while an expression is evaluated (not a `var` or a client `state`). */
export type Fixed = (e: ast.Ident) => boolean;

/**
 * A subject that can be read more than once without evaluating anything and
 * reads the same each time: a literal, a name that cannot be reassigned, or a
 * chain of fields of one (a `var` is read once into a temporary, since an arm
 * or a guard may assign it before a binding reads it).
 */
export function isSimple(e: ast.Expr, fixed: Fixed): boolean {
  if (e.kind === "Ident") return fixed(e);
  if (e.kind === "Member") return !e.optional && isSimple(e.object, fixed);
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
