import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { lex } from "../frontend/lexer.js";
import { formatTova } from "../formatter/index.js";
import { fmtCases } from "../spec-tests/fmt-corpus.js";

/**
 * `tova fmt` gives one canonical output whatever the spacing: a corpus
 * program with the spaces between its tokens and the indentation of its
 * lines changed at random formats to the same text as the program itself.
 * Line breaks, comments and JSX (whose text is spacing) are left as written.
 */

const GAPS = [" ", "  ", "\t", " \t ", "    "];

/** A small deterministic generator, so a failure replays from fast-check's seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function respace(text: string, seed: number): string {
  const next = random(seed);
  const tokens = lex(text, "app.tova").tokens.filter((t) => t.kind !== "nl" && t.kind !== "eof");
  let out = text.slice(0, tokens[0]?.start ?? text.length);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    out += text.slice(t.start, t.end);
    const after = tokens[i + 1];
    const gap = text.slice(t.end, after ? after.start : text.length);
    if (!after || gap.includes("/")) {
      out += gap;
      continue;
    }
    const pick = GAPS[Math.floor(next() * GAPS.length)]!;
    if (gap.includes("\n")) {
      const cut = gap.lastIndexOf("\n") + 1;
      out += gap.slice(0, cut) + (next() < 0.5 ? "" : pick);
    } else if (gap.length > 0 || next() < 0.3) out += pick;
    else out += gap;
  }
  return out;
}

async function fmt(text: string): Promise<string> {
  const r = await formatTova(text, "app.tova");
  if (!r.ok) throw new Error(r.diagnostics.map((d) => `${d.code} ${d.message}`).join("\n"));
  return r.text;
}

const PROGRAMS = fmtCases().filter((c) => !lex(c.text, "app.tova").tokens.some((t) => t.kind.startsWith("jsx")));

describe("tova fmt over randomly re-spaced programs", () => {
  it("gives one canonical output", async () => {
    const canonical = new Map<string, string>();
    for (const p of PROGRAMS) canonical.set(p.name, await fmt(p.text));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PROGRAMS), fc.integer(), async (p, seed) => {
        const respaced = respace(p.text, seed);
        expect(respaced === p.text && /\S\s\S/.test(p.text), "the program was re-spaced").toBe(false);
        expect(await fmt(respaced)).toBe(canonical.get(p.name));
      }),
      { numRuns: 300 },
    );
  });
});
