import { Choices } from "./choices.js";
import { Gen } from "./generate.js";
import { runBatch, signature, type Outcome } from "./run-batch.js";
import { sourceVariants } from "./shrink-source.js";

/**
 * Shrinks a failing program to a smaller one that fails the same way
 * (`signature`), in batches: each round builds many smaller candidates, runs
 * them all with one `runBatch` (one Bun process), and keeps the failing
 * candidate with the shortest program. First on the decision stream
 * (choices.ts: chunks deleted or set to 0, the simplest choice), which keeps
 * programs well-formed; then on the program's text (shrink-source.ts:
 * statements deleted or unwrapped, operands made literals), which the
 * evaluator filters. Ends at a fixed point or when the time budget is spent.
 */
export interface Shrunk {
  outcome: Outcome;
  rounds: number;
  tried: number;
}

const BATCH = 150;

export async function shrink(stream: readonly number[], failed: Outcome, budgetMs: number): Promise<Shrunk> {
  const deadline = Date.now() + budgetMs;
  const want = signature(failed);
  const seen = new Set<string>([failed.source]);
  let rounds = 0;
  let tried = 0;
  /** Runs the next new candidates; the shortest one that fails like `failed`, null if none does, "done" when there are no more. */
  const step = async (sources: Iterator<string>, keepCalled = false): Promise<Outcome | null | "done"> => {
    const batch: string[] = [];
    for (let r = sources.next(); !r.done; r = sources.next()) {
      if (seen.has(r.value)) continue;
      seen.add(r.value);
      batch.push(r.value);
      if (batch.length >= BATCH) break;
    }
    if (!batch.length) return "done";
    rounds++;
    tried += batch.length;
    let pick: Outcome | null = null;
    const run = failed.verdict !== "rejected" && failed.verdict !== "crash" && failed.verdict !== "evaluator";
    for (const o of await runBatch(batch, { run, transpileInRunner: true })) {
      if (signature(o) !== want || (pick && o.source.length >= pick.source.length)) continue;
      // A text edit must not leave a called function uncalled: the evaluator checks only the code that runs.
      if (keepCalled && o.uncalled.some((f) => !best.uncalled.includes(f))) continue;
      pick = o;
    }
    return pick;
  };

  let best = failed;
  let current = used(stream);
  let chunk = Math.max(1, current.length >> 1);
  const streamPhaseEnd = Date.now() + budgetMs * 0.3;
  while (Date.now() < streamPhaseEnd) {
    const byStream = new Map<string, number[]>();
    for (const s of variants(current, chunk)) byStream.set(programOf(s), s);
    const found = await step(byStream.keys());
    if (found && found !== "done" && found.source.length < best.source.length) {
      best = found;
      current = used(byStream.get(found.source)!);
      chunk = Math.max(1, Math.min(chunk, current.length >> 1));
    } else if (chunk > 1) chunk >>= 1;
    else if (found === "done") break;
  }
  let candidates = sourceVariants(best.source);
  while (Date.now() < deadline) {
    const found = await step(candidates, true);
    if (found === "done") break;
    if (found) {
      best = found;
      candidates = sourceVariants(best.source);
    }
  }
  return { outcome: best, rounds, tried };
}

/** Deletions of each chunk, then zeroing of each chunk, then (at chunk 1) halving each number. */
function* variants(s: number[], chunk: number): Generator<number[]> {
  for (let i = 0; i < s.length; i += chunk) yield [...s.slice(0, i), ...s.slice(i + chunk)];
  for (let i = 0; i < s.length; i += chunk) if (s.slice(i, i + chunk).some((x) => x !== 0)) yield [...s.slice(0, i), ...s.slice(i, i + chunk).map(() => 0), ...s.slice(i + chunk)];
  if (chunk === 1) for (let i = 0; i < s.length; i++) if (s[i]! > 1) yield [...s.slice(0, i), s[i]! >> 1, ...s.slice(i + 1)];
}

/** The program of a stream, and only the part of the stream it read. */
export function programOf(stream: readonly number[]): string {
  return new Gen(new Choices(stream)).program();
}

function used(stream: readonly number[]): number[] {
  const c = new Choices(stream);
  new Gen(c).program();
  return stream.slice(0, c.used);
}
