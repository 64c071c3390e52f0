/**
 * `///` doc comments (language.md, "Lexical rules") are skipped by the lexer,
 * so they are found again in the `.tova` text: the `///` lines right above the
 * line where a declaration starts. The emitted code marks each statement with
 * that offset (`/*@file:offset*\/`, builders.ts), which is how a comment finds
 * the TypeScript declaration it documents.
 */

/** The text of the `///` lines directly above `offset` (no blank line between), one space of indent removed; null when there are none. */
export function docCommentAt(source: string, offset: number): string | null {
  const lineStart = source.lastIndexOf("\n", offset - 1) + 1;
  if (source.slice(lineStart, offset).trim() !== "") return null;
  const lines: string[] = [];
  let end = lineStart - 1; // the newline that ends the line above
  while (end > 0) {
    const start = source.lastIndexOf("\n", end - 1) + 1;
    const m = /^\s*\/\/\/(?!\/)(.*)$/.exec(source.slice(start, end).replace(/\r$/, ""));
    if (!m) break;
    lines.unshift(m[1]!.replace(/^ /, "").trimEnd());
    end = start - 1;
  }
  return lines.length ? lines.join("\n") : null;
}

const MARKER = /^\/\*@(\d+):(\d+)\*\/$/;

/** The `.tova` file index and offset of a marker comment's text, or null for any other comment. */
export function markerPosition(comment: string): { file: number; offset: number } | null {
  const m = MARKER.exec(comment);
  return m ? { file: Number(m[1]), offset: Number(m[2]) } : null;
}
