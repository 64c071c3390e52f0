import { appName } from "../backends/deploy/plan.js";
import { listEnvScript, setEnvScript } from "../backends/deploy/remote.js";
import { chooseHosts, loadDeployTarget } from "./deploy-target.js";
import { EXIT, UsageError } from "./errors.js";
import { sshTransport, unreachableMessage, type Remote, type Transport } from "./ssh.js";

export interface EnvArgs {
  env: string;
  action: string;
  assignment?: string | undefined;
  path: string;
  /** Only this one of the deploy block's hosts. */
  host?: string | undefined;
}

/**
 * `tova env <env> list` (names only, never values) and
 * `tova env <env> set KEY=value` (deploy-blocks.md, "Secrets Management"):
 * the app's `.env.production` on the deploy target's server, mode 600. With
 * several hosts, `set` sets it on every host (or the one `--host` names) and
 * `list` prints each host's names under its name.
 */
export async function runEnv(args: EnvArgs): Promise<number> {
  const loaded = await loadDeployTarget(args.path, args.env);
  if (!loaded) return EXIT.errors;
  const { app, target } = loaded;
  const name = appName(app, target);
  const hosts = chooseHosts(target, args.host).map(sshTransport);

  if (args.action === "list") {
    for (const server of hosts) {
      const names = reached(server, server.run(listEnvScript(name))).stdout;
      process.stdout.write(hosts.length > 1 ? `${server.label}:\n${names.replace(/^(?=.)/gm, "  ")}` : names);
    }
    return EXIT.ok;
  }
  if (args.action === "set") {
    const [key, value] = parseAssignment(args.assignment ?? "");
    for (const server of hosts) {
      const r = reached(server, server.run(setEnvScript(name, [[key, value]])));
      if (r.code !== 0) throw new UsageError(`setting ${key} on ${server.label} failed: ${r.stderr.trim()}`);
      process.stdout.write(`set ${key} for deploy "${args.env}" (${server.label})\n`);
    }
    return EXIT.ok;
  }
  throw new UsageError(`unknown action "${args.action}": use list or set KEY=value`);
}

export function parseAssignment(text: string): [string, string] {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(text);
  if (!m) throw new UsageError("tova env <env> set needs KEY=value (KEY: letters, digits and _)");
  const [, key, value] = m as unknown as [string, string, string];
  if (value.includes("\n")) throw new UsageError(`the value of ${key} may not contain a new line`);
  return [key, value];
}

/** The answer, or one line saying the server could not be reached. */
export function reached(server: Transport, r: Remote): Remote {
  if (r.unreachable) throw new UsageError(unreachableMessage(server, r));
  return r;
}
