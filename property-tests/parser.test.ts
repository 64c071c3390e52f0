import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "../frontend/parse.js";
import { lex } from "../frontend/lexer.js";
import { KEYWORDS } from "../frontend/tokens.js";
import { analyze } from "../ir/pipeline.js";
import type { Diagnostic } from "../diagnostics/types.js";
import { render } from "../diagnostics/render.js";
import type { Span } from "../frontend/span.js";

/**
 * The front end never gives up on input: whatever the text, `parse` returns
 * a Program and diagnostics whose places lie inside the text, and the whole
 * `analyze` pipeline runs to the end. Inputs are the specification's ```tova
 * blocks with random damage, and random strings.
 */

const SPEC_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "shared", "spec");

const SPEC_BLOCKS: string[] = readdirSync(SPEC_DIR)
  .filter((f) => f.endsWith(".md"))
  .sort()
  .flatMap((page) => [...readFileSync(join(SPEC_DIR, page), "utf8").matchAll(/```tova\n([\s\S]*?)```/g)].map((m) => m[1]!));

const FILE = "mutated.tova";

// ---- mutations ------------------------------------------------------------

const NOISE = [..."{}()[]\"'<>/*!|.:,=\n", ..."abcxyzABC_019 ", "\\", "{{", "}}", "</", "/>", "/*", "*/", "//", '"""', "|>", "=>", "->", "..", "fn", "server", "route", "<div>", "\t", "é", "😀"];

type Mutation =
  | { op: "delete"; at: number; len: number }
  | { op: "insert"; at: number; text: string }
  | { op: "dupLine"; line: number }
  | { op: "swapLines"; a: number; b: number }
  | { op: "truncate"; at: number };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant("delete" as const), at: fc.nat(), len: fc.integer({ min: 1, max: 30 }) }),
  fc.record({ op: fc.constant("insert" as const), at: fc.nat(), text: fc.array(fc.constantFrom(...NOISE), { minLength: 1, maxLength: 6 }).map((a) => a.join("")) }),
  fc.record({ op: fc.constant("dupLine" as const), line: fc.nat() }),
  fc.record({ op: fc.constant("swapLines" as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ op: fc.constant("truncate" as const), at: fc.nat() }),
);

function applyMutation(text: string, m: Mutation): string {
  const pos = (n: number) => (text.length === 0 ? 0 : n % (text.length + 1));
  switch (m.op) {
    case "delete": {
      const at = pos(m.at);
      return text.slice(0, at) + text.slice(at + m.len);
    }
    case "insert": {
      const at = pos(m.at);
      return text.slice(0, at) + m.text + text.slice(at);
    }
    case "truncate":
      return text.slice(0, pos(m.at));
    case "dupLine": {
      const lines = text.split("\n");
      const i = m.line % lines.length;
      lines.splice(i, 0, lines[i]!);
      return lines.join("\n");
    }
    case "swapLines": {
      const lines = text.split("\n");
      const a = m.a % lines.length;
      const b = m.b % lines.length;
      [lines[a], lines[b]] = [lines[b]!, lines[a]!];
      return lines.join("\n");
    }
  }
}

const mutatedSpecArb: fc.Arbitrary<string> = fc
  .tuple(fc.nat(SPEC_BLOCKS.length - 1), fc.array(mutationArb, { minLength: 1, maxLength: 5 }))
  .map(([i, ms]) => ms.reduce(applyMutation, SPEC_BLOCKS[i]!));

/** Random text: arbitrary code units, graphemes, and Tova-flavoured noise. */
const randomTextArb: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: "binary", maxLength: 300 }),
  fc.string({ unit: "grapheme", maxLength: 200 }),
  fc.string({ unit: fc.constantFrom(...NOISE), maxLength: 200 }),
);

// ---- checks ---------------------------------------------------------------

function inBounds(s: Span, text: string): boolean {
  return s.file === FILE && Number.isInteger(s.start) && Number.isInteger(s.end) && 0 <= s.start && s.start <= s.end && s.end <= text.length;
}

const showSpan = (s: Span) => `${s.file}@${s.start}-${s.end}`;

/** Problems with the diagnostics: codes, and spans (and labels' spans) outside the text. */
function diagnosticProblems(ds: readonly Diagnostic[], text: string): string[] {
  const out: string[] = [];
  for (const d of ds) {
    if (!/^[EW]\d{4}$/.test(d.code)) out.push(`bad code ${JSON.stringify(d.code)}: ${d.message}`);
    if (!inBounds(d.span, text)) out.push(`${d.code} ${d.message} at ${showSpan(d.span)} (text length ${text.length})`);
    for (const l of d.labels) if (!inBounds(l.span, text)) out.push(`label of ${d.code} ${d.message} at ${showSpan(l.span)} (text length ${text.length})`);
  }
  return out;
}

/** Every `span` anywhere in the tree, with the path to it. */
function allSpans(node: unknown, path = "program", out: { path: string; span: Span }[] = [], seen = new Set<object>()): { path: string; span: Span }[] {
  if (node === null || typeof node !== "object" || seen.has(node)) return out;
  seen.add(node);
  if (Array.isArray(node)) node.forEach((x, i) => allSpans(x, `${path}[${i}]`, out, seen));
  else
    for (const [k, v] of Object.entries(node)) {
      if (v && typeof v === "object" && !Array.isArray(v) && "start" in v && "end" in v && "file" in v) out.push({ path: `${path}.${k}`, span: v as Span });
      else allSpans(v, `${path}${"kind" in node ? `<${String((node as { kind: unknown }).kind)}>` : ""}.${k}`, out, seen);
    }
  return out;
}

/** Parses, and lists what is wrong with the result: the Program's shape, items' spans, diagnostics. */
function parseProblems(text: string): { problems: string[]; diagnostics: Diagnostic[] } {
  const { program, diagnostics } = parse(text, FILE);
  const problems: string[] = [];
  if (program.kind !== "Program" || !Array.isArray(program.items)) problems.push("not a Program");
  for (const item of program.items) if (!inBounds(item.span, text)) problems.push(`${item.kind} at ${showSpan(item.span)} (text length ${text.length})`);
  problems.push(...diagnosticProblems(diagnostics, text));
  return { problems, diagnostics };
}

const internalError = (ds: readonly Diagnostic[]) => ds.filter((d) => d.message.startsWith("internal parser error"));

// ---- properties -------------------------------------------------------------

describe("parser robustness", () => {
  it("the spec has ```tova blocks to mutate, and they parse", () => {
    expect(SPEC_BLOCKS.length).toBeGreaterThan(20);
    for (const b of SPEC_BLOCKS) expect(parseProblems(b).problems, b).toEqual([]);
  });

  it("mutated spec programs: parse returns a Program whose items and diagnostics lie inside the text", () => {
    fc.assert(
      fc.property(mutatedSpecArb, (text) => {
        expect(parseProblems(text).problems).toEqual([]);
      }),
      { numRuns: 1000 },
    );
  });

  it("mutated spec programs: the parser never fails internally (no caught exception, E0010 'internal parser error')", () => {
    fc.assert(
      fc.property(mutatedSpecArb, (text) => {
        const { diagnostics } = parse(text, FILE);
        expect(internalError(diagnostics).map((d) => d.message)).toEqual([]);
      }),
      { numRuns: 1000 },
    );
  });

  it("mutated spec programs: every span anywhere in the AST lies inside the text", () => {
    fc.assert(
      fc.property(mutatedSpecArb, (text) => {
        const { program } = parse(text, FILE);
        const outside = allSpans(program.items, "items").filter(({ span }) => !inBounds(span, text));
        expect(outside.map(({ path, span }) => `${path} at ${showSpan(span)} (text length ${text.length})`)).toEqual([]);
      }),
      { numRuns: 600, examples: [['x = "ab\\']] },
    );
  });

  it("mutated spec programs: the whole analyze pipeline never throws, and its diagnostics lie inside the text", () => {
    fc.assert(
      fc.property(mutatedSpecArb, fc.integer({ min: 1024, max: 60000 }), (text, basePort) => {
        const { diagnostics } = analyze([{ path: FILE, text }], { stem: "mutated", basePort });
        render(diagnostics, new Map([[FILE, text]]));
        expect(diagnosticProblems(diagnostics, text)).toEqual([]);
      }),
      // `examples`: inputs that once put a span past the end of the text; then random ones.
      { numRuns: 1000, examples: [["server {\n  route GET \"/x\" => -", 3000]] },
    );
  });

  it("random strings parse without throwing, with diagnostics inside the text", () => {
    fc.assert(
      fc.property(randomTextArb, (text) => {
        const { problems, diagnostics } = parseProblems(text);
        expect([...problems, ...internalError(diagnostics).map((d) => d.message)]).toEqual([]);
      }),
      { numRuns: 1000, examples: [["-"], ['"\\'], ["'\\"], ['"""\\']] },
    );
  });

  it("random strings: analyze never throws", () => {
    fc.assert(
      fc.property(randomTextArb, (text) => {
        const { diagnostics } = analyze([{ path: FILE, text }], { stem: "random" });
        render(diagnostics, new Map([[FILE, text]]));
        expect(diagnosticProblems(diagnostics, text)).toEqual([]);
      }),
      { numRuns: 300, examples: [['"\\']] },
    );
  });
});

// ---- nesting -----------------------------------------------------------------

/** Openers of every construct that nests, each with what closes it (issue 9: nesting never overflows the stack). */
const NESTERS: [string, string][] = [
  ["(", ")"], ["[", "]"], ["{a: ", "}"], ["if c {\n", "\n}"], ["fn(x) ", ""], ["f(", ")"], ["<div>", "</div>"],
  ["match x {\n_ => ", "\n}"], ["- ", ""], ["Some(", ")"],
];

const nestingArb = fc
  .tuple(fc.array(fc.nat(NESTERS.length - 1), { minLength: 1, maxLength: 1500, size: "max" }), fc.boolean(), fc.constantFrom("fn f(c, x) {\n", "client {\n  component App {\n", ""))
  .map(([picks, closed, wrap]) => {
    const inner = picks.map((i) => NESTERS[i]![0]).join("") + "1" + (closed ? picks.map((i) => NESTERS[i]![1]).reverse().join("") : "");
    return wrap + "y = " + inner + "\n" + (wrap ? "}\n".repeat(wrap.split("{").length - 1) : "");
  });

describe("nesting", () => {
  it("any mix of nested constructs, closed or not, parses without an internal error, with at most one E0016", () => {
    fc.assert(
      fc.property(nestingArb, (text) => {
        const { problems, diagnostics } = parseProblems(text);
        expect([...problems, ...internalError(diagnostics).map((d) => d.message)]).toEqual([]);
        expect(diagnostics.filter((d) => d.code === "E0016").length).toBeLessThanOrEqual(1);
        expect(diagnostics.map((d) => d.message).join("\n")).not.toMatch(/call stack/);
      }),
      { numRuns: 150 },
    );
  });

  it("the generator reaches past the depth limit", () => {
    const deep = fc.sample(nestingArb, { numRuns: 40, seed: 1 }).filter((t) => parseProblems(t).diagnostics.some((d) => d.code === "E0016"));
    expect(deep.length).toBeGreaterThan(0);
  });
});

// ---- lexer ----------------------------------------------------------------

/** A source token and, where the lexer should decode it, its value. */
interface SourceToken {
  text: string;
  kind: "ident" | "kw" | "num" | "str" | "tpl" | "op";
  value?: string | number;
}

const identArb: fc.Arbitrary<SourceToken> = fc
  .oneof(fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,10}$/), fc.constantFrom(...KEYWORDS, "server", "route", "port", "_", "__x"))
  .map((w) => ({ text: w, kind: KEYWORDS.has(w) ? "kw" : "ident", value: w }));

const numberArb: fc.Arbitrary<SourceToken> = fc.oneof(
  fc.nat({ max: 1_000_000_000 }).map((n) => ({ text: String(n), kind: "num" as const, value: n })),
  fc.tuple(fc.nat(999), fc.integer({ min: 0, max: 999 })).map(([a, b]) => ({ text: `${a}_${String(b).padStart(3, "0")}`, kind: "num" as const, value: a * 1000 + b })),
  fc.tuple(fc.nat(9999), fc.stringMatching(/^[0-9]{1,4}$/)).map(([a, f]) => ({ text: `${a}.${f}`, kind: "num" as const, value: Number(`${a}.${f}`) })),
  fc.nat(0xffffff).map((n) => ({ text: `0x${n.toString(16).toUpperCase()}`, kind: "num" as const, value: n })),
  fc.tuple(fc.nat(99), fc.constantFrom("e", "E", "e+", "e-", "E-"), fc.nat(20)).map(([m, e, x]) => ({ text: `${m}${e}${x}`, kind: "num" as const, value: Number(`${m}${e.toLowerCase()}${x}`) })),
);

const ESCAPES: Record<string, string> = { "\\n": "\n", "\\t": "\t", '\\"': '"', "\\'": "'", "\\\\": "\\", "\\{": "{", "\\}": "}", "\\0": "\0" };
const plainChar = (exclude: string) => fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }).filter((c) => ![..."\n\\{}", ...exclude].some((x) => c.includes(x)));

/** A string literal piece: raw text or an escape, with its decoded value. */
const pieceArb = (quote: string) =>
  fc.oneof(
    { arbitrary: plainChar(quote).map((c) => [c, c] as const), weight: 4 },
    { arbitrary: fc.constantFrom(...Object.entries(ESCAPES)).map(([src, val]) => [src, val] as const), weight: 1 },
  );

const stringArb: fc.Arbitrary<SourceToken> = fc.oneof(
  fc.array(pieceArb('"'), { maxLength: 12 }).map((ps) => ({ text: `"${ps.map((p) => p[0]).join("")}"`, kind: "str" as const, value: ps.map((p) => p[1]).join("") })),
  fc.array(pieceArb("'"), { maxLength: 12 }).map((ps) => ({ text: `'${ps.map((p) => p[0]).join("")}'`, kind: "str" as const, value: ps.map((p) => p[1]).join("") })),
  // Interpolation: the token is the whole literal.
  fc
    .tuple(fc.array(pieceArb('"'), { maxLength: 5 }), fc.constantFrom("x", "a + 1", "f(y, 2)", "user.name", "xs[0]", '"in{n}er"'), fc.array(pieceArb('"'), { maxLength: 5 }))
    .map(([a, e, b]) => ({ text: `"${a.map((p) => p[0]).join("")}{${e}}${b.map((p) => p[0]).join("")}"`, kind: "tpl" as const })),
  // Triple-quoted, over several lines.
  fc.array(fc.constantFrom("line one", "  indented", "", "x = 1", "'quoted'", "a\"b"), { minLength: 1, maxLength: 4 }).map((ls) => ({ text: `"""\n${ls.join("\n")}\n"""`, kind: "str" as const })),
);

const opArb: fc.Arbitrary<SourceToken> = fc
  .constantFrom("+", "-", "*", "%", "**", "==", "!=", ">=", ">", "=>", "->", "|>", "??", "?.", "..", "..=", "...", "(", ")", "[", "]", ",", ":", ";", "=", "@", "?")
  .map((o) => ({ text: o, kind: "op" as const, value: o }));

const tokenArb: fc.Arbitrary<SourceToken> = fc.oneof(
  { arbitrary: identArb, weight: 3 },
  { arbitrary: numberArb, weight: 2 },
  { arbitrary: stringArb, weight: 2 },
  { arbitrary: opArb, weight: 1 },
);

describe("lexer", () => {
  it("space-separated identifiers, numbers and strings come back as tokens whose slices are the source tokens, in order, then eof", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(tokenArb, fc.constantFrom(" ", "  ", "\t", " \n ", "\n")), { maxLength: 25 }), (pairs) => {
        let text = "";
        for (const [t, sep] of pairs) text += t.text + sep;
        const { tokens, diagnostics } = lex(text, FILE);
        const last = tokens[tokens.length - 1];
        const real = tokens.filter((t) => t.kind !== "nl" && t.kind !== "eof");
        const got = {
          diagnostics: diagnostics.map((d) => d.message),
          eof: last && last.kind === "eof" && last.start === text.length,
          tokens: real.map((t) => ({ text: text.slice(t.start, t.end), kind: t.kind, value: t.kind === "num" ? t.num : t.value })),
          ordered: tokens.every((t, i) => i === 0 || t.start >= tokens[i - 1]!.end),
        };
        const want = {
          diagnostics: [],
          eof: true,
          tokens: pairs.map(([t], i) => ({ text: t.text, kind: t.kind, value: t.value === undefined ? got.tokens[i]?.value : t.value })),
          ordered: true,
        };
        expect(got, JSON.stringify(text)).toEqual(want);
      }),
      { numRuns: 400 },
    );
  });
});
