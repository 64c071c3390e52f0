import type * as ast from "../frontend/ast.js";
import type { Span } from "../frontend/span.js";
import type { Diagnostic } from "../diagnostics/types.js";
import { diagnostic, suggestion } from "../diagnostics/catalog.js";
import { desugarExpr } from "./desugar.js";
import type { DeployTarget } from "./types.js";

/**
 * A `deploy "env" { }` block to a typed `DeployTarget` (deploy-blocks.md,
 * "Block Properties"). Errors carry the key path:
 * `deploy "prod".instances: expected a positive integer, got "two"`.
 */

type Kind = "string" | "positive" | "nonnegative" | "bool" | "memory" | "path";

const PROPERTIES: Record<string, Kind> = {
  // A string or a list of strings: lowered by `lowerServers`.
  server: "string",
  domain: "string",
  instances: "positive",
  memory: "memory",
  branch: "string",
  health: "path",
  health_interval: "positive",
  health_timeout: "positive",
  restart_on_failure: "bool",
  keep_releases: "positive",
};

const EXPECTED: Record<Kind, string> = {
  string: "a string",
  positive: "a positive integer",
  nonnegative: "a non-negative integer",
  bool: "true or false",
  memory: 'a size such as "512mb" or "1gb"',
  path: 'a path starting with "/"',
};

const DB_ENGINES = new Set(["postgres", "redis"]);

export function lowerDeploy(block: { name: string; entries: ast.ConfigEntry[]; span: Span; nameSpan: Span }): { target: DeployTarget; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const where = `deploy "${block.name}"`;
  const target: DeployTarget = {
    name: block.name,
    servers: [],
    domain: "",
    instances: 1,
    memory: "512mb",
    branch: "main",
    health: "/healthz",
    healthInterval: 30,
    healthTimeout: 5,
    restartOnFailure: true,
    keepReleases: 5,
    env: {},
    db: { postgres: null, redis: null },
    span: block.span,
    serverSpan: null,
  };
  const seen = new Map<string, Span>();
  for (const entry of block.entries) {
    const path = `${where}.${entry.key}`;
    const first = seen.get(entry.key);
    if (first) {
      diagnostics.push(diagnostic("E0103", entry.keySpan, `${path} is set twice`, { labels: [{ span: first, message: "first set here" }] }));
      continue;
    }
    seen.set(entry.key, entry.keySpan);
    if (entry.key === "env") {
      target.env = lowerEnv(entry, path, diagnostics);
      continue;
    }
    if (entry.key === "db") {
      target.db = lowerDb(entry, path, diagnostics);
      continue;
    }
    if (entry.key === "server" && entry.value) {
      target.servers = lowerServers(desugarExpr(entry.value), path, diagnostics);
      target.serverSpan = entry.value.span;
      continue;
    }
    const kind = PROPERTIES[entry.key];
    if (!kind) {
      diagnostics.push(diagnostic("E0404", entry.keySpan, `${path}: unknown property`, suggestion(entry.key, [...Object.keys(PROPERTIES), "env", "db"])));
      continue;
    }
    const value = entry.value ? desugarExpr(entry.value) : null;
    const parsed = value ? check(value, kind) : undefined;
    if (parsed === undefined) {
      diagnostics.push(diagnostic("E0403", value?.span ?? entry.span, `${path}: expected ${EXPECTED[kind]}, got ${value ? show(value) : "a block"}`));
      continue;
    }
    assign(target, entry.key, parsed);
  }
  if (!seen.has("server")) {
    diagnostics.push(diagnostic("E0401", block.nameSpan, `${where} has no \`server\``, { hint: 'add `server: "root@your-host"` (an SSH target or alias)' }));
  }
  if (!seen.has("domain")) {
    diagnostics.push(diagnostic("E0402", block.nameSpan, `${where} has no \`domain\``, { hint: 'add `domain: "example.com"`: Caddy serves it with automatic TLS' }));
  }
  return { target, diagnostics };
}

function assign(target: DeployTarget, key: string, v: string | number | boolean) {
  switch (key) {
    case "domain": target.domain = v as string; break;
    case "instances": target.instances = v as number; break;
    case "memory": target.memory = v as string; break;
    case "branch": target.branch = v as string; break;
    case "health": target.health = v as string; break;
    case "health_interval": target.healthInterval = v as number; break;
    case "health_timeout": target.healthTimeout = v as number; break;
    case "restart_on_failure": target.restartOnFailure = v as boolean; break;
    case "keep_releases": target.keepReleases = v as number; break;
  }
}

function check(e: ast.Expr, kind: Kind): string | number | boolean | undefined {
  switch (kind) {
    case "string":
      return e.kind === "Str" && e.value.trim() !== "" ? e.value : undefined;
    case "path":
      return e.kind === "Str" && e.value.startsWith("/") ? e.value : undefined;
    case "memory":
      return e.kind === "Str" && /^\d+(\.\d+)?\s*(k|m|g|kb|mb|gb|K|M|G|KB|MB|GB)?$/.test(e.value) ? e.value : undefined;
    case "bool":
      return e.kind === "Bool" ? e.value : undefined;
    case "positive":
      return e.kind === "Num" && Number.isInteger(e.value) && e.value > 0 ? e.value : undefined;
    case "nonnegative":
      return e.kind === "Num" && Number.isInteger(e.value) && e.value >= 0 ? e.value : undefined;
  }
}

/**
 * `server: "root@web1"` or `server: ["root@web1", "root@web2"]`: the hosts in
 * rollout order. A list must name at least one host, each once.
 */
function lowerServers(value: ast.Expr, path: string, diagnostics: Diagnostic[]): string[] {
  if (value.kind !== "Array") {
    const one = check(value, "string");
    if (one === undefined) diagnostics.push(diagnostic("E0403", value.span, `${path}: expected a string or a list of strings, got ${show(value)}`, { hint: 'an SSH target such as "root@web1", or a list: ["root@web1", "root@web2"]' }));
    return one === undefined ? [] : [one as string];
  }
  if (value.elements.length === 0) {
    diagnostics.push(diagnostic("E0405", value.span, `${path}: the list of hosts is empty`, { hint: 'name at least one SSH target: server: ["root@web1"]' }));
    return [];
  }
  const hosts: string[] = [];
  const first = new Map<string, Span>();
  for (const element of value.elements) {
    const e = element.kind === "Spread" ? element : desugarExpr(element);
    const host = e.kind === "Spread" ? undefined : check(e, "string");
    if (host === undefined) {
      diagnostics.push(diagnostic("E0403", e.span, `${path}: every host must be a string, got ${e.kind === "Spread" ? "a spread" : show(e)}`, { hint: 'write each SSH target in quotes: "root@web1"' }));
      continue;
    }
    const h = host as string;
    const earlier = first.get(h);
    if (earlier) {
      diagnostics.push(diagnostic("E0406", e.span, `${path}: the host ${JSON.stringify(h)} is named twice`, { labels: [{ span: earlier, message: "first named here" }], hint: "each host gets the release once; remove the second one" }));
      continue;
    }
    first.set(h, e.span);
    hosts.push(h);
  }
  return hosts;
}

function show(e: ast.Expr): string {
  switch (e.kind) {
    case "Str": return JSON.stringify(e.value);
    case "Num": return e.raw;
    case "Bool": return String(e.value);
    case "Nil": return "nil";
    case "Array": return "a list";
    case "Object": return "an object";
    default: return "an expression";
  }
}

function literal(e: ast.Expr): string | number | boolean | undefined {
  if (e.kind === "Str" || e.kind === "Num" || e.kind === "Bool") return e.value;
  return undefined;
}

/** `env { KEY: "value" }` (or `env: { ... }`): static values, written as strings. */
function lowerEnv(entry: ast.ConfigEntry, path: string, diagnostics: Diagnostic[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value, span] of pairs(entry)) {
    const v = value ? literal(desugarExpr(value)) : undefined;
    if (v === undefined) diagnostics.push(diagnostic("E0403", span, `${path}.${key}: expected a string, number or boolean`));
    else out[key] = String(v);
  }
  return out;
}

function lowerDb(entry: ast.ConfigEntry, path: string, diagnostics: Diagnostic[]): DeployTarget["db"] {
  const db: DeployTarget["db"] = { postgres: null, redis: null };
  for (const inner of entry.entries ?? []) {
    if (!DB_ENGINES.has(inner.key)) {
      diagnostics.push(diagnostic("E0404", inner.keySpan, `${path}.${inner.key}: unknown database`, suggestion(inner.key, DB_ENGINES)));
      continue;
    }
    const settings: Record<string, string | number | boolean> = {};
    for (const [key, value, span] of pairs(inner)) {
      const v = value ? literal(desugarExpr(value)) : undefined;
      if (v === undefined) diagnostics.push(diagnostic("E0403", span, `${path}.${inner.key}.${key}: expected a string, number or boolean`));
      // `host`: the SSH target of a database host of the user's (scale-out.md, "Several hosts").
      else if (key === "host" && (typeof v !== "string" || v.trim() === "")) diagnostics.push(diagnostic("E0403", value!.span, `${path}.${inner.key}.host: expected an SSH target such as "root@db1"`));
      else settings[key] = v;
    }
    db[inner.key as "postgres" | "redis"] = settings;
  }
  if (entry.value) diagnostics.push(diagnostic("E0403", entry.value.span, `${path}: expected a block such as \`db { postgres { ... } }\``));
  return db;
}

/** Key/value pairs of a nested block or an object literal value. */
function pairs(entry: ast.ConfigEntry): [string, ast.Expr | null, Span][] {
  if (entry.entries) return entry.entries.map((e) => [e.key, e.value, e.span]);
  if (entry.value && entry.value.kind === "Object") {
    return entry.value.entries.filter((p): p is ast.Prop => p.kind === "Prop").map((p) => [p.key, p.value, p.span]);
  }
  return [];
}
