import { diagnostic } from "../../diagnostics/catalog.js";
import type { Diagnostic } from "../../diagnostics/types.js";
import type { Token } from "../tokens.js";

/**
 * A `{` left open is found only at the end of the file, where the brackets
 * no longer say which one it was: with `fn a() {` unclosed in the middle of
 * a server block, the following `}`s close everything but the server block.
 * The indentation says more (issue 9): a `{` that ends its line opens a body
 * whose lines are indented deeper; the first later line indented no deeper
 * must start with its `}`. The first `{` for which that line starts with
 * something else is, most likely, the one never closed, and its body ends
 * just before that line.
 */

interface Open {
  brace: Token;
  /** The first token of the brace's line. */
  head: Token;
  indent: number;
  /** Whether a line of its body was indented deeper: in code that is not indented, indentation tells nothing. */
  deeper: boolean;
}

/**
 * The `{` (from token `from` on) whose body the indentation says ends
 * without its `}`, and the line where it ends. A candidate counts only when
 * the brackets agree that it is the one open: its `}` by bracket matching is
 * missing or sits on a line indented less than the `{`'s own (it took the
 * `}` of an enclosing block). Otherwise it is only odd indentation
 * (`x = {` with `a: 1 }` below it), and the search goes on.
 */
export function unclosedByIndentation(tokens: Token[], from: number): { open: Open; endsAt: Token } | undefined {
  const stack: Open[] = [];
  let first = Math.min(from, tokens.length - 1);
  while (first > 0 && !tokens[first]!.lineStart) first--; // from the start of the line, for its indentation
  let head = tokens[first]!;
  const heads: Token[] = []; // the first token of the line of each token, by index (for the check below)
  for (let i = first; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.lineStart && t.kind !== "nl") head = t;
    heads[i] = head;
  }
  head = tokens[first]!;
  let checked = 0;
  for (let i = first; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === "eof") return undefined;
    if (t.lineStart && t.kind !== "nl") {
      head = t;
      const closer = t.kind === "op" && t.value === "}";
      while (stack.length > 0) {
        const top = stack[stack.length - 1]!;
        if (top.indent < t.column) {
          top.deeper = true;
          break;
        }
        stack.pop();
        if (closer && top.indent === t.column) break;
        if (!top.deeper) continue;
        // Each check reads ahead; past a few dozen odd blocks the indentation explains nothing.
        if (++checked > 50) return undefined;
        if (takesOuterCloser(tokens, heads, top)) return { open: top, endsAt: t };
      }
    }
    if (t.kind === "op" && t.value === "{" && (tokens[i + 1]!.lineStart || tokens[i + 1]!.kind === "eof")) {
      stack.push({ brace: t, head, indent: head.column, deeper: false });
    }
  }
  return undefined;
}

/** Whether the `}` that bracket matching gives `open` is missing or on a line indented less than the `{`'s. */
function takesOuterCloser(tokens: Token[], heads: Token[], open: Open): boolean {
  let depth = 0;
  for (let i = tokens.indexOf(open.brace); i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== "op") continue;
    if (t.value === "{") depth++;
    else if (t.value === "}" && --depth === 0) return heads[i]!.column < open.indent;
  }
  return true;
}

const CLOSERS: Record<string, string> = { "(": ")", "[": "]", "{": "}" };

const CONSTRUCTS = new Set(["if", "elif", "else", "for", "while", "match", "try", "catch", "finally"]);

const BLOCK_WORDS = new Set(["server", "client", "browser", "shared", "data", "security", "deploy"]);

/** What the `{` opens, read from the first tokens of its line: `function \`a\``, `this server block`, `this \`if\``. */
function opened(tokens: Token[], open: Open): string {
  const h = open.head;
  const i = tokens.indexOf(h);
  const after = (k: number) => tokens[i + k];
  // `word = match n {`, `} else {`, `xs |> each(fn(x) {`: the last keyword before the brace says what it opens.
  const brace = tokens.indexOf(open.brace, i);
  for (let k = brace - 1; k > i; k--) {
    const t = tokens[k]!;
    if (t.kind !== "kw") continue;
    if (t.value === "fn") return tokens[k + 1]?.kind === "ident" ? `function \`${tokens[k + 1]!.value}\`` : "this function";
    if (CONSTRUCTS.has(t.value)) return `this \`${t.value}\``;
  }
  if (h.kind === "kw" && (h.value === "fn" || h.value === "async" || h.value === "export")) {
    for (let k = 0; k < 3; k++) {
      const t = after(k);
      if (t?.kind === "kw" && t.value === "fn") {
        const n = after(k + 1);
        return n?.kind === "ident" ? `function \`${n.value}\`` : "this function";
      }
    }
  }
  if (h.kind === "ident" && BLOCK_WORDS.has(h.value)) return `this ${h.value === "browser" ? "client" : h.value} block`;
  if (h.kind === "kw" || h.kind === "ident") {
    if (h.kind === "ident" && after(1)?.kind === "ident" && (h.value === "component" || h.value === "background" || h.value === "middleware")) {
      return h.value === "component" ? `component \`${after(1)!.value}\`` : "this function";
    }
    return `this \`${h.value}\``;
  }
  return "this block";
}

/**
 * Before parsing: when the file has more `{` than `}` and the indentation
 * shows which `{` lacks its `}`, reports that one (E0011) and puts a `}`
 * where its body ends, so the code after it parses as what it is (the next
 * function, not the last statement of the unclosed one) and nothing else is
 * reported for it. Returns whether it did.
 */
export function closeByIndentation(tokens: Token[], file: string, diagnostics: Diagnostic[]): boolean {
  let missing = 0;
  for (const t of tokens) if (t.kind === "op") missing += t.value === "{" ? 1 : t.value === "}" ? -1 : 0;
  let repaired = false;
  // A few missing braces are repaired; more than that is not a file the indentation can explain.
  for (let round = 0; missing > 0 && round < 5; round++, missing--) {
    const found = unclosedByIndentation(tokens, 0);
    if (!found) break;
    if (!repaired) diagnostics.push(unclosedBrace(file, tokens, 0, { brace: found.open.brace, message: "" }));
    repaired = true;
    const at = tokens.indexOf(found.endsAt);
    const e = found.endsAt;
    tokens.splice(at, 0, { kind: "op", value: "}", start: e.start, end: e.start, column: e.column, lineStart: true, parts: undefined, num: undefined });
  }
  return repaired;
}

/** The one E0011 for a `{` never closed, blaming the brace the indentation points at when there is one. */
export function unclosedBrace(file: string, tokens: Token[], from: number, fallback: { brace: Token; message: string }): Diagnostic {
  const found = unclosedByIndentation(tokens, from);
  if (!found) {
    const b = fallback.brace;
    return diagnostic("E0011", { file, start: b.start, end: b.end }, fallback.message, { hint: `add the missing \`${CLOSERS[b.value] ?? "}"}\`` });
  }
  const { open, endsAt } = found;
  const what = opened(tokens, open);
  return diagnostic("E0011", { file, start: open.brace.start, end: open.brace.end }, `the \`{\` of ${what} is never closed`, {
    labels: [{ span: { file, start: endsAt.start, end: endsAt.end }, message: "going by the indentation, its body ends before this line" }],
    hint: "add the missing `}` where the note points",
  });
}
