import { doc, type Doc } from "prettier";
import type { ConfigEntry, LambdaExpr, Stmt } from "../frontend/ast.js";
import type { Source } from "./source.js";
import { joinLines, printList } from "./print-list.js";
import { printExpr } from "./print-expr.js";
import { printBlock, printFields } from "./print-stmt.js";
import { printField, printParams, printType } from "./print-types.js";

const { group, indent, line, hardline, join, ifBreak, breakParent } = doc.builders;

/**
 * Block statements of servers, clients and data blocks (named-blocks.md,
 * scaling.md, client.md), and configuration bodies (`db { }`, `cors { }`,
 * `deploy "x" { }`, `security { }`). Names and paths are printed as
 * written (their spans), so their quotes and escapes stay.
 */
export function printServerStmt(s: Stmt, src: Source): Doc {
  switch (s.kind) {
    case "Route":
      return ["route ", s.method, " ", src.slice(s.pathSpan), " => ", printExpr(s.handler, src)];
    case "Model": {
      if (!s.fields) return ["model ", s.name];
      const items = s.fields.map((f) => ({ span: f.span, doc: printField(f) }));
      return ["model ", s.name, " ", printFields(items, src, src.opAfter("{", s.nameSpan.end), s.span.end - 1)];
    }
    case "Db":
      return ["db ", printBraced(s.entries, src, src.opAfter("{", s.span.start), s.span.end - 1, false)];
    case "Config":
      return [s.name, " ", printBraced(s.entries, src, src.opAfter("{", s.span.start), s.span.end - 1, false)];
    case "Env":
      return ["env ", s.name, ": ", printType(s.type), s.default ? [" = ", printExpr(s.default, src)] : ""];
    case "Port":
      return ["port ", printExpr(s.value, src)];
    case "MaxBody":
      return ["max_body ", printExpr(s.value, src)];
    case "Discover": {
      const at = s.at ? [" at ", printExpr(s.at, src)] : "";
      if (s.form === "at") return ["discover ", src.slice(s.peerSpan), at];
      const body = printBraced(s.entries, src, src.opAfter("{", s.at ? s.at.span.end : s.peerSpan.end), s.span.end - 1, false);
      return ["discover ", src.slice(s.peerSpan), at, s.form === "at-with" ? " with " : " ", body];
    }
    case "Schedule": {
      const body = s.body.span.start < s.body.span.end && src.charAt(s.body.span.start) === "{" ? printBlock(s.body, src, false) : printExpr((s.body.stmts[0] as Extract<Stmt, { kind: "ExprStmt" }>).expr, src);
      if (s.form === "cron") {
        const label = /^schedule\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')/.exec(src.slice(s.span))?.[1] ?? "";
        return ["schedule ", label, " cron(", src.slice(s.cronSpan), ") ", body];
      }
      // `schedule "cron" { }`, `schedule "cron" fn() { }` and `schedule "cron" fn name() { }`.
      const between = src.text.slice(s.cronSpan.end, s.body.span.start);
      const params = /\(([^)]*)\)/.exec(between)?.[1]?.trim().replace(/\s*,\s*/g, ", ") ?? "";
      const fn = /\bfn\b/.test(between) ? ["fn", s.name ? " " + s.name : "", "(", params, ") "] : "";
      return ["schedule ", src.slice(s.cronSpan), " ", fn, body];
    }
    case "Subscribe":
      return ["subscribe ", src.slice(s.eventSpan), " ", printExpr(s.handler, src)];
    case "Emit":
      return ["emit ", src.slice(s.eventSpan), " ", printExpr(s.value, src)];
    case "Lifecycle":
      return [s.hook, " ", printHandler(s.handler, src)];
    case "WebSocket": {
      const word = /^\w+/.exec(src.slice(s.span))?.[0] ?? "ws";
      const path = s.path !== null ? [" ", /^\w+\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')/.exec(src.slice(s.span))?.[1] ?? ""] : "";
      const open = src.opAfter("{", s.span.start);
      const lines = printList(src, { items: s.handlers, span: (h) => ({ start: h.span.start, end: h.handler.span.end }), print: (h) => [h.name, " ", printExpr(h.handler, src)], start: open + 1, end: s.span.end - 1 });
      return [word, path, " ", lines.length ? ["{", indent([hardline, joinLines(lines)]), hardline, "}"] : "{}"];
    }
    case "Sse":
      return ["sse ", src.slice(s.pathSpan), " ", printExpr(s.handler, src)];
    case "State":
      return ["state ", s.name, s.type ? [": ", printType(s.type)] : "", " = ", printExpr(s.value, src)];
    case "Computed":
      return ["computed ", s.name, " = ", printExpr(s.value, src)];
    case "Effect":
      return ["effect ", printBlock(s.body, src, false)];
    case "Component": {
      const params = s.params.length > 0 || src.charAt(s.nameSpan.end) === "(" ? printParams(s.params, src) : "";
      return ["component ", s.name, params, " ", printBlock(s.body, src, false)];
    }
    case "Source":
      return ["source ", s.name, " = ", printExpr(s.value, src)];
    case "Refresh":
      return ["refresh ", s.name, " every ", printExpr(s.interval, src)];
    default:
      return src.verbatim(s.span);
  }
}

/** `on_start fn() { }`, or `on_start { }` (a block standing for a handler without parameters). */
function printHandler(h: LambdaExpr, src: Source): Doc {
  if (src.charAt(h.span.start) === "{" && h.body.kind === "Block") return printBlock(h.body, src, false);
  return printExpr(h, src);
}

/**
 * A configuration body between the `{` at `open` and the `}` at `close`:
 * `{ key: value, ... }` on one line when it fits and was written so, else one entry per line
 * without commas, as deploy blocks are written; `alwaysBreak` for the
 * top-level `deploy` and `security` blocks, and any body with a comment.
 */
export function printBraced(entries: readonly ConfigEntry[], src: Source, open: number, close: number, alwaysBreak: boolean): Doc {
  const hasComments = src.commentsIn(open, close).length > 0;
  // Entries one per line keep the commas the author put between them (`discover ... with { a: 1, b: 2 }` in scaling.md).
  const commas = entries.length > 1 && /^\s*,/.test(src.text.slice(entries[0]!.span.end, entries[1]!.span.start));
  if (alwaysBreak || hasComments || entries.some((e) => e.entries !== null && e.entries.length > 0)) {
    const lines = printList(src, { items: entries, span: (e) => e.span, print: (e) => printEntry(e, src), start: open + 1, end: close, commas });
    return lines.length ? ["{", indent([hardline, joinLines(lines)]), hardline, "}"] : "{}";
  }
  if (entries.length === 0) return "{}";
  const broken = src.hasNewline(open, entries[0]!.span.start) ? breakParent : "";
  return group([broken, "{", indent([line, join([commas ? "," : ifBreak("", ","), line], entries.map((e) => printEntry(e, src)))]), line, "}"]);
}

function printEntry(e: ConfigEntry, src: Source): Doc {
  const key = src.slice(e.keySpan);
  if (e.value) {
    // `key: value`, or `key value` (`trust_proxy true`, security.md): the same entry, kept as written.
    const colon = /^\s*:/.test(src.text.slice(e.keySpan.end, e.value.span.start));
    return [key, colon ? ": " : " ", printExpr(e.value, src)];
  }
  const label = e.labelSpan ? [" ", src.slice(e.labelSpan)] : "";
  const open = src.opAfter("{", e.labelSpan ? e.labelSpan.end : e.keySpan.end);
  return [key, label, " ", printBraced(e.entries ?? [], src, open, e.span.end - 1, false)];
}
