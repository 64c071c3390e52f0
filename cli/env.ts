import { layout } from "../backends/deploy/plan.js";
import { quote } from "../backends/deploy/shell.js";
import { loadDeployTarget } from "./deploy-target.js";
import { EXIT, UsageError } from "./errors.js";
import { remoteRoot, runRemote } from "./ssh.js";

export interface EnvArgs {
  env: string;
  action: string;
  assignment?: string | undefined;
  path: string;
}

/**
 * `tova env <env> list` (names only, never values) and
 * `tova env <env> set KEY=value` (deploy-blocks.md, "Secrets Management"):
 * the app's `.env.production` on the deploy target's server, mode 600.
 */
export async function runEnv(args: EnvArgs): Promise<number> {
  const loaded = await loadDeployTarget(args.path, args.env);
  if (!loaded) return EXIT.errors;
  const { app, target } = loaded;
  const file = `${remoteRoot()}/apps/${layout(app, target).app}/.env.production`;

  if (args.action === "list") {
    const r = runRemote(target.server, `test -f ${quote(file)} && cut -d= -f1 ${quote(file)} | grep -v '^#' | grep -v '^$' || true\n`);
    if (r.unreachable) throw new UsageError(`cannot reach ${target.server} over ssh: ${r.stderr.trim() || "no answer"}`);
    process.stdout.write(r.stdout);
    return EXIT.ok;
  }
  if (args.action === "set") {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(args.assignment ?? "");
    if (!m) throw new UsageError("tova env <env> set needs KEY=value (KEY: letters, digits and _)");
    const [, key, value] = m as unknown as [string, string, string];
    if (value.includes("\n")) throw new UsageError(`the value of ${key} may not contain a new line`);
    // Replace the line of KEY or append it; the file is created private and stays private.
    const script = [
      "set -euo pipefail",
      `file=${quote(file)}`,
      'mkdir -p "$(dirname "$file")"',
      'touch "$file"',
      'chmod 600 "$file"',
      'tmp="$(mktemp)"',
      `grep -v ${quote(`^${key}=`)} "$file" > "$tmp" || true`,
      `printf '%s\\n' ${quote(`${key}=${value}`)} >> "$tmp"`,
      'cat "$tmp" > "$file"',
      'rm -f "$tmp"',
      "",
    ].join("\n");
    const r = runRemote(target.server, script);
    if (r.unreachable) throw new UsageError(`cannot reach ${target.server} over ssh: ${r.stderr.trim() || "no answer"}`);
    if (r.code !== 0) throw new UsageError(`setting ${key} on ${target.server} failed: ${r.stderr.trim()}`);
    process.stdout.write(`set ${key} for deploy "${args.env}" (${target.server})\n`);
    return EXIT.ok;
  }
  throw new UsageError(`unknown action "${args.action}": use list or set KEY=value`);
}
