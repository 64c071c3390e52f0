import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { compile } from "../../compile.js";
import { stripMarkers } from "../../backends/typescript/builders.js";
import { BUN_PATH, runtimeFiles, transpile } from "../../cli/toolchain.js";
import { analyze } from "../../ir/pipeline.js";
import type { CheckedApp } from "../../ir/checked.js";
import { render } from "../../diagnostics/render.js";
import { evaluateShared, type Evaluation } from "./evaluate.js";
import { describe as describeValue } from "./values.js";

/**
 * The differential check for a batch of programs: each is analyzed and run
 * by the reference evaluator, compiled with the project's compiler
 * (`compile`, emit js), all are transpiled in one Bun call (`transpile`, as
 * `tova build` does; when Bun refuses one module, which fails that call,
 * the runner transpiles each with the same options) and run in ONE Bun
 * process (bun-runner.ts), and the printed lines and the `result` binding are
 * compared.
 */

export interface Actual {
  trace: string[];
  /** Bun's transpiler refused the emitted TypeScript. */
  transpileError?: string;
  result?: { type: string; value?: unknown; text: string } | null;
  error?: string;
}

export type Verdict =
  | "pass"
  | "skipped" // the evaluator's step budget ran out: not compared
  | "evaluator" // the evaluator could not run the program: a bug of the generator or the evaluator
  | "rejected" // the compiler reports errors for a valid program
  | "crash" // the compiler threw
  | "transpile" // Bun could not compile the emitted TypeScript
  | "threw" // the compiled program threw
  | "timeout" // the compiled program did not end
  | "mismatch"; // it printed something else, or its result differs

export interface Outcome {
  source: string;
  verdict: Verdict;
  expected: Evaluation;
  actual?: Actual;
  /** For failures: the diagnostics, the error, or what differs. */
  detail: string;
  /** The emitted TypeScript of the shared module, when the compiler emitted it. */
  ts?: string;
  /** The program's functions the evaluator never called (their bodies are checked by nothing but the compiler). */
  uncalled: string[];
}

/**
 * What kind of failure an outcome is, for shrinking (a smaller program must
 * fail the same way, not drift to another bug): the verdict, with the
 * messages of a rejection or the words of an error (names and numbers
 * blanked out), or which part of a mismatch differs.
 */
export function signature(o: Outcome): string {
  const blank = (s: string) => s.split("\n")[0]!.replace(/"[^"]*"|'[^']*'|`[^`]*`|\b(?!E\d{4}\b)\w*\d\w*\b/g, "_");
  switch (o.verdict) {
    case "rejected":
      return `rejected ${[...new Set((o.detail.match(/error\[E\d+\]: .*/g) ?? []).map(blank))].sort().join("; ")}`;
    case "crash": case "threw": case "transpile": case "evaluator":
      return `${o.verdict} ${blank(o.detail)}`;
    case "mismatch":
      return `mismatch${o.detail.includes("the trace differs") ? " trace" : ""}${o.detail.includes("result:") ? " result" : ""}`;
    default:
      return o.verdict;
  }
}

const RUNNER = path.join(path.dirname(fileURLToPath(import.meta.url)), "bun-runner.ts");

export interface BatchOptions {
  /** How long the Bun process may stay silent before the program it runs counts as hanging. */
  idleMs?: number;
  /** Called with each program's checked application (for coverage counts). */
  inspect?: (index: number, app: CheckedApp) => void;
  /** false: stop after compiling (the compiled programs count as passing); for shrinking a rejection or a crash. */
  run?: boolean;
  /** Transpile in the runner (one Bun process less; for shrinking, where `transpile`'s batch is one round's candidates). */
  transpileInRunner?: boolean;
}

export async function runBatch(sources: readonly string[], options: BatchOptions = {}): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  const modules: { index: number; path: string; code: string }[] = [];
  sources.forEach((source, index) => {
    const stem = `p${index}`;
    const files = [{ path: `${stem}.tova`, text: source }];
    const { app, diagnostics } = analyze(files, { stem });
    const errors = diagnostics.filter((d) => d.severity === "error");
    options.inspect?.(index, app);
    // Evaluated even when the compiler reports errors: a program the evaluator runs is valid Tova, and the rejection a finding.
    const expected = evaluateShared(app);
    const uncalled = app.shared.fns.map((f) => f.name).filter((f) => !expected.called.has(f));
    const out = (verdict: Verdict, detail = ""): void => void (outcomes[index] = { source, verdict, expected, detail, uncalled });
    if (expected.exhausted) return out("skipped");
    if (expected.error !== undefined) return out("evaluator", expected.error);
    if (errors.length) return out("rejected", render(errors, new Map([[`${stem}.tova`, source]])));
    try {
      const result = compile(files, { stem, emit: ["js"] });
      const shared = result.modules.find((m) => m.kind === "shared");
      if (!shared) return out("crash", "no shared module was emitted");
      const ts = stripMarkers(shared.code);
      modules.push({ index, path: shared.path, code: ts });
      outcomes[index] = { source, verdict: "pass", expected, detail: "", ts, uncalled };
    } catch (e) {
      out("crash", e instanceof Error ? (e.stack ?? e.message).split("\n").slice(0, 8).join("\n") : String(e));
    }
  });
  if (!modules.length || options.run === false) return outcomes;
  const dir = mkdtempSync(path.join(os.tmpdir(), "tova-differential-"));
  try {
    mkdirSync(path.join(dir, "runtime"));
    for (const [p, code] of await runtimeFiles()) writeFileSync(path.join(dir, p), code);
    const cases: { index: number; file: string; ts?: boolean }[] = [];
    const js = options.transpileInRunner ? null : await transpile(modules.map((m) => ({ path: m.path, code: m.code }))).catch(() => null);
    for (const m of modules) {
      // One module Bun refuses fails the whole `transpile`: then the runner transpiles each on its own.
      const file = path.join(dir, js ? m.path.replace(/\.ts$/, ".js") : m.path);
      writeFileSync(file, js ? js.get(m.path.replace(/\.ts$/, ".js"))! : m.code);
      cases.push({ index: m.index, file, ...(js ? {} : { ts: true }) });
    }
    const actuals = await runInBun(cases, options.idleMs ?? 5_000);
    for (const m of modules) compare(outcomes[m.index]!, actuals.get(m.index)!);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return outcomes;
}

/** One Bun process for all cases; one that hangs is killed and reported, and the rest run in a new process. */
async function runInBun(cases: { index: number; file: string; ts?: boolean }[], idleMs: number): Promise<Map<number, Actual>> {
  const results = new Map<number, Actual>();
  let pending = cases;
  while (pending.length) {
    const { killed, stderr } = await runOnce(pending, idleMs, (a, index) => results.set(index, a));
    const missing = pending.filter((c) => !results.has(c.index));
    if (!missing.length) break;
    results.set(missing[0]!.index, { trace: [], error: killed ? `timeout: no answer within ${idleMs} ms` : `the Bun process ended: ${stderr.trim().slice(0, 2000)}` });
    pending = missing.slice(1);
  }
  return results;
}

function runOnce(cases: { index: number; file: string; ts?: boolean }[], idleMs: number, onResult: (a: Actual, index: number) => void): Promise<{ killed: boolean; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(BUN_PATH, ["run", RUNNER], { stdio: ["pipe", "pipe", "pipe"] });
    let buffer = "";
    let stderr = "";
    let killed = false;
    let timer = setTimeout(() => ((killed = true), child.kill("SIGKILL")), idleMs);
    child.stdout.on("data", (d: Buffer) => {
      buffer += d;
      let nl: number;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        const { index, ...actual } = JSON.parse(line) as Actual & { index: number };
        onResult(actual, index);
        clearTimeout(timer);
        timer = setTimeout(() => ((killed = true), child.kill("SIGKILL")), idleMs);
      }
    });
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    child.on("error", reject);
    child.on("close", () => (clearTimeout(timer), resolve({ killed, stderr })));
    child.stdin.end(JSON.stringify(cases));
  });
}

function compare(o: Outcome, actual: Actual): void {
  o.actual = actual;
  if (actual.transpileError !== undefined) {
    o.verdict = "transpile";
    o.detail = actual.transpileError;
    return;
  }
  if (actual.error !== undefined) {
    o.verdict = actual.error.startsWith("timeout") ? "timeout" : "threw";
    o.detail = actual.error;
    return;
  }
  const diffs: string[] = [];
  const exp = o.expected.trace;
  const got = actual.trace;
  const first = exp.findIndex((line, i) => got[i] !== line);
  if (first >= 0 || got.length !== exp.length) {
    const at = first >= 0 ? first : exp.length;
    diffs.push(`the trace differs at line ${at + 1}: expected ${JSON.stringify(exp[at] ?? "(end)")}, got ${JSON.stringify(got[at] ?? "(end)")}`);
  }
  const want = o.expected.result;
  const r = actual.result;
  const simple = typeof want === "number" || typeof want === "string" || typeof want === "boolean";
  const same = want === undefined ? r === null || r === undefined : simple && !!r && r.type === typeof want && r.value === want;
  if (!same) diffs.push(`result: expected ${want === undefined ? "(none)" : describeValue(want)}, got ${r ? r.text : "(no `result` export)"}`);
  if (diffs.length) {
    o.verdict = "mismatch";
    o.detail = diffs.join("\n");
  }
}
