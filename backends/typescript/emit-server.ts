import type * as ast from "../../frontend/ast.js";
import { isPlainData } from "../../ir/lower.js";
import type { Binding, ConfigValue, Field, Model, Param, PortedServer, TypeExpr } from "../../ir/types.js";
import { hasRpc, isReqRes, requestObjects } from "../../ir/rpc.js";
import { walkServer } from "../../ir/walk.js";
import { propertyName } from "./builders.js";
import { RUNTIME, type ModuleContext } from "./context.js";
import { emitFunctions, emitTopLevel } from "./emit-common.js";
import { emitData } from "./emit-data.js";
import { emitSecurity, inSeconds } from "./emit-security.js";
import { declaredTypeNames, safeName } from "./hygiene.js";
import { BodyEmitter } from "./lower/index.js";
import { emitTypes } from "./emit-shared.js";
import { serverCalls } from "./emit-client.js";
import { upperSnake } from "../../ir/passes/assign-ports.js";
import { schemaOf, tsType } from "./types.js";

/**
 * `<stem>.server[.<name>].ts`: one server block as a standalone Bun entry.
 * Environment, database and models first, then the block's bindings and
 * functions as plain TypeScript, then one `createApp` that registers
 * middleware, routes, RPC endpoints and hooks, and `Bun.serve`.
 */
export function emitServer(ctx: ModuleContext, server: PortedServer): void {
  const { app, file } = ctx;
  const body = new BodyEmitter(ctx, file);
  const foreign = foreignReferences(ctx, server);
  const models = [...server.models.map((m) => ({ model: m, owner: server })), ...foreign.models];
  for (const n of [...server.fns.map((f) => f.name), ...server.bindings.map((b) => b.name), ...foreign.bindings.map((b) => b.name), ...server.envs.map((e) => e.name), ...server.peers.map((p) => p.name), ...models.map((m) => m.model.accessor), ...declaredTypeNames(server.types)]) {
    ctx.moduleNames.add(n);
  }

  // Statements outside every block (a `stream(...)` pipeline, a `print`) run in each server process before it starts.
  if (app.shared.stmts.length) file.evaluate(ctx.sharedModule);
  emitEnv(ctx, server);
  emitModels(ctx, server, models);
  if (server.types.length) emitTypes(ctx, file, server.types, true);
  emitPeers(ctx, server);
  if (foreign.bindings.length) file.comment("Plain data of other server blocks: this process holds its own copy.");
  ctx.inferAsync([...app.shared.fns, ...app.data.fns, ...server.fns]);
  emitData(ctx, body, server);
  emitTopLevel(ctx, body, [...foreign.bindings, ...server.bindings], server.stmts, false);
  emitFunctions(ctx, body, server.fns, true);

  const createApp = ctx.runtime(RUNTIME.server, "createApp");
  const a = ctx.fresh("app");
  file.line(`const ${a} = ${createApp}({ name: ${JSON.stringify(server.name)}, port: ${server.port}, portEnv: ${JSON.stringify(server.portEnv)} })`, server.span);
  emitSecurity(ctx, body, a, server);
  // The deploy blocks' health paths are answered like /healthz (deploy-blocks.md), wherever the server runs.
  for (const p of new Set(app.deploys.map((d) => d.health).filter((p) => p !== "/healthz"))) file.generated(`${a}.healthPath(${JSON.stringify(p)})`);
  const registrations = new Registrations(ctx, body);
  for (const f of server.fns.filter((x) => x.kind === "middleware")) file.line(`${a}.use(${safeName(f.name)})`, f.span);
  for (const r of server.routes) registrations.route(a, server, r);
  // Every plain fn is an RPC endpoint, except those taking the request or uploaded files (ir/rpc.ts).
  for (const f of server.fns.filter(hasRpc)) {
    file.line(`${a}.rpc(${JSON.stringify(f.name)}, ${safeName(f.name)}, ${registrations.paramList(f.params, null)})`, f.span);
  }
  for (const f of server.fns.filter((x) => x.kind === "background")) file.line(`${a}.job(${JSON.stringify(f.name)}, ${safeName(f.name)})`, f.span);
  for (const h of server.hooks) {
    const method = h.hook === "on_start" ? "onStart" : h.hook === "on_stop" ? "onStop" : "onError";
    file.line(`${a}.${method}(${body.topLevel(() => body.handler(h.handler), h.span)})`, h.span);
  }
  for (const s of server.schedules) {
    const fn: ast.LambdaExpr = { kind: "Lambda", name: null, async: false, params: [], returnType: null, body: s.body, span: s.span };
    file.line(`${a}.schedule(${JSON.stringify(s.cron)}, ${JSON.stringify(s.name)}, ${body.topLevel(() => body.handler(fn), s.span)})`, s.span);
  }
  // An event's data is checked against the subscriber's declared parameter type before it runs (security.md).
  for (const s of server.subscriptions) {
    const param = s.handler.params[0];
    const schema = param?.type ? `, ${ctx.schemaFor(param.type)}` : "";
    file.line(`${a}.subscribe(${JSON.stringify(s.event)}, ${body.topLevel(() => body.handler(s.handler), s.span)}${schema})`, s.span);
  }
  for (const w of server.websockets) {
    const handlers = w.handlers.map((h) => `${h.name}: ${body.topLevel(() => body.handler(h.handler), h.span)}`);
    file.line(`${a}.websocket(${JSON.stringify(w.path)}, { ${handlers.join(", ")} })`, w.span);
  }
  for (const s of server.sse) file.line(`${a}.sse(${JSON.stringify(s.path)}, ${body.topLevel(() => body.handler(s.handler), s.span)})`, s.span);
  for (const c of server.configs) {
    let values = configObject(body, c.values, c.span, c.name);
    // Sessions live in the block's SQLite database (security.md, "sessions").
    if (c.name === "sessions") values = values.replace(/ \}$/, `, database: ${JSON.stringify(sqlitePath(ctx, server))} }`);
    file.line(`${a}.config(${JSON.stringify(c.name)}, ${values})`, c.span);
  }
  for (const m of server.maxBody) file.line(`${a}.maxBody(${body.topLevel(() => body.expr(m.value), m.span)})`, m.span);
  // The default server, or the first named one when there is none, serves the client blocks (client.md).
  const host = app.servers.find((s) => s.name === null) ?? app.servers[0];
  if (app.clients.length && host === server) emitClientServing(ctx, a, server);
  const events = app.events.filter((e) => e.publishers.some((p) => p.server === server.name));
  if (events.length) {
    const routes = events.map((e) => `${propertyName(e.name)}: [${e.subscribers.map((s) => JSON.stringify(s)).join(", ")}]`);
    file.generated(`${a}.events({ ${routes.join(", ")} })`);
  }
  file.blank();
  file.generated(`await ${a}.listen()`);
}

/**
 * `app.serveClients(...)`: the unnamed client at `/`, each named one at `/<name>/`; and `app.forwardRpc(...)`
 * for the functions they call that another server block defines, so the browser talks to one origin.
 */
function emitClientServing(ctx: ModuleContext, a: string, server: PortedServer) {
  const { app, file } = ctx;
  const mounts = app.clients.map((c) => `{ entry: ${JSON.stringify(`${app.stem}.client${c.name === null ? "" : `.${c.name}`}.js`)}, mount: ${JSON.stringify(c.name === null ? "/" : `/${c.name}/`)} }`);
  file.generated(`${a}.serveClients(import.meta.dir, [${mounts.join(", ")}])`);
  const owners = new Map<PortedServer, Set<string>>();
  for (const c of app.clients) {
    for (const fn of serverCalls(ctx, c)) {
      const owner = app.servers.find((s) => s.fns.some((f) => f.kind === "fn" && f.name === fn));
      if (!owner || owner === server) continue;
      if (!owners.has(owner)) owners.set(owner, new Set());
      owners.get(owner)!.add(fn);
    }
  }
  for (const [owner, fns] of owners) {
    const name = owner.name ?? "default";
    const options = `{ url: null, urlEnv: ${JSON.stringify(`URL_${upperSnake(name)}`)}, portEnv: ${JSON.stringify(owner.portEnv)}, port: ${owner.port} }`;
    file.generated(`${a}.forwardRpc(${JSON.stringify(name)}, ${JSON.stringify([...fns].sort())}, ${options})`);
  }
}

/** `const { A, B } = loadEnv({ ... })`: every variable checked at start-up, all missing ones named at once. */
function emitEnv(ctx: ModuleContext, server: PortedServer) {
  if (!server.envs.length) return;
  const body = new BodyEmitter(ctx, ctx.file);
  const loadEnv = ctx.runtime(RUNTIME.server, "loadEnv");
  const t = ctx.schemaBuilder();
  const specs = server.envs.map((e) => {
    const dflt = e.default ? `, default: ${body.topLevel(() => body.expr(e.default!), e.span)}` : "";
    return `${e.name}: { type: ${schemaOf(e.type, ctx.types, ctx.useSchema, t)}${dflt} }`;
  });
  ctx.file.line(`const { ${server.envs.map((e) => e.name).join(", ")} } = ${loadEnv}({ ${specs.join(", ")} })`, server.envs[0]!.span);
  ctx.file.blank();
}

/** Databases and models: a model of another block opens that block's database (decisions.md, "Cross-block names"). */
function emitModels(ctx: ModuleContext, server: PortedServer, models: { model: Model; owner: PortedServer }[]) {
  if (!models.length) return;
  const model = ctx.runtime(RUNTIME.db, "model");
  const t = ctx.schemaBuilder();
  const dbNames = new Map<PortedServer, string>();
  for (const { owner } of models) {
    if (dbNames.has(owner)) continue;
    const name = ctx.fresh(owner === server ? "db" : `${camel(owner.name ?? "default")}Db`);
    dbNames.set(owner, name);
    const db = owner.dbs[0];
    if (db && db.adapter !== "sqlite") {
      const open = ctx.runtime(RUNTIME.db, db.adapter);
      const body = new BodyEmitter(ctx, ctx.file);
      const url = db.url ? body.topLevel(() => body.expr(db.url!), db.span) : `${ctx.stdlib("env")}(${JSON.stringify(db.adapter === "redis" ? "REDIS_URL" : "DATABASE_URL")}) ?? ""`;
      ctx.file.line(`const ${name} = ${open}(${url}${db.pool ? `, { pool: ${db.pool} }` : ""})`, db.span);
    } else {
      const sqlite = ctx.runtime(RUNTIME.db, "sqlite");
      ctx.file.line(`const ${name} = ${sqlite}(${JSON.stringify(sqlitePath(ctx, owner))})`, db?.span ?? owner.span);
    }
  }
  ctx.file.blank();
  for (const { model: m, owner } of models) {
    const fields = modelFields(ctx, m);
    const rowType = m.fromSharedType ? rowTypeOfShared(ctx, m, fields) : m.typeName;
    if (!m.fromSharedType) {
      ctx.file.interface(m.typeName, [], [{ name: "id", type: "number" }, ...fields.map((f) => ({ name: f.name, type: tsType(f.type, ctx.useType) }))], true, m.span);
    }
    const schema = fields.filter((f) => f.name !== "id").map((f) => `${propertyName(f.name)}: ${schemaOf(f.type, ctx.types, ctx.useSchema, t)}`);
    // Awaited: the table is created (or given its new columns) before the server listens (runtime/db/model.ts).
    ctx.file.line(`export const ${m.accessor} = await ${model}<${rowType}>(${dbNames.get(owner)}, ${JSON.stringify(m.accessor)}, ${JSON.stringify(m.table)}, { ${schema.join(", ")} })`, m.span);
    ctx.file.blank();
  }
}

function modelFields(ctx: ModuleContext, model: Model): Field[] {
  if (model.fields) return model.fields;
  const decl = ctx.types.decls.get(model.typeName);
  return decl?.def.kind === "record" ? decl.def.fields : [];
}

function rowTypeOfShared(ctx: ModuleContext, model: Model, fields: Field[]): string {
  ctx.useType(model.typeName);
  return fields.some((f) => f.name === "id") ? model.typeName : `${model.typeName} & { id: number }`;
}

/** `discover`: a typed proxy for each peer (the breaker and retry are the runtime's). */
function emitPeers(ctx: ModuleContext, server: PortedServer) {
  const proxies = ctx.app.proxies.filter((p) => p.from === server.name);
  if (!proxies.length) return;
  const peer = ctx.runtime(RUNTIME.server, "peer");
  for (const p of proxies) {
    const api = p.functions
      ? `{ ${p.functions.map((f) => `${f.name}(${f.params.map((x) => `${x.name}${x.optional ? "?" : ""}: ${tsType(x.type, ctx.useType)}`).join(", ")}): Promise<${f.returnType ? tsType(f.returnType, ctx.useType) : "any"}>`).join("; ")} }`
      : "Record<string, (...args: any[]) => Promise<any>>";
    const options = [
      `url: ${JSON.stringify(p.url)}`,
      `urlEnv: ${JSON.stringify(p.urlEnv)}`,
      `portEnv: ${JSON.stringify(p.portEnv)}`,
      `port: ${p.targetPort ?? "null"}`,
      `health: ${JSON.stringify(p.health)}`,
      `breaker: { threshold: ${p.breaker.threshold}, resetTimeoutMs: ${p.breaker.resetTimeoutMs}, timeoutMs: ${p.breaker.timeoutMs}, halfOpenRequests: ${p.breaker.halfOpenRequests} }`,
    ];
    ctx.file.line(`const ${p.peer} = ${peer}<${api}>(${JSON.stringify(p.peer)}, { ${options.join(", ")} })`, p.span);
  }
  ctx.file.blank();
}

/** Models and plain-data bindings of other server blocks that this block uses. */
function foreignReferences(ctx: ModuleContext, server: PortedServer): { models: { model: Model; owner: PortedServer }[]; bindings: Binding[] } {
  const models = new Map<string, { model: Model; owner: PortedServer }>();
  const bindings = new Map<string, Binding>();
  const visit = (e: ast.Expr) => {
    if (e.kind !== "Ident") return;
    const sym = ctx.names.symbols.get(e);
    if (!sym || sym.owner === undefined || sym.owner === server.name) return;
    const owner = ctx.app.servers.find((s) => s.name === sym.owner);
    if (!owner) return;
    if (sym.kind === "model") {
      const m = owner.models.find((x) => x.accessor === sym.name);
      if (m) models.set(m.accessor, { model: m, owner });
    } else if (sym.kind === "block-binding" || sym.kind === "var") {
      const b = owner.bindings.find((x) => x.name === sym.name);
      if (b && isPlainData(b.value)) bindings.set(b.name, b);
    }
  };
  walkServer(server, visit);
  return { models: [...models.values()], bindings: [...bindings.values()] };
}

class Registrations {
  constructor(
    private readonly ctx: ModuleContext,
    private readonly body: BodyEmitter,
  ) {}

  /** A route: the handler's parameters, or `"req-res"` for a `(req, res)` handler. */
  route(a: string, server: PortedServer, r: PortedServer["routes"][number]) {
    const fn = r.handlerName ? server.fns.find((f) => f.name === r.handlerName) ?? this.ctx.app.shared.fns.find((f) => f.name === r.handlerName) : undefined;
    const handler = this.body.topLevel(() => this.body.expr(r.handler), r.span);
    const params: Param[] | null = fn ? fn.params : r.handler.kind === "Lambda" ? r.handler.params.map((p) => ({ ...p, optional: false })) : null;
    const spec = params ? this.paramList(params, r.method) : "[]";
    this.ctx.file.line(`${a}.route(${JSON.stringify(r.method)}, ${JSON.stringify(r.path)}, ${handler}, ${spec})`, r.span);
  }

  /**
   * `[{ name, schema }]`, `"req-res"`, and the single record parameter that takes a whole JSON body. A leading
   * untyped `req` (and `res`) beside other parameters is the request (and response) object: `{ name, from }`.
   */
  paramList(params: Param[], method: string | null): string {
    if (isReqRes(params)) return '"req-res"';
    if (!params.length) return "[]";
    const objects = requestObjects(params);
    const values = params.slice(objects);
    const wholeBody = method !== null && ["POST", "PUT", "PATCH"].includes(method) && values.length === 1 && this.isRecord(values[0]!.type);
    const items = params.map((p, i) => {
      if (i < objects) return `{ name: ${JSON.stringify(p.name)}, from: ${i === 0 ? '"request"' : '"response"'} }`;
      const schema = this.ctx.schemaFor(p.type);
      // A parameter with a default may be left out; the function's own default then applies.
      const optional = p.default !== null ? ", optional: true" : "";
      return `{ name: ${JSON.stringify(p.name)}, schema: ${schema}${optional}${wholeBody ? ", wholeBody: true" : ""} }`;
    });
    return `[${items.join(", ")}]`;
  }

  private isRecord(t: TypeExpr | null): boolean {
    if (!t || t.kind !== "TName") return false;
    const d = this.ctx.types.decls.get(t.name);
    return (!!d && d.def.kind === "record") || this.ctx.types.models.has(t.name);
  }
}

function configObject(body: BodyEmitter, values: ConfigValue, span: ast.Expr["span"], name?: string): string {
  const parts = Object.entries(values).map(([k, v]) => {
    const value = v.value && name === "cors" && k === "max_age" ? inSeconds(v.value) : v.value;
    return `${propertyName(k)}: ${v.nested ? configObject(body, v.nested, span) : value ? body.topLevel(() => body.expr(value), span) : "true"}`;
  });
  return `{ ${parts.join(", ")} }`;
}

/** The SQLite file a server block's models use: its `db { path }`, or `<stem>.db`. */
function sqlitePath(ctx: ModuleContext, server: PortedServer): string {
  const db = server.dbs[0];
  return db?.adapter === "sqlite" && db.path ? db.path : `${ctx.app.stem}.db`;
}

function camel(name: string): string {
  return name.replace(/[^A-Za-z0-9]+(.)/g, (_, c: string) => c.toUpperCase()).replace(/^[^A-Za-z_]/, "_");
}
