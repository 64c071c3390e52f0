import { describe, expect, it } from "vitest";
import { decodeSource, firstInvalidByte } from "../cli/files.js";
import { check } from "../compile.js";
import { locate, render } from "../diagnostics/render.js";
import { parse } from "../frontend/parse.js";
import { MAX_DEPTH, MAX_SYNTAX_ERRORS } from "../frontend/limits.js";

/**
 * The front end on input no person writes (issue 9, "Diagnostics that
 * mislead or overflow"): deep nesting, files full of errors, very long lines,
 * random bytes, text that is not UTF-8. Each ends in a few clear diagnostics,
 * bounded output, and no "Maximum call stack size exceeded".
 */

const FILE = "main.tova";
const codes = (text: string) => parse(text, FILE).diagnostics.map((d) => d.code);
const shown = (text: string) => render(parse(text, FILE).diagnostics, new Map([[FILE, text]]));
const at = (text: string) => locate(parse(text, FILE).diagnostics, new Map([[FILE, text]])).map((d) => `${d.code} ${d.line}:${d.column}`);

/** Programs nesting one construct `n` levels deep; each is clean at a depth a person might write. */
const NESTED: Record<string, (n: number) => string> = {
  "parentheses": (n) => `x = ${"(".repeat(n)}1${")".repeat(n)}\nprint(x)\n`,
  "arrays": (n) => `x = ${"[".repeat(n)}1${"]".repeat(n)}\nprint(x)\n`,
  "objects": (n) => `x = ${"{a: ".repeat(n)}1${"}".repeat(n)}\nprint(x)\n`,
  "if blocks": (n) => `fn f(c) {\n${"if c {\n".repeat(n)}1\n${"}\n".repeat(n)}}\n`,
  "plain blocks": (n) => `fn f() {\n${"{\n".repeat(n)}1\n${"}\n".repeat(n)}}\n`,
  "lambdas": (n) => `x = ${"fn(a) ".repeat(n)}1\nprint(x)\n`,
  "calls": (n) => `fn f(a) { a }\nx = ${"f(".repeat(n)}1${")".repeat(n)}\nprint(x)\n`,
  "matches": (n) => `fn f(x) {\n${"match x {\n_ => ".repeat(n)}1\n${"}\n".repeat(n)}}\n`,
  "JSX elements": (n) => `client {\n  component App {\n${"<div>".repeat(n)}${"</div>".repeat(n)}\n  }\n}\n`,
  "interpolations": (n) => `x = ${'"{'.repeat(n)}1${'}"'.repeat(n)}\nprint(x)\n`,
  "array types": (n) => `var y: ${"[".repeat(n)}Int${"]".repeat(n)} = []\nprint(y)\n`,
  "generic types": (n) => `var y: ${"Option<".repeat(n)}Int${">".repeat(n)} = None\nprint(y)\n`,
  "function types": (n) => `fn f(g: ${"fn() -> ".repeat(n)}Int) { g }\n`,
  "array patterns": (n) => `fn f(x) {\n  match x {\n    ${"[".repeat(n)}a${"]".repeat(n)} => 1\n    _ => 2\n  }\n}\n`,
  "variant patterns": (n) => `fn f(x) {\n  match x {\n    ${"Some(".repeat(n)}a${")".repeat(n)} => 1\n    _ => 2\n  }\n}\n`,
  "config sections": (n) => `security {\n${"  a {\n".repeat(n)}${"  }\n".repeat(n)}}\n`,
};

describe("nesting depth", () => {
  for (const [what, program] of Object.entries(NESTED)) {
    it(`${what}: 200 levels parse cleanly, 1,000 give one E0016 and nothing else`, () => {
      expect(codes(program(200))).toEqual([]);
      const deep = parse(program(1000), FILE).diagnostics;
      expect(deep.map((d) => d.code)).toEqual(["E0016"]);
      expect(deep[0]!.message).toBe(`this is nested more than ${MAX_DEPTH} levels deep`);
    });
  }

  it("the limit is exactly MAX_DEPTH brackets", () => {
    expect(codes(NESTED["parentheses"]!(MAX_DEPTH))).toEqual([]);
    expect(at(NESTED["parentheses"]!(MAX_DEPTH + 1))).toEqual([`E0016 1:${5 + MAX_DEPTH}`]);
  });

  it("prefix operators and `**` chains do not nest: 5,000 of them parse", () => {
    expect(codes(`x = ${"-".repeat(5000)}1\n`)).toEqual([]);
    expect(codes(`x = 2${" ** 1".repeat(5000)}\n`)).toEqual([]);
    expect(codes(`x = ${"not ".repeat(1)}${"!".repeat(5000)}true\n`)).toEqual([]);
  });

  it("the code around the skipped part is still read (its names resolve, its errors are found)", () => {
    const src = `fn helper() { 1 }\nx = ${"(".repeat(1000)}1${")".repeat(1000)}\ny = helper()\nz = nope\n`;
    const ds = check([{ path: FILE, text: src }], { stem: "main" });
    const located = locate(ds, new Map([[FILE, src]])).map((d) => `${d.code} ${d.line}:${d.column}`);
    expect(located).toEqual(["E0016 2:261", "E0101 4:5"]);
  });

  it("the whole check runs on 1,000 levels of every construct without a stack overflow", () => {
    for (const program of Object.values(NESTED)) {
      const ds = check([{ path: FILE, text: program(1000) }], { stem: "main" });
      expect(ds.filter((d) => d.code === "E0016")).toHaveLength(1);
      expect(ds.map((d) => d.message).join("\n")).not.toMatch(/call stack|internal/);
    }
  });

  it("50,000 nested strings or elements stop the lexer with one diagnostic", () => {
    expect(codes(NESTED["interpolations"]!(50_000))).toEqual(["E0016"]);
    expect(codes(NESTED["JSX elements"]!(50_000))).toEqual(["E0016"]);
  });
});

describe("files full of errors", () => {
  const broken = Array.from({ length: 300 }, (_, i) => `x${i} = )`).join("\n") + "\n";

  it(`the front end keeps ${MAX_SYNTAX_ERRORS} syntax errors of a file, then says where it stopped`, () => {
    const ds = at(broken);
    expect(ds).toHaveLength(MAX_SYNTAX_ERRORS + 1);
    expect(ds.slice(0, 2)).toEqual(["E0010 1:6", "E0010 2:6"]);
    expect(ds[MAX_SYNTAX_ERRORS]).toBe(`E0018 ${MAX_SYNTAX_ERRORS + 1}:1`);
  });

  it("the renderer shows 50 diagnostics of a file, then one line with how many more", () => {
    const text = shown(broken);
    expect(text.match(/error\[E0010\]/g)).toHaveLength(50);
    expect(text.trimEnd().split("\n").at(-1)).toBe("main.tova: and 51 more diagnostics (`tova check --json` lists them all)");
  });

  it("the cap is per file", () => {
    const ds = parse(broken, "a.tova").diagnostics.slice(0, 60).concat(parse(broken, "b.tova").diagnostics.slice(0, 10));
    const text = render(ds, new Map([["a.tova", broken], ["b.tova", broken]]));
    expect(text.match(/^a\.tova:\d+:\d+: error/gm)).toHaveLength(50);
    expect(text.match(/^b\.tova:\d+:\d+: error/gm)).toHaveLength(10);
    expect(text).toContain("a.tova: and 10 more diagnostics");
    expect(text).not.toContain("b.tova: and");
  });

  it("a run of characters that start no token is one diagnostic", () => {
    expect(at("x = 1 §§§§§§ + 2\n")).toEqual(["E0001 1:7"]);
    expect(parse("x = 1 §§§§§§ + 2\n", FILE).diagnostics[0]!.message).toBe("unexpected characters `§§§§§§`");
  });
});

/** A deterministic stream of bytes (no seed-dependent flakiness). */
function randomBytes(seed: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff;
    out[i] = x >> 16;
  }
  return out;
}

describe("random bytes", () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`4 KB of random bytes (seed ${seed}) give a bounded number of diagnostics and a few KB of output`, () => {
      const bytes = randomBytes(seed, 4096);
      for (const text of [decodeSource(bytes), Buffer.from(bytes).toString("latin1"), Buffer.from(bytes.map((b) => 32 + (b % 95))).toString("latin1")]) {
        const ds = parse(text, FILE).diagnostics;
        expect(ds.length).toBeGreaterThan(0);
        expect(ds.length).toBeLessThanOrEqual(MAX_SYNTAX_ERRORS + 1);
        expect(render(ds, new Map([[FILE, text]])).length).toBeLessThan(30_000);
      }
    });
  }
});

describe("long lines", () => {
  const M = 5_000_000;

  it("a code frame shows at most 120 columns around the span, with the caret under it", () => {
    const src = `x = ${"a + ".repeat(1000)}) + b\n`;
    const text = shown(src);
    const [, codeLine, caretLine] = text.split("\n");
    expect(codeLine!.length).toBeLessThanOrEqual(4 + 3 + 120 + 3);
    expect(codeLine).toMatch(/^1 \| \.\.\..*\) \+ b$/);
    const caret = caretLine!.indexOf("^");
    expect(codeLine![caret]).toBe(")");
    expect(caretLine!.slice(caret)).toBe("^");
  });

  it("a short line is shown whole", () => {
    expect(shown("x = )\n")).toBe("main.tova:1:5: error[E0010]: expected an expression, found `)`\n1 | x = )\n  |     ^\n");
  });

  const cases: Record<string, string> = {
    "a 5 MB string": `x = "${"a".repeat(M)}" )\n`,
    "a 5 MB comment": `x = 1 // ${"a".repeat(M)}\ny = )\n`,
    "a 5 MB name": `x = ${"a".repeat(M)} )\n`,
    "5 MB of symbols": `x = ${"@#$".repeat(M / 3)}\n`,
    "an interpolation never closed": `x = "${"a{".repeat(M / 2)}\n`,
    "5 MB of broken statements": "x = ) ".repeat(M / 6) + "\n",
  };
  for (const [what, text] of Object.entries(cases)) {
    it(`${what} on one line: a few diagnostics, a short report, and no quadratic time`, () => {
      const started = performance.now();
      const ds = parse(text, FILE).diagnostics;
      const out = render(ds, new Map([[FILE, text]]));
      // Generous for a loaded machine; the quadratic versions took minutes.
      expect(performance.now() - started).toBeLessThan(8000);
      expect(ds.length).toBeGreaterThan(0);
      expect(out.length).toBeLessThan(15_000);
      for (const line of out.split("\n")) expect(line.length).toBeLessThan(300);
    });
  }
});

describe("text that is not UTF-8", () => {
  const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p) : Buffer.from(p))));

  it("is one diagnostic at the first invalid byte, naming it", () => {
    const text = decodeSource(bytes("x = 1\ny = \"caf", [0xe9], "\"\nz = ", [0xff, 0xfe], "\n"));
    const ds = parse(text, FILE).diagnostics;
    expect(at(text)).toEqual(["E0017 2:9"]);
    expect(ds[0]!.message).toBe("this file is not valid UTF-8 text (byte 0xE9)");
  });

  it("well-formed UTF-8, emoji and accents included, is read as it is", () => {
    const text = decodeSource(bytes('greeting = "héllo 😀 ✓"\nprint(greeting)\n'));
    expect(text).toBe('greeting = "héllo 😀 ✓"\nprint(greeting)\n');
    expect(codes(text)).toEqual([]);
  });

  it("the sequences Unicode calls ill-formed are found (overlong, surrogates, past U+10FFFF, cut short)", () => {
    expect(firstInvalidByte(Buffer.from("abc"))).toBe(-1);
    expect(firstInvalidByte(Buffer.from("é😀"))).toBe(-1);
    expect(firstInvalidByte(bytes("a", [0xc0, 0xaf]))).toBe(1); // overlong `/`
    expect(firstInvalidByte(bytes("ab", [0xed, 0xa0, 0x80]))).toBe(2); // a UTF-16 surrogate
    expect(firstInvalidByte(bytes([0xf4, 0x90, 0x80, 0x80]))).toBe(0); // past U+10FFFF
    expect(firstInvalidByte(bytes("x", [0xe2, 0x9c]))).toBe(1); // cut short at the end
    expect(firstInvalidByte(bytes([0x80]))).toBe(0); // a continuation byte alone
  });

  it("a lone surrogate in text given directly is the same diagnostic", () => {
    expect(at("x = 1\ny = \"\uD800\"\n")).toEqual(["E0017 2:6"]);
  });
});
