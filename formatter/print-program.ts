import { doc, type Doc } from "prettier";
import type { Program, TopItem } from "../frontend/ast.js";
import type { Source } from "./source.js";
import { joinLines, printList } from "./print-list.js";
import { printBraced, printServerStmt } from "./print-server.js";
import { printStmt } from "./print-stmt.js";

const { hardline, indent } = doc.builders;

/**
 * A file (language.md, "Source files and blocks"): its items one per line,
 * a blank line around every block (`server { }`, `deploy "x" { }`, ...),
 * blank lines between other items kept (at most one), and a final newline.
 */
export function printProgram(p: Program, src: Source): Doc {
  const lines = printList(src, { items: p.items, span: (i) => i.span, print: (i) => printItem(i, src), start: 0, end: src.text.length, blankBetween: (a, b) => isBlock(a) || isBlock(b) });
  return lines.length ? [joinLines(lines), hardline] : "";
}

function isBlock(i: TopItem): boolean {
  return i.kind === "BlockDecl" || i.kind === "DeployDecl" || i.kind === "SecurityDecl";
}

function printItem(i: TopItem, src: Source): Doc {
  switch (i.kind) {
    case "BlockDecl": {
      // `client` or its alias `browser`, as written.
      const word = /^\w+/.exec(src.slice(i.span))?.[0] ?? i.block;
      const name = i.nameSpan ? [" ", src.slice(i.nameSpan)] : "";
      const open = src.opAfter("{", i.nameSpan ? i.nameSpan.end : i.span.start);
      const lines = printList(src, { items: i.body, span: (s) => s.span, print: (s) => printStmt(s, src), start: open + 1, end: i.span.end - 1 });
      return [word, name, " ", lines.length ? ["{", indent([hardline, joinLines(lines)]), hardline, "}"] : "{}"];
    }
    case "DeployDecl":
      return ["deploy ", src.slice(i.nameSpan), " ", printBraced(i.entries, src, src.opAfter("{", i.nameSpan.end), i.span.end - 1, true)];
    case "SecurityDecl": {
      const name = /^security\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')/.exec(src.slice(i.span))?.[1];
      return ["security", name ? " " + name : "", " ", printBraced(i.entries, src, src.opAfter("{", i.span.start), i.span.end - 1, true)];
    }
    default:
      return printStmt(i, src);
  }
}

export { printServerStmt };
