import type * as ast from "../frontend/ast.js";
import type { Span } from "../frontend/span.js";
import type { Diagnostic } from "../diagnostics/types.js";
import { diagnostic, suggestion } from "../diagnostics/catalog.js";
import { desugarBlock, desugarExpr, desugarLambda, desugarParam, desugarStmt } from "./desugar.js";
import { lowerDeploy } from "./lower-deploy.js";
import { validateCron } from "./cron.js";
import {
  DEFAULT_BREAKER, type Binding, type ClientBlock, type ConfigValue, type DataBlock, type Db, type Fn, type FileIR, type Param, type Peer,
  type ServerBlock, type SharedBlock, type TypeDecl,
} from "./types.js";

/**
 * AST → IR for one file. Statements are sorted into the block they belong to
 * (server statements at the top level go to the default server,
 * decisions.md "Server statements at the top level"; everything else at the
 * top level is shared), and each statement becomes a typed declaration.
 */
export function lowerFile(program: ast.Program): { ir: FileIR; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const ir: FileIR = {
    file: program.file,
    servers: [],
    clients: [],
    shared: emptyShared(),
    data: emptyData(),
    security: [],
    deploys: [],
  };
  let topServer: ServerBlock | null = null;
  for (const item of program.items) {
    switch (item.kind) {
      case "BlockDecl": {
        if (item.block === "server") {
          const server = emptyServer(item.name, program.file, item.span);
          for (const s of item.body) lowerServerStmt(server, s, diagnostics);
          ir.servers.push(server);
        } else if (item.block === "client") {
          const client = emptyClient(item.name, program.file, item.span);
          for (const s of item.body) lowerClientStmt(client, s, diagnostics);
          ir.clients.push(client);
        } else if (item.block === "shared") {
          for (const s of item.body) lowerSharedStmt(ir.shared, s, diagnostics, "shared");
        } else {
          for (const s of item.body) lowerDataStmt(ir.data, s, diagnostics);
        }
        break;
      }
      case "DeployDecl":
        ir.deploys.push({ name: item.name, entries: item.entries, span: item.span, nameSpan: item.nameSpan });
        break;
      case "SecurityDecl":
        ir.security.push({ kind: "security", entries: item.entries, span: item.span });
        break;
      default: {
        if (SERVER_ONLY.has(item.kind) || (item.kind === "FnDecl" && item.modifier !== null)) {
          if (!topServer) {
            topServer = emptyServer(null, program.file, item.span);
            ir.servers.push(topServer);
          }
          lowerServerStmt(topServer, item, diagnostics);
        } else if (item.kind === "Source" || item.kind === "Refresh") {
          lowerDataStmt(ir.data, item, diagnostics);
        } else {
          lowerSharedStmt(ir.shared, item, diagnostics, "top");
        }
      }
    }
  }
  return { ir, diagnostics };
}

export { lowerDeploy };

const SERVER_ONLY = new Set<ast.Stmt["kind"]>([
  "Route", "Model", "Db", "Env", "Port", "Discover", "Schedule", "Subscribe", "Lifecycle", "WebSocket", "Sse", "Config", "MaxBody",
]);

export function emptyServer(name: string | null, file: string, span: Span): ServerBlock {
  return {
    kind: "server", name, file, span, fns: [], routes: [], models: [], dbs: [], envs: [], ports: [], peers: [], schedules: [],
    subscriptions: [], hooks: [], websockets: [], sse: [], configs: [], maxBody: [], bindings: [], types: [], stmts: [],
  };
}

export function emptyShared(): SharedBlock {
  return { kind: "shared", types: [], fns: [], bindings: [], imports: [], stmts: [] };
}

export function emptyClient(name: string | null, file: string, span: Span): ClientBlock {
  return { kind: "client", name, file, span, states: [], computeds: [], effects: [], components: [], fns: [], bindings: [], types: [], stmts: [] };
}

export function emptyData(): DataBlock {
  return { kind: "data", sources: [], refreshes: [], bindings: [], fns: [], stmts: [] };
}

function misplaced(s: ast.Stmt, where: string, diagnostics: Diagnostic[]) {
  const word = STATEMENT_WORDS[s.kind] ?? s.kind;
  const home = SERVER_ONLY.has(s.kind) || s.kind === "FnDecl" ? "server" : s.kind === "Source" || s.kind === "Refresh" ? "data" : "client";
  diagnostics.push(
    diagnostic("E0013", s.span, `\`${word}\` is not allowed in ${where}`, { hint: `move it into a \`${home} { }\` block` }),
  );
}

const STATEMENT_WORDS: Partial<Record<ast.Stmt["kind"], string>> = {
  Route: "route", Model: "model", Db: "db", Env: "env", Port: "port", Discover: "discover", Schedule: "schedule", Subscribe: "subscribe",
  Lifecycle: "lifecycle hook", WebSocket: "websocket", Sse: "sse", Config: "configuration block", MaxBody: "max_body", State: "state",
  Computed: "computed", Effect: "effect", Component: "component", Source: "source", Refresh: "refresh", FnDecl: "background or middleware fn",
};

/** Statements every block kind accepts: functions, types, bindings, expressions. */
function lowerCommon(
  target: { fns: Fn[]; bindings: Binding[]; stmts: ast.Stmt[]; types?: TypeDecl[] },
  s: ast.Stmt,
  diagnostics: Diagnostic[],
  where: string,
): boolean {
  switch (s.kind) {
    case "FnDecl":
      if (s.modifier !== null) return false;
      target.fns.push(lowerFn(s));
      return true;
    case "TypeDecl":
      if (!target.types) return false;
      target.types.push(lowerType(s));
      return true;
    case "Let":
      // `x = e` at the top level after `var x = ...` assigns the var (in source order); it is not a new binding.
      if (!s.mutable && !s.type && target.bindings.some((b) => b.mutable && b.name === s.name)) {
        target.stmts.push(desugarStmt(s));
        return true;
      }
      target.bindings.push(lowerBinding(s));
      return true;
    case "Placeholder":
      diagnostics.push(diagnostic("W0002", s.span, "`...` stands for elided code", { hint: "replace it with real statements before building" }));
      return true;
    case "ErrorStmt":
      // Keep the name a broken statement defined, so its uses are not reported as well.
      if (s.defines) {
        const value: ast.Expr = { kind: "ErrorExpr", span: s.span };
        target.bindings.push({ name: s.defines, mutable: false, type: null, value, plainData: false, span: s.span, nameSpan: s.span });
      }
      return true;
    case "Assign": case "ExprStmt": case "For": case "While": case "Emit": case "Return": case "Break": case "Continue":
      target.stmts.push(desugarStmt(s));
      return true;
    case "Import":
      return false;
    default:
      void where;
      return false;
  }
}

function lowerSharedStmt(shared: SharedBlock, s: ast.Stmt, diagnostics: Diagnostic[], where: "shared" | "top") {
  if (s.kind === "Import") {
    shared.imports.push(s);
    return;
  }
  if (lowerCommon(shared, s, diagnostics, where)) return;
  misplaced(s, where === "shared" ? "a shared block" : "the top level of a file", diagnostics);
}

function lowerDataStmt(data: DataBlock, s: ast.Stmt, diagnostics: Diagnostic[]) {
  if (s.kind === "Source") {
    data.sources.push({ name: s.name, value: desugarExpr(s.value), span: s.span, nameSpan: s.nameSpan });
    return;
  }
  if (s.kind === "Refresh") {
    const interval = desugarExpr(s.interval);
    data.refreshes.push({ name: s.name, interval, intervalMs: interval.kind === "Num" ? interval.value : null, span: s.span, nameSpan: s.nameSpan });
    return;
  }
  if (lowerCommon(data, s, diagnostics, "data")) return;
  misplaced(s, "a data block", diagnostics);
}

function lowerClientStmt(client: ClientBlock, s: ast.Stmt, diagnostics: Diagnostic[]) {
  switch (s.kind) {
    case "State":
      client.states.push({ name: s.name, type: s.type, value: desugarExpr(s.value), span: s.span, nameSpan: s.nameSpan });
      return;
    case "Computed":
      client.computeds.push({ name: s.name, value: desugarExpr(s.value), span: s.span, nameSpan: s.nameSpan });
      return;
    case "Effect":
      client.effects.push({ body: desugarBlock(s.body), span: s.span });
      return;
    case "Component":
      client.components.push({ name: s.name, params: s.params.map(lowerParam), body: desugarBlock(s.body), span: s.span, nameSpan: s.nameSpan });
      return;
  }
  if (lowerCommon(client, s, diagnostics, "client")) return;
  misplaced(s, "a client block", diagnostics);
}

function lowerServerStmt(server: ServerBlock, s: ast.Stmt, diagnostics: Diagnostic[]) {
  switch (s.kind) {
    case "FnDecl":
      server.fns.push(lowerFn(s));
      return;
    case "Route": {
      const method = s.method.toUpperCase();
      if (!HTTP_METHODS.has(method)) {
        diagnostics.push(diagnostic("E0306", s.methodSpan, `\`${s.method}\` is not an HTTP method`, suggestion(method, HTTP_METHODS)));
      }
      const handler = desugarExpr(s.handler);
      server.routes.push({
        method,
        path: s.path,
        pathParams: [...s.path.matchAll(/:([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!),
        handler,
        handlerName: handler.kind === "Ident" ? handler.name : null,
        span: s.span,
        pathSpan: s.pathSpan,
      });
      return;
    }
    case "Model": {
      const fromShared = s.fields === null;
      server.models.push({
        accessor: fromShared ? `${s.name}Model` : s.name,
        typeName: s.name,
        table: tableName(s.name),
        fields: s.fields ? s.fields.map((f) => ({ name: f.name, type: f.type, span: f.span })) : null,
        fromSharedType: fromShared,
        span: s.span,
        nameSpan: s.nameSpan,
      });
      return;
    }
    case "Db": {
      const db = lowerDb(s, diagnostics);
      if (db) server.dbs.push(db);
      return;
    }
    case "Env":
      server.envs.push({ name: s.name, type: s.type, default: s.default ? desugarExpr(s.default) : null, span: s.span, nameSpan: s.nameSpan });
      if (s.name === "PORT" && s.default) server.ports.push(lowerPort(desugarExpr(s.default), s.span, diagnostics));
      return;
    case "Port":
      server.ports.push(lowerPort(desugarExpr(s.value), s.span, diagnostics));
      return;
    case "Discover":
      server.peers.push(lowerDiscover(s, diagnostics));
      return;
    case "Schedule": {
      const problem = validateCron(s.cron);
      if (problem) diagnostics.push(diagnostic("E0303", s.cronSpan, `invalid cron expression \`${s.cron}\`: ${problem}`, { hint: "five fields (minute hour day month weekday), or six with seconds first" }));
      server.schedules.push({ name: s.name, cron: s.cron, body: desugarBlock(s.body), span: s.span, cronSpan: s.cronSpan });
      return;
    }
    case "Subscribe":
      server.subscriptions.push({ event: s.event, handler: desugarLambda(s.handler), span: s.span, eventSpan: s.eventSpan });
      return;
    case "Lifecycle":
      server.hooks.push({ hook: s.hook, handler: desugarLambda(s.handler), span: s.span });
      return;
    case "WebSocket":
      server.websockets.push({ path: s.path ?? "/ws", handlers: s.handlers.map((h) => ({ name: h.name, handler: desugarLambda(h.handler), span: h.span })), span: s.span });
      return;
    case "Sse":
      server.sse.push({ path: s.path, handler: desugarLambda(s.handler), span: s.span });
      return;
    case "Config":
      server.configs.push({ name: s.name, values: configValue(s.entries), entries: s.entries, span: s.span });
      return;
    case "MaxBody":
      server.maxBody.push({ value: desugarExpr(s.value), span: s.span });
      return;
  }
  if (lowerCommon(server, s, diagnostics, "server")) return;
  misplaced(s, "a server block", diagnostics);
}

const HTTP_METHODS = new Set(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]);

/** `MetricRecord` → `metric_records`. */
function tableName(name: string): string {
  const snake = name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
  return snake.endsWith("s") ? snake : `${snake}s`;
}

export function lowerParam(p: ast.Param): Param {
  const d = desugarParam(p);
  return { name: d.name, type: d.type, default: d.default, optional: isOptionType(d.type) || d.default !== null, span: d.span };
}

export function isOptionType(t: ast.TypeExpr | null): boolean {
  return !!t && t.kind === "TName" && t.name === "Option";
}

function lowerFn(s: ast.FnDecl): Fn {
  return {
    name: s.name,
    kind: s.modifier === "background" ? "background" : s.modifier === "middleware" ? "middleware" : "fn",
    async: s.async,
    typeParams: s.typeParams,
    params: s.params.map(lowerParam),
    returnType: s.returnType,
    body: desugarBlock(s.body),
    span: s.span,
    nameSpan: s.nameSpan,
  };
}

function lowerType(s: ast.TypeDecl): TypeDecl {
  const def: TypeDecl["def"] =
    s.def.kind === "record"
      ? { kind: "record", fields: s.def.fields.map((f) => ({ name: f.name, type: f.type, span: f.span })) }
      : s.def.kind === "enum"
        ? { kind: "enum", variants: s.def.variants.map((v) => ({ name: v.name, fields: v.fields.map((f) => ({ name: f.name, type: f.type, span: f.span })), span: v.span })) }
        : { kind: "alias", type: s.def.type };
  return { name: s.name, typeParams: s.typeParams, def, span: s.span, nameSpan: s.nameSpan };
}

function lowerBinding(s: ast.LetStmt): Binding {
  const value = desugarExpr(s.value);
  return { name: s.name, mutable: s.mutable, type: s.type, value, plainData: isPlainData(value), span: s.span, nameSpan: s.nameSpan };
}

/** Literals, and arrays and objects of them (decisions.md, "Cross-block names"). */
export function isPlainData(e: ast.Expr): boolean {
  switch (e.kind) {
    case "Num": case "Str": case "Bool": case "Nil":
      return true;
    case "Unary":
      return e.op === "-" && e.operand.kind === "Num";
    case "Array":
      return e.elements.every((x) => x.kind !== "Spread" && isPlainData(x));
    case "Object":
      return e.entries.every((x) => x.kind === "Prop" && isPlainData(x.value));
    default:
      return false;
  }
}

function lowerPort(value: ast.Expr, span: Span, diagnostics: Diagnostic[]) {
  if (value.kind === "Num" && Number.isInteger(value.value) && value.value >= 1 && value.value <= 65535) return { value: value.value, expr: value, span };
  diagnostics.push(diagnostic("E0302", value.span, "a port must be an integer between 1 and 65535", { hint: "write it as a number literal, e.g. `port 3001`" }));
  return { value: null, expr: value, span };
}

export function configValue(entries: ast.ConfigEntry[]): ConfigValue {
  const out: ConfigValue = {};
  for (const e of entries) {
    out[e.key] = {
      value: e.value ? desugarExpr(e.value) : null,
      nested: e.entries ? configValue(e.entries) : null,
      label: e.label,
      span: e.span,
    };
  }
  return out;
}

function lowerDb(s: ast.DbStmt, diagnostics: Diagnostic[]): Db | null {
  const c = configValue(s.entries);
  const str = (k: string) => {
    const v = c[k]?.value;
    return v && v.kind === "Str" ? v.value : null;
  };
  const kindWord = str("adapter") ?? str("type");
  let adapter: Db["adapter"];
  if (kindWord === null) {
    if (c.adapter || c.type) {
      diagnostics.push(diagnostic("E0307", (c.adapter ?? c.type)!.span, "the database adapter must be a string literal", { hint: 'use "sqlite", "postgres" or "redis"' }));
      return null;
    }
    adapter = "sqlite";
  } else if (kindWord === "sqlite" || kindWord === "postgres" || kindWord === "redis") adapter = kindWord;
  else if (kindWord === "postgresql") adapter = "postgres";
  else {
    diagnostics.push(diagnostic("E0307", (c.adapter ?? c.type)!.span, `unknown database adapter "${kindWord}"`, suggestion(kindWord, ["sqlite", "postgres", "redis"])));
    return null;
  }
  const known = new Set(["adapter", "type", "database", "path", "url", "pool", "name", "user", "password", "host", "port"]);
  for (const [k, v] of Object.entries(c)) {
    if (!known.has(k)) diagnostics.push(diagnostic("E0307", v.span, `unknown key \`${k}\` in a db block`, suggestion(k, known)));
  }
  const pool = c.pool?.value;
  if (c.pool && !(pool?.kind === "Num" && Number.isInteger(pool.value) && pool.value >= 1 && pool.value <= 1000)) {
    diagnostics.push(diagnostic("E0307", c.pool.span, "`pool` must be a whole number of connections from 1 to 1000", { hint: "for example `pool: 20`" }));
  }
  if (adapter !== "sqlite") {
    for (const k of ["path", "database"] as const) {
      if (c[k]) diagnostics.push(diagnostic("E0307", c[k]!.span, `\`${k}\` names a SQLite file, but this db is ${adapter === "postgres" ? "PostgreSQL" : "Redis"}`, { hint: adapter === "postgres" ? "give PostgreSQL a `url:` (or set DATABASE_URL)" : "give Redis a `url:` (or set REDIS_URL)" }));
    }
  } else if (c.pool) {
    diagnostics.push(diagnostic("E0307", c.pool.span, "`pool` sets PostgreSQL's connections; a SQLite database has none", { hint: 'remove it, or use `adapter: "postgres"`' }));
  }
  return {
    adapter,
    path: adapter === "sqlite" ? (str("database") ?? str("path") ?? "app.db") : null,
    url: c.url?.value ?? null,
    pool: pool && pool.kind === "Num" ? pool.value : null,
    span: s.span,
  };
}

const BREAKER_KEYS: Record<string, keyof typeof DEFAULT_BREAKER> = {
  threshold: "threshold",
  failure_threshold: "threshold",
  reset_timeout: "resetTimeoutMs",
  timeout: "timeoutMs",
  half_open_requests: "halfOpenRequests",
};

/** All four `discover` forms lower to the same `Peer` (decisions.md, "Syntax variants"). */
function lowerDiscover(s: ast.DiscoverStmt, diagnostics: Diagnostic[]): Peer {
  const breaker = { ...DEFAULT_BREAKER };
  let urlExpr: ast.Expr | null = s.at ? desugarExpr(s.at) : null;
  let health: string | null = null;
  const known = [...Object.keys(BREAKER_KEYS), "health", "url", "circuit_breaker"];
  const visit = (c: ConfigValue, nestedIn: string | null) => {
    for (const [key, entry] of Object.entries(c)) {
      if (key === "circuit_breaker" && nestedIn === null) {
        const inner = entry.nested ?? (entry.value?.kind === "Object" ? objectToConfig(entry.value) : null);
        if (inner) visit(inner, key);
        else diagnostics.push(diagnostic("E0305", entry.span, "`circuit_breaker` must be a `{ ... }` of settings"));
        continue;
      }
      if (key === "url" && nestedIn === null) {
        urlExpr = entry.value;
        continue;
      }
      if (key === "health") {
        if (entry.value?.kind === "Str") health = entry.value.value;
        else diagnostics.push(diagnostic("E0305", entry.span, "`health` must be a path string such as \"/health\""));
        continue;
      }
      const field = BREAKER_KEYS[key];
      if (!field) {
        diagnostics.push(diagnostic("E0304", entry.span, `unknown ${nestedIn ? "circuit-breaker" : "discover"} setting \`${key}\``, suggestion(key, known)));
        continue;
      }
      const v = entry.value;
      if (!v || v.kind !== "Num" || v.value < 0 || ((field === "threshold" || field === "halfOpenRequests") && !Number.isInteger(v.value))) {
        diagnostics.push(
          diagnostic("E0305", v?.span ?? entry.span, `\`${key}\` must be a ${field === "threshold" || field === "halfOpenRequests" ? "whole number" : "number of milliseconds or a duration such as `30.seconds`"}`),
        );
        continue;
      }
      breaker[field] = v.value;
    }
  };
  visit(configValue(s.entries), null);
  const url = urlExpr && (urlExpr as ast.Expr).kind === "Str" ? (urlExpr as ast.StrLit).value : null;
  return { name: s.peer, url, urlExpr, health, breaker, span: s.span, nameSpan: s.peerSpan };
}

function objectToConfig(o: ast.ObjectLit): ConfigValue {
  const out: ConfigValue = {};
  for (const p of o.entries) {
    if (p.kind !== "Prop") continue;
    out[p.key] = { value: desugarExpr(p.value), nested: null, label: null, span: p.span };
  }
  return out;
}
