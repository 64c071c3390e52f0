import { lookup } from "node:dns/promises";
import type { CheckedApp, Infrastructure } from "../ir/checked.js";
import type { DeployTarget } from "../ir/types.js";
import { databaseHosts, parseUrls, renderDatabaseHost, sourceAddressScript } from "../backends/deploy/db-host.js";
import { appName } from "../backends/deploy/plan.js";
import { check, DeployFailure } from "./deploy.js";
import type { Progress } from "./progress.js";
import { sshHostname, sshTransport, type Transport } from "./ssh.js";

/**
 * The database host of a deploy target (scale-out.md, "Several hosts"),
 * provisioned before the rollout: the web hosts say which of their addresses
 * they reach it from, its script opens PostgreSQL and Redis to those
 * addresses only, and the URLs it prints go into each web host's
 * `.env.production` where they are not set yet.
 */
export function hasDatabaseHost(infra: Infrastructure): boolean {
  return infra.databases.postgres?.host !== undefined || infra.databases.redis?.host !== undefined;
}

/** The secrets a database host provides (they are not asked for). */
export function databaseHostSecrets(infra: Infrastructure): string[] {
  return [...(infra.databases.postgres?.host !== undefined ? ["DATABASE_URL"] : []), ...(infra.databases.redis?.host !== undefined ? ["REDIS_URL"] : [])];
}

export async function provisionDatabaseHosts(app: CheckedApp, target: DeployTarget, hosts: Transport[], progress: Progress): Promise<[string, string][]> {
  const infra = app.infrastructure.find((i) => i.target === target.name)!;
  const urls: [string, string][] = [];
  for (const d of databaseHosts(infra, appName(app, target))) {
    const name = sshHostname(d.host);
    const ip = await lookup(name).then((r) => r.address, () => name);
    const allow = [...new Set(hosts.map((web) => sourceAddress(web, ip)))];
    const db = sshTransport(d.host);
    progress.line();
    progress.line(`Database host ${d.host}...`);
    const r = check(db, db.run(renderDatabaseHost({ ...d, address: name, allow }), 900_000), `provisioning the database host`);
    const engines = [d.postgres ? `PostgreSQL database "${d.postgres.database}"` : null, d.redis ? "Redis" : null].filter(Boolean).join(", ");
    progress.step(r.stdout.split("\n").includes("unchanged") ? `${engines}: already provisioned` : `${engines}, open to ${allow.join(", ")} only`);
    urls.push(...parseUrls(r.stdout));
  }
  return urls;
}

/** The address `web` reaches `to` from (what the database host's firewall sees). */
function sourceAddress(web: Transport, to: string): string {
  const r = check(web, web.run(sourceAddressScript(to), 30_000), "finding the host's address");
  const address = r.stdout.split("\n").find((l) => l.startsWith("address "))?.slice(8).trim();
  if (!address) throw new DeployFailure(`${web.label} has no address to reach the database host ${to} from`, r.stdout + r.stderr);
  return address;
}
