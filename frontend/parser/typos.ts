import { didYouMean } from "../../diagnostics/catalog.js";
import type { Token } from "../tokens.js";

/**
 * Misspelt keywords (issue 9: `fun f()`, `retrun x`, `serer {`). A statement
 * that starts with a name and breaks at the very next token reads like a
 * keyword the author meant: a name cannot be followed by another name, a
 * number or `{` on the same line. Only then is the nearest keyword or block
 * word suggested, so ordinary mistakes after a real name get no guess.
 */
const WORDS = [
  // language.md, "Lexical rules"
  "fn", "var", "return", "if", "elif", "else", "for", "while", "break", "continue", "match", "type", "import", "export",
  "async", "await", "try",
  // blocks and block statements (named-blocks.md, client.md, security.md)
  "server", "client", "shared", "browser", "data", "deploy", "security", "route", "model", "discover", "schedule",
  "subscribe", "emit", "middleware", "background", "component", "state", "computed", "effect",
];

/** The keyword meant by a statement starting at `start` that failed at `at`, when its first word is a near-miss of one. */
export function nearKeyword(tokens: Token[], start: number, at: number): string | undefined {
  return at === start + 1 ? misspeltKeyword(tokens, start) : undefined;
}

/** The keyword the statement at `start` most likely meant, when its first word is a near-miss of one. */
export function misspeltKeyword(tokens: Token[], start: number): string | undefined {
  const first = tokens[start];
  const second = tokens[start + 1];
  if (!first || !second || first.kind !== "ident" || first.value.length < 3 || WORDS.includes(first.value)) return undefined;
  // What can follow a keyword but never a name: another name, a literal, or a block's `{`.
  const fits = second.kind === "ident" || second.kind === "kw" || second.kind === "num" || second.kind === "str" || second.kind === "tpl" || (second.kind === "op" && second.value === "{");
  if (!fits) return undefined;
  return didYouMean(first.value, WORDS);
}
