import type { Diagnostic } from "../diagnostics/types.js";
import { lexError, tooManyErrors } from "../diagnostics/catalog.js";
import { LEX_MAX_DEPTH, MAX_DEPTH, MAX_SYNTAX_ERRORS } from "./limits.js";
import { KEYWORDS, type TemplatePart, type Token, type TokenKind } from "./tokens.js";

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
  /**
   * Set when the text could not be lexed as a whole (not UTF-8 text, or
   * nested deeper than the lexer follows): its one diagnostic says why, and
   * the tokens are not worth parsing.
   */
  abandoned: boolean;
  /**
   * Where each comment is (`//`, `///`, `/* *\/`), in source order: the
   * parser never sees them; the formatter (formatter/) puts them back.
   */
  comments: Comment[];
}

/** A comment's half-open range of offsets; its text is the source between them. */
export interface Comment {
  start: number;
  end: number;
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

/**
 * The operators by their first character (an ASCII code), longest first: one
 * array index instead of a scan of them all. An array and `charCodeAt`
 * rather than a Map and `startsWith`: matching operators took 3% of a cold
 * `tova build` of 10k lines that way (issue 15).
 */
const OPERATORS_BY_FIRST: (string[] | undefined)[] = Array.from({ length: 128 }, () => undefined);
for (const op of OPERATORS) (OPERATORS_BY_FIRST[op.charCodeAt(0)] ??= []).push(op);

/** Tokens after which `<` compares; anywhere else `<name` opens a JSX element. */
function endsOperand(t: Token | undefined): boolean {
  if (!t) return false;
  if (t.kind === "ident" || t.kind === "num" || t.kind === "str" || t.kind === "tpl") return true;
  if (t.kind === "kw") return t.value === "true" || t.value === "false" || t.value === "nil";
  if (t.kind === "op") return t.value === ")" || t.value === "]" || t.value === "}";
  return t.kind === "jsx_end" || t.kind === "jsx_self_close";
}

/** Characters a string's text stops at: quotes, `\\`, `{` and a line break. */
const stopsString = (c: number) => c === 34 || c === 39 || c === 92 || c === 123 || c === 10;

/** Where a run of characters that start no token ends: at anything the lexer reads (ASCII) or a line break. */
const startsToken = (c: number) => c < 128;

/**
 * The index of the first code unit that no UTF-8 text decodes to (a lone
 * surrogate), or -1. cli/files.ts turns each byte that is not UTF-8 into one
 * (U+DC80..U+DCFF), so a file that is not UTF-8 text is found here.
 */
export function firstInvalidCodeUnit(text: string): number {
  const wellFormed = (text as { isWellFormed?: () => boolean }).isWellFormed;
  if (wellFormed && wellFormed.call(text)) return -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    const d = text.charCodeAt(i + 1);
    if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) i++;
    else return i;
  }
  return -1;
}

const isIdentStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isDigit = (c: number) => c >= 48 && c <= 57;
const isIdentPart = (c: number) => isIdentStart(c) || isDigit(c);
const isSpace = (c: number) => c === 32 || c === 9 || c === 13;

function token(kind: TokenKind, value: string, start: number, end: number, column: number, lineStart: boolean, num?: number, parts?: TemplatePart[]): Token {
  return { kind, value, start, end, column, lineStart, parts, num };
}

export function lex(text: string, file: string): LexResult {
  return new Lexer(text, file).run();
}

class Lexer {
  private pos = 0;
  private out: Token[] = [];
  private readonly diagnostics: Diagnostic[] = [];
  private readonly comments: Comment[] = [];
  private pendingNewline = -1;

  constructor(private readonly src: string, private readonly file: string) {}

  run(): LexResult {
    const bad = firstInvalidCodeUnit(this.src);
    if (bad >= 0) {
      // cli/files.ts reads each invalid byte as a lone surrogate (U+DC80..U+DCFF), which no UTF-8 text decodes to.
      const c = this.src.charCodeAt(bad);
      const byte = c >= 0xdc80 && c <= 0xdcff ? ` (byte 0x${(c - 0xdc00).toString(16).toUpperCase().padStart(2, "0")})` : "";
      this.error("E0017", bad, bad + 1, `this file is not valid UTF-8 text${byte}`, "save it as UTF-8; Tova source files are UTF-8 text");
      return this.abandon();
    }
    try {
      this.lexCode("top");
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      this.tooDeep(this.pos); // a stack smaller than the depth limit allows for: still one diagnostic
    }
    if (this.abandoned) return this.abandon();
    this.flushNewline(undefined);
    this.out.push(token("eof", "", this.src.length, this.src.length, 0, true));
    return { tokens: this.out, diagnostics: this.diagnostics, abandoned: false, comments: this.comments };
  }

  private abandoned = false;
  private depth = 0;

  private abandon(): LexResult {
    const end = this.src.length;
    return { tokens: [token("eof", "", end, end, 0, true)], diagnostics: this.diagnostics, abandoned: true, comments: [] };
  }

  /** Nested deeper than LEX_MAX_DEPTH: one E0016, and lexing stops there. */
  private tooDeep(at: number) {
    if (!this.abandoned) {
      const start = Math.min(at, this.src.length);
      this.error("E0016", start, Math.min(start + 1, this.src.length), `this is nested more than ${MAX_DEPTH} levels deep`, "move the inner part into a function or a named value");
    }
    this.abandoned = true;
    this.pos = this.src.length;
  }

  /** Lexes a nested region (an interpolation or `{}` in JSX, an element's children) one level deeper, unless that is too deep. */
  private nested(what: "code" | "element" | "control") {
    if (this.abandoned) return;
    if (this.depth >= LEX_MAX_DEPTH) return this.tooDeep(this.pos);
    this.depth++;
    try {
      if (what === "code") this.lexCode("brace");
      else this.lexJsxChildren(what);
    } finally {
      this.depth--;
    }
  }

  private error(code: string, start: number, end: number, message: string, hint?: string) {
    if (this.abandoned) return; // what follows an abandoned lex is noise
    if (this.diagnostics.length >= MAX_SYNTAX_ERRORS) {
      this.diagnostics.push(tooManyErrors({ file: this.file, start, end: start }));
      this.abandoned = true;
      this.pos = this.src.length;
      return;
    }
    this.diagnostics.push(lexError(code, { file: this.file, start, end }, message, hint));
  }

  private lastLineStart = 0;
  private lineHasToken = false;

  private scanned = 0;
  private scannedLineStart = 0;

  /** Start of the line holding `offset`; linear over a file since tokens mostly come in order. */
  private lineStartOf(offset: number): number {
    if (offset < this.scanned) {
      // A string token is pushed after its interpolations' tokens: usually on the line already scanned.
      return offset >= this.scannedLineStart ? this.scannedLineStart : this.src.lastIndexOf("\n", offset - 1) + 1;
    }
    for (let i = this.scanned; i < offset; i++) if (this.src.charCodeAt(i) === 10) this.scannedLineStart = i + 1;
    this.scanned = offset;
    return this.scannedLineStart;
  }

  /** Every token is made here (and in `token`), so all have one shape: the parser reads them on every step. */
  private push(kind: TokenKind, value: string, start: number, end: number, num?: number, parts?: TemplatePart[]) {
    const lineStart = this.lineStartOf(start);
    if (lineStart !== this.lastLineStart) {
      this.lastLineStart = lineStart;
      this.lineHasToken = false;
    }
    const first = !this.lineHasToken;
    this.lineHasToken = true;
    const tok = token(kind, value, start, end, start - lineStart, first, num, parts);
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
    this.out.push(token("nl", "\n", at, at + 1, 0, false));
  }

  /**
   * Lexes code. `mode` says where it stops: at the end of input ("top"), at
   * the `}` that closes the region ("brace", the `}` is emitted), or at the
   * first top-level `{` ("head", for `for`/`if` inside JSX; the `{` is emitted).
   */
  private lexCode(mode: "top" | "brace" | "head"): void {
    const src = this.src;
    const brackets: string[] = [];
    while (this.pos < src.length && !this.abandoned) {
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
        this.push(KEYWORDS.has(word) ? "kw" : "ident", word, start, p);
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
        // A run of such characters (binary junk, a pasted symbol) is one mistake, not one per character.
        let end = start + 1;
        while (end < src.length && !startsToken(src.charCodeAt(end))) end++;
        const shown = src.slice(start, Math.min(end, start + 16)) + (end - start > 16 ? "..." : "");
        const what = end - start === 1 ? "character" : "characters";
        this.error("E0001", start, end, `unexpected ${what} \`${shown}\``);
        this.pos = end;
        continue;
      }
      if (op === "(" || op === "[" || op === "{") {
        if (mode === "head" && op === "{" && brackets.length === 0) {
          this.push("op", op, start, this.pos);
          return;
        }
        brackets.push(op);
      } else if (op === ")" || op === "]" || op === "}") {
        // A `}` inside an unclosed `(` or `[`: give up on those, so new lines count again.
        if (op === "}") while (brackets.length && brackets[brackets.length - 1] !== "{") brackets.pop();
        if (brackets.length === 0) {
          if (op === "}" && mode === "brace") {
            this.push("op", op, start, this.pos);
            return;
          }
        } else brackets.pop();
      }
      this.push("op", op, start, this.pos);
    }
  }

  private lastToken(): Token | undefined {
    return this.pendingNewline >= 0 ? undefined : this.out[this.out.length - 1];
  }

  private matchOperator(): string | undefined {
    const src = this.src;
    const at = this.pos;
    const c = src.charCodeAt(at);
    const candidates = c < 128 ? OPERATORS_BY_FIRST[c] : undefined;
    if (candidates === undefined) return undefined;
    for (let i = 0; i < candidates.length; i++) {
      const op = candidates[i]!;
      // Operators are one to three characters long.
      if (op.length === 1 || (src.charCodeAt(at + 1) === op.charCodeAt(1) && (op.length === 2 || src.charCodeAt(at + 2) === op.charCodeAt(2)))) {
        this.pos = at + op.length;
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
      const start = this.pos;
      this.pos = nl < 0 ? src.length : nl;
      // A `\r` before the line break belongs to the break, not to the comment.
      this.comments.push({ start, end: src.charCodeAt(this.pos - 1) === 13 ? this.pos - 1 : this.pos });
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
        if (depth === 0) {
          this.comments.push({ start, end: this.pos });
          return true;
        }
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
      const x = src.charCodeAt(p + 1);
      if ((src[p] === "e" || src[p] === "E") && (isDigit(x) || x === 43 /* + */ || x === 45 /* - */)) {
        const save = p;
        p++;
        if (src[p] === "+" || src[p] === "-") p++;
        if (isDigit(src.charCodeAt(p))) while (p < src.length && isDigit(src.charCodeAt(p))) p++;
        else p = save;
      }
      const digits = src.slice(start, p);
      value = Number(digits.includes("_") ? digits.replace(/_/g, "") : digits);
    }
    if (Number.isNaN(value) || (p < src.length && isIdentStart(src.charCodeAt(p)))) {
      // `12abc`: report once and swallow the rest of the word.
      let q = p;
      while (q < src.length && isIdentPart(src.charCodeAt(q))) q++;
      this.error("E0004", start, q, `invalid number \`${src.slice(start, q)}\``);
      p = q;
    }
    this.pos = p;
    this.push("num", src.slice(start, p), start, p, value);
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
    while (this.pos < src.length && !this.abandoned) {
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
        this.nested("code");
        const inner = this.out;
        this.out = saved;
        this.pendingNewline = savedNl;
        const closing = inner[inner.length - 1];
        if (closing && closing.kind === "op" && closing.value === "}") inner.pop();
        else {
          this.error("E0002", start, this.pos, "unterminated interpolation in string", "close the `{` of the interpolation with `}`");
        }
        inner.push(token("eof", "", this.pos - 1, this.pos - 1, 0, false));
        parts.push({ tokens: inner.filter((t) => t.kind !== "nl"), start: exprStart, end: this.pos });
        textStart = this.pos;
        continue;
      }
      // Plain text up to the next character that means something here, in one piece.
      let end = this.pos + 1;
      while (end < src.length && !stopsString(src.charCodeAt(end))) end++;
      text += src.slice(this.pos, end);
      this.pos = end;
    }
    if (!closed) this.error("E0002", start, this.pos, "unterminated string", `close it with ${triple ? '"""' : quote}`);
    const end = this.pos;
    if (parts.length === 0) {
      this.push("str", triple ? dedent(text) : text, start, end);
      return;
    }
    parts.push({ text, start: textStart, end: closed ? end - (triple ? 3 : 1) : end });
    this.push("tpl", src.slice(start, end), start, end, undefined, parts);
  }

  /** Whether the `{` at `at` has its `}` before the end of the line (counting nested braces). */
  private closesOnLine(at: number): boolean {
    // Braces inside string literals of the interpolation do not count (decisions.md, "Strings": `"{'{'}"`,
    // `"{"\{"}"`), but the interpolations of those strings do: `quotes` holds the open strings, innermost last.
    const src = this.src;
    let depth = 0;
    const quotes: string[] = [];
    const braceDepths: number[] = []; // the depth at which each open string started
    for (let i = at; i < src.length; i++) {
      const c = src[i]!;
      if (c === "\n") return false;
      const inString = quotes.length > 0 && braceDepths[braceDepths.length - 1] === depth;
      if (inString) {
        const q = quotes[quotes.length - 1]!;
        if (c === "\\") i++;
        else if (c === q) quotes.pop(), braceDepths.pop();
        else if (c === "{" && q === '"') depth++;
        continue;
      }
      if (c === '"' || c === "'") {
        quotes.push(c);
        braceDepths.push(depth);
      } else if (c === "{") depth++;
      else if (c === "}" && --depth === 0) return true;
    }
    return false;
  }

  // ---- JSX -------------------------------------------------------------

  private lexJsxElement() {
    const src = this.src;
    const open = this.pos;
    this.push("jsx_open", "<", this.pos, this.pos + 1);
    this.pos++;
    this.lexTagName();
    // attributes
    while (this.pos < src.length && !this.abandoned) {
      this.skipJsxSpace();
      if (this.pos >= src.length) {
        this.error("E0011", open, open + 1, "this tag is never closed", "end the tag with `>` or `/>`");
        return;
      }
      const c = src.charCodeAt(this.pos);
      if (src.startsWith("/>", this.pos)) {
        this.push("jsx_self_close", "/>", this.pos, this.pos + 2);
        this.pos += 2;
        return;
      }
      if (c === 62 /* > */) {
        this.push("jsx_end", ">", this.pos, this.pos + 1);
        this.pos++;
        this.nested("element");
        return;
      }
      if (isIdentStart(c)) {
        this.lexTagName();
        continue;
      }
      if (c === 61 /* = */) {
        this.push("op", "=", this.pos, this.pos + 1);
        this.pos++;
        continue;
      }
      if (c === 34 || c === 39) {
        this.lexString();
        continue;
      }
      if (c === 123 /* { */) {
        this.push("op", "{", this.pos, this.pos + 1);
        this.pos++;
        this.nested("code");
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
    if (this.pos > start) this.push("ident", src.slice(start, this.pos), start, this.pos);
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
    while (this.pos < src.length && !this.abandoned) {
      if (atChildStart) {
        const m = /^\s*(for|if|elif|else)\b/.exec(src.slice(this.pos, this.pos + 40));
        if (m && this.looksLikeControl(this.pos + m[0].length - m[1]!.length)) {
          this.pos += m[0].length - m[1]!.length;
          this.lexCode("head");
          this.nested("control");
          continue;
        }
      }
      const c = src.charCodeAt(this.pos);
      if (c === 60 /* < */) {
        if (src[this.pos + 1] === "/") {
          if (mode === "control") {
            this.error("E0012", this.pos, this.pos + 2, "closing tag inside a `for`/`if` body", "close the `{` of the `for`/`if` first");
          }
          this.push("jsx_close_open", "</", this.pos, this.pos + 2);
          this.pos += 2;
          this.lexTagName();
          this.skipJsxSpace();
          if (src[this.pos] === ">") {
            this.push("jsx_end", ">", this.pos, this.pos + 1);
            this.pos++;
          }
          return;
        }
        this.lexJsxElement();
        // A `for`/`if` starts the children or a line: `<b>x</b> for the team` is text.
        atChildStart = false;
        continue;
      }
      if (c === 123 /* { */) {
        this.push("op", "{", this.pos, this.pos + 1);
        this.pos++;
        this.nested("code");
        atChildStart = false; // `{n} for "{q}"` is text
        continue;
      }
      if (c === 125 /* } */ && mode === "control") {
        this.push("op", "}", this.pos, this.pos + 1);
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
      // Spaces between two children on one line are text (`{a} {b}`); a blank line break is layout.
      if (raw.trim() !== "" || (!raw.includes("\n") && start > 0 && src[start - 1] !== "\n")) this.push("jsx_text", raw, start, this.pos);
      atChildStart = raw.endsWith("\n") || raw.trim() === "";
    }
  }

  /** `for x in xs {` / `if c {` / `else {`: a control line ends with `{` before any `<`. */
  private looksLikeControl(at: number): boolean {
    const nl = this.src.indexOf("\n", at);
    const line = this.src.slice(at, nl < 0 ? this.src.length : nl);
    const brace = line.indexOf("{");
    // A tag is `<` then a name, `/` or `>`; `total < 10` compares.
    const tag = line.search(/<[A-Za-z/>]/);
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
