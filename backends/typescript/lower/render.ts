import type { ModuleContext } from "../context.js";
import { writeStmts, type TsStmt } from "./ts-stmt.js";

/** Statements as text (with their markers), for code that sits inside an expression: a lambda's block body. */
export function renderStmts(ctx: ModuleContext, stmts: readonly TsStmt[]): string {
  const out = ctx.detached();
  writeStmts(out, stmts);
  return out.toString();
}
