import { doc, type Doc } from "prettier";
import type { BlockExpr, FieldDecl, Stmt, TypeDecl } from "../frontend/ast.js";
import type { Source } from "./source.js";
import { joinLines, printList } from "./print-list.js";
import { printBodyExpr, printCond, printExpr } from "./print-expr.js";
import { printField, printParams, printType, printTypeParams } from "./print-types.js";
import { printBraced, printServerStmt } from "./print-server.js";

const { group, indent, line, hardline, join, ifBreak, breakParent } = doc.builders;

/**
 * Statements (language.md, "Bindings and functions", "Statements"): one per
 * line; a block of one short statement written on its `{` line stays there
 * when it fits (`fn add(a, b) { a + b }`, `if done { break }`); loops always break.
 */
export function printBlock(b: BlockExpr, src: Source, mayBeOneLine: boolean): Doc {
  const lines = printList(src, { items: b.stmts, span: (s) => s.span, print: (s) => printStmt(s, src), start: b.span.start + 1, end: b.span.end - 1 });
  if (lines.length === 0) return "{}";
  if (mayBeOneLine && b.stmts.length === 1 && lines.length === 1 && src.commentsIn(b.span.start, b.span.end).length === 0 && isShort(b.stmts[0]!) && !src.hasNewline(b.span.start, b.stmts[0]!.span.start)) {
    return group(["{", indent([line, lines[0]!]), line, "}"]);
  }
  return ["{", indent([hardline, joinLines(lines)]), hardline, "}"];
}

function isShort(s: Stmt): boolean {
  return s.kind === "ExprStmt" || s.kind === "Return" || s.kind === "Break" || s.kind === "Continue" || s.kind === "Assign";
}

/** The body of an `if` branch or a match arm, after a space: a block, or a `return`/`break`/`continue` written without braces. */
export function printBranch(b: BlockExpr, src: Source): Doc {
  if (src.charAt(b.span.start) !== "{") return [" ", printStmt(b.stmts[0]!, src)];
  return [" ", printBlock(b, src, true)];
}

export function printStmt(s: Stmt, src: Source): Doc {
  switch (s.kind) {
    case "Let":
      return [s.mutable ? "var " : "", s.name, s.type ? [": ", printType(s.type)] : "", " = ", printExpr(s.value, src)];
    case "Assign":
      return [printExpr(s.target, src), " ", s.op, " ", printExpr(s.value, src)];
    case "ExprStmt":
      return s.expr.kind === "Block" ? printBlock(s.expr, src, false) : printBodyExpr(s.expr, src);
    case "Return":
      return s.value ? ["return ", printExpr(s.value, src)] : "return";
    case "Break":
      return "break";
    case "Continue":
      return "continue";
    case "For":
      return ["for ", s.names.map((n) => n.name).join(", "), " in ", printCond(s.iterable, src), " ", printBlock(s.body, src, false)];
    case "While":
      return ["while ", printCond(s.cond, src), " ", printBlock(s.body, src, false)];
    case "FnDecl": {
      const named = s.nameSpan.end > s.nameSpan.start;
      return [
        s.modifier ? s.modifier + " " : "",
        s.exported ? "export " : "",
        s.async ? "async " : "",
        "fn",
        named ? " " + s.name : "",
        printTypeParams(s.typeParams),
        printParams(s.params, src),
        s.returnType ? [" -> ", printType(s.returnType)] : "",
        " ",
        printBlock(s.body, src, true),
      ];
    }
    case "TypeDecl":
      return printTypeDecl(s, src);
    case "Import": {
      const from = /\bfrom\s*([\s\S]*)$/.exec(src.slice(s.span))?.[1] ?? "";
      if (s.defaultName !== null) return ["import ", s.defaultName, " from ", from];
      const names = s.names.map((n) => (n.alias ? `${n.name} as ${n.alias}` : n.name));
      const broken = s.names[0] && src.hasNewline(s.span.start, s.names[0].span.start) ? breakParent : "";
      return ["import ", group([broken, "{", indent([line, join([",", line], names)]), line, "}"]), " from ", from];
    }
    case "Placeholder":
      return "...";
    case "ErrorStmt":
      return src.verbatim(s.span);
    default:
      return printServerStmt(s, src);
  }
}

function printTypeDecl(s: TypeDecl, src: Source): Doc {
  // `export type` is accepted and means the same as `type`; keep it as written.
  const exported = /\bexport\s*$/.test(src.text.slice(Math.max(0, s.span.start - 20), s.span.start)) ? "export " : "";
  const head = [exported, "type ", s.name, printTypeParams(s.typeParams)];
  if (s.def.kind === "alias") return [head, " = ", printType(s.def.type)];
  const items = s.def.kind === "record" ? s.def.fields.map((f) => ({ span: f.span, doc: printField(f) })) : s.def.variants.map((v) => ({ span: v.span, doc: v.fields.length ? [v.name, "(", join(", ", v.fields.map(printField)), ")"] : v.name }));
  return [head, " ", printFields(items, src, src.opAfter("{", s.nameSpan.end), s.span.end - 1)];
}

/** `{ a: Int, b: String }` of a record, enum or model: on one line when it fits and was written so, else one per line. */
export function printFields(items: { span: FieldDecl["span"]; doc: Doc }[], src: Source, open: number, close: number): Doc {
  if (src.commentsIn(open, close).length > 0) {
    const lines = printList(src, { items, span: (i) => i.span, print: (i) => i.doc, start: open + 1, end: close });
    return ["{", indent([hardline, joinLines(lines)]), hardline, "}"];
  }
  if (items.length === 0) return "{}";
  const broken = src.hasNewline(open, items[0]!.span.start) ? breakParent : "";
  return group([broken, "{", indent([line, join([ifBreak("", ","), line], items.map((i) => i.doc))]), line, "}"]);
}

export { printBraced };
