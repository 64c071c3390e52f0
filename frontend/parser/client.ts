import type { Stmt } from "../ast.js";
import type { Token } from "../tokens.js";
import { accept, gen, mark, name, next, op, peek, peekAt, skipNewlines, spanFrom, type P } from "./core.js";
import { expr, params } from "./expressions.js";
import { blockExpr } from "./statements.js";
import { typeExpr } from "./types.js";

/**
 * Client block statements (named-blocks.md, the multi-server example):
 * `state name: T = e`, `computed name = e`, `effect { }`, `component Name { }`.
 * Returns null when the current token starts none of them.
 */

const isOp = (t: Token, v: string) => t.kind === "op" && t.value === v;

export const clientStatement: P<Stmt | null> = gen((run): Stmt | null => {
  const t = run(peek);
  const n = run(peekAt(1));
  switch (t.value) {
    case "state":
      return n.kind === "ident" && (isOp(run(peekAt(2)), ":") || isOp(run(peekAt(2)), "=")) ? run(state) : null;
    case "computed":
      return n.kind === "ident" && isOp(run(peekAt(2)), "=") ? run(computed) : null;
    case "effect":
      return isOp(n, "{") ? run(effect) : null;
    case "component":
      return n.kind === "ident" ? run(component) : null;
    default:
      return null;
  }
});

const state: P<Stmt> = gen((run) => {
  const start = run(mark);
  run(next);
  const ns = run(mark);
  const n = run(name());
  const nameSpan = run(spanFrom(ns));
  const type = run(accept("op", ":")) ? run(typeExpr) : null;
  run(op("="));
  run(skipNewlines);
  const value = run(expr);
  return { kind: "State", name: n.value, nameSpan, type, value, span: run(spanFrom(start)) };
});

const computed: P<Stmt> = gen((run) => {
  const start = run(mark);
  run(next);
  const ns = run(mark);
  const n = run(name());
  const nameSpan = run(spanFrom(ns));
  run(op("="));
  run(skipNewlines);
  const value = run(expr);
  return { kind: "Computed", name: n.value, nameSpan, value, span: run(spanFrom(start)) };
});

const effect: P<Stmt> = gen((run) => {
  const start = run(mark);
  run(next);
  const body = run(blockExpr);
  return { kind: "Effect", body, span: run(spanFrom(start)) };
});

const component: P<Stmt> = gen((run) => {
  const start = run(mark);
  run(next);
  const ns = run(mark);
  const n = run(name("a component name"));
  const nameSpan = run(spanFrom(ns));
  const ps = isOp(run(peek), "(") ? run(params) : [];
  const body = run(blockExpr);
  return { kind: "Component", name: n.value, nameSpan, params: ps, body, span: run(spanFrom(start)) };
});
