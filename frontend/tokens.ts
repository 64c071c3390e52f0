/**
 * Tokens produced by the lexer. The parser only ever looks at these, never at
 * source text (architecture.md, "The front end").
 */
export type TokenKind =
  | "ident" // identifiers, including contextual block words (`server`, `route`, ...)
  | "kw" // reserved keywords (language.md, "Lexical rules")
  | "num"
  | "str" // a string without interpolation; `value` is the decoded text
  | "tpl" // a string with interpolation; `parts` holds text and nested token lists
  | "op" // punctuation and operators; `value` is the operator text
  | "nl" // a significant newline (statement separator)
  | "jsx_open" // `<` that starts an element
  | "jsx_close_open" // `</`
  | "jsx_end" // `>` ending a tag
  | "jsx_self_close" // `/>`
  | "jsx_text" // raw text between tags
  | "eof";

export interface Token {
  kind: TokenKind;
  value: string;
  start: number;
  end: number;
  /** 0-based column of `start`; `lineStart` when the token is the first on its line (for recovery). */
  column: number;
  lineStart?: boolean;
  /** For `tpl`: literal text segments alternating with interpolated token lists. */
  parts?: TemplatePart[];
  /** For `num`: the numeric value. */
  num?: number;
}

export type TemplatePart = { text: string; start: number; end: number } | { tokens: Token[]; start: number; end: number };

export const KEYWORDS = new Set([
  "fn", "var", "return", "if", "elif", "else", "for", "in", "while", "break", "continue", "match",
  "type", "import", "from", "export", "as", "and", "or", "not", "true", "false", "nil", "try",
  "catch", "finally", "async", "await",
]);

export function describe(t: Token): string {
  switch (t.kind) {
    case "eof":
      return "end of file";
    case "nl":
      return "end of line";
    case "str":
    case "tpl":
      return "a string";
    case "num":
      return `number \`${t.value}\``;
    case "jsx_text":
      return "JSX text";
    default:
      return `\`${t.value}\``;
  }
}
