import type { CheckedApp } from "../../ir/checked.js";
import { renderMasterCaddyfile, renderSite } from "./caddy.js";
import { databaseHosts, renderDatabaseHost } from "./db-host.js";
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
    // A database host's script, with the hosts' names where `tova deploy` puts the addresses it finds.
    for (const d of databaseHosts(l.infra, l.app)) {
      out.set(`${dir}/db-host-${d.host.replace(/[^A-Za-z0-9.-]+/g, "_")}.sh`, renderDatabaseHost({ ...d, address: hostPart(d.host), allow: target.servers.map(hostPart) }));
    }
  }
  return out;
}

/** The host of an SSH target (`root@db1` is `db1`). */
function hostPart(target: string): string {
  return target.replace(/^.*@/, "");
}
