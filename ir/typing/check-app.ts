import type * as ast from "../../frontend/ast.js";
import type { Diagnostic } from "../../diagnostics/types.js";
import type { NameInfo, Proxy } from "../checked.js";
import type { ConfigValue, PortedApp } from "../types.js";
import { Checker, type BlockCtx, type TypeInfo } from "./checker.js";
import { checkBody, statements } from "./statements.js";
import { ANY, INT, show } from "./ty.js";
import { securityExpressions } from "../lower-security.js";

/**
 * Runs Tova's type checker over every block of the application: functions
 * (each once; a call may check a callee first to learn its result type),
 * bindings, top-level statements, handlers, and client state.
 */
export function typeCheckApp(app: PortedApp, names: NameInfo, proxies: readonly Proxy[]): { diagnostics: Diagnostic[]; info: TypeInfo } {
  const diagnostics: Diagnostic[] = [];
  const c = new Checker(app, names, proxies, diagnostics);
  const top = () => ({ ret: null, typeParams: new Set<string>(), returns: [], kind: "top" as const });
  const inBlock = (block: BlockCtx, body: () => void) => c.inBlock(block, () => c.inFunction(top(), body));
  const bindings = (block: BlockCtx, list: PortedApp["shared"]["bindings"]) => {
    for (const b of list) {
      const t = c.bindingType(b, block);
      if (b.type) c.inBlock(block, () => c.inFunction(top(), () => c.check(b.value, t, () => `\`${b.name}\``)));
    }
  };
  /** A handler, hook or schedule body: a lambda checked in the block's scope. */
  const handler = (e: ast.Expr) => c.infer(e);

  const shared: BlockCtx = { kind: "shared" };
  for (const f of app.shared.fns) c.checkFn(f, shared);
  bindings(shared, app.shared.bindings);
  inBlock(shared, () => void statements(c, app.shared.stmts));

  const data: BlockCtx = { kind: "data" };
  for (const f of app.data.fns) c.checkFn(f, data);
  bindings(data, app.data.bindings);
  inBlock(data, () => {
    for (const s of app.data.sources) c.infer(s.value);
    for (const r of app.data.refreshes) {
      // A duration (`10.minutes` is milliseconds, an Int).
      const t = c.infer(r.interval);
      if (!c.assignable(t, INT) && !(t.k === "float")) {
        c.error("E0206", r.interval.span, `\`refresh ${r.name} every\` expects a duration (an Int of milliseconds), but this is ${show(t)}`, "write a duration, like `30.seconds`, `10.minutes` or `1.hour`");
      }
    }
    statements(c, app.data.stmts);
  });

  for (const server of app.servers) {
    const block: BlockCtx = { kind: "server", server };
    for (const f of server.fns) c.checkFn(f, block);
    bindings(block, server.bindings);
    inBlock(block, () => {
      statements(c, server.stmts);
      for (const r of server.routes) handler(r.handler);
      for (const s of server.schedules) checkBody(c, { params: [], body: s.body, ret: null, typeParams: new Set(), kind: "fn" });
      for (const s of server.subscriptions) handler(s.handler);
      for (const h of server.hooks) handler(h.handler);
      for (const w of server.websockets) for (const h of w.handlers) handler(h.handler);
      for (const s of server.sse) handler(s.handler);
      for (const cfg of server.configs) configValues(c, cfg.values);
      for (const m of server.maxBody) c.infer(m.value);
      for (const p of server.peers) if (p.urlExpr) c.infer(p.urlExpr);
      for (const d of server.dbs) if (d.url) c.infer(d.url);
      for (const e of server.envs) if (e.default) c.infer(e.default);
    });
  }

  if (app.security?.rules) inBlock(shared, () => securityExpressions(app.security!.rules!).forEach((e) => c.infer(e)));

  for (const client of app.clients) {
    const block: BlockCtx = { kind: "client", client };
    for (const f of client.fns) c.checkFn(f, block);
    bindings(block, client.bindings);
    inBlock(block, () => {
      for (const s of client.states) {
        const t = c.symbolType(s.name, { kind: "state", name: s.name }, null);
        if (s.type) c.check(s.value, t, () => `state \`${s.name}\``);
      }
      for (const cp of client.computeds) c.symbolType(cp.name, { kind: "computed", name: cp.name }, null);
      for (const e of client.effects) checkBody(c, { params: [], body: e.body, ret: null, typeParams: new Set(), kind: "lambda" });
      for (const cp of client.components) {
        const params = cp.params.map((p) => ({ name: p.name, ty: c.decls.ty(p.type), default: p.default }));
        checkBody(c, { params, body: cp.body, ret: null, typeParams: new Set(), kind: "fn" });
      }
      statements(c, client.stmts);
    });
  }
  void ANY;
  return { diagnostics, info: c.info };
}

function configValues(c: Checker, values: ConfigValue): void {
  for (const v of Object.values(values)) {
    if (v.value) c.infer(v.value);
    if (v.nested) configValues(c, v.nested);
  }
}
