import { elsewhere, type DeployLayout } from "./plan.js";
import { LAYERS, type LayerHashes } from "./manifest.js";

/**
 * The plan `tova deploy <env> --plan` prints (deploy-blocks.md, "Manifest
 * Preview"): what the compiler inferred, and, when the manifest of the last
 * deploy could be read, which provisioning layers would run.
 */

/** What one host holds: its last deploy's layer hashes, null before the first deploy, or "unreachable". */
export interface HostPlan {
  host: string;
  previous: LayerHashes | null | "unreachable";
}

export function renderPlan(l: DeployLayout, current: LayerHashes, hosts: readonly HostPlan[]): string {
  const db = l.infra.databases;
  const dbs = [
    db.sqlite ? `SQLite (${db.sqlite.files.join(", ")} in data/)` : null,
    db.postgres ? `PostgreSQL (${db.postgres.database}, user ${db.postgres.user})${elsewhere(db.postgres)}` : null,
    db.redis ? `Redis${db.redis.maxmemory ? ` (maxmemory ${db.redis.maxmemory})` : ""}${elsewhere(db.redis)}` : null,
  ].filter(Boolean);
  const ports = l.servers.flatMap((s) => s.ports);
  const lines = [
    `Deploy plan for "${l.target.name}" -> ${l.target.servers.join(", ")}`,
    "─".repeat(45),
    "",
    `  System:    Bun, Caddy 2.x, UFW firewall (22, 80, 443)`,
    `  Database:  ${dbs.length ? dbs.join(", ") : "none"}`,
    `  App:       ${l.servers.length} server block(s) x ${l.target.instances} instance(s) on ports ${ports.join(", ")}, ${l.target.memory} each`,
    `  Domain:    ${l.target.domain}${l.infra.proxy.autoSsl ? " (auto-SSL)" : ""}`,
    ...l.servers.map((s, i) => `  ${i === 0 ? "Proxy:    " : "          "} ${s.block ?? "default"} -> localhost:${s.ports.join(",")}${s.ports.length > 1 ? " (round-robin)" : ""}`),
    ...l.servers.flatMap((s) => s.websockets.map((p) => `             WebSocket ${p} -> upgrade`)),
    ...l.servers.flatMap((s) => s.sse.map((p) => `             SSE ${p} -> unbuffered`)),
    `  Secrets:   ${l.infra.secrets.length ? l.infra.secrets.map((s) => `${s} (required)`).join(", ") : "none"}${db.postgres && !db.postgres.external ? ", DATABASE_URL (auto)" : ""}${db.redis && !db.redis.external ? ", REDIS_URL (auto)" : ""}`,
    `  Env:       ${Object.entries(l.target.env).map(([k, v]) => `${k}=${v}`).join(", ") || "none"}`,
    `  Health:    ${l.target.health} every ${l.target.healthInterval}s (timeout ${l.target.healthTimeout}s); keep ${l.target.keepReleases} releases`,
    "",
  ];
  if (hosts.length > 1) lines.push(`  Rollout:   one host at a time, in this order, each health-checked before the next: ${hosts.map((h) => h.host).join(", ")}`, "");
  for (const { host, previous } of hosts) {
    // With several hosts each says, under its name, which layers would run there (the ports shown are the first host's).
    const indent = hosts.length > 1 ? "    " : "  ";
    if (hosts.length > 1) lines.push(`  ${host}:`);
    for (const text of layerLines(current, previous)) lines.push(indent + text);
  }
  return lines.join("\n") + "\n";
}

function layerLines(current: LayerHashes, previous: HostPlan["previous"]): string[] {
  if (previous === "unreachable") return ["The server could not be reached: every layer would run on a first deploy."];
  if (previous === null) return ["First deploy: every layer runs."];
  const same = LAYERS.filter((k) => previous[k] === current[k]);
  const changed = LAYERS.filter((k) => previous[k] !== current[k]);
  return [`No changes from last deploy: ${same.join(", ") || "none"}`, `Changed: ${changed.length ? changed.join(", ") : "none (only the app bundle is uploaded)"}`];
}
