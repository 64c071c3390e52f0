/**
 * Runs many compiled programs in ONE Bun process (the differential
 * property's batch; started by run-batch.ts, never by vitest). Reads
 * `[{ index, file }]` as JSON on stdin, imports each module in turn with
 * `console.log` captured (the runtime's `print` writes through it), and
 * writes one JSON line per program to stdout: what it printed, its `result`
 * export, or the error it threw. A program that never ends is killed by the
 * parent, which restarts this script after it.
 */
import { readFileSync, writeFileSync } from "node:fs";

declare const Bun: {
  stdin: { text(): Promise<string> };
  inspect(v: unknown): string;
  Transpiler: new (o: { loader: string; target: string }) => { transformSync(code: string): string };
};

/** `ts`: the module is TypeScript that one batch `transpile` refused, so each is transpiled here with the same options (cli/toolchain.ts). */
const cases = JSON.parse(await Bun.stdin.text()) as { index: number; file: string; ts?: boolean }[];
const transpiler = new Bun.Transpiler({ loader: "ts", target: "bun" });
const write = process.stdout.write.bind(process.stdout);
const realLog = console.log;

function encode(v: unknown): { type: string; value?: unknown; text: string } {
  if (typeof v === "number" || typeof v === "string" || typeof v === "boolean") return { type: typeof v, value: v, text: String(v) };
  return { type: v === null ? "null" : typeof v, text: Bun.inspect(v) };
}

for (const { index, file: given, ts } of cases) {
  let file = given;
  if (ts) {
    try {
      file = given.replace(/\.ts$/, ".js");
      writeFileSync(file, transpiler.transformSync(readFileSync(given, "utf8")));
    } catch (e) {
      write(JSON.stringify({ index, trace: [], transpileError: e instanceof Error ? e.message : String(e) }) + "\n");
      continue;
    }
  }
  const trace: string[] = [];
  console.log = (...args: unknown[]) => void trace.push(args.map((a) => (typeof a === "string" ? a : Bun.inspect(a))).join(" "));
  let line: object;
  try {
    const mod = (await import(file)) as Record<string, unknown>;
    line = { index, trace, result: "result" in mod ? encode(mod.result) : null };
  } catch (e) {
    line = { index, trace, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
  console.log = realLog;
  write(JSON.stringify(line) + "\n");
}
