import type { CheckedApp } from "../../ir/checked.js";
import type { Expr } from "../../ir/types.js";
import { hasRpc } from "../../ir/rpc.js";

/**
 * `tova build --emit ir`: the checked IR as JSON (`<stem>.ir.json`), the
 * format README.md documents. Only facts, no source positions beyond the
 * file names, so the output is stable across formatting changes.
 */
export function emitIr(app: CheckedApp): string {
  const doc = {
    stem: app.stem,
    files: app.files,
    servers: app.servers.map((s) => ({
      name: s.name,
      port: s.port,
      portEnv: s.portEnv,
      file: s.file,
      routes: s.routes.map((r) => ({ method: r.method, path: r.path, handler: r.handlerName ?? describe(r.handler) })),
      rpc: s.fns.filter(hasRpc).map((f) => f.name),
      peers: app.proxies
        .filter((p) => p.from === s.name)
        .map((p) => ({
          name: p.peer,
          url: p.url ?? (p.targetPort !== null ? `http://localhost:${p.targetPort}` : null),
          urlEnv: p.urlEnv,
          portEnv: p.portEnv,
          target: p.target,
          health: p.health,
          breaker: p.breaker,
          functions: p.functions?.map((f) => f.name) ?? null,
        })),
      subscriptions: s.subscriptions.map((x) => x.event),
      publishes: app.events.filter((e) => e.publishers.some((p) => p.server === s.name)).map((e) => ({ event: e.name, to: e.subscribers })),
      schedules: s.schedules.map((x) => ({ name: x.name, cron: x.cron })),
      jobs: s.fns.filter((f) => f.kind === "background").map((f) => f.name),
      middleware: s.fns.filter((f) => f.kind === "middleware").map((f) => f.name),
      models: s.models.map((m) => ({ name: m.accessor, type: m.typeName, table: m.table })),
      db: s.dbs[0] ? { adapter: s.dbs[0].adapter, path: s.dbs[0].path, pool: s.dbs[0].pool } : null,
      env: s.envs.map((e) => ({ name: e.name, required: e.default === null && !(e.type.kind === "TName" && e.type.name === "Option") })),
      hooks: s.hooks.map((h) => h.hook),
      websockets: s.websockets.map((w) => w.path),
      sse: s.sse.map((x) => x.path),
    })),
    clients: app.clients.map((c) => ({
      name: c.name,
      file: c.file,
      states: c.states.map((x) => x.name),
      components: c.components.map((x) => x.name),
    })),
    events: app.events.map((e) => ({ name: e.name, publishers: [...new Set(e.publishers.map((p) => p.server))], subscribers: e.subscribers })),
    deploys: app.deploys.map(({ span: _span, serverSpan: _serverSpan, ...d }) => d),
    infrastructure: app.infrastructure,
  };
  return JSON.stringify(doc, null, 2) + "\n";
}

function describe(e: Expr): string {
  if (e.kind === "Lambda") return "<inline fn>";
  if (e.kind === "Member" && e.object.kind === "Ident") return `${e.object.name}.${e.name}`;
  return `<${e.kind.toLowerCase()}>`;
}
