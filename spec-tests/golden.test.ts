import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { compile } from "../compile.js";
import { formatModule } from "../backends/typescript/format.js";
import { render } from "../diagnostics/render.js";

/**
 * Golden tests of the TypeScript backend (style.md, "Svelte"): each
 * `samples/<name>/input.tova` is compiled and every emitted module compared
 * with `samples/<name>/_expected/<module>.ts`. `UPDATE_SNAPSHOTS=1` rewrites
 * the expected files (review the diff like code); `FILTER=name` runs one.
 */
const SAMPLES = join(dirname(fileURLToPath(import.meta.url)), "samples");
const update = process.env["UPDATE_SNAPSHOTS"] === "1";
const filter = process.env["FILTER"];

const samples = readdirSync(SAMPLES)
  .filter((name) => existsSync(join(SAMPLES, name, "input.tova")))
  .filter((name) => !filter || name.includes(filter))
  .sort();

describe("the TypeScript backend's output", () => {
  it("has at least 25 samples", () => {
    if (!filter) expect(samples.length).toBeGreaterThanOrEqual(25);
  });

  for (const name of samples) {
    it(name, async () => {
      const dir = join(SAMPLES, name);
      const text = readFileSync(join(dir, "input.tova"), "utf8");
      const result = compile([{ path: "input.tova", text }], { stem: "app", emit: ["ts"] });
      expect(render(result.diagnostics.filter((d) => d.severity === "error"), new Map([["input.tova", text]]))).toBe("");
      const expectedDir = join(dir, "_expected");
      const actual = new Map<string, string>();
      for (const m of result.modules) actual.set(m.path, await formatModule(m.code));
      if (update) {
        rmSync(expectedDir, { recursive: true, force: true });
        mkdirSync(expectedDir, { recursive: true });
        for (const [p, code] of actual) writeFileSync(join(expectedDir, p), code);
        return;
      }
      const expected = existsSync(expectedDir) ? readdirSync(expectedDir).sort() : [];
      expect([...actual.keys()].sort()).toEqual(expected);
      for (const p of expected) expect(actual.get(p), `${name}/_expected/${p}`).toBe(readFileSync(join(expectedDir, p), "utf8"));
    });
  }
});
