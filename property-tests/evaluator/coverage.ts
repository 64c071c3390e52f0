import type * as ast from "../../frontend/ast.js";
import type { CheckedApp } from "../../ir/checked.js";

/**
 * Which constructs a program contains, read from the lowered AST the
 * evaluator interprets (not from the generator's intentions), so the
 * differential test can assert that its programs really exercise what it
 * claims to: `!` in each position where a lowering can get evaluation order
 * wrong, short-circuit operators, `if` and `match` in both roles, every
 * pattern kind, loops with `break` / `continue`, lambdas and closures.
 */
export const CONSTRUCTS = [
  "! on Option", "! on Result", "! in a lambda", "! in an if branch", "! in a while condition", "! right of and/or/??", "! in a match arm",
  "and", "or", "??", "if as a value", "if as a statement", "elif",
  "match as a value", "match as a statement", "literal pattern", "range pattern", "wildcard pattern", "binding pattern",
  "Some/None patterns", "Ok/Err patterns", "guard", "arm with a block",
  "for", "for with index", "for over a range", "while", "break", "continue", "return",
  "lambda with an expression body", "lambda with a block body", "lambda assigning a captured var",
  "call of a function that prints", "top-level binding after a statement", "top-level var reassigned", "== nil", "missing field",
] as const;

export type Construct = (typeof CONSTRUCTS)[number];

interface Where {
  /** The declared result of the enclosing function (`Option` / `Result`), for what `!` applies to. */
  ret: string | null;
  lambda: boolean;
  branch: boolean;
  whileCond: boolean;
  shortCircuit: boolean;
  arm: boolean;
  /** Names declared `var` before the current lambda (names are unique in generated programs), for closure assignments. */
  outerVars: Set<string>;
}

export function constructsOf(app: CheckedApp): Set<Construct> {
  const found = new Set<Construct>();
  const printing = new Set<string>();
  for (const f of app.shared.fns) if (JSON.stringify(f.body).includes('"name":"print"')) printing.add(f.name);
  const topVars = new Set([...app.shared.bindings, ...app.shared.stmts].flatMap((b) => ("kind" in b ? (b.kind === "Let" && b.mutable ? [b.name] : []) : b.mutable ? [b.name] : [])));
  const varsSeen = new Set(topVars);
  const base: Where = { ret: null, lambda: false, branch: false, whileCond: false, shortCircuit: false, arm: false, outerVars: new Set() };

  const visitBlock = (b: ast.BlockExpr, w: Where, valued: boolean): void => b.stmts.forEach((s, i) => stmt(s, w, valued && i === b.stmts.length - 1));
  const stmt = (s: ast.Stmt, w: Where, valued: boolean): void => {
    switch (s.kind) {
      case "ExprStmt":
        if (!valued && s.expr.kind === "If") found.add("if as a statement");
        if (!valued && s.expr.kind === "Match") found.add("match as a statement");
        return expr(s.expr, w, valued);
      case "Let":
        if (s.mutable) varsSeen.add(s.name);
        if (w.lambda && !s.mutable && w.outerVars.has(s.name)) found.add("lambda assigning a captured var");
        return expr(s.value, w, true);
      case "Assign":
        if (w.lambda && s.target.kind === "Ident" && w.outerVars.has(s.target.name)) found.add("lambda assigning a captured var");
        return expr(s.value, w, true);
      case "Return":
        found.add("return");
        return s.value ? expr(s.value, w, true) : undefined;
      case "Break":
        return void found.add("break");
      case "Continue":
        return void found.add("continue");
      case "For": {
        found.add("for");
        if (s.names.length === 2) found.add("for with index");
        if (s.iterable.kind === "Range") found.add("for over a range");
        expr(s.iterable, w, true);
        return visitBlock(s.body, w, false);
      }
      case "While":
        found.add("while");
        expr(s.cond, { ...w, whileCond: true }, true);
        return visitBlock(s.body, w, false);
      default:
        return;
    }
  };
  const expr = (e: ast.Expr, w: Where, valued: boolean): void => {
    switch (e.kind) {
      case "Propagate":
        if (w.ret === "Option") found.add("! on Option");
        if (w.ret === "Result") found.add("! on Result");
        if (w.lambda) found.add("! in a lambda");
        if (w.branch) found.add("! in an if branch");
        if (w.whileCond) found.add("! in a while condition");
        if (w.shortCircuit) found.add("! right of and/or/??");
        if (w.arm) found.add("! in a match arm");
        return expr(e.expr, w, true);
      case "Binary": {
        if (e.op === "and" || e.op === "or" || e.op === "??") found.add(e.op);
        if (e.op === "==" && (e.right.kind === "Nil" || e.left.kind === "Nil")) found.add("== nil");
        expr(e.left, w, true);
        return expr(e.right, e.op === "and" || e.op === "or" || e.op === "??" ? { ...w, shortCircuit: true } : w, true);
      }
      case "If":
        if (valued) found.add("if as a value");
        if (e.branches.length > 1) found.add("elif");
        e.branches.forEach((b, i) => {
          expr(b.cond, i === 0 ? w : { ...w, branch: true }, true);
          visitBlock(b.body, { ...w, branch: true }, valued);
        });
        return e.otherwise ? visitBlock(e.otherwise, { ...w, branch: true }, valued) : undefined;
      case "Match":
        if (valued) found.add("match as a value");
        expr(e.subject, w, true);
        for (const arm of e.arms) {
          pattern(arm.pattern);
          if (arm.guard) (found.add("guard"), expr(arm.guard, { ...w, arm: true }, true));
          if (arm.body.kind === "Block") found.add("arm with a block");
          expr(arm.body, { ...w, arm: true }, valued);
        }
        return;
      case "Lambda": {
        found.add(e.body.kind === "Block" ? "lambda with a block body" : "lambda with an expression body");
        const inner: Where = { ...base, lambda: true, outerVars: new Set(varsSeen) };
        return expr(e.body, inner, true);
      }
      case "Block":
        return visitBlock(e, w, valued);
      case "Call":
        if (e.callee.kind === "Ident" && printing.has(e.callee.name)) found.add("call of a function that prints");
        expr(e.callee, w, true);
        return e.args.forEach((a) => expr(a.value, w, true));
      case "Member":
        if (e.name === "z") found.add("missing field");
        return expr(e.object, w, true);
      case "Unary":
        return expr(e.operand, w, true);
      case "Compare":
        return e.operands.forEach((o) => expr(o, w, true));
      case "Array":
        return e.elements.forEach((x) => expr(x.kind === "Spread" ? x.value : x, w, true));
      case "Object":
        return e.entries.forEach((x) => expr(x.value, w, true));
      case "Template":
        return e.parts.forEach((p) => (typeof p === "string" ? undefined : expr(p, w, true)));
      case "Index":
        return (expr(e.object, w, true), expr(e.index, w, true));
      case "Range":
        return (expr(e.start, w, true), expr(e.end, w, true));
      default:
        return;
    }
  };
  const pattern = (p: ast.Pattern): void => {
    if (p.kind === "PLit") found.add("literal pattern");
    if (p.kind === "PRange") found.add("range pattern");
    if (p.kind === "PWild") found.add("wildcard pattern");
    if (p.kind === "PBind") found.add("binding pattern");
    if (p.kind === "PVariant") {
      found.add(p.name === "Some" || p.name === "None" ? "Some/None patterns" : "Ok/Err patterns");
      p.args.forEach(pattern);
    }
  };

  for (const f of app.shared.fns) {
    const ret = f.returnType?.kind === "TName" ? f.returnType.name : null;
    visitBlock(f.body, { ...base, ret }, true);
  }
  // Top level, in source order: a binding after a statement is where a reordering shows. (Bindings are
  // counted whether lowering keeps them apart, as the IR's bindings, or among the statements.)
  const top = [...app.shared.bindings.map((b) => ({ at: b.span.start, b })), ...app.shared.stmts.map((s) => ({ at: s.span.start, s }))].sort((x, y) => x.at - y.at);
  let sawStmt = false;
  const declared = new Set<string>();
  for (const item of top) {
    const b = "b" in item ? item.b : item.s.kind === "Let" ? item.s : null;
    if (b) {
      if (sawStmt) found.add("top-level binding after a statement");
      if (!b.mutable && topVars.has(b.name) && declared.has(b.name)) found.add("top-level var reassigned");
      declared.add(b.name);
    } else sawStmt = true;
    if ("b" in item) expr(item.b.value, base, true);
    else {
      const s = item.s;
      if (s.kind === "Assign" && s.op === "=" && s.target.kind === "Ident" && topVars.has(s.target.name)) found.add("top-level var reassigned");
      stmt(s, base, false);
    }
  }
  return found;
}
