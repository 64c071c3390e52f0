import type * as ast from "../frontend/ast.js";
import type { App, Fn, ServerBlock } from "./types.js";

/**
 * A pre-order walk over every expression reachable from a node, for passes
 * that look for a shape (`publish(...)` calls, record literals, matches) and
 * need no scopes. `resolve-names` has its own walk because it tracks scopes.
 */
export function walkExpr(e: ast.Expr, visit: (e: ast.Expr) => void): void {
  visit(e);
  switch (e.kind) {
    case "Template":
      for (const p of e.parts) if (typeof p !== "string") walkExpr(p, visit);
      return;
    case "Array":
      for (const x of e.elements) walkExpr(x.kind === "Spread" ? x.value : x, visit);
      return;
    case "Object":
      for (const x of e.entries) walkExpr(x.value, visit);
      return;
    case "Record":
      for (const f of e.fields) walkExpr(f.value, visit);
      return;
    case "Member":
      return walkExpr(e.object, visit);
    case "Index":
      walkExpr(e.object, visit);
      return walkExpr(e.index, visit);
    case "Call":
      walkExpr(e.callee, visit);
      for (const a of e.args) walkExpr(a.value, visit);
      return;
    case "Unary":
      return walkExpr(e.operand, visit);
    case "Binary":
      walkExpr(e.left, visit);
      return walkExpr(e.right, visit);
    case "Compare":
      for (const o of e.operands) walkExpr(o, visit);
      return;
    case "Range":
      walkExpr(e.start, visit);
      return walkExpr(e.end, visit);
    case "Pipe":
      walkExpr(e.left, visit);
      return walkExpr(e.stage, visit);
    case "Propagate":
    case "Await":
      return walkExpr(e.expr, visit);
    case "Lambda":
      for (const p of e.params) if (p.default) walkExpr(p.default, visit);
      return walkExpr(e.body, visit);
    case "If":
      for (const b of e.branches) {
        walkExpr(b.cond, visit);
        walkExpr(b.body, visit);
      }
      if (e.otherwise) walkExpr(e.otherwise, visit);
      return;
    case "Match":
      walkExpr(e.subject, visit);
      for (const a of e.arms) {
        if (a.guard) walkExpr(a.guard, visit);
        walkExpr(a.body, visit);
      }
      return;
    case "Block":
      for (const s of e.stmts) walkStmt(s, visit);
      return;
    case "Try":
      walkExpr(e.body, visit);
      if (e.catchBody) walkExpr(e.catchBody, visit);
      if (e.finallyBody) walkExpr(e.finallyBody, visit);
      return;
    case "JsxElement":
      for (const a of e.attrs) if (a.value) walkExpr(a.value, visit);
      for (const c of e.children) walkJsx(c, visit);
      return;
    default:
      return;
  }
}

function walkJsx(c: ast.JsxChild, visit: (e: ast.Expr) => void): void {
  switch (c.kind) {
    case "JsxElement":
      return walkExpr(c, visit);
    case "JsxExpr":
      return walkExpr(c.expr, visit);
    case "JsxFor":
      walkExpr(c.iterable, visit);
      if (c.key) walkExpr(c.key, visit);
      for (const x of c.children) walkJsx(x, visit);
      return;
    case "JsxIf":
      for (const b of c.branches) {
        walkExpr(b.cond, visit);
        for (const x of b.children) walkJsx(x, visit);
      }
      for (const x of c.otherwise ?? []) walkJsx(x, visit);
      return;
    default:
      return;
  }
}

export function walkStmt(s: ast.Stmt, visit: (e: ast.Expr) => void): void {
  switch (s.kind) {
    case "Let":
      return walkExpr(s.value, visit);
    case "Assign":
      walkExpr(s.target, visit);
      return walkExpr(s.value, visit);
    case "ExprStmt":
      return walkExpr(s.expr, visit);
    case "Return":
      if (s.value) walkExpr(s.value, visit);
      return;
    case "For":
      walkExpr(s.iterable, visit);
      return walkExpr(s.body, visit);
    case "While":
      walkExpr(s.cond, visit);
      return walkExpr(s.body, visit);
    case "FnDecl":
      return walkExpr(s.body, visit);
    default:
      return;
  }
}

/** Every expression root of a function: parameter defaults and the body. */
export function walkFn(f: Fn, visit: (e: ast.Expr) => void): void {
  for (const p of f.params) if (p.default) walkExpr(p.default, visit);
  walkExpr(f.body, visit);
}

/** Every expression of one server block: functions, bindings, statements, handlers, env defaults. */
export function walkServer(server: ServerBlock, v: (e: ast.Expr) => void): void {
  for (const f of server.fns) walkFn(f, v);
  for (const b of server.bindings) walkExpr(b.value, v);
  for (const s of server.stmts) walkStmt(s, v);
  for (const r of server.routes) walkExpr(r.handler, v);
  for (const s of server.schedules) walkExpr(s.body, v);
  for (const s of server.subscriptions) walkExpr(s.handler, v);
  for (const h of server.hooks) walkExpr(h.handler, v);
  for (const w of server.websockets) for (const h of w.handlers) walkExpr(h.handler, v);
  for (const s of server.sse) walkExpr(s.handler, v);
  for (const e of server.envs) if (e.default) walkExpr(e.default, v);
}

/**
 * Every expression of one server block with the block it belongs to, and of
 * the shared scope and clients (`owner` undefined for shared, "client" for clients).
 */
export function walkApp(app: App, visit: (e: ast.Expr, owner: { kind: "server"; name: string | null } | { kind: "shared" } | { kind: "client"; name: string | null } | { kind: "data" }) => void): void {
  const shared = { kind: "shared" } as const;
  for (const f of app.shared.fns) walkFn(f, (e) => visit(e, shared));
  for (const b of app.shared.bindings) walkExpr(b.value, (e) => visit(e, shared));
  for (const s of app.shared.stmts) walkStmt(s, (e) => visit(e, shared));
  const data = { kind: "data" } as const;
  for (const f of app.data.fns) walkFn(f, (e) => visit(e, data));
  for (const b of app.data.bindings) walkExpr(b.value, (e) => visit(e, data));
  for (const s of app.data.sources) walkExpr(s.value, (e) => visit(e, data));
  for (const s of app.data.stmts) walkStmt(s, (e) => visit(e, data));
  for (const server of app.servers) {
    const owner = { kind: "server", name: server.name } as const;
    walkServer(server, (e) => visit(e, owner));
  }
  for (const client of app.clients) {
    const owner = { kind: "client", name: client.name } as const;
    const v = (e: ast.Expr) => visit(e, owner);
    for (const f of client.fns) walkFn(f, v);
    for (const b of client.bindings) walkExpr(b.value, v);
    for (const s of client.states) walkExpr(s.value, v);
    for (const s of client.computeds) walkExpr(s.value, v);
    for (const s of client.effects) walkExpr(s.body, v);
    for (const c of client.components) walkExpr(c.body, v);
    for (const s of client.stmts) walkStmt(s, v);
  }
}

/** The direct sub-expressions of an expression (statements included), for scans that decide where to stop. */
export function forEachChild(e: ast.Expr, visit: (x: ast.Expr) => void): void {
  const stmt = (s: ast.Stmt): void => {
    switch (s.kind) {
      case "Let": return visit(s.value);
      case "Assign": visit(s.target); return visit(s.value);
      case "ExprStmt": return visit(s.expr);
      case "Return": if (s.value) visit(s.value); return;
      case "For": visit(s.iterable); return visit(s.body);
      case "While": visit(s.cond); return visit(s.body);
      default: return;
    }
  };
  switch (e.kind) {
    case "Template": for (const p of e.parts) if (typeof p !== "string") visit(p); return;
    case "Array": for (const x of e.elements) visit(x.kind === "Spread" ? x.value : x); return;
    case "Object": for (const x of e.entries) visit(x.value); return;
    case "Record": for (const f of e.fields) visit(f.value); return;
    case "Member": return visit(e.object);
    case "Index": visit(e.object); return visit(e.index);
    case "Call": visit(e.callee); for (const a of e.args) visit(a.value); return;
    case "Unary": return visit(e.operand);
    case "Binary": visit(e.left); return visit(e.right);
    case "Compare": for (const o of e.operands) visit(o); return;
    case "Range": visit(e.start); return visit(e.end);
    case "Pipe": visit(e.left); return visit(e.stage);
    case "Propagate": case "Await": return visit(e.expr);
    case "Lambda": return visit(e.body);
    case "If": for (const b of e.branches) { visit(b.cond); visit(b.body); } if (e.otherwise) visit(e.otherwise); return;
    case "Match": visit(e.subject); for (const a of e.arms) { if (a.guard) visit(a.guard); visit(a.body); } return;
    case "Block": for (const s of e.stmts) stmt(s); return;
    case "Try": visit(e.body); if (e.catchBody) visit(e.catchBody); if (e.finallyBody) visit(e.finallyBody); return;
    case "JsxElement": for (const a of e.attrs) if (a.value) visit(a.value); return;
    default: return;
  }
}
