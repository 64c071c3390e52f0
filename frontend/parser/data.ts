import type { Stmt } from "../ast.js";
import type { Token } from "../tokens.js";
import { gen, mark, name, next, op, peek, peekAt, spanFrom, tok, type P } from "./core.js";
import { expr } from "./expressions.js";

/**
 * Data block statements (scaling.md, "Refresh Policies"):
 * `source x = read("f.csv")` and `refresh x every 10.minutes`.
 */

const isOp = (t: Token, v: string) => t.kind === "op" && t.value === v;

export const dataStatement: P<Stmt | null> = gen((run): Stmt | null => {
  const t = run(peek);
  const n = run(peekAt(1));
  if (t.value === "source" && n.kind === "ident" && isOp(run(peekAt(2)), "=")) return run(source);
  if (t.value === "refresh" && n.kind === "ident" && run(peekAt(2)).value === "every") return run(refresh);
  return null;
});

const source: P<Stmt> = gen((run) => {
  const start = run(mark);
  run(next);
  const ns = run(mark);
  const n = run(name());
  const nameSpan = run(spanFrom(ns));
  run(op("="));
  const value = run(expr);
  return { kind: "Source", name: n.value, nameSpan, value, span: run(spanFrom(start)) };
});

const refresh: P<Stmt> = gen((run) => {
  const start = run(mark);
  run(next);
  const ns = run(mark);
  const n = run(name());
  const nameSpan = run(spanFrom(ns));
  run(tok("ident", "every"));
  const interval = run(expr);
  return { kind: "Refresh", name: n.value, nameSpan, interval, span: run(spanFrom(start)) };
});
