import type { BlockKind, Program, TopItem } from "../ast.js";
import { diagnostic } from "../../diagnostics/catalog.js";
import type { Token } from "../tokens.js";
import { context, gen, mark, next, op, peek, peekAt, recover, reportUnclosed, skipSeparators, spanFrom, stopReading, stringLit, type P } from "./core.js";
import { configBody } from "./config.js";
import { definedName, statement, statementsUntilBrace, terminated } from "./statements.js";

/**
 * A file: blocks (`shared`, `server`, `client`/`browser`, `data`,
 * `security`, `deploy`), imports, and statements outside any block
 * (language.md, "Source files and blocks").
 */

const isOp = (t: Token, v: string) => t.kind === "op" && t.value === v;

const BLOCK_WORDS: Record<string, BlockKind> = { shared: "shared", server: "server", client: "client", browser: "client", data: "data" };

const topItem: P<TopItem> = gen((run): TopItem => {
  const t = run(peek);
  const n = run(peekAt(1));
  if (t.kind === "ident") {
    const block = BLOCK_WORDS[t.value];
    if (block && (isOp(n, "{") || (n.kind === "str" && isOp(run(peekAt(2)), "{")))) return run(blockDecl(block));
    if (t.value === "deploy" && n.kind === "str") return run(deployDecl);
    if (t.value === "security" && (isOp(n, "{") || n.kind === "str")) return run(securityDecl);
  }
  return run(statement);
});

function blockDecl(block: BlockKind): P<TopItem> {
  return gen((run): TopItem => {
    const start = run(mark);
    run(next);
    let blockName: string | null = null;
    let nameSpan = null;
    if (run(peek).kind === "str") {
      const ns = run(mark);
      blockName = run(stringLit).value;
      nameSpan = run(spanFrom(ns));
      if (blockName.trim() === "") {
        const ctx = run(context);
        ctx.diagnostics.push(diagnostic("E0015", nameSpan, `a ${block} block's name cannot be empty`, { hint: `name it, or write \`${block} { }\` for the default ${block} block` }));
      }
    }
    const openAt = run(mark);
    const open = run(op("{"));
    const body = run(statementsUntilBrace);
    if (run(peek).kind === "eof") reportUnclosed(run(context), openAt, open, `the \`{\` of this ${block} block is never closed`);
    else run(op("}"));
    return { kind: "BlockDecl", block, name: blockName, nameSpan, body, span: run(spanFrom(start)) };
  });
}

const deployDecl: P<TopItem> = gen((run) => {
  const start = run(mark);
  run(next);
  const ns = run(mark);
  const n = run(stringLit);
  const nameSpan = run(spanFrom(ns));
  const entries = run(configBody);
  return { kind: "DeployDecl", name: n.value, nameSpan, entries, span: run(spanFrom(start)) };
});

const securityDecl: P<TopItem> = gen((run) => {
  const start = run(mark);
  run(next);
  const n = run(peek).kind === "str" ? run(stringLit).value : null;
  const entries = run(configBody);
  return { kind: "SecurityDecl", name: n, entries, span: run(spanFrom(start)) };
});

const recoveringItem = recover(terminated(topItem), (span, at, tokens): TopItem => ({ kind: "ErrorStmt", span, defines: definedName(tokens, at) }));

export const program: P<TopItem[]> = gen((run) => {
  const items: TopItem[] = [];
  for (;;) {
    run(skipSeparators);
    const t = run(peek);
    if (t.kind === "eof" || stopReading()) return items;
    if (isOp(t, "}")) {
      const ctx = run(context);
      ctx.diagnostics.push(diagnostic("E0010", { file: ctx.file, start: t.start, end: t.end }, "unexpected `}` with no block open", { hint: "remove it, or add the `{` it was meant to close" }));
      run(next);
      continue;
    }
    items.push(run(recoveringItem));
  }
});

export type { Program };
