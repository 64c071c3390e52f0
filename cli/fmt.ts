import { writeFile } from "node:fs/promises";
import type { Diagnostic } from "../diagnostics/types.js";
import { formatTova } from "../formatter/index.js";
import { EXIT, UsageError } from "./errors.js";
import { readInput } from "./files.js";
import { printDiagnostics } from "./report.js";

export interface FmtArgs {
  paths: string[];
  check: boolean;
}

/**
 * `tova fmt [--check] <file-or-dir>...`: rewrites each `.tova` file in the
 * canonical layout (formatter/), naming the files it changed; with `--check`
 * it changes nothing and names the files that would change. Exits 0 when
 * every file is (now) formatted, 1 when `--check` found one that is not or a
 * file does not parse (its diagnostics printed as `tova check` prints them),
 * 2 for a usage mistake (no path, a missing path, not a `.tova` file).
 */
export async function runFmt(args: FmtArgs): Promise<number> {
  try {
    if (args.paths.length === 0) throw new UsageError("name a .tova file or a directory to format: tova fmt <path>");
    const inputs = [];
    for (const p of args.paths) inputs.push(await readInput(p));
    let code: number = EXIT.ok;
    const broken: Diagnostic[] = [];
    const sources = new Map<string, string>();
    for (const file of inputs.flatMap((i) => i.files)) {
      const result = await formatTova(file.text, file.path);
      if (!result.ok) {
        broken.push(...result.diagnostics);
        sources.set(file.path, file.text);
        code = EXIT.errors;
        continue;
      }
      if (result.text === file.text) continue;
      if (args.check) {
        process.stdout.write(`${file.path}\n`);
        code = EXIT.errors;
      } else {
        await writeFile(file.path, result.text);
        process.stdout.write(`formatted ${file.path}\n`);
      }
    }
    if (broken.length) printDiagnostics(broken, sources);
    if (args.check && code === EXIT.errors && broken.length === 0) process.stderr.write("tova fmt: the files above are not formatted; run `tova fmt` on them\n");
    return code;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`tova: ${e.message}\n`);
    return EXIT.usage;
  }
}
