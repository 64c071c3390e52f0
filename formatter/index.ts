import * as prettier from "prettier";
import type { Diagnostic } from "../diagnostics/types.js";
import { diagnostic } from "../diagnostics/catalog.js";
import { parse } from "../frontend/parse.js";
import { NotFormattable, tovaPlugin } from "./plugin.js";
import { shapeOf } from "./same-tree.js";

export type FormatResult = { ok: true; text: string } | { ok: false; diagnostics: Diagnostic[] };

/** The canonical layout of one file's text (`tova fmt`): line width 100, two spaces. */
export async function formatTova(text: string, file: string): Promise<FormatResult> {
  let out: string;
  try {
    out = await prettier.format(text, { parser: "tova", plugins: [tovaPlugin], filepath: file, printWidth: 100, tabWidth: 2, useTabs: false, endOfLine: "lf" });
  } catch (e) {
    if (e instanceof NotFormattable) return { ok: false, diagnostics: e.diagnostics };
    throw e;
  }
  // Never change what the program means: the formatted text must read as the same tree.
  const before = parse(text.replace(/\r\n?/g, "\n"), file);
  const after = parse(out, file);
  if (after.diagnostics.some((d) => d.severity === "error") || shapeOf(before.program) !== shapeOf(after.program)) {
    return {
      ok: false,
      diagnostics: [
        diagnostic("E0010", { file, start: 0, end: 0 }, "tova fmt could not lay this file out without changing what it means; it was left as it is", {
          hint: "this is a bug in the Tova formatter; please report it with this file",
        }),
      ],
    };
  }
  return { ok: true, text: out };
}
