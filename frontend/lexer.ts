import type { Diagnostic } from "../diagnostics/types.js";
import { lexError } from "../diagnostics/catalog.js";
import { KEYWORDS, type TemplatePart, type Token } from "./tokens.js";

/**
 * A hand-written, linear scanner (language.md, "Lexical rules").
 *
 * Newlines are significant only where a statement may end: inside `(` and `[`
 * they are dropped, after a continuation token (an operator, `,`, `(`, `[`,
 * `{`, `|>`) they are dropped, and before a line starting with `|>` or `.`
 * they are dropped. JSX is lexed in its own modes: text children become
 * `jsx_text` tokens, `{expr}` children and attribute values are lexed as code,
 * and `for`/`if` inside children are lexed as code up to their `{`.
 */
export interface LexResult {
  tokens: Token[];
  diagnostics: Diagnostic[];
}

const CONTINUATION = new Set([
  "+", "-", "*", "/", "%", "**", "==", "!=", "<=", ">=", "&&", "||", "??", "|>", "=", "+=", "-=",
  "*=", "/=", "=>", "->", ",", "(", "[", "{", ".", "..", "..=", "?.", ":", "and", "or", "not",
]);

// Longest first, so that `..=` wins over `..` and `.`.
const OPERATORS = [
  "...", "..=", "**", "|>", "??", "?.", "==", "!=", "<=", ">=", "&&", "||", "+=", "-=", "*=", "/=",
  "=>", "->", "..", "+", "-", "*", "/", "%", "=", "<", ">", "!", ".", ",", ":", ";", "(", ")",
  "[", "]", "{", "}", "?", "@",
];

/** Tokens after which `<` compares; anywhere else `<name` opens a JSX element. */
function endsOperand(t: Token | undefined): boolean {
  if (!t) return false;
  if (t.kind === "ident" || t.kind === "num" || t.kind === "str" || t.kind === "tpl") return true;
  if (t.kind === "kw") return t.value === "true" || t.value === "false" || t.value === "nil";
  if (t.kind === "op") return t.value === ")" || t.value === "]" || t.value === "}";
  return t.kind === "jsx_end" || t.kind === "jsx_self_close";
}

const isIdentStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isDigit = (c: number) => c >= 48 && c <= 57;
const isIdentPart = (c: number) => isIdentStart(c) || isDigit(c);
const isSpace = (c: number) => c === 32 || c === 9 || c === 13;

export function lex(text: string, file: string): LexResult {
  return new Lexer(text, file).run();
}

class Lexer {
  private pos = 0;
  private out: Token[] = [];
  private readonly diagnostics: Diagnostic[] = [];
  private pendingNewline = -1;

  constructor(private readonly src: string, private readonly file: string) {}

  run(): LexResult {
    this.lexCode("top");
    this.flushNewline(undefined);
    this.out.push({ kind: "eof", value: "", start: this.src.length, end: this.src.length, column: 0, lineStart: true });
    return { tokens: this.out, diagnostics: this.diagnostics };
  }

  private error(code: string, start: number, end: number, message: string, hint?: string) {
    this.diagnostics.push(lexError(code, { file: this.file, start, end }, message, hint));
  }

  private lastLineStart = 0;
  private lineHasToken = false;

  private scanned = 0;
  private scannedLineStart = 0;

  /** Start of the line holding `offset`; linear over a file since tokens mostly come in order. */
  private lineStartOf(offset: number): number {
    if (offset < this.scanned) return this.src.lastIndexOf("\n", offset - 1) + 1;
    for (let i = this.scanned; i < offset; i++) if (this.src.charCodeAt(i) === 10) this.scannedLineStart = i + 1;
    this.scanned = offset;
    return this.scannedLineStart;
  }

  private push(t: Omit<Token, "column"> & { column?: number }) {
    const tok = t as Token;
    const lineStart = this.lineStartOf(tok.start);
    if (lineStart !== this.lastLineStart) {
      this.lastLineStart = lineStart;
      this.lineHasToken = false;
    }
    tok.column = tok.start - lineStart;
    if (!this.lineHasToken) {
      tok.lineStart = true;
      this.lineHasToken = true;
    }
    this.flushNewline(tok);
    this.out.push(tok);
  }

  private flushNewline(next: Token | undefined) {
    if (this.pendingNewline < 0) return;
    const at = this.pendingNewline;
    this.pendingNewline = -1;
    // A next line starting with `|>` or `.` continues the statement.
    if (next && next.kind === "op" && (next.value === "|>" || next.value === "." || next.value === "?.")) return;
    const last = this.out[this.out.length - 1];
    if (!last || last.kind === "nl") return;
    if ((last.kind === "op" || last.kind === "kw") && CONTINUATION.has(last.value)) return;
    this.out.push({ kind: "nl", value: "\n", start: at, end: at + 1, column: 0 });
  }

  /**
   * Lexes code. `mode` says where it stops: at the end of input ("top"), at
   * the `}` that closes the region ("brace", the `}` is emitted), or at the
   * first top-level `{` ("head", for `for`/`if` inside JSX; the `{` is emitted).
   */
  private lexCode(mode: "top" | "brace" | "head"): void {
    const src = this.src;
    const brackets: string[] = [];
    while (this.pos < src.length) {
      const c = src.charCodeAt(this.pos);
      if (c === 10) {
        const top = brackets[brackets.length - 1];
        if (top !== "(" && top !== "[" && mode !== "head" && this.pendingNewline < 0) this.pendingNewline = this.pos;
        this.pos++;
        continue;
      }
      if (isSpace(c)) {
        this.pos++;
        continue;
      }
      if (c === 47 /* / */ && this.skipComment()) continue;
      const start = this.pos;
      if (isIdentStart(c)) {
        let p = this.pos + 1;
        while (p < src.length && isIdentPart(src.charCodeAt(p))) p++;
        const word = src.slice(start, p);
        this.pos = p;
        this.push({ kind: KEYWORDS.has(word) ? "kw" : "ident", value: word, start, end: p });
        continue;
      }
      if (isDigit(c)) {
        this.lexNumber();
        continue;
      }
      if (c === 34 /* " */ || c === 39 /* ' */) {
        this.lexString();
        continue;
      }
      if (c === 60 /* < */ && !endsOperand(this.lastToken())) {
        const n = src.charCodeAt(this.pos + 1);
        if (isIdentStart(n) || n === 62 /* > */) {
          this.lexJsxElement();
          continue;
        }
      }
      const op = this.matchOperator();
      if (!op) {
        this.error("E0001", start, start + 1, `unexpected character \`${src[start]}\``);
        this.pos++;
        continue;
      }
      if (op === "(" || op === "[" || op === "{") {
        if (mode === "head" && op === "{" && brackets.length === 0) {
          this.push({ kind: "op", value: op, start, end: this.pos });
          return;
        }
        brackets.push(op);
      } else if (op === ")" || op === "]" || op === "}") {
        // A `}` inside an unclosed `(` or `[`: give up on those, so new lines count again.
        if (op === "}") while (brackets.length && brackets[brackets.length - 1] !== "{") brackets.pop();
        if (brackets.length === 0) {
          if (op === "}" && mode === "brace") {
            this.push({ kind: "op", value: op, start, end: this.pos });
            return;
          }
        } else brackets.pop();
      }
      this.push({ kind: "op", value: op, start, end: this.pos });
    }
  }

  private lastToken(): Token | undefined {
    return this.pendingNewline >= 0 ? undefined : this.out[this.out.length - 1];
  }

  private matchOperator(): string | undefined {
    const src = this.src;
    for (const op of OPERATORS) {
      if (src.startsWith(op, this.pos)) {
        this.pos += op.length;
        return op;
      }
    }
    return undefined;
  }

  /** Skips `//`, `///` and nestable `/* *\/` comments; returns false if `/` starts no comment. */
  private skipComment(): boolean {
    const src = this.src;
    const n = src.charCodeAt(this.pos + 1);
    if (n === 47) {
      const nl = src.indexOf("\n", this.pos);
      this.pos = nl < 0 ? src.length : nl;
      return true;
    }
    if (n !== 42) return false;
    const start = this.pos;
    let depth = 0;
    while (this.pos < src.length) {
      if (src.startsWith("/*", this.pos)) {
        depth++;
        this.pos += 2;
      } else if (src.startsWith("*/", this.pos)) {
        depth--;
        this.pos += 2;
        if (depth === 0) return true;
      } else this.pos++;
    }
    this.error("E0003", start, start + 2, "unterminated block comment", "close it with `*/`");
    return true;
  }

  private lexNumber() {
    const src = this.src;
    const start = this.pos;
    let p = this.pos;
    let value: number;
    if (src[p] === "0" && (src[p + 1] === "x" || src[p + 1] === "X")) {
      p += 2;
      while (p < src.length && /[0-9a-fA-F_]/.test(src[p]!)) p++;
      value = p > start + 2 ? parseInt(src.slice(start + 2, p).replace(/_/g, ""), 16) : NaN;
    } else {
      while (p < src.length && (isDigit(src.charCodeAt(p)) || src[p] === "_")) p++;
      // `30.seconds` is a member access and `1..10` a range: only `.digit` makes a fraction.
      if (src[p] === "." && isDigit(src.charCodeAt(p + 1))) {
        p++;
        while (p < src.length && (isDigit(src.charCodeAt(p)) || src[p] === "_")) p++;
      }
      if ((src[p] === "e" || src[p] === "E") && /[0-9+-]/.test(src[p + 1] ?? "")) {
        const save = p;
        p++;
        if (src[p] === "+" || src[p] === "-") p++;
        if (isDigit(src.charCodeAt(p))) while (p < src.length && isDigit(src.charCodeAt(p))) p++;
        else p = save;
      }
      value = Number(src.slice(start, p).replace(/_/g, ""));
    }
    if (Number.isNaN(value) || (p < src.length && isIdentStart(src.charCodeAt(p)))) {
      // `12abc`: report once and swallow the rest of the word.
      let q = p;
      while (q < src.length && isIdentPart(src.charCodeAt(q))) q++;
      this.error("E0004", start, q, `invalid number \`${src.slice(start, q)}\``);
      p = q;
    }
    this.pos = p;
    this.push({ kind: "num", value: src.slice(start, p), start, end: p, num: value });
  }

  private lexString() {
    const src = this.src;
    const start = this.pos;
    const quote = src[start]!;
    const triple = quote === '"' && src.startsWith('"""', start);
    const interpolates = quote === '"';
    this.pos += triple ? 3 : 1;
    const parts: TemplatePart[] = [];
    let text = "";
    let textStart = this.pos;
    let closed = false;
    while (this.pos < src.length) {
      const ch = src[this.pos]!;
      if (triple ? src.startsWith('"""', this.pos) : ch === quote) {
        this.pos += triple ? 3 : 1;
        closed = true;
        break;
      }
      if (ch === "\n" && !triple) break;
      if (ch === "\\") {
        const e = src[this.pos + 1];
        if (e === undefined) {
          this.pos++;
          break; // a backslash at the very end: the string is unterminated
        }
        const escapes: Record<string, string> = { n: "\n", t: "\t", r: "\r", '"': '"', "'": "'", "\\": "\\", "{": "{", "}": "}", "0": "\0" };
        if (e !== undefined && e in escapes) text += escapes[e];
        else {
          this.error("E0005", this.pos, this.pos + 2, `unknown escape \`\\${e ?? ""}\``, "the escapes are \\n \\t \\\" \\\\ \\{");
          text += e ?? "";
        }
        this.pos += 2;
        continue;
      }
      if (ch === "{" && interpolates && !triple && !this.closesOnLine(this.pos)) {
        // `"hi {name"`: report the `{` once and end the string at its line, rather than
        // lexing the rest of the file as the interpolation.
        this.error("E0002", this.pos, this.pos + 1, "this `{` opens an interpolation that is never closed", "close it with `}`, or write a literal brace as `\\{`");
        const eol = src.indexOf("\n", this.pos);
        const lineEnd = eol < 0 ? src.length : eol;
        const quoteAt = src.lastIndexOf(quote, lineEnd - 1);
        text += src.slice(this.pos, quoteAt > this.pos ? quoteAt : lineEnd);
        this.pos = quoteAt > this.pos ? quoteAt + 1 : lineEnd;
        closed = true;
        break;
      }
      if (ch === "{" && interpolates) {
        parts.push({ text, start: textStart, end: this.pos });
        text = "";
        const exprStart = this.pos;
        this.pos++;
        const saved = this.out;
        const savedNl = this.pendingNewline;
        this.out = [];
        this.pendingNewline = -1;
        this.lexCode("brace");
        const inner = this.out;
        this.out = saved;
        this.pendingNewline = savedNl;
        const closing = inner[inner.length - 1];
        if (closing && closing.kind === "op" && closing.value === "}") inner.pop();
        else {
          this.error("E0002", start, this.pos, "unterminated interpolation in string", "close the `{` of the interpolation with `}`");
        }
        inner.push({ kind: "eof", value: "", start: this.pos - 1, end: this.pos - 1, column: 0 });
        parts.push({ tokens: inner.filter((t) => t.kind !== "nl"), start: exprStart, end: this.pos });
        textStart = this.pos;
        continue;
      }
      text += ch;
      this.pos++;
    }
    if (!closed) this.error("E0002", start, this.pos, "unterminated string", `close it with ${triple ? '"""' : quote}`);
    const end = this.pos;
    if (parts.length === 0) {
      this.push({ kind: "str", value: triple ? dedent(text) : text, start, end });
      return;
    }
    parts.push({ text, start: textStart, end: closed ? end - (triple ? 3 : 1) : end });
    this.push({ kind: "tpl", value: src.slice(start, end), start, end, parts });
  }

  /** Whether the `{` at `at` has its `}` before the end of the line (counting nested braces). */
  private closesOnLine(at: number): boolean {
    let depth = 0;
    for (let i = at; i < this.src.length; i++) {
      const c = this.src[i];
      if (c === "\n") return false;
      if (c === "{") depth++;
      else if (c === "}" && --depth === 0) return true;
    }
    return false;
  }

  // ---- JSX -------------------------------------------------------------

  private lexJsxElement() {
    const src = this.src;
    const open = this.pos;
    this.push({ kind: "jsx_open", value: "<", start: this.pos, end: this.pos + 1 });
    this.pos++;
    this.lexTagName();
    // attributes
    while (this.pos < src.length) {
      this.skipJsxSpace();
      if (this.pos >= src.length) {
        this.error("E0011", open, open + 1, "this tag is never closed", "end the tag with `>` or `/>`");
        return;
      }
      const c = src.charCodeAt(this.pos);
      if (src.startsWith("/>", this.pos)) {
        this.push({ kind: "jsx_self_close", value: "/>", start: this.pos, end: this.pos + 2 });
        this.pos += 2;
        return;
      }
      if (c === 62 /* > */) {
        this.push({ kind: "jsx_end", value: ">", start: this.pos, end: this.pos + 1 });
        this.pos++;
        this.lexJsxChildren("element");
        return;
      }
      if (isIdentStart(c)) {
        this.lexTagName();
        continue;
      }
      if (c === 61 /* = */) {
        this.push({ kind: "op", value: "=", start: this.pos, end: this.pos + 1 });
        this.pos++;
        continue;
      }
      if (c === 34 || c === 39) {
        this.lexString();
        continue;
      }
      if (c === 123 /* { */) {
        this.push({ kind: "op", value: "{", start: this.pos, end: this.pos + 1 });
        this.pos++;
        this.lexCode("brace");
        continue;
      }
      this.error("E0001", this.pos, this.pos + 1, `unexpected character \`${src[this.pos]}\` in a JSX tag`);
      this.pos++;
      if (c === 10) return;
    }
  }

  /** Tag and attribute names may contain `-`, `:` and `.` (`data-id`, `on:click`). */
  private lexTagName() {
    const src = this.src;
    const start = this.pos;
    while (this.pos < src.length) {
      const c = src.charCodeAt(this.pos);
      if (isIdentPart(c) || c === 45 || c === 58 || c === 46) this.pos++;
      else break;
    }
    if (this.pos > start) this.push({ kind: "ident", value: src.slice(start, this.pos), start, end: this.pos });
  }

  private skipJsxSpace() {
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos]!)) this.pos++;
  }

  /**
   * Children of an element (until `</`) or of a `for`/`if` inside JSX (until
   * the `}` that closes it).
   */
  private lexJsxChildren(mode: "element" | "control") {
    const src = this.src;
    let atChildStart = true;
    while (this.pos < src.length) {
      if (atChildStart) {
        const m = /^\s*(for|if|elif|else)\b/.exec(src.slice(this.pos, this.pos + 40));
        if (m && this.looksLikeControl(this.pos + m[0].length - m[1]!.length)) {
          this.pos += m[0].length - m[1]!.length;
          this.lexCode("head");
          this.lexJsxChildren("control");
          continue;
        }
      }
      const c = src.charCodeAt(this.pos);
      if (c === 60 /* < */) {
        if (src[this.pos + 1] === "/") {
          if (mode === "control") {
            this.error("E0012", this.pos, this.pos + 2, "closing tag inside a `for`/`if` body", "close the `{` of the `for`/`if` first");
          }
          this.push({ kind: "jsx_close_open", value: "</", start: this.pos, end: this.pos + 2 });
          this.pos += 2;
          this.lexTagName();
          this.skipJsxSpace();
          if (src[this.pos] === ">") {
            this.push({ kind: "jsx_end", value: ">", start: this.pos, end: this.pos + 1 });
            this.pos++;
          }
          return;
        }
        this.lexJsxElement();
        atChildStart = true;
        continue;
      }
      if (c === 123 /* { */) {
        this.push({ kind: "op", value: "{", start: this.pos, end: this.pos + 1 });
        this.pos++;
        this.lexCode("brace");
        atChildStart = true;
        continue;
      }
      if (c === 125 /* } */ && mode === "control") {
        this.push({ kind: "op", value: "}", start: this.pos, end: this.pos + 1 });
        this.pos++;
        return;
      }
      // text up to the next `<`, `{` or `}`
      const start = this.pos;
      while (this.pos < src.length) {
        const d = src.charCodeAt(this.pos);
        if (d === 60 || d === 123 || (d === 125 && mode === "control")) break;
        if (d === 10) {
          this.pos++;
          break; // a new line may start a `for`/`if`
        }
        this.pos++;
      }
      const raw = src.slice(start, this.pos);
      if (raw.trim() !== "") this.push({ kind: "jsx_text", value: raw, start, end: this.pos });
      atChildStart = raw.endsWith("\n") || raw.trim() === "";
    }
  }

  /** `for x in xs {` / `if c {` / `else {`: a control line ends with `{` before any `<`. */
  private looksLikeControl(at: number): boolean {
    const nl = this.src.indexOf("\n", at);
    const line = this.src.slice(at, nl < 0 ? this.src.length : nl);
    const brace = line.indexOf("{");
    const tag = line.indexOf("<");
    return brace >= 0 && (tag < 0 || tag > brace);
  }
}

/** Removes the common indentation of a `"""` string and its first and last blank lines. */
function dedent(text: string): string {
  const lines = text.split("\n");
  if (lines.length && lines[0]!.trim() === "") lines.shift();
  if (lines.length && lines[lines.length - 1]!.trim() === "") lines.pop();
  const indent = Math.min(...lines.filter((l) => l.trim() !== "").map((l) => l.length - l.trimStart().length));
  return lines.map((l) => l.slice(Number.isFinite(indent) ? indent : 0)).join("\n");
}
