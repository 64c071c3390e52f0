import { doc, type Doc } from "prettier";
import type { Source } from "./source.js";

const { hardline, lineSuffix, breakParent, join } = doc.builders;

/**
 * One item per line, with the comments around them: a comment on an item's
 * last line stays at the end of that line, the others go on their own lines
 * before the item that follows them (or at the end of the list). A blank
 * line in the source is kept (at most one); `blankBetween` adds one where the
 * layout always wants it (between top-level blocks).
 *
 * An item holding a comment that no inner list placed (inside a call's
 * arguments, say) is printed as written, so no comment is ever lost.
 */
export interface ListOptions<T> {
  items: readonly T[];
  span: (item: T) => { start: number; end: number };
  print: (item: T) => Doc;
  /** The region of the list: after its `{` (or the file's start) up to its `}` (or the file's end). */
  start: number;
  end: number;
  blankBetween?: (a: T, b: T) => boolean;
  /** Put `,` after every item but the last (configuration bodies written with commas). */
  commas?: boolean;
}

export function printList<T>(src: Source, o: ListOptions<T>): Doc[] {
  const lines: Doc[] = [];
  let pos = o.start;
  let prev: T | null = null;
  const leading = (until: number, next: T | null) => {
    const ids = src.unclaimedIn(pos, until);
    let first = true;
    for (const i of ids) {
      const c = src.comments[i]!;
      if (lines.length > 0 && (src.hasBlankLine(pos, c.start) || (first && prev !== null && next !== null && o.blankBetween?.(prev, next)))) lines.push("");
      lines.push(src.verbatim(c));
      pos = c.end;
      first = false;
    }
    return ids.length > 0;
  };
  for (let k = 0; k < o.items.length; k++) {
    const item = o.items[k]!;
    const span = o.span(item);
    const hadComments = leading(span.start, item);
    const forced = !hadComments && prev !== null && o.blankBetween?.(prev, item);
    if (lines.length > 0 && (forced || src.hasBlankLine(pos, span.start))) lines.push("");
    let printed = printItem(src, item, span, o.print);
    if (o.commas && k < o.items.length - 1) printed = [printed, ","];
    pos = span.end;
    // Comments on the item's last line stay there.
    const after = o.items[k + 1];
    const limit = after ? o.span(after).start : o.end;
    for (const i of src.unclaimedIn(pos, limit)) {
      const c = src.comments[i]!;
      if (src.hasNewline(pos, c.start)) break;
      printed = [printed, lineSuffix([" ", src.claim(i)]), breakParent];
      pos = c.end;
    }
    lines.push(printed);
    prev = item;
  }
  leading(o.end, null);
  return lines;
}

/** The lines of `printList` as one document, one per line. */
export function joinLines(lines: Doc[]): Doc {
  return join(hardline, lines);
}

function printItem<T>(src: Source, item: T, span: { start: number; end: number }, print: (item: T) => Doc): Doc {
  const saved = src.snapshot();
  const printed = print(item);
  if (src.unclaimedIn(span.start, span.end).length === 0) return printed;
  src.restore(saved);
  return src.verbatim(span);
}
