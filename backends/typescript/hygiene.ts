import type * as ast from "../../frontend/ast.js";
import type { App } from "../../ir/types.js";

/**
 * Name hygiene in one place (decisions.md, "Semantics programs rely on",
 * "Names"): a program may use any identifier that is not a Tova keyword, and
 * the user's name always wins in its scope. Every name the emitter introduces
 * (runtime imports, the app object, schema constants, temporaries) is chosen
 * against the set of identifiers the program writes anywhere, so it can never
 * hide one of the user's or be hidden by one.
 */

/** Words TypeScript does not accept as binding names, or that strict mode forbids. */
const TS_RESERVED = new Set([
  "new", "class", "this", "function", "let", "const", "delete", "typeof", "void", "with", "yield", "switch", "case", "default", "do",
  "enum", "extends", "super", "throw", "instanceof", "interface", "package", "private", "protected", "public", "static", "implements",
  "debugger", "arguments", "eval", "undefined", "NaN", "Infinity", "null", "true", "false", "var", "if", "else", "for", "while",
  "return", "break", "continue", "try", "catch", "finally", "import", "export", "in", "of", "await", "async",
]);

/**
 * A Tova name as a TypeScript binding name: a reserved word gets a trailing
 * `$`, a character Tova identifiers cannot contain, so the result can never be
 * another name of the program (`eval` and `eval_` may both be declared).
 */
export function safeName(name: string): string {
  return TS_RESERVED.has(name) ? `${name}$` : name;
}

/**
 * Every name the program declares, anywhere: top-level declarations of every
 * kind, parameters, local bindings, pattern and loop bindings, catch names.
 * Names it only reads are builtins (the runtime imports and generated objects
 * that stand for them are named against this set) or declared somewhere here.
 * Over-approximating is harmless (a generated name just takes a number);
 * missing one is a collision.
 */
export function userNames(app: App): Set<string> {
  const names = new Set<string>();
  const add = (n: string | null | undefined) => {
    if (n) {
      names.add(n);
      names.add(safeName(n));
    }
  };
  const params = (ps: readonly { name: string; default: ast.Expr | null }[]) => {
    for (const p of ps) {
      add(p.name);
      if (p.default) expr(p.default);
    }
  };
  const pattern = (p: ast.Pattern): void => {
    switch (p.kind) {
      case "PBind":
        return add(p.name);
      case "PVariant":
        return p.args.forEach(pattern);
      case "PArray":
        add(p.rest);
        return p.elements.forEach(pattern);
      case "PObject":
        for (const f of p.fields) f.pattern ? pattern(f.pattern) : add(f.key);
        return;
      default:
        return;
    }
  };
  const stmt = (s: ast.Stmt): void => {
    switch (s.kind) {
      case "Let":
        add(s.name);
        return expr(s.value);
      case "Assign":
        expr(s.target);
        return expr(s.value);
      case "ExprStmt":
        return expr(s.expr);
      case "Return":
        if (s.value) expr(s.value);
        return;
      case "For":
        s.names.forEach((n) => add(n.name));
        expr(s.iterable);
        return expr(s.body);
      case "While":
        expr(s.cond);
        return expr(s.body);
      case "FnDecl":
        add(s.name);
        params(s.params);
        return expr(s.body);
      default:
        return;
    }
  };
  const jsx = (c: ast.JsxChild): void => {
    switch (c.kind) {
      case "JsxElement":
        return expr(c);
      case "JsxExpr":
        return expr(c.expr);
      case "JsxFor":
        c.names.forEach((n) => add(n.name));
        expr(c.iterable);
        if (c.key) expr(c.key);
        return c.children.forEach(jsx);
      case "JsxIf":
        for (const b of c.branches) {
          expr(b.cond);
          b.children.forEach(jsx);
        }
        return c.otherwise?.forEach(jsx);
      default:
        return;
    }
  };
  const expr = (e: ast.Expr): void => {
    switch (e.kind) {
      case "Template":
        for (const p of e.parts) if (typeof p !== "string") expr(p);
        return;
      case "Array":
        for (const x of e.elements) expr(x.kind === "Spread" ? x.value : x);
        return;
      case "Object":
        for (const x of e.entries) expr(x.value);
        return;
      case "Record":
        for (const f of e.fields) expr(f.value);
        return;
      case "Member":
        return expr(e.object);
      case "Index":
        expr(e.object);
        return expr(e.index);
      case "Call":
        expr(e.callee);
        for (const a of e.args) expr(a.value);
        return;
      case "Unary":
        return expr(e.operand);
      case "Binary":
        expr(e.left);
        return expr(e.right);
      case "Compare":
        return e.operands.forEach(expr);
      case "Range":
        expr(e.start);
        return expr(e.end);
      case "Pipe":
        expr(e.left);
        return expr(e.stage);
      case "Propagate":
      case "Await":
        return expr(e.expr);
      case "Lambda":
        params(e.params);
        return expr(e.body);
      case "If":
        for (const b of e.branches) {
          expr(b.cond);
          expr(b.body);
        }
        if (e.otherwise) expr(e.otherwise);
        return;
      case "Match":
        expr(e.subject);
        for (const a of e.arms) {
          pattern(a.pattern);
          if (a.guard) expr(a.guard);
          expr(a.body);
        }
        return;
      case "Block":
        return e.stmts.forEach(stmt);
      case "Try":
        expr(e.body);
        add(e.catchName);
        if (e.catchBody) expr(e.catchBody);
        if (e.finallyBody) expr(e.finallyBody);
        return;
      case "JsxElement":
        for (const a of e.attrs) if (a.value) expr(a.value);
        return e.children.forEach(jsx);
      default:
        return;
    }
  };
  const fn = (f: { name: string; params: readonly { name: string; default: ast.Expr | null }[]; body: ast.Expr }) => {
    add(f.name);
    params(f.params);
    expr(f.body);
  };
  const binding = (b: { name: string; value: ast.Expr }) => {
    add(b.name);
    expr(b.value);
  };
  const types = (ts: App["shared"]["types"]) => {
    for (const t of ts) {
      add(t.name);
      if (t.def.kind === "enum") for (const v of t.def.variants) add(v.name);
    }
  };

  types(app.shared.types);
  app.shared.fns.forEach(fn);
  app.shared.bindings.forEach(binding);
  app.shared.stmts.forEach(stmt);
  for (const i of app.shared.imports) {
    add(i.defaultName);
    for (const n of i.names) add(n.alias ?? n.name);
  }
  app.data.fns.forEach(fn);
  app.data.bindings.forEach(binding);
  app.data.stmts.forEach(stmt);
  for (const s of app.data.sources) binding(s);
  for (const server of app.servers) {
    types(server.types);
    server.fns.forEach(fn);
    server.bindings.forEach(binding);
    server.stmts.forEach(stmt);
    for (const m of server.models) (add(m.accessor), add(m.typeName));
    for (const e of server.envs) (add(e.name), e.default && expr(e.default));
    for (const p of server.peers) add(p.name);
    for (const r of server.routes) expr(r.handler);
    for (const s of server.schedules) (add(s.name), expr(s.body));
    for (const s of server.subscriptions) expr(s.handler);
    for (const h of server.hooks) expr(h.handler);
    for (const w of server.websockets) for (const h of w.handlers) expr(h.handler);
    for (const s of server.sse) expr(s.handler);
    for (const c of server.configs) configValues(c.values, expr);
    for (const m of server.maxBody) expr(m.value);
  }
  for (const client of app.clients) {
    types(client.types);
    client.fns.forEach(fn);
    client.bindings.forEach(binding);
    client.stmts.forEach(stmt);
    client.states.forEach(binding);
    client.computeds.forEach(binding);
    for (const e of client.effects) expr(e.body);
    client.components.forEach(fn);
  }
  return names;
}

function configValues(values: App["servers"][number]["configs"][number]["values"], expr: (e: ast.Expr) => void): void {
  for (const v of Object.values(values)) {
    if (v.value) expr(v.value);
    if (v.nested) configValues(v.nested, expr);
  }
}

/**
 * Runtime exports the emitter writes only at module level (schema builders,
 * the app, models, signals): a local of the same name anywhere in a function
 * cannot hide them, so only module-level names need to be avoided.
 */
export const MODULE_LEVEL_IMPORTS = new Set(["t", "createApp", "loadEnv", "model", "sqlite", "postgres", "redis", "peer", "signal", "computed", "effect", "mount", "rpcClient"]);

/** Type names and the variants of enums (which are values). */
export function declaredTypeNames(types: App["shared"]["types"]): string[] {
  return types.flatMap((t) => [t.name, ...(t.def.kind === "enum" ? t.def.variants.map((v) => v.name) : [])]);
}

/** The names the program declares at the top of its shared scope and data block: visible in every module. */
export function sharedNames(app: App): string[] {
  const names: string[] = [];
  names.push(...declaredTypeNames(app.shared.types));
  for (const f of [...app.shared.fns, ...app.data.fns]) names.push(f.name);
  for (const b of [...app.shared.bindings, ...app.data.bindings]) names.push(b.name);
  for (const s of app.data.sources) names.push(s.name);
  for (const i of app.shared.imports) {
    if (i.defaultName) names.push(i.defaultName);
    for (const n of i.names) names.push(n.alias ?? n.name);
  }
  return names;
}
