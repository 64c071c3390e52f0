import { diagnostic } from "../../diagnostics/catalog.js";
import type { Diagnostic } from "../../diagnostics/types.js";
import type { Infrastructure, NameInfo } from "../checked.js";
import type { DeployTarget, PortedApp } from "../types.js";
import { walkApp } from "../walk.js";

/**
 * The infrastructure manifest of deploy-blocks.md section 2, one per deploy
 * target: the compiler reads every block and says what to provision; the
 * deploy block only adds where, which domain and how many. Each target is
 * computed from its own block, so nothing of `deploy "staging"` leaks into
 * `deploy "prod"`.
 */
export function inferInfrastructure(app: PortedApp, names: NameInfo): { infrastructure: Infrastructure[]; diagnostics: Diagnostic[] } {
  const facts = appFacts(app, names);
  return { infrastructure: app.deploys.map((d) => manifest(app, d, facts)), diagnostics: app.deploys.flatMap((d) => sqliteOnSeveralHosts(app, d)) };
}

/**
 * E0407: with more than one host every host must share the database, and a
 * SQLite file is one host's (scale-out.md, "Several hosts"). Names each `db`
 * statement using SQLite, and the first model of a block that has no `db`.
 */
function sqliteOnSeveralHosts(app: PortedApp, d: DeployTarget): Diagnostic[] {
  if (d.servers.length < 2) return [];
  const hosts = d.serverSpan ? [{ span: d.serverSpan, message: `deploy "${d.name}" goes to ${d.servers.length} hosts here` }] : [];
  const shared = 'use a database every host shares: `db { adapter: "postgres" }` (DATABASE_URL, or a database host in the deploy block: `db { postgres { host: "root@db1" } }`), or deploy to one host';
  const out: Diagnostic[] = [];
  for (const s of app.servers) {
    const block = s.name === null ? "the server block" : `server "${s.name}"`;
    for (const db of s.dbs.filter((x) => x.adapter === "sqlite")) {
      out.push(diagnostic("E0407", db.span, `${block} keeps its data in SQLite (${db.path ?? "app.db"}), but deploy "${d.name}" goes to ${d.servers.length} hosts: each host would have a file of its own`, { labels: hosts, hint: shared }));
    }
    const model = s.models[0];
    if (s.dbs.length === 0 && model) {
      out.push(diagnostic("E0407", model.span, `the models of ${block} keep their rows in SQLite by default (it has no \`db\`), but deploy "${d.name}" goes to ${d.servers.length} hosts: each host would have a file of its own`, { labels: hosts, hint: shared }));
    }
  }
  return out;
}

interface Facts {
  sqliteFiles: string[];
  postgres: boolean;
  redis: boolean;
  secrets: string[];
  dataFiles: string[];
  websockets: string[];
  sse: string[];
  cors: boolean;
}

function appFacts(app: PortedApp, names: NameInfo): Facts {
  const secrets = new Set<string>();
  const dbs = app.servers.flatMap((s) => s.dbs);
  // `security { auth jwt { secret: env("JWT_SECRET") } }` requires JWT_SECRET.
  const auth = app.security?.entries.find((e) => e.key === "auth");
  if (auth && auth.label === "jwt") secrets.add("JWT_SECRET");
  // Required env declarations: no default and not an Option.
  for (const s of app.servers) {
    for (const e of s.envs) {
      const optional = e.type.kind === "TName" && e.type.name === "Option";
      if (!e.default && !optional && e.name !== "PORT") secrets.add(e.name);
    }
  }
  const dataFiles = new Set<string>();
  // `env("X")` reads anywhere in the program; `read("file")` in data sources.
  walkApp(app, (e) => {
    if (e.kind !== "Call" || e.callee.kind !== "Ident" || names.symbols.get(e.callee)?.kind !== "builtin") return;
    const arg = e.args[0]?.value;
    if (e.callee.name === "env" && arg?.kind === "Str") secrets.add(arg.value);
  });
  for (const src of app.data.sources) {
    const v = src.value;
    if (v.kind === "Call" && v.callee.kind === "Ident" && (v.callee.name === "read" || v.callee.name === "stream")) {
      const arg = v.args[0]?.value;
      if (arg?.kind === "Str") dataFiles.add(arg.value);
    }
  }
  const postgres = dbs.some((d) => d.adapter === "postgres");
  const redis = dbs.some((d) => d.adapter === "redis");
  // Connection strings are generated during provisioning (deploy-blocks.md section 8).
  if (postgres) secrets.delete("DATABASE_URL");
  if (redis) secrets.delete("REDIS_URL");
  const cors = !!app.security?.entries.some((e) => e.key === "cors") || app.servers.some((s) => s.configs.some((c) => c.name === "cors"));
  return {
    sqliteFiles: [...new Set(dbs.filter((d) => d.adapter === "sqlite").map((d) => d.path ?? "app.db"))],
    postgres,
    redis,
    secrets: [...secrets].sort(),
    dataFiles: [...dataFiles].sort(),
    websockets: [...new Set(app.servers.flatMap((s) => s.websockets.map((w) => w.path)))],
    sse: [...new Set(app.servers.flatMap((s) => s.sse.map((x) => x.path)))],
    cors,
  };
}

/** Database and user names follow deploy-blocks.md section 5: `myapp_db` owned by `tova_myapp`. */
export function appSlug(stem: string): string {
  return stem.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "") || "app";
}

/**
 * The app's name for one deploy target, as a slug: the stem for "prod" (or
 * "production"), `<stem>_<env>` for every other environment, so that prod and
 * staging deployed to one server get their own directory, units, ports and
 * database. Adding an environment never renames an existing one.
 */
export function deploySlug(stem: string, target: string): string {
  const slug = appSlug(stem);
  return target === "prod" || target === "production" ? slug : `${slug}_${appSlug(target)}`;
}

function manifest(app: PortedApp, d: DeployTarget, f: Facts): Infrastructure {
  const slug = deploySlug(app.stem, d.name);
  const pg = d.db.postgres;
  const redisOverride = d.db.redis;
  // With several hosts the databases are shared (scale-out.md, "Several hosts"): on a
  // database host the deploy provisions, or external, their URLs then required secrets.
  const several = d.servers.length > 1;
  const pgHost = typeof pg?.host === "string" ? pg.host : undefined;
  const redisHost = typeof redisOverride?.host === "string" ? redisOverride.host : undefined;
  const postgres: Infrastructure["databases"]["postgres"] = f.postgres || pg ? { database: String(pg?.name ?? `${slug}_db`), user: String(pg?.user ?? `tova_${slug}`), port: Number(pg?.port ?? 5432), ...(pgHost ? { host: pgHost } : several ? { external: true as const } : {}) } : null;
  const redis: Infrastructure["databases"]["redis"] =
    f.redis || redisOverride || several
      ? { maxmemory: redisOverride?.maxmemory !== undefined ? String(redisOverride.maxmemory) : null, ...(redisHost ? { host: redisHost, port: Number(redisOverride?.port ?? 6379) } : several ? { external: true as const } : {}) }
      : null;
  const required = [...f.secrets, ...(postgres?.external ? ["DATABASE_URL"] : []), ...(redis?.external ? ["REDIS_URL"] : [])];
  return {
    target: d.name,
    runtime: "bun",
    servers: app.servers.map((s) => ({ name: s.name, port: s.port, portEnv: s.portEnv })),
    databases: { sqlite: f.sqliteFiles.length ? { files: f.sqliteFiles } : null, postgres, redis },
    proxy: {
      domain: d.domain,
      autoSsl: d.domain !== "" && d.domain !== "localhost",
      websockets: f.websockets,
      sse: f.sse,
      staticClient: app.clients.length > 0,
      cors: f.cors,
    },
    // A value the deploy block sets in its env { } is not a secret to ask for.
    secrets: [...new Set(required)].sort().filter((name) => !Object.hasOwn(d.env, name)),
    dataFiles: f.dataFiles,
    instances: d.instances,
    memory: d.memory,
    health: { path: d.health, intervalSeconds: d.healthInterval, timeoutSeconds: d.healthTimeout },
  };
}
