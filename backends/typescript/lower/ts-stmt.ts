import type { Span } from "../../../frontend/span.js";
import type { TsFile } from "../builders.js";

/**
 * TypeScript statements as data. Lowering builds these and never writes text
 * directly, so a construct can decide late where its statements go (before
 * the expression that needs them, inside the branch that evaluates them, at
 * the head of a loop), and `writeStmts` prints them through the one builder
 * facade (builders.ts), which adds the `.tova` markers.
 */
export type TsStmt =
  | { kind: "line"; text: string; span?: Span | undefined }
  /** `head { body }`; an empty head is a bare block. */
  | { kind: "block"; head: string; body: TsStmt[]; span?: Span | undefined }
  /** `if (a) { } else if (b) { } else { }`, `try { } catch { }`: parts written on one chain. */
  | { kind: "chain"; parts: { head: string; body: TsStmt[] }[]; span?: Span | undefined }
  | { kind: "function"; decl: FunctionDecl; body: TsStmt[]; span?: Span | undefined };

export interface FunctionDecl {
  name: string;
  async: boolean;
  typeParams: string[];
  params: string[];
  returnType: string | null;
}

export const line = (text: string, span?: Span): TsStmt => ({ kind: "line", text, span });
export const block = (head: string, body: TsStmt[], span?: Span): TsStmt => ({ kind: "block", head, body, span });

/** `if (cond) { then } else { otherwise }`, dropping an empty else. */
export function ifElse(cond: string, then: TsStmt[], otherwise: TsStmt[] | null, span?: Span): TsStmt {
  const parts = [{ head: `if (${cond})`, body: then }];
  if (otherwise && otherwise.length) {
    // `else { if (...) { } }` reads better as `else if (...) { }`.
    const only = otherwise.length === 1 ? otherwise[0]! : null;
    if (only && only.kind === "chain" && only.parts[0]!.head.startsWith("if ")) {
      parts.push(...only.parts.map((p) => ({ ...p, head: p.head.startsWith("if ") ? `else ${p.head}` : p.head })));
    } else parts.push({ head: "else", body: otherwise });
  }
  return { kind: "chain", parts, span };
}

export function writeStmts(out: TsFile, stmts: readonly TsStmt[]): void {
  for (const s of stmts) {
    switch (s.kind) {
      case "line":
        out.line(s.text, s.span);
        break;
      case "block":
        out.block(s.head, () => writeStmts(out, s.body), s.span);
        break;
      case "chain":
        out.chain(s.parts.map((p) => ({ head: p.head, body: () => writeStmts(out, p.body) })), s.span);
        break;
      case "function":
        out.function({ ...s.decl, exported: false }, () => writeStmts(out, s.body), s.span);
        break;
    }
  }
}

/** Whether control never leaves the end of these statements (they end in `return`, `break`, `continue` or `throw`). */
export function endsAbruptly(stmts: readonly TsStmt[]): boolean {
  const last = stmts[stmts.length - 1];
  if (!last) return false;
  if (last.kind === "line") return /^(return|break|continue|throw)\b/.test(last.text);
  if (last.kind === "chain") return last.parts.some((p) => p.head === "else") && last.parts.every((p) => endsAbruptly(p.body));
  return false;
}
