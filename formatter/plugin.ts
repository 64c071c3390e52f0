import type { Plugin } from "prettier";
import type { Diagnostic } from "../diagnostics/types.js";
import { hasErrors } from "../diagnostics/types.js";
import type { Program } from "../frontend/ast.js";
import { lex } from "../frontend/lexer.js";
import { parse } from "../frontend/parse.js";
import { printProgram } from "./print-program.js";
import { Source } from "./source.js";

/**
 * `tova fmt` as a prettier plugin: the project's own parser reads the file,
 * the printers (print-*.ts) lay it out with prettier's document builders.
 */
export interface TovaFile {
  kind: "TovaFile";
  program: Program;
  source: Source;
}

/** A file that does not parse: its diagnostics, reported as `tova check` would. */
export class NotFormattable extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super("the file has syntax errors");
  }
}

export const tovaPlugin: Plugin<TovaFile> = {
  languages: [{ name: "Tova", parsers: ["tova"], extensions: [".tova"] }],
  parsers: {
    tova: {
      astFormat: "tova",
      parse(text, options) {
        const file = options.filepath ?? "input.tova";
        const { program, diagnostics } = parse(text, file);
        if (hasErrors(diagnostics)) throw new NotFormattable(diagnostics);
        // The parser drops comments; the lexer keeps where they are.
        const { tokens, comments } = lex(text, file);
        return { kind: "TovaFile", program, source: new Source(text, comments, tokens) };
      },
      locStart: () => 0,
      locEnd: (node) => node.source.text.length,
    },
  },
  printers: {
    tova: {
      print(path) {
        const root = path.node;
        const printed = printProgram(root.program, root.source);
        if (!root.source.allClaimed()) throw new Error("the formatter left a comment out (a bug in tova fmt)");
        return printed;
      },
    },
  },
};
