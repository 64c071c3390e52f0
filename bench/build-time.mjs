// `tova build` wall time on generated 2,000- and 10,000-line programs, with
// and without the type-check (targets for 10,000 lines: < 0.5 s with
// --no-typecheck, < 1.5 s with it), process start included. Two figures
// each: a cold build into an empty directory (best of 3), and a rebuild with
// no source changed, which the build cache answers.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { generateProgram } from "./generate.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

function run(src, out, extra) {
  const start = performance.now();
  const r = spawnSync(process.execPath, [path.join(root, "dist", "cli", "main.js"), "build", src, "--out", out, ...extra], { encoding: "utf8" });
  const ms = performance.now() - start;
  if (r.status !== 0) throw new Error(`tova build failed:\n${r.stdout.slice(0, 3000)}${r.stderr.slice(0, 3000)}`);
  return ms;
}

function timeBuild(src, out, extra) {
  let cold = Infinity;
  for (let i = 0; i < 3; i++) {
    rmSync(out, { recursive: true, force: true });
    cold = Math.min(cold, run(src, out, extra));
  }
  let unchanged = Infinity;
  for (let i = 0; i < 3; i++) unchanged = Math.min(unchanged, run(src, out, extra));
  return { cold, unchanged };
}

export function benchBuild() {
  const dir = mkdtempSync(path.join(os.tmpdir(), "tova-bench-build-"));
  try {
    console.log("\ntova build benchmark (wall time of the command, best of 3)");
    const results = {};
    for (const size of [2_000, 10_000]) {
      const text = generateProgram(size);
      const src = path.join(dir, `bench${size}.tova`);
      writeFileSync(src, text);
      const lines = text.split("\n").length;
      const fast = timeBuild(src, path.join(dir, `out${size}a`), ["--no-typecheck"]);
      const checked = timeBuild(src, path.join(dir, `out${size}b`), []);
      results[size] = { fast, checked };
      const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
      console.log(`  ${lines.toLocaleString("en-US").padStart(6)} lines: --no-typecheck ${s(fast.cold)} cold, ${s(fast.unchanged)} unchanged; type-checked ${s(checked.cold)} cold, ${s(checked.unchanged)} unchanged`);
    }
    const r = results[10_000];
    const verdict = (ms, target) => `${ms < target ? "PASS" : "MISS"} (${(ms / 1000).toFixed(2)} s)`;
    console.log(`  10k lines, --no-typecheck < 0.5 s: cold ${verdict(r.fast.cold, 500)}, unchanged ${verdict(r.fast.unchanged, 500)}`);
    console.log(`  10k lines, type-checked < 1.5 s: cold ${verdict(r.checked.cold, 1500)}, unchanged ${verdict(r.checked.unchanged, 1500)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
