import { layout } from "../backends/deploy/plan.js";
import { renderManifest, type LayerHashes } from "../backends/deploy/manifest.js";
import { renderPlan } from "../backends/deploy/plan-text.js";
import { loadDeployTarget } from "./deploy-target.js";
import { EXIT, UsageError } from "./errors.js";
import { remoteRoot, runRemote } from "./ssh.js";

export interface DeployArgs {
  env: string;
  path: string;
  plan: boolean;
}

/**
 * `tova deploy <env> --plan` (deploy-blocks.md, "Manifest Preview"): prints
 * what the compiler inferred for the environment and, when the server can be
 * reached over SSH, which provisioning layers the next deploy would run,
 * comparing with the manifest of the last deploy. It changes nothing.
 */
export async function runDeploy(args: DeployArgs): Promise<number> {
  const loaded = await loadDeployTarget(args.path, args.env);
  if (!loaded) return EXIT.errors;
  const { app, target } = loaded;
  if (!args.plan) throw new UsageError("only `tova deploy <env> --plan` is available so far; deploying over SSH comes next");
  const l = layout(app, target);
  const current = (JSON.parse(renderManifest(l)) as { layers: LayerHashes }).layers;
  process.stdout.write(renderPlan(l, current, lastManifest(target.server, l.app)));
  return EXIT.ok;
}

/** The layer hashes of the last deploy, read over SSH; null when there was none. */
function lastManifest(server: string, app: string): LayerHashes | null | "unreachable" {
  const r = runRemote(server, `cat ${remoteRoot()}/apps/${app}/current/.tova-manifest.json\n`, 15_000);
  if (r.unreachable) return "unreachable";
  if (r.code !== 0) return null;
  try {
    return (JSON.parse(r.stdout) as { layers: LayerHashes }).layers;
  } catch {
    return null;
  }
}
