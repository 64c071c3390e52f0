// `tova build` wall time on generated 2,000- and 10,000-line programs, with
// and without the type-check (targets for 10,000 lines: < 0.5 s with
// --no-typecheck, < 1.5 s with it). Each figure is the best of 3 runs of the
// real command, process start included.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { generateProgram } from "./generate.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

function timeBuild(src, out, extra) {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    const r = spawnSync(process.execPath, [path.join(root, "dist", "cli", "main.js"), "build", src, "--out", out, ...extra], { encoding: "utf8" });
    const ms = performance.now() - start;
    if (r.status !== 0) throw new Error(`tova build failed:\n${r.stdout.slice(0, 3000)}${r.stderr.slice(0, 3000)}`);
    best = Math.min(best, ms);
  }
  return best;
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
      console.log(`  ${lines.toLocaleString("en-US").padStart(6)} lines: ${(fast / 1000).toFixed(2)} s with --no-typecheck, ${(checked / 1000).toFixed(2)} s with the type-check`);
    }
    const r = results[10_000];
    console.log(`  ${r.fast < 500 ? "PASS" : "MISS"} 10k lines with --no-typecheck < 0.5 s (${(r.fast / 1000).toFixed(2)} s)`);
    console.log(`  ${r.checked < 1500 ? "PASS" : "MISS"} 10k lines with the type-check < 1.5 s (${(r.checked / 1000).toFixed(2)} s)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
