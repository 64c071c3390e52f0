import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { compile } from "../compile.js";
import { lex } from "../frontend/lexer.js";
import { formatTova } from "../formatter/index.js";
import { runFmt } from "../cli/fmt.js";
import { EXAMPLES_DIR, fmtCases } from "./fmt-corpus.js";

/** `tova fmt` (issue 14): idempotent, keeps every comment, never changes what a program compiles to. */

async function fmt(text: string, file = "app.tova"): Promise<string> {
  const r = await formatTova(text, file);
  if (!r.ok) throw new Error(r.diagnostics.map((d) => `${d.code} ${d.message}`).join("\n"));
  return r.text;
}

/**
 * The IR as `--emit ir` writes it and the TypeScript emitted from it, without
 * the source markers (they hold offsets, which formatting moves); or the
 * diagnostics for a program with errors.
 */
function irOf(text: string): string {
  const out = compile([{ path: "app.tova", text }], { stem: "app", emit: ["ir", "ts"] });
  const code = out.modules.map((m) => m.code.replace(/\/\*@[^*]*\*\//g, ""));
  return [out.outputs.get("app.ir.json") ?? "", ...code, ...out.diagnostics.map((d) => `${d.code} ${d.message}`)].join("\n");
}

/** Comment texts, each line trimmed (a block comment is re-indented with its code). */
function commentsOf(text: string): string[] {
  return lex(text, "app.tova").comments.map((c) =>
    text
      .slice(c.start, c.end)
      .split("\n")
      .map((l) => l.trim())
      .join("\n"),
  );
}

describe("every spec and corpus program", () => {
  for (const c of fmtCases()) {
    it(c.name, async () => {
      const once = await fmt(c.text);
      expect(await fmt(once), "formatting twice changes nothing").toBe(once);
      expect(commentsOf(once), "every comment is kept, in order").toEqual(commentsOf(c.text));
      if (c.compiles) expect(irOf(once), "the same IR").toBe(irOf(c.text));
    });
  }
});

describe("the canonical layout", () => {
  const cases: [string, string, string][] = [
    ["spaces around operators, one statement per line", "x=1+2*3;y = x", "x = 1 + 2 * 3\ny = x\n"],
    ["parentheses the tree needs are kept", "a = (1 + 2) * 3\nb = 1 - (2 - 3)\nc = (a < b) == true", "a = (1 + 2) * 3\nb = 1 - (2 - 3)\nc = (a < b) == true\n"],
    ["parentheses it does not need go", "a = ((1)) + (2 * 3)", "a = 1 + 2 * 3\n"],
    ["a pipe on the left of an operator reads as written", "avg = values |> sum() / (values |> len())", "avg = values |> sum() / (values |> len())\n"],
    ["objects with inner spaces", "o = {a:1,b:[1,2]}", "o = { a: 1, b: [1, 2] }\n"],
    ["a leading and a trailing comment stay put", "// the answer\nx = 42   // always\n", "// the answer\nx = 42 // always\n"],
    ["at most one blank line is kept", "x = 1\n\n\n\ny = 2\n", "x = 1\n\ny = 2\n"],
    ["blocks are separated by a blank line", "shared { x = 1 }\nserver { port 3001 }", "shared {\n  x = 1\n}\n\nserver {\n  port 3001\n}\n"],
    ["a one-line function stays on its line", "fn add(a: Int, b: Int) -> Int {a+b}", "fn add(a: Int, b: Int) -> Int { a + b }\n"],
    ["a block written over lines stays so", "fn f() {\n    1\n}", "fn f() {\n  1\n}\n"],
    ["strings and interpolations are kept exactly", 'x = "a {b |> f( )} \\{"', 'x = "a {b |> f( )} \\{"\n'],
    ["a jump without braces stays one", "fn f(n) {\n  if n < 0 return 1\n  n\n}", "fn f(n) {\n  if n < 0 return 1\n  n\n}\n"],
  ];
  for (const [what, input, output] of cases) it(what, async () => expect(await fmt(input)).toBe(output));

  it("breaks long calls one argument per line", async () => {
    const out = await fmt(`x = some_function(${Array.from({ length: 12 }, (_, i) => `argument_${i}`).join(", ")})`);
    expect(out).toBe(`x = some_function(\n${Array.from({ length: 12 }, (_, i) => `  argument_${i}`).join(",\n")}\n)\n`);
  });

  it("examples/ is kept formatted", async () => {
    for (const f of ["monitoring-service.tova", "multi-server.tova", "todos.tova"]) {
      const text = readFileSync(join(EXAMPLES_DIR, f), "utf8");
      expect(await fmt(text, f), f).toBe(text);
    }
  });

  it("a file that does not parse gets its diagnostic, not a stack trace", async () => {
    const r = await formatTova("fn f( {", "bad.tova");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.diagnostics[0]!.code).toMatch(/^E00/);
  });
});

describe("runFmt", () => {
  const dir = mkdtempSync(join(tmpdir(), "tova-fmt-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const quiet = () => {
    const out = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    return { out, err, restore: () => (out.mockRestore(), err.mockRestore()) };
  };

  it("--check names the files that would change and exits 1; without it they are rewritten", async () => {
    const messy = join(dir, "messy.tova");
    const tidy = join(dir, "tidy.tova");
    writeFileSync(messy, "x=1\n");
    writeFileSync(tidy, "y = 2\n");
    const io = quiet();
    try {
      expect(await runFmt({ paths: [dir], check: true })).toBe(1);
      expect(io.out.mock.calls.map((c) => String(c[0]))).toEqual([`${messy}\n`]);
      expect(readFileSync(messy, "utf8")).toBe("x=1\n");
      expect(await runFmt({ paths: [dir], check: false })).toBe(0);
      expect(readFileSync(messy, "utf8")).toBe("x = 1\n");
      expect(await runFmt({ paths: [dir], check: true })).toBe(0);
    } finally {
      io.restore();
    }
  });

  it("a file with a syntax error exits 1 with its coded diagnostic; a missing path exits 2", async () => {
    mkdirSync(join(dir, "sub"));
    const bad = join(dir, "sub", "bad.tova");
    writeFileSync(bad, "fn f( {\n");
    const io = quiet();
    try {
      expect(await runFmt({ paths: [bad], check: false })).toBe(1);
      expect(io.out.mock.calls.map((c) => String(c[0])).join("")).toMatch(/E00\d\d/);
      expect(readFileSync(bad, "utf8")).toBe("fn f( {\n");
      expect(await runFmt({ paths: [join(dir, "nope.tova")], check: false })).toBe(2);
      expect(await runFmt({ paths: [], check: false })).toBe(2);
    } finally {
      io.restore();
    }
  });
});
