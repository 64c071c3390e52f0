import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { compile, type EmittedModule } from "../compile.js";
import { mapTypeErrors, type TsError } from "../backends/typescript/source-map.js";
import { render } from "../diagnostics/render.js";
import { PACKAGE_ROOT, RUNTIME_DIR } from "../cli/toolchain.js";
import { specBlocks } from "./spec-blocks.js";

/**
 * Every emitted program type-checks under `strict` with zero errors: every
 * program of the specification and every golden sample, in one run of the
 * TypeScript 7 checker (each program in its own folder with the runtime's
 * declarations beside it, as `tova build` does).
 */
const SAMPLES = path.join(path.dirname(fileURLToPath(import.meta.url)), "samples");

interface Program {
  name: string;
  files: { path: string; text: string }[];
}

const programs: Program[] = [
  ...specBlocks().filter((b) => b.kind === "program").map((b) => ({ name: `spec-${b.id}`, files: [{ path: `${b.id}.tova`, text: b.code }] })),
  ...readdirSync(SAMPLES)
    .filter((n) => existsSync(path.join(SAMPLES, n, "input.tova")))
    .map((n) => ({ name: `sample-${n}`, files: [{ path: "input.tova", text: readFileSync(path.join(SAMPLES, n, "input.tova"), "utf8") }] })),
];

const dir = mkdtempSync(path.join(os.tmpdir(), "tova-typecheck-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("emitted TypeScript type-checks under strict", () => {
  it(`all ${programs.length} programs (spec programs and golden samples)`, () => {
    const emitted = new Map<string, { modules: EmittedModule[]; files: string[]; sources: Map<string, string> }>();
    const rootFiles: string[] = [];
    for (const p of programs) {
      const result = compile(p.files, { stem: "app", emit: ["js"] });
      const errors = result.diagnostics.filter((d) => d.severity === "error");
      expect(errors, p.name).toEqual([]);
      const out = path.join(dir, p.name);
      mkdirSync(path.join(out, "runtime"), { recursive: true });
      for (const f of readdirSync(RUNTIME_DIR)) if (f.endsWith(".d.ts")) copyFileSync(path.join(RUNTIME_DIR, f), path.join(out, "runtime", f));
      for (const m of result.modules) {
        writeFileSync(path.join(out, m.path), m.code);
        rootFiles.push(`${p.name}/${m.path}`);
      }
      writeFileSync(path.join(out, "tova-imports.d.ts"), result.imports.map((m) => `declare module ${JSON.stringify(m)};`).join("\n") + "\n");
      rootFiles.push(`${p.name}/tova-imports.d.ts`);
      emitted.set(p.name, { modules: result.modules, files: result.files, sources: new Map(p.files.map((f) => [f.path, f.text])) });
    }
    const tsconfig = {
      compilerOptions: {
        strict: true, noEmit: true, target: "es2022", module: "esnext", moduleResolution: "bundler",
        lib: ["es2022", "dom", "dom.iterable"], types: ["bun"], typeRoots: [path.join(PACKAGE_ROOT, "node_modules", "@types")], skipLibCheck: true,
      },
      files: rootFiles,
    };
    writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify(tsconfig));
    const r = spawnSync(process.execPath, [path.join(PACKAGE_ROOT, "node_modules", "typescript7", "bin", "tsc"), "-p", "tsconfig.json", "--pretty", "false"], { cwd: dir, encoding: "utf8" });
    const byProgram = new Map<string, TsError[]>();
    for (const line of r.stdout.split("\n")) {
      const m = /^(.+?)\/([^/]+)\((\d+),(\d+)\): error (TS\d+): (.*)$/.exec(line.trim());
      if (!m) continue;
      const list = byProgram.get(m[1]!) ?? [];
      list.push({ module: m[2]!, line: Number(m[3]), column: Number(m[4]), code: m[5]!, message: m[6]! });
      byProgram.set(m[1]!, list);
    }
    const report: string[] = [];
    for (const [name, errs] of byProgram) {
      const e = emitted.get(name)!;
      report.push(`${name}:\n${render(mapTypeErrors(errs, e.modules, e.files), e.sources)}`);
    }
    expect(report.join("\n")).toBe("");
    expect(r.status, r.stdout.slice(0, 2000)).toBe(0);
  }, 120_000);
});
