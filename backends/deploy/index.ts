import type { CheckedApp } from "../../ir/checked.js";
import { renderMasterCaddyfile, renderSite } from "./caddy.js";
import { renderManifest, renderRegistryEntry } from "./manifest.js";
import { layout } from "./plan.js";
import { renderProvision } from "./provision.js";
import { renderHealthService, renderHealthTimer, renderUnit } from "./systemd.js";

/**
 * `tova build --emit deploy`: every artifact of every deploy block, under
 * `deploy/<env>/`, so what will run can be read before anything runs. Pure:
 * each deploy block is rendered from its own settings only.
 */
export function emitDeploy(app: CheckedApp): Map<string, string> {
  const out = new Map<string, string>();
  for (const target of app.deploys) {
    const l = layout(app, target);
    const dir = `deploy/${target.name}`;
    out.set(`${dir}/provision.sh`, renderProvision(l));
    out.set(`${dir}/Caddyfile`, renderMasterCaddyfile());
    out.set(`${dir}/${l.app}.caddy`, renderSite(l));
    for (const s of l.servers) out.set(`${dir}/${s.unit}`, renderUnit(l, s));
    out.set(`${dir}/tova-${l.app}-health.timer`, renderHealthTimer(l));
    out.set(`${dir}/tova-${l.app}-health.service`, renderHealthService(l));
    out.set(`${dir}/registry.json`, renderRegistryEntry(l));
    out.set(`${dir}/.tova-manifest.json`, renderManifest(l));
  }
  return out;
}
