import type { BlockExpr, Expr, FieldDecl, FnDecl, FnModifier, Ident, ImportDecl, Stmt, TypeDecl, VariantDecl } from "../ast.js";
import { diagnostic } from "../../diagnostics/catalog.js";
import type { Token } from "../tokens.js";
import type { Span } from "../span.js";
import {
  accept, ahead, commaSeparated, context, ctxNow, current, expected, gen, here, kw, mark, name, nest, next, op, peek, peekAt, recovering, reportUnclosed,
  skipNewlines, skipSeparators, spanFrom, spanSince, stopReading, stringLit, type P, type Run,
} from "./core.js";
import { condExpr, expr, exprF, exprFrom, ifF, matchF, objectStatementAhead, params } from "./expressions.js";
import { misspeltKeyword } from "./typos.js";
import { clientStatement } from "./client.js";
import { dataStatement } from "./data.js";
import { serverStatement } from "./server.js";
import { typeExpr, typeParams } from "./types.js";

/**
 * Statements (language.md, "Bindings and functions", "Statements") and the
 * dispatch to block statements. Block words are contextual: `route` starts a
 * route only when a method follows it, so `route = 1` is still a binding.
 */

const isOp = (t: Token, v: string) => t.kind === "op" && t.value === v;

/** `{ statements }`, recovering from a broken statement at the next one. */
export function blockF(): BlockExpr {
  return nest(blockBody, (span): BlockExpr => ({ kind: "Block", stmts: [], span }));
}

function blockBody(run: Run): BlockExpr {
  const start = here();
  const open = run(op("{"));
  const stmts = statementsF(run);
  if (current().kind === "eof") {
    reportUnclosed(ctxNow(), start, open, "this `{` is never closed");
    return { kind: "Block", stmts, span: spanSince(start) };
  }
  run(op("}"));
  return { kind: "Block", stmts, span: spanSince(start) };
}

export const blockExpr: P<BlockExpr> = gen(() => blockF());

/** Statements up to (not including) a `}` or the end of input. Never fails. */
export function statementsF(run: Run): Stmt[] {
  const stmts: Stmt[] = [];
  for (;;) {
    run(skipSeparators);
    const t = current();
    if (t.kind === "eof" || isOp(t, "}") || stopReading()) return stmts;
    stmts.push(recovering(terminatedStatement, errorStmt));
  }
}

export const statementsUntilBrace: P<Stmt[]> = gen(statementsF);

const errorStmt = (span: Span, at: number, tokens: Token[]): Stmt => ({ kind: "ErrorStmt", span, defines: definedName(tokens, at) });

/** `x = ...`, `var x`, `fn x`, `type X`, `state x`: the name a statement defines, read from its first tokens. */
export function definedName(tokens: Token[], at: number): string | null {
  const [a, b, c] = [tokens[at], tokens[at + 1], tokens[at + 2]];
  if (!a || !b) return null;
  if (a.kind === "ident" && b.kind === "op" && b.value === "=") return a.value;
  if (a.kind === "kw" && (a.value === "var" || a.value === "fn" || a.value === "type") && b.kind === "ident") return b.value;
  if (a.kind === "kw" && a.value === "async" && c?.kind === "ident") return c.value;
  if (a.kind === "ident" && ["state", "computed", "source", "component", "model"].includes(a.value) && b.kind === "ident") return b.value;
  if (a.kind === "ident" && (a.value === "background" || a.value === "middleware") && c?.kind === "ident") return c.value;
  // `fun f() {`: reported as a misspelt `fn`; `f` is still what it defines.
  if (b.kind === "ident" && misspeltKeyword(tokens, at) === "fn") return b.value;
  return null;
}

/** A statement must end at a newline, `;`, `}` or the end of input. */
export function terminated<T>(p: P<T>): P<T> {
  return gen((run) => {
    const value = run(p);
    endOfStatement(run);
    return value;
  });
}

function endOfStatement(run: Run): void {
  const t = current();
  if (t.kind === "nl" || t.kind === "eof" || isOp(t, ";") || isOp(t, "}")) return;
  // decisions.md, "Layout": another statement may follow a block's `}` on the same line
  // (`fn a() { 1 } fn b() { 2 }`); an object literal's `}` is no block.
  const ctx = ctxNow();
  const last = here() - 1;
  const prev = ctx.tokens[last];
  if (prev && isOp(prev, "}") && last !== ctx.objectEnd) return;
  run(expected("the end of the statement"));
}

function terminatedStatement(run: Run): Stmt {
  const s = statementF(run);
  endOfStatement(run);
  return s;
}

export function statementF(run: Run): Stmt {
  const t = current();
  if (t.kind === "kw") {
    switch (t.value) {
      case "var":
        return run(varStmt);
      case "fn":
        if (ahead(1).kind === "ident") return run(fnDecl(null));
        break;
      case "async":
        return run(fnDecl(null));
      case "export": {
        const after = ahead(1);
        if (after.kind === "kw" && after.value === "type") {
          run(next);
          return run(typeDecl);
        }
        return run(fnDecl(null));
      }
      case "return":
        return run(returnStmt);
      case "break":
      case "continue": {
        const start = here();
        run(next);
        return { kind: t.value === "break" ? "Break" : "Continue", span: spanSince(start) };
      }
      case "for":
        return run(forStmt);
      case "while":
        return run(whileStmt);
      case "type":
        return run(typeDecl);
      case "import":
        return run(importDecl);
    }
  } else if (t.kind === "ident") {
    const special = run(serverStatement) ?? run(clientStatement) ?? run(dataStatement);
    if (special) return special;
  } else if (isOp(t, "...")) {
    const start = here();
    run(next);
    return { kind: "Placeholder", span: spanSince(start) };
  }
  if (t.kind === "kw" && (t.value === "if" || t.value === "match")) {
    // The common statement forms, without the precedence levels between (expressions.ts, `exprFrom`).
    const start = here();
    const first = t.value === "if" ? ifF(run) : nest(matchF, (span): Expr => ({ kind: "ErrorExpr", span }));
    return exprOrAssignmentFrom(run, exprFrom(run, first, start), start);
  }
  if (isOp(t, "{") && !objectStatementAhead()) {
    const start = here();
    const block = blockF();
    return { kind: "ExprStmt", expr: block, span: spanSince(start) };
  }
  return exprOrAssignmentF(run);
}

export const statement: P<Stmt> = gen(statementF);

const ASSIGN_OPS = new Set(["=", "+=", "-=", "*=", "/="]);

function exprOrAssignmentF(run: Run): Stmt {
  const start = here();
  return exprOrAssignmentFrom(run, exprF(run, false), start);
}

/** `e`, or `e = value` / `e += value` when `e` (read from token `start`) can be assigned. */
function exprOrAssignmentFrom(run: Run, e: Expr, start: number): Stmt {
  const t = current();
  if (t.kind === "op" && ASSIGN_OPS.has(t.value)) {
    if (e.kind === "Ident" && t.value === "=") {
      run(next);
      run(skipNewlines);
      const value = exprF(run, false);
      return { kind: "Let", name: e.name, nameSpan: e.span, mutable: false, type: null, value, span: spanSince(start) };
    }
    if (e.kind === "Ident" || e.kind === "Member" || e.kind === "Index") {
      run(next);
      run(skipNewlines);
      const value = exprF(run, false);
      return { kind: "Assign", target: e, op: t.value as "=", value, span: spanSince(start) };
    }
    const ctx = ctxNow();
    ctx.diagnostics.push(diagnostic("E0014", e.span, "this cannot be assigned to", { hint: "assign to a name, a field (`a.b = x`) or an element (`a[i] = x`)" }));
    run(next);
    const value = exprF(run, false);
    return { kind: "ExprStmt", expr: value, span: spanSince(start) };
  }
  return { kind: "ExprStmt", expr: e, span: spanSince(start) };
}

const varStmt: P<Stmt> = gen((run) => {
  const start = run(mark);
  run(kw("var"));
  const nameStart = run(mark);
  const n = run(name("a variable name"));
  const nameSpan = run(spanFrom(nameStart));
  const type = run(accept("op", ":")) ? run(typeExpr) : null;
  run(op("="));
  run(skipNewlines);
  const value = run(expr);
  return { kind: "Let", name: n.value, nameSpan, mutable: true, type, value, span: run(spanFrom(start)) };
});

const returnStmt: P<Stmt> = gen((run) => {
  const start = run(mark);
  run(kw("return"));
  const t = run(peek);
  // `,` too: `None => return, Some(x) => ...` (a match arm's body, below).
  const value = t.kind === "nl" || t.kind === "eof" || isOp(t, ";") || isOp(t, "}") || isOp(t, ",") ? null : exprF(run, false);
  return { kind: "Return", value, span: run(spanFrom(start)) };
});

/**
 * decisions.md, "Layout": "`return e`, `break` and `continue` may be a match
 * arm's body or an `if` branch without braces". So the body of a match arm
 * and of each `if` / `elif` / `else` branch is a block or exactly one of
 * these jumps (`Err(e) => return Err(e)`, `if n < 0 return Err("negative")`,
 * `if done break`), read as the block holding just that statement. Other
 * statements still need braces: only a jump cannot be mistaken for the value
 * of the branch.
 */
export function jumpBody(run: Run): BlockExpr | null {
  const t = current();
  if (t.kind !== "kw" || (t.value !== "return" && t.value !== "break" && t.value !== "continue")) return null;
  const start = here();
  const stmt: Stmt = t.value === "return" ? run(returnStmt) : (run(next), { kind: t.value === "break" ? "Break" : "Continue", span: spanSince(start) });
  return { kind: "Block", stmts: [stmt], span: stmt.span };
}

function loopNames(run: Run): Ident[] {
  const names: Ident[] = [];
  do {
    const s = run(mark);
    names.push({ kind: "Ident", name: run(name("a loop variable")).value, span: run(spanFrom(s)) });
  } while (run(accept("op", ",")));
  return names;
}

const forStmt: P<Stmt> = gen((run) => {
  const start = run(mark);
  run(kw("for"));
  const names = loopNames(run);
  run(kw("in"));
  const iterable = run(condExpr);
  const body = blockF();
  return { kind: "For", names, iterable, body, span: run(spanFrom(start)) };
});

const whileStmt: P<Stmt> = gen((run) => {
  const start = run(mark);
  run(kw("while"));
  const c = run(condExpr);
  const body = blockF();
  return { kind: "While", cond: c, body, span: run(spanFrom(start)) };
});

/** `[export] [async] fn name<T>(params) -> Type { body }`, with `background`/`middleware` before it. */
export function fnDecl(modifier: FnModifier): P<FnDecl> {
  return gen((run) => {
    const start = run(mark);
    if (modifier) run(next);
    const exported = !!run(accept("kw", "export"));
    const isAsync = !!run(accept("kw", "async"));
    run(kw("fn"));
    const nameStart = run(mark);
    const fnName = modifier === "middleware" && run(peek).kind !== "ident" ? "middleware" : run(name("a function name")).value;
    const nameSpan = run(spanFrom(nameStart));
    const tps = run(typeParams);
    const ps = run(params);
    const returnType = run(accept("op", "->")) ? run(typeExpr) : null;
    const body = blockF();
    return { kind: "FnDecl", name: fnName, nameSpan, modifier, async: isAsync, typeParams: tps, params: ps, returnType, body, exported, span: run(spanFrom(start)) };
  });
}

/** `name: Type` entries separated by `,` or new lines, up to `}` (records, models). */
export const fieldList: P<FieldDecl[]> = gen((run) => {
  run(op("{"));
  const fields: FieldDecl[] = [];
  for (;;) {
    run(skipSeparators);
    while (run(accept("op", ","))) run(skipSeparators);
    if (run(accept("op", "}"))) return fields;
    const s = run(mark);
    const n = run(name("a field name", true));
    run(op(":"));
    const type = run(typeExpr);
    fields.push({ name: n.value, type, span: run(spanFrom(s)) });
    const t = run(peek);
    if (!(t.kind === "nl" || isOp(t, ",") || isOp(t, "}") || isOp(t, ";"))) run(expected("`,` or a new line"));
  }
});

/** `type User { ... }` (record), `type Severity { Info, Warning }` (enum), `type Id = Int` (alias). */
const typeDecl: P<TypeDecl> = gen((run): TypeDecl => {
  const start = run(mark);
  run(kw("type"));
  const ns = run(mark);
  const n = run(name("a type name"));
  const nameSpan = run(spanFrom(ns));
  const tps = run(typeParams);
  if (run(accept("op", "="))) {
    const type = run(typeExpr);
    return { kind: "TypeDecl", name: n.value, nameSpan, typeParams: tps, def: { kind: "alias", type }, span: run(spanFrom(start)) };
  }
  run(op("{"));
  const fields: FieldDecl[] = [];
  const variants: VariantDecl[] = [];
  for (;;) {
    run(skipSeparators);
    while (run(accept("op", ","))) run(skipSeparators);
    if (run(accept("op", "}"))) break;
    const es = run(mark);
    const en = run(name("a field or variant name", true));
    if (run(accept("op", ":"))) {
      fields.push({ name: en.value, type: run(typeExpr), span: run(spanFrom(es)) });
    } else {
      let vf: FieldDecl[] = [];
      if (isOp(run(peek), "(")) {
        run(next);
        vf = run(commaSeparated(variantField));
        run(op(")"));
      }
      variants.push({ name: en.value, fields: vf, span: run(spanFrom(es)) });
    }
    const t = run(peek);
    if (!(t.kind === "nl" || isOp(t, ",") || isOp(t, "}") || isOp(t, ";"))) run(expected("`,` or a new line"));
  }
  const span = run(spanFrom(start));
  if (fields.length && variants.length) {
    const ctx = run(context);
    ctx.diagnostics.push(
      diagnostic("E0010", variants[0]!.span, `type \`${n.value}\` mixes fields and variants`, {
        hint: "a type is either a record (`name: Type` fields) or an enum (variants)",
      }),
    );
  }
  if (variants.length) return { kind: "TypeDecl", name: n.value, nameSpan, typeParams: tps, def: { kind: "enum", variants }, span };
  return { kind: "TypeDecl", name: n.value, nameSpan, typeParams: tps, def: { kind: "record", fields }, span };
});

/** `radius: Float` or just `Float` inside a variant's parentheses. */
const variantField: P<FieldDecl> = gen((run) => {
  const s = run(mark);
  if (run(peek).kind === "ident" && isOp(run(peekAt(1)), ":")) {
    const n = run(next);
    run(next);
    return { name: n.value, type: run(typeExpr), span: run(spanFrom(s)) };
  }
  const type = run(typeExpr);
  return { name: "", type, span: run(spanFrom(s)) };
});

const importDecl: P<ImportDecl> = gen((run) => {
  const start = run(mark);
  run(kw("import"));
  const names: ImportDecl["names"] = [];
  let defaultName: string | null = null;
  if (run(accept("op", "{"))) {
    run(skipNewlines);
    while (!run(accept("op", "}"))) {
      const s = run(mark);
      const n = run(name("an imported name"));
      const alias = run(accept("kw", "as")) ? run(name("an alias")).value : null;
      names.push({ name: n.value, alias, span: run(spanFrom(s)) });
      run(skipNewlines);
      if (!run(accept("op", ","))) {
        run(skipNewlines);
        run(op("}"));
        break;
      }
      run(skipNewlines);
    }
  } else defaultName = run(name("a name to import")).value;
  run(kw("from"));
  const from = run(stringLit).value;
  return { kind: "Import", names, defaultName, from, span: run(spanFrom(start)) };
});

