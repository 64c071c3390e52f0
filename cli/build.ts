import { compile, type Emit } from "../compile.js";
import { hasErrors } from "../diagnostics/types.js";
import { EXIT, UsageError } from "./errors.js";
import { readInput } from "./files.js";
import { printDiagnostics } from "./report.js";
import { writeOutputs } from "./write-outputs.js";

export interface BuildArgs {
  path: string;
  emit: readonly string[];
  out: string;
  port?: number | undefined;
}

/** What `--emit` will accept once the TypeScript backend lands (architecture.md). */
const PLANNED = new Set(["ts", "js"]);
const AVAILABLE: readonly Emit[] = ["ir"];

/**
 * `tova build <file-or-dir> --emit ir`: compile and write each output into
 * `--out` (default `.tova-out/`). On errors it prints the diagnostics and
 * writes nothing.
 */
export async function runBuild(args: BuildArgs): Promise<number> {
  const emit = parseEmit(args.emit);
  const input = await readInput(args.path);
  const result = compile(input.files, { stem: input.stem, basePort: args.port, emit });
  if (hasErrors(result.diagnostics)) {
    printDiagnostics(result.diagnostics, input.sources);
    return EXIT.errors;
  }
  if (result.diagnostics.length > 0) printDiagnostics(result.diagnostics, input.sources);
  for (const written of await writeOutputs(args.out, result.outputs)) process.stdout.write(`wrote ${written}\n`);
  return EXIT.ok;
}

/** `--emit ir`, `--emit ir --emit ts` and `--emit ir,ts` all name a list of outputs. */
function parseEmit(values: readonly string[]): Emit[] {
  const names = values.flatMap((v) => v.split(",")).map((v) => v.trim()).filter((v) => v !== "");
  if (names.length === 0) throw new UsageError("tova build needs --emit; only `--emit ir` is available so far");
  const emit: Emit[] = [];
  for (const name of names) {
    const known = AVAILABLE.find((a) => a === name);
    if (known) {
      if (!emit.includes(known)) emit.push(known);
    } else if (PLANNED.has(name)) {
      throw new UsageError(`--emit ${name} is not implemented yet; only \`--emit ir\` is available so far`);
    } else {
      throw new UsageError(`unknown --emit value "${name}"; only \`--emit ir\` is available so far`);
    }
  }
  return emit;
}
