/**
 * The differential property by hand, to find the distinct bugs behind one
 * kind of failure (the test shrinks one program per kind; one bug can hide
 * others of the same kind). Generates programs for a seed, runs them, and
 * shrinks the shortest few failing programs of each kind, printing each with
 * the expected and actual trace and the emitted TypeScript:
 *
 *     node_modules/.bin/bun property-tests/evaluator/explore.ts [--seed N] [--runs N] [--per N] [--ms N] [--only TEXT]
 *
 * `--only` keeps the kinds whose description contains TEXT ("mismatch",
 * "crash", "E0104"). Not part of `npm test`.
 */
import fc from "fast-check";
import { runBatch, signature } from "./run-batch.js";
import { programOf, shrink } from "./shrink.js";
import { describe } from "./values.js";

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
};
const seed = Number(arg("seed", String(Date.now() % 2 ** 31)));
const runs = Number(arg("runs", "500"));
const per = Number(arg("per", "3"));
const ms = Number(arg("ms", "8000"));
const only = arg("only", "");

const streams = fc.sample(fc.array(fc.nat({ max: 0xffff }), { minLength: 0, maxLength: 600, size: "max" }), { seed, numRuns: runs, unbiased: true });
const outcomes = await runBatch(streams.map(programOf));
const kinds = new Map<string, number[]>();
outcomes.forEach((o, i) => {
  if (o.verdict !== "pass" && o.verdict !== "skipped") kinds.set(signature(o), [...(kinds.get(signature(o)) ?? []), i]);
});
console.log(`seed ${seed}: ${runs} programs, ${[...kinds.values()].reduce((n, is) => n + is.length, 0)} failing`);
for (const [kind, is] of kinds) console.log(`  ${is.length} × ${kind}`);
for (const [kind, is] of kinds) {
  if (only && !kind.includes(only)) continue;
  const shortest = [...is].sort((a, b) => outcomes[a]!.source.length - outcomes[b]!.source.length).slice(0, per);
  for (const i of shortest) {
    const { outcome: o } = await shrink(streams[i]!, outcomes[i]!, ms);
    const result = o.expected.result === undefined ? "(none)" : describe(o.expected.result);
    console.log(`\n===== ${kind} (program #${i}, shrunk)\n${o.source}--- expected\n${[...o.expected.trace, `result = ${result}`].join("\n")}`);
    if (o.actual) console.log(`--- actual\n${[...o.actual.trace, `result = ${o.actual.result?.text ?? "(none)"}`].join("\n")}`);
    console.log(`--- what differs\n${o.detail}${o.ts ? `\n--- emitted TypeScript\n${o.ts}` : ""}`);
  }
}
