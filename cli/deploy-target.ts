import { analyze } from "../ir/pipeline.js";
import type { CheckedApp } from "../ir/checked.js";
import type { DeployTarget } from "../ir/types.js";
import { hasErrors } from "../diagnostics/types.js";
import { UsageError } from "./errors.js";
import { readInput } from "./files.js";
import { printDiagnostics } from "./report.js";

/**
 * The checked application at `path` and its `deploy "<env>"` block, for the
 * commands that act on a deploy target. Null when the program has errors
 * (they are printed); a usage error when there is no such block.
 */
export async function loadDeployTarget(path: string, env: string): Promise<{ app: CheckedApp; target: DeployTarget } | null> {
  const input = await readInput(path);
  const { app, diagnostics } = analyze(input.files, { stem: input.stem });
  if (hasErrors(diagnostics)) {
    printDiagnostics(diagnostics, input.sources);
    return null;
  }
  const target = app.deploys.find((d) => d.name === env);
  if (!target) {
    const known = app.deploys.map((d) => `"${d.name}"`).join(", ");
    throw new UsageError(`no deploy "${env}" block in ${path}${known ? ` (there is ${known})` : ""}`);
  }
  return { app, target };
}
/** The deploy block's hosts, or the one `--host` names (which must be one of them). */
export function chooseHosts(target: DeployTarget, host: string | undefined): string[] {
  if (host === undefined) return target.servers;
  if (!target.servers.includes(host)) throw new UsageError(`--host ${host} is not a host of deploy "${target.name}" (its hosts: ${target.servers.join(", ")})`);
  return [host];
}
