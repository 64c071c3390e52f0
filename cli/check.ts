import { analyze } from "../ir/pipeline.js";
import { locate } from "../diagnostics/render.js";
import { hasErrors } from "../diagnostics/types.js";
import { EXIT } from "./errors.js";
import { readInput } from "./files.js";
import { printDiagnostics } from "./report.js";

export interface CheckArgs {
  path: string;
  json: boolean;
  port?: number | undefined;
}

/**
 * `tova check <file-or-dir>`: the front end and every pass, nothing written.
 * Exits 0 when there is no error (warnings allowed), 1 otherwise. `--json`
 * prints only the `locate` array, for editors and scripts.
 */
export async function runCheck(args: CheckArgs): Promise<number> {
  const input = await readInput(args.path);
  // The passes alone (compile.ts's `check`), imported from the pipeline so that `tova check` never loads the backends.
  const { diagnostics } = analyze(input.files, { stem: input.stem, basePort: args.port });
  if (args.json) process.stdout.write(JSON.stringify(locate(diagnostics, input.sources), null, 2) + "\n");
  else printDiagnostics(diagnostics, input.sources);
  return hasErrors(diagnostics) ? EXIT.errors : EXIT.ok;
}
