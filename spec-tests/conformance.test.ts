import { describe, expect, it } from "vitest";
import { parse } from "../frontend/parse.js";
import { check } from "../compile.js";
import { render } from "../diagnostics/render.js";
import { specBlocks } from "./spec-blocks.js";

/**
 * The conformance suite: every ```tova block of the specification held to its
 * kind (../shared/spec/README.md): programs check with no error, snippets
 * parse and lower with no error but unknown names and types, fragments parse.
 */
const blocks = specBlocks();

const show = (file: string, code: string, ds: Parameters<typeof render>[0]) => render(ds, new Map([[file, code]]));

describe("the specification's code blocks", () => {
  it("are all found", () => {
    expect(blocks.length).toBeGreaterThanOrEqual(40);
    expect(blocks.filter((b) => b.kind === "program").length).toBeGreaterThanOrEqual(10);
  });

  for (const b of blocks) {
    const file = `${b.id}.tova`;
    it(`${b.kind} ${b.id} (${b.page}:${b.line}, "${b.heading}")`, () => {
      if (b.kind === "fragment") {
        const { diagnostics } = parse(b.code, file);
        expect(show(file, b.code, diagnostics)).toBe("");
        return;
      }
      const ds = check([{ path: file, text: b.code }], { stem: b.id });
      const errors = ds.filter((d) => d.severity === "error");
      if (b.kind === "program") {
        expect(show(file, b.code, errors)).toBe("");
      } else {
        const allowed = new Set(["E0101", "E0102"]);
        expect(show(file, b.code, errors.filter((d) => !allowed.has(d.code)))).toBe("");
      }
    });
  }
});
