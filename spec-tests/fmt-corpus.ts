import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { specBlocks } from "./spec-blocks.js";

/** Every program `tova fmt` is tested on: the spec's blocks, the corpus (programs/, samples/) and examples/. */
export interface FmtCase {
  name: string;
  text: string;
  /** A whole program that compiles (its IR is compared), not an excerpt. */
  compiles: boolean;
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

function tovaFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((n) => {
      const p = join(dir, n);
      return statSync(p).isDirectory() ? tovaFiles(p) : p.endsWith(".tova") ? [p] : [];
    });
}

export function fmtCases(): FmtCase[] {
  const files = ["examples", "spec-tests/programs", "spec-tests/samples"].flatMap((d) => tovaFiles(join(ROOT, d)));
  return [
    ...specBlocks().map((b) => ({ name: `spec ${b.id} (${b.page}:${b.line})`, text: b.code, compiles: b.kind === "program" })),
    ...files.map((f) => ({ name: relative(ROOT, f), text: readFileSync(f, "utf8"), compiles: true })),
  ];
}

export const EXAMPLES_DIR = join(ROOT, "examples");
