import { doc, type Doc } from "prettier";
import type { Comment } from "../frontend/lexer.js";
import type { Token } from "../frontend/tokens.js";

const { hardline, literalline, join } = doc.builders;

/**
 * What the printers share while formatting one file: the source text (for
 * the slices printed as written: literals, JSX, and nodes the layout cannot
 * reach) and its comments, each claimed once by the list that prints it.
 */
export class Source {
  private readonly claimed = new Set<number>();

  constructor(
    readonly text: string,
    readonly comments: readonly Comment[],
    private readonly tokens: readonly Token[],
  ) {}

  /** Where the first `op` token `value` at or after `from` starts (a body's `{`, found past strings like `"/users/{id}"`). */
  opAfter(value: string, from: number): number {
    for (let i = firstAtOrAfter(this.tokens, from); i < this.tokens.length; i++) {
      const t = this.tokens[i]!;
      if (t.kind === "op" && t.value === value) return t.start;
    }
    return from;
  }

  slice(span: { start: number; end: number }): string {
    return this.text.slice(span.start, span.end);
  }

  /** The first character of a node's source (`{` tells a braced body from a bare jump). */
  charAt(offset: number): string {
    return this.text[offset] ?? "";
  }

  /** Indices of the comments that start in [start, end). */
  commentsIn(start: number, end: number): number[] {
    const out: number[] = [];
    for (let i = firstAtOrAfter(this.comments, start); i < this.comments.length && this.comments[i]!.start < end; i++) out.push(i);
    return out;
  }

  unclaimedIn(start: number, end: number): number[] {
    return this.commentsIn(start, end).filter((i) => !this.claimed.has(i));
  }

  claim(i: number): string {
    this.claimed.add(i);
    return this.slice(this.comments[i]!);
  }

  /** The claims made so far, to undo those of a node that falls back to its source text. */
  snapshot(): Set<number> {
    return new Set(this.claimed);
  }

  restore(saved: Set<number>): void {
    this.claimed.clear();
    for (const i of saved) this.claimed.add(i);
  }

  allClaimed(): boolean {
    return this.claimed.size === this.comments.length;
  }

  /** Whether a line break lies between two offsets. */
  hasNewline(from: number, to: number): boolean {
    return this.text.slice(from, to).includes("\n");
  }

  /** Whether a blank line lies between two offsets (only whitespace and comments between them). */
  hasBlankLine(from: number, to: number): boolean {
    return /\n[ \t\r]*\n/.test(this.text.slice(from, to));
  }

  /**
   * A node printed exactly as written (JSX, a construct with a comment the
   * layout has no place for): its lines re-indented to where it now stands,
   * unless it holds a `"""` string, whose lines are printed untouched so its
   * value stays the same.
   */
  verbatim(span: { start: number; end: number }): Doc {
    for (const i of this.commentsIn(span.start, span.end)) this.claim(i);
    const text = this.slice(span);
    if (!text.includes("\n")) return text;
    if (text.includes('"""')) return join(literalline, text.split("\n"));
    const lineStart = this.text.lastIndexOf("\n", span.start - 1) + 1;
    const base = indentOf(this.text.slice(lineStart, span.start));
    const lines = text.split("\n");
    const rest = lines.slice(1).map((l) => (l.trim() === "" ? "" : l.slice(Math.min(base, indentOf(l)))));
    return join(hardline, [lines[0]!, ...rest]);
  }
}

/** The index of the first of `items` (in source order) that starts at or after `offset`. */
function firstAtOrAfter(items: readonly { start: number }[], offset: number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (items[mid]!.start < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function indentOf(s: string): number {
  return s.length - s.trimStart().length;
}

/** A string as a Tova `"..."` literal, for names the AST keeps only decoded (security block, schedule label, import path). */
export function quote(value: string): string {
  return '"' + value.replace(/[\\"{}\n\t\r\0]/g, (c) => ESCAPES[c]!) + '"';
}

const ESCAPES: Record<string, string> = { "\\": "\\\\", '"': '\\"', "{": "\\{", "}": "\\}", "\n": "\\n", "\t": "\\t", "\r": "\\r", "\0": "\\0" };
