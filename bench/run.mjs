// `npm run bench`: how fast `tova check` is on large generated programs, in
// process and warm (the cold, whole-process figures are bench/compile.mjs's).
// It reports figures and PASS/MISS against the targets and exits 0 either
// way: a benchmark informs, the tests decide. It exits 1 only when the
// generated program does not check cleanly, because then it measures the
// wrong thing (error recovery instead of checking).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { performance } from "node:perf_hooks";
import { generateProgram } from "./generate.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const SOURCES = ["frontend", "ir", "diagnostics", "backends", "runtime", "cli", "compile.ts"];
const SIZES = [2_000, 20_000];
const RUNS = 3;
const TARGET_LINES_PER_SECOND = 60_000; // on the 20,000-line program (issue 15; cold, as a whole process, in compile.mjs)
const TARGET_MAX_RATIO = 9; // 20k time / 2k time: close to linear

buildIfStale();
const { check } = await import(pathToFileURL(path.join(root, "dist", "compile.js")).href);
const { render } = await import(pathToFileURL(path.join(root, "dist", "diagnostics", "render.js")).href);

console.log(`tova check benchmark (node ${process.version}, best of ${RUNS} after one warm-up)`);
// Timings on a busy machine are noisy; say how busy it was.
console.log(`  machine: ${os.cpus().length} CPUs, load average ${os.loadavg()[0].toFixed(2)}`);
let invalid = false;
// Warm up on every size before timing any, so the small program is not timed on a colder JIT than the large one.
const programs = SIZES.map(prepare);
const results = programs.map(measure);
for (const r of results) {
  console.log(`  ${fmt(r.lines).padStart(6)} lines: ${r.ms.toFixed(1).padStart(7)} ms  ${fmt(Math.round(r.lines / (r.ms / 1000))).padStart(8)} lines/s`);
}
const [small, large] = results;
const ratio = large.ms / small.ms;
const speed = large.lines / (large.ms / 1000);
console.log(`  20k/2k time ratio: ${ratio.toFixed(2)} (line ratio ${(large.lines / small.lines).toFixed(2)})`);
console.log(`  ${verdict(speed >= TARGET_LINES_PER_SECOND)} ≥ ${fmt(TARGET_LINES_PER_SECOND)} lines/s on ${fmt(large.lines)} lines (${fmt(Math.round(speed))})`);
console.log(`  ${verdict(ratio <= TARGET_MAX_RATIO)} 20k time ≤ ${TARGET_MAX_RATIO} × 2k time (${ratio.toFixed(2)})`);
if (invalid) {
  console.log("the generated programs must check with no diagnostics: fix bench/generate.mjs or the compiler");
  process.exitCode = 1;
}

// Whole cold processes side by side: the start-up floor, check, build with and without the type-check, run (issue 15).
// `node bench/compile.mjs --baseline <checkout>` adds another built checkout's figures to the same rounds.
const { benchCompile } = await import("./compile.mjs");
await benchCompile();
// The servers the build produces (the TypeScript backend and the runtime).
const { benchServe } = await import("./serve.mjs");
await benchServe();
const { benchMulti } = await import("./multi.mjs");
await benchMulti();
// Events, jobs and instances beyond one process: embedded against Redis (scale-out.md).
const { benchScaleOut } = await import("./scale-out.mjs");
await benchScaleOut();
// The client runtime in Chromium, and the production client bundle's size.
const { benchClient } = await import("./client.mjs");
await benchClient();
// Models on SQLite and PostgreSQL (bench/models.ts runs under Bun: it starts a PostgreSQL of its own).
spawnSync(path.join(root, "node_modules", ".bin", "bun"), [path.join(root, "bench", "models.ts")], { stdio: "inherit" });

function prepare(target) {
  const text = generateProgram(target);
  const lines = text.split("\n").length;
  const files = [{ path: "bench.tova", text }];
  // The warm-up doubles as the validity check: a benchmark of a program full of errors measures recovery, not checking.
  const diagnostics = check(files, { stem: "bench" });
  if (diagnostics.length > 0) {
    invalid = true;
    console.log(`  note: the ${fmt(lines)}-line program has ${diagnostics.length} diagnostics (it should have none; the figures still count). The first:`);
    console.log(render(diagnostics.slice(0, 5), new Map([["bench.tova", text]])).replace(/^/gm, "    "));
  }
  return { lines, files };
}

function measure({ lines, files }) {
  const options = { stem: "bench" };
  let best = Infinity;
  for (let run = 0; run < RUNS; run++) {
    const start = performance.now();
    check(files, options);
    best = Math.min(best, performance.now() - start);
  }
  return { lines, ms: best };
}

/** dist/ is what users run; rebuild it when any compiler source is newer. */
function buildIfStale() {
  const built = path.join(root, "dist", "compile.js");
  const builtAt = existsSync(built) ? statSync(built).mtimeMs : -Infinity;
  if (SOURCES.every((s) => newest(path.join(root, s)) <= builtAt)) return;
  console.log("building dist/ (npm run build) ...");
  const tsc = spawnSync("npm", ["run", "build"], { cwd: root, stdio: "inherit" });
  if (!existsSync(built)) {
    console.log(`the build did not produce dist/compile.js (tsc exited with ${tsc.status}); nothing to measure`);
    process.exit(0);
  }
}

function newest(p) {
  if (!existsSync(p)) return -Infinity;
  const s = statSync(p);
  if (!s.isDirectory()) return p.endsWith(".ts") ? s.mtimeMs : -Infinity;
  return Math.max(-Infinity, ...readdirSync(p).map((name) => newest(path.join(p, name))));
}

function verdict(ok) {
  return ok ? "PASS" : "MISS";
}

function fmt(n) {
  return n.toLocaleString("en-US");
}
