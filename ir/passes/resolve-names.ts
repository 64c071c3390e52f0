import type * as ast from "../../frontend/ast.js";
import type { Diagnostic } from "../../diagnostics/types.js";
import { diagnostic, suggestion } from "../../diagnostics/catalog.js";
import { BUILTIN_TYPES, CLIENT_BUILTINS, JS_GLOBALS, SERVER_BUILTINS, STDLIB } from "../builtins.js";
import type { NameInfo, SymbolKind, SymbolRef } from "../checked.js";
import { unitFactor } from "../desugar.js";
import type { Binding, ClientBlock, Fn, Param, PortedApp, PortedServer, TypeDecl, TypeExpr } from "../types.js";
import { blockLabel } from "./merge-blocks.js";
import { securityExpressions } from "../lower-security.js";
import { hasRpc, noRpcReason } from "../rpc.js";

/**
 * Scopes and the cross-block rules of decisions.md ("Cross-block names"):
 *
 * - inside a block: its own declarations (all visible throughout the block),
 *   the shared scope, data sources, imports and the standard library;
 * - inside a function: parameters, then bindings in order (`x = e` binds
 *   anew, or assigns when `x` is an enclosing `var` or client `state`);
 * - from another server block: models, and top-level bindings whose value is
 *   plain data (read-only); a function is an error that says to `discover`;
 * - in a client, `server.f()` names the one server block that defines `f`.
 */

interface Sym extends SymbolRef {
  mutable: boolean;
  numeric: boolean;
  /** Declared by the data block, which only server blocks load (backends/typescript/emit-data.ts). */
  data?: boolean;
}

class Scope {
  readonly names = new Map<string, Sym>();
  constructor(readonly parent: Scope | null, readonly fnBoundary = false) {}
  lookup(name: string): Sym | undefined {
    for (let s: Scope | null = this; s; s = s.parent) {
      const hit = s.names.get(name);
      if (hit) return hit;
    }
    return undefined;
  }
  define(sym: Sym) {
    this.names.set(sym.name, sym);
  }
  *all(): Iterable<string> {
    for (let s: Scope | null = this; s; s = s.parent) yield* s.names.keys();
  }
}

type Context = { kind: "server"; server: PortedServer } | { kind: "client"; client: ClientBlock } | { kind: "shared" } | { kind: "data" };

const NUMERIC_TYPES = new Set(["Int", "Float"]);
const isNumericType = (t: TypeExpr | null) => !!t && t.kind === "TName" && NUMERIC_TYPES.has(t.name);

const sym = (kind: SymbolKind, name: string, extra: Partial<Sym> = {}): Sym => ({ kind, name, mutable: false, numeric: false, ...extra });

export function resolveNames(app: PortedApp): { names: NameInfo; diagnostics: Diagnostic[] } {
  return new Resolver(app).run();
}

class Resolver {
  private readonly diagnostics: Diagnostic[] = [];
  private readonly names: NameInfo = { reassignments: new Map(), durations: new Map(), symbols: new Map() };
  private readonly global = new Scope(null);
  private readonly typeNames = new Set<string>(BUILTIN_TYPES);
  private context: Context = { kind: "shared" };
  private typeParams: Set<string>[] = [];

  constructor(private readonly app: PortedApp) {}

  run() {
    const app = this.app;
    for (const n of [...STDLIB, ...JS_GLOBALS]) this.global.define(sym("builtin", n));
    for (const imp of app.shared.imports) {
      if (imp.defaultName) this.global.define(sym("import", imp.defaultName));
      for (const n of imp.names) this.global.define(sym("import", n.alias ?? n.name));
    }
    this.defineTypes(this.global, app.shared.types);
    for (const s of app.servers) for (const m of s.models) this.typeNames.add(m.typeName);
    for (const f of app.shared.fns) this.global.define(sym("fn", f.name, { span: f.nameSpan }));
    for (const b of app.shared.bindings) this.global.define(this.bindingSym(b, undefined));
    for (const s of app.data.sources) this.global.define(sym("source", s.name, { span: s.nameSpan, data: true }));
    for (const b of app.data.bindings) this.global.define({ ...this.bindingSym(b, undefined), data: true });
    for (const f of app.data.fns) this.global.define(sym("fn", f.name, { span: f.nameSpan, data: true }));

    // Shared scope and data block bodies.
    this.context = { kind: "shared" };
    this.checkTypeDecls(app.shared.types);
    for (const f of app.shared.fns) this.fn(f, this.global);
    for (const b of app.shared.bindings) this.topBinding(b, this.global);
    this.stmts(app.shared.stmts, new Scope(this.global, true));
    this.context = { kind: "data" };
    for (const f of app.data.fns) this.fn(f, this.global);
    for (const b of app.data.bindings) this.topBinding(b, this.global);
    for (const s of app.data.sources) this.expr(s.value, this.global);
    for (const r of app.data.refreshes) {
      if (!app.data.sources.some((s) => s.name === r.name)) {
        this.diagnostics.push(diagnostic("E0101", r.nameSpan, `unknown data source \`${r.name}\``, suggestion(r.name, app.data.sources.map((s) => s.name))));
      }
      this.expr(r.interval, this.global);
    }
    this.stmts(app.data.stmts, new Scope(this.global, true));

    for (const server of app.servers) this.server(server);
    for (const client of app.clients) this.client(client);
    // The security block's values (`secret: env("JWT_SECRET")`, `key: fn(req) req.ip`) are read by every server at start.
    this.context = { kind: "shared" };
    if (app.security?.rules) for (const e of securityExpressions(app.security.rules)) this.expr(e, this.global);
    return { names: this.names, diagnostics: this.diagnostics };
  }

  private defineTypes(scope: Scope, types: TypeDecl[]) {
    for (const t of types) {
      this.typeNames.add(t.name);
      if (t.def.kind === "record") scope.define(sym("type", t.name, { span: t.nameSpan }));
      if (t.def.kind === "enum") for (const v of t.def.variants) scope.define(sym("variant", v.name, { span: v.span }));
    }
  }

  private checkTypeDecls(types: TypeDecl[]) {
    for (const t of types) {
      this.typeParams.push(new Set(t.typeParams));
      if (t.def.kind === "record") for (const f of t.def.fields) this.type(f.type);
      else if (t.def.kind === "enum") for (const v of t.def.variants) for (const f of v.fields) this.type(f.type);
      else this.type(t.def.type);
      this.typeParams.pop();
    }
  }

  private bindingSym(b: Binding, owner: string | null | undefined): Sym {
    return sym(b.mutable ? "var" : "block-binding", b.name, {
      mutable: b.mutable,
      numeric: b.value.kind === "Num" || isNumericType(b.type),
      span: b.nameSpan,
      ...(owner === undefined ? {} : { owner }),
    });
  }

  // ---- blocks ---------------------------------------------------------

  private server(server: PortedServer) {
    this.context = { kind: "server", server };
    const scope = new Scope(this.global);
    // A shared declaration of the same name is the program's own and wins (decisions.md, "Names").
    for (const n of SERVER_BUILTINS) if (this.global.names.get(n)?.kind === undefined) scope.define(sym("builtin", n));
    this.defineTypes(scope, server.types);
    for (const f of server.fns) scope.define(sym("fn", f.name, { owner: server.name, span: f.nameSpan }));
    for (const m of server.models) scope.define(sym("model", m.accessor, { owner: server.name, span: m.nameSpan }));
    for (const e of server.envs) scope.define(sym("env", e.name, { owner: server.name, numeric: isNumericType(e.type), span: e.nameSpan }));
    for (const p of server.peers) scope.define(sym("peer", p.name, { owner: server.name, span: p.nameSpan }));
    for (const b of server.bindings) scope.define(this.bindingSym(b, server.name));

    this.checkTypeDecls(server.types);
    for (const m of server.models) {
      if (m.fields) for (const f of m.fields) this.type(f.type);
      else if (!this.app.shared.types.some((t) => t.name === m.typeName) && !server.types.some((t) => t.name === m.typeName)) {
        this.diagnostics.push(
          diagnostic("E0102", m.nameSpan, `\`model ${m.typeName}\` has no fields and there is no type \`${m.typeName}\` to take them from`, {
            hint: `declare \`type ${m.typeName} { ... }\` in a shared block, or give the model a body`,
            ...suggestion(m.typeName, this.typeNames),
          }),
        );
      }
    }
    for (const e of server.envs) {
      this.type(e.type);
      if (e.default) this.expr(e.default, scope);
    }
    for (const f of server.fns) this.fn(f, scope);
    for (const b of server.bindings) this.topBinding(b, scope);
    for (const r of server.routes) this.expr(r.handler, scope);
    for (const s of server.schedules) this.expr(s.body, new Scope(scope, true));
    for (const s of server.subscriptions) this.expr(s.handler, scope);
    for (const h of server.hooks) this.expr(h.handler, scope);
    for (const w of server.websockets) for (const h of w.handlers) this.expr(h.handler, scope);
    for (const s of server.sse) this.expr(s.handler, scope);
    for (const c of server.configs) this.config(c.values, scope);
    for (const m of server.maxBody) this.expr(m.value, scope);
    for (const p of server.peers) if (p.urlExpr) this.expr(p.urlExpr, scope);
    for (const d of server.dbs) if (d.url) this.expr(d.url, scope);
    this.stmts(server.stmts, new Scope(scope, true));
  }

  private config(values: import("../types.js").ConfigValue, scope: Scope) {
    for (const v of Object.values(values)) {
      if (v.value) this.expr(v.value, scope);
      if (v.nested) this.config(v.nested, scope);
    }
  }

  private client(client: ClientBlock) {
    this.context = { kind: "client", client };
    const scope = new Scope(this.global);
    for (const n of CLIENT_BUILTINS) if (this.global.names.get(n)?.kind === undefined) scope.define(sym("builtin", n));
    this.defineTypes(scope, client.types);
    for (const s of client.states) scope.define(sym("state", s.name, { mutable: true, numeric: s.value.kind === "Num", span: s.nameSpan }));
    for (const c of client.computeds) scope.define(sym("computed", c.name, { span: c.nameSpan }));
    for (const c of client.components) scope.define(sym("component", c.name, { span: c.nameSpan }));
    for (const f of client.fns) scope.define(sym("fn", f.name, { span: f.nameSpan }));
    for (const b of client.bindings) scope.define(this.bindingSym(b, undefined));
    this.checkTypeDecls(client.types);
    for (const s of client.states) {
      if (s.type) this.type(s.type);
      this.expr(s.value, scope);
    }
    for (const c of client.computeds) this.expr(c.value, scope);
    for (const e of client.effects) this.expr(e.body, new Scope(scope, true));
    for (const c of client.components) {
      const inner = new Scope(scope, true);
      this.params(c.params, inner, scope);
      this.expr(c.body, inner);
    }
    for (const f of client.fns) this.fn(f, scope);
    for (const b of client.bindings) this.topBinding(b, scope);
    this.stmts(client.stmts, new Scope(scope, true));
  }

  private topBinding(b: Binding, scope: Scope) {
    if (b.type) this.type(b.type);
    this.expr(b.value, scope);
  }

  private fn(f: Fn, scope: Scope) {
    this.typeParams.push(new Set(f.typeParams));
    const inner = new Scope(scope, true);
    this.params(f.params, inner, scope);
    if (f.returnType) this.type(f.returnType);
    this.expr(f.body, inner);
    this.typeParams.pop();
  }

  private params(params: (Param | ast.Param)[], inner: Scope, outer: Scope) {
    for (const p of params) {
      if (p.type) this.type(p.type);
      if (p.default) this.expr(p.default, outer);
      inner.define(sym("local", p.name, { numeric: isNumericType(p.type), span: p.span }));
    }
  }

  // ---- types ----------------------------------------------------------

  private type(t: TypeExpr): void {
    switch (t.kind) {
      case "TName": {
        const known = this.typeNames.has(t.name) || this.typeParams.some((s) => s.has(t.name)) || this.global.lookup(t.name)?.kind === "import";
        if (!known) {
          this.diagnostics.push(diagnostic("E0102", t.span, `unknown type \`${t.name}\``, suggestion(t.name, this.typeNames)));
        }
        for (const a of t.args) this.type(a);
        return;
      }
      case "TArray":
        return this.type(t.element);
      case "TMap":
        this.type(t.key);
        return this.type(t.value);
      case "TFn":
        for (const p of t.params) this.type(p);
        return this.type(t.result);
    }
  }

  // ---- statements -----------------------------------------------------

  private stmts(stmts: ast.Stmt[], scope: Scope) {
    // Functions declared in a block are visible throughout it.
    for (const s of stmts) if (s.kind === "FnDecl") scope.define(sym("local", s.name, { span: s.nameSpan }));
    for (const s of stmts) this.stmt(s, scope);
  }

  private stmt(s: ast.Stmt, scope: Scope) {
    switch (s.kind) {
      case "Let": {
        if (s.type) this.type(s.type);
        this.expr(s.value, scope);
        if (!s.mutable) {
          const target = scope.lookup(s.name) ?? this.foreignSymbol(s.name);
          if (target && target.mutable && (target.kind === "var" || target.kind === "state")) {
            if (this.foreignVar(target, s.nameSpan)) return;
            this.names.reassignments.set(s, target);
            return;
          }
        }
        scope.define(sym(s.mutable ? "var" : "local", s.name, { mutable: s.mutable, numeric: s.value.kind === "Num" || isNumericType(s.type), span: s.nameSpan }));
        return;
      }
      case "Assign": {
        this.expr(s.value, scope);
        if (s.target.kind === "Ident") {
          const target = this.ident(s.target, scope);
          if (target && !target.mutable && target.kind !== "builtin" && target.kind !== "import") {
            this.diagnostics.push(
              diagnostic("E0104", s.target.span, `\`${s.target.name}\` is immutable and cannot be assigned with \`${s.op}\``, {
                hint: target.span ? `declare it with \`var ${s.target.name} = ...\` to make it mutable` : undefined,
                labels: target.span ? [{ span: target.span, message: "declared here" }] : [],
              }),
            );
          } else if (target) this.foreignVar(target, s.target.span);
        } else this.expr(s.target, scope);
        return;
      }
      case "ExprStmt":
        return this.expr(s.expr, scope);
      case "Return":
        if (s.value) this.expr(s.value, scope);
        return;
      case "For": {
        this.expr(s.iterable, scope);
        const inner = new Scope(scope);
        for (const n of s.names) inner.define(sym("local", n.name, { span: n.span }));
        this.block(s.body, inner);
        return;
      }
      case "While":
        this.expr(s.cond, scope);
        return this.expr(s.body, scope);
      case "FnDecl": {
        this.typeParams.push(new Set(s.typeParams));
        const inner = new Scope(scope, true);
        this.params(s.params, inner, scope);
        if (s.returnType) this.type(s.returnType);
        this.block(s.body, inner);
        this.typeParams.pop();
        return;
      }
      case "ErrorStmt":
        if (s.defines) scope.define(sym("local", s.defines, { span: s.span }));
        return;
      case "Placeholder":
        this.diagnostics.push(diagnostic("W0002", s.span, "`...` stands for elided code", { hint: "replace it with real statements before building" }));
        return;
      case "Break": case "Continue":
        return;
      case "TypeDecl":
        this.diagnostics.push(diagnostic("E0013", s.span, "types must be declared at the top of a block, not inside a function", { hint: "move the `type` to a shared block" }));
        return;
      default:
        this.diagnostics.push(
          diagnostic("E0013", s.span, `\`${s.kind.toLowerCase()}\` must be written at the top of a block, not inside a function or expression`, {
            hint: "move it to the top level of its server or client block",
          }),
        );
    }
  }

  /** Mutating a `var` of another server block (decisions.md). Returns true when reported. */
  private foreignVar(target: Sym, span: ast.Ident["span"]): boolean {
    if (this.context.kind !== "server" || target.owner === undefined || target.owner === this.context.server.name) return false;
    this.diagnostics.push(
      diagnostic("E0105", span, `\`${target.name}\` belongs to ${blockLabel("server", target.owner)}; this block only has a copy and cannot change it`, {
        hint: `change it in ${blockLabel("server", target.owner)}, or reach that block through \`discover\``,
      }),
    );
    return true;
  }

  private block(b: ast.BlockExpr, scope: Scope) {
    this.stmts(b.stmts, new Scope(scope));
  }

  // ---- expressions ----------------------------------------------------

  private expr(e: ast.Expr, scope: Scope): void {
    switch (e.kind) {
      case "Num": case "Str": case "Bool": case "Nil": case "ErrorExpr":
        return;
      case "ImplicitMember":
        return;
      case "Ident":
        this.ident(e, scope);
        return;
      case "Template":
        for (const p of e.parts) if (typeof p !== "string") this.expr(p, scope);
        return;
      case "Array":
        for (const x of e.elements) this.expr(x.kind === "Spread" ? x.value : x, scope);
        return;
      case "Object":
        for (const x of e.entries) this.expr(x.value, scope);
        return;
      case "Record": {
        if (!this.typeNames.has(e.type)) {
          this.diagnostics.push(diagnostic("E0102", e.typeSpan, `unknown type \`${e.type}\``, suggestion(e.type, this.typeNames)));
        }
        for (const f of e.fields) this.expr(f.value, scope);
        return;
      }
      case "Member":
        return this.member(e, scope);
      case "Index":
        this.expr(e.object, scope);
        return this.expr(e.index, scope);
      case "Call":
        this.expr(e.callee, scope);
        for (const a of e.args) this.expr(a.value, scope);
        return;
      case "Unary":
        return this.expr(e.operand, scope);
      case "Binary":
        this.expr(e.left, scope);
        return this.expr(e.right, scope);
      case "Compare":
        for (const o of e.operands) this.expr(o, scope);
        return;
      case "Range":
        this.expr(e.start, scope);
        return this.expr(e.end, scope);
      case "Pipe":
        this.expr(e.left, scope);
        return this.expr(e.stage, scope);
      case "Propagate": case "Await":
        return this.expr(e.expr, scope);
      case "Lambda": {
        const inner = new Scope(scope, true);
        this.params(e.params, inner, scope);
        if (e.returnType) this.type(e.returnType);
        if (e.body.kind === "Block") this.stmts(e.body.stmts, inner);
        else this.expr(e.body, inner);
        return;
      }
      case "If":
        for (const b of e.branches) {
          this.expr(b.cond, scope);
          this.block(b.body, scope);
        }
        if (e.otherwise) this.block(e.otherwise, scope);
        return;
      case "Match":
        this.expr(e.subject, scope);
        for (const arm of e.arms) {
          const inner = new Scope(scope);
          this.pattern(arm.pattern, inner);
          if (arm.guard) this.expr(arm.guard, inner);
          if (arm.body.kind === "Block") this.block(arm.body, inner);
          else this.expr(arm.body, inner);
        }
        return;
      case "Block":
        return this.block(e, scope);
      case "Try": {
        this.block(e.body, scope);
        if (e.catchBody) {
          const inner = new Scope(scope);
          if (e.catchName) inner.define(sym("local", e.catchName));
          this.block(e.catchBody, inner);
        }
        if (e.finallyBody) this.block(e.finallyBody, scope);
        return;
      }
      case "JsxElement":
        return this.jsx(e, scope);
    }
  }

  private jsx(e: ast.JsxElement | ast.JsxChild, scope: Scope): void {
    switch (e.kind) {
      case "JsxElement":
        // A capitalised tag is a component: it must be defined.
        if (/^[A-Z]/.test(e.tag)) this.ident({ kind: "Ident", name: e.tag, span: { ...e.span, start: e.span.start + 1, end: e.span.start + 1 + e.tag.length } }, scope);
        for (const a of e.attrs) if (a.value) this.expr(a.value, scope);
        for (const a of e.attrs) if (a.name.startsWith("bind:")) this.twoWay(a);
        for (const c of e.children) this.jsx(c, scope);
        return;
      case "JsxText":
        return;
      case "JsxExpr":
        return this.expr(e.expr, scope);
      case "JsxFor": {
        this.expr(e.iterable, scope);
        const inner = new Scope(scope);
        for (const n of e.names) inner.define(sym("local", n.name, { span: n.span }));
        // `key todo.id` names the loop variable (client.md), so it is read in the loop's scope.
        if (e.key) this.expr(e.key, inner);
        for (const c of e.children) this.jsx(c, inner);
        return;
      }
      case "JsxIf":
        for (const b of e.branches) {
          this.expr(b.cond, scope);
          for (const c of b.children) this.jsx(c, scope);
        }
        for (const c of e.otherwise ?? []) this.jsx(c, scope);
        return;
    }
  }

  /** `bind:value={draft}` writes what the user types into `draft`: it must be a state of the client block (client.md). */
  private twoWay(a: ast.JsxAttr): void {
    if (a.name !== "bind:value" && a.name !== "bind:checked") {
      this.diagnostics.push(diagnostic("E0113", a.span, `\`${a.name}\` is not a binding Tova knows`, { hint: "use `bind:value={state}` (inputs, textareas, selects) or `bind:checked={state}` (checkboxes)" }));
      return;
    }
    const v = a.value;
    const sym = v?.kind === "Ident" ? this.names.symbols.get(v) : undefined;
    if (!v || sym?.kind !== "state") {
      this.diagnostics.push(
        diagnostic("E0113", v?.span ?? a.span, `\`${a.name}\` needs a state to write what the user enters into`, {
          hint: "declare `state name = ...` in the client block and write `" + a.name + "={name}`",
        }),
      );
    }
  }

  private pattern(p: ast.Pattern, scope: Scope) {
    switch (p.kind) {
      case "PBind":
        scope.define(sym("local", p.name, { span: p.span }));
        return;
      case "PVariant": {
        const known = scope.lookup(p.name);
        if (!known || (known.kind !== "variant" && known.kind !== "builtin" && known.kind !== "type")) {
          const variants = [...scope.all()].filter((n) => /^[A-Z]/.test(n));
          this.diagnostics.push(diagnostic("E0101", p.span, `unknown variant \`${p.name}\``, suggestion(p.name, variants)));
        }
        for (const a of p.args) this.pattern(a, scope);
        return;
      }
      case "PArray":
        for (const el of p.elements) this.pattern(el, scope);
        if (p.rest) scope.define(sym("local", p.rest, { span: p.span }));
        return;
      case "PObject":
        for (const f of p.fields) {
          if (f.pattern) this.pattern(f.pattern, scope);
          else scope.define(sym("local", f.key, { span: f.span }));
        }
        return;
      default:
        return;
    }
  }

  private member(e: ast.MemberExpr, scope: Scope) {
    if (e.object.kind === "Ident") {
      const target = this.ident(e.object, scope);
      if (!target) return;
      const factor = unitFactor(e.name);
      if (factor !== undefined && target.numeric) {
        this.names.durations.set(e, factor);
        return;
      }
      if (target.kind === "peer") return this.peerMember(e, target);
      if (target.kind === "builtin" && target.name === "server" && this.context.kind === "client") return this.serverMember(e);
      return;
    }
    this.expr(e.object, scope);
  }

  /** `events.push_event`: the peer must define the function when it is a block of this application. */
  private peerMember(e: ast.MemberExpr, peer: Sym) {
    const target = this.app.servers.find((s) => s.name === peer.name);
    if (!target) return; // an external service: its functions are not known
    const rpc = target.fns.filter(hasRpc).map((f) => f.name);
    if (rpc.includes(e.name)) return;
    const other = target.fns.find((f) => f.name === e.name);
    if (other?.kind === "fn") {
      this.diagnostics.push(
        diagnostic("E0110", e.nameSpan, `\`${e.name}\` of ${blockLabel("server", target.name)} cannot be called from another server: ${noRpcReason(other)}`, {
          labels: [{ span: other.nameSpan, message: "declared here" }],
          hint: "move what the caller needs into a function that takes plain values, and call that one",
        }),
      );
      return;
    }
    this.diagnostics.push(
      diagnostic("E0110", e.nameSpan, `${blockLabel("server", target.name)} has no function \`${e.name}\``, other
        ? { hint: `\`${e.name}\` is a ${other.kind === "background" ? "background fn" : "middleware"}, which is not reachable over RPC` }
        : suggestion(e.name, rpc)),
    );
  }

  /** `server.f()` in a client (decisions.md, "Cross-block names"). */
  private serverMember(e: ast.MemberExpr) {
    const owners = this.app.servers.filter((s) => s.fns.some((f) => f.kind === "fn" && f.name === e.name));
    if (owners.length === 1) {
      const fn = owners[0]!.fns.find((f) => f.kind === "fn" && f.name === e.name)!;
      const why = noRpcReason(fn);
      if (why !== null) {
        this.diagnostics.push(
          diagnostic("E0108", e.nameSpan, `\`server.${e.name}\` cannot be called from a client: ${why}`, {
            labels: [{ span: fn.nameSpan, message: `declared in ${blockLabel("server", owners[0]!.name)}` }],
            hint: "fetch its route from the client, or move what the client needs into a function that takes plain values",
          }),
        );
      }
      return;
    }
    if (owners.length === 0) {
      const all = this.app.servers.flatMap((s) => s.fns.filter((f) => f.kind === "fn").map((f) => f.name));
      this.diagnostics.push(diagnostic("E0108", e.nameSpan, `no server block defines \`${e.name}\``, suggestion(e.name, all)));
      return;
    }
    const [a, b] = owners;
    this.diagnostics.push(
      diagnostic("E0107", e.nameSpan, `\`server.${e.name}\` is ambiguous: both ${blockLabel("server", a!.name)} and ${blockLabel("server", b!.name)} define \`${e.name}\``, {
        labels: owners.map((s) => ({ span: s.fns.find((f) => f.name === e.name)!.nameSpan, message: `defined in ${blockLabel("server", s.name)}` })),
        hint: "rename one of them so the client's call names exactly one server",
      }),
    );
  }

  /** Resolves a name, reporting it when unknown. */
  private ident(e: ast.Ident, scope: Scope): Sym | undefined {
    const hit = scope.lookup(e.name);
    if (hit?.data && this.context.kind !== "server" && this.context.kind !== "data") {
      this.diagnostics.push(
        diagnostic("E0112", e.span, `\`${e.name}\` belongs to the data block, which the server blocks load; it is not available in ${this.context.kind === "client" ? "a client block" : "the shared scope"}`, {
          hint: "use it inside a server block (a route or function there can hand it on)",
        }),
      );
      return undefined;
    }
    if (hit) {
      this.names.symbols.set(e, hit);
      return hit;
    }
    const foreign = this.foreign(e.name);
    if (foreign?.allowed) {
      this.names.symbols.set(e, foreign.sym);
      return foreign.sym;
    }
    if (foreign) {
      this.diagnostics.push(diagnostic(foreign.code, e.span, foreign.message, { hint: foreign.hint }));
      return undefined;
    }
    if (this.context.kind !== "server" && (SERVER_BUILTINS as readonly string[]).includes(e.name)) {
      this.diagnostics.push(diagnostic("E0101", e.span, `\`${e.name}\` is only available in server blocks`, { hint: "a top-level `fn` belongs to the shared scope: put the function that uses it inside a `server { ... }` block" }));
      return undefined;
    }
    this.diagnostics.push(diagnostic("E0101", e.span, `unknown name \`${e.name}\``, suggestion(e.name, scope.all())));
    return undefined;
  }

  private declaring: Map<string, PortedServer[]> | null = null;

  /** For each name, the server blocks that declare it as a model, binding, function or env variable. */
  private declaringBlocks(): Map<string, PortedServer[]> {
    if (this.declaring) return this.declaring;
    const map = new Map<string, PortedServer[]>();
    const add = (name: string, s: PortedServer) => {
      const list = map.get(name) ?? [];
      if (!list.includes(s)) list.push(s);
      map.set(name, list);
    };
    for (const s of this.app.servers) {
      for (const m of s.models) add(m.accessor, s);
      for (const b of s.bindings) add(b.name, s);
      for (const f of s.fns) add(f.name, s);
      for (const e of s.envs) add(e.name, s);
    }
    return (this.declaring = map);
  }

  /** A name of another block this one may use (a model, a plain-data binding), if any. */
  private foreignSymbol(name: string): Sym | undefined {
    const f = this.foreign(name);
    return f?.allowed ? f.sym : undefined;
  }

  /** A name declared in another block: allowed, or an error that says what to do. */
  private foreign(name: string):
    | { allowed: true; sym: Sym }
    | { allowed: false; code: "E0106" | "E0101"; message: string; hint: string }
    | undefined {
    const ctx = this.context;
    const here = ctx.kind === "server" ? ctx.server.name : undefined;
    // Only the blocks that declare the name at all (most names are declared by none).
    for (const s of this.declaringBlocks().get(name) ?? []) {
      if (ctx.kind === "server" && s === ctx.server) continue;
      const label = blockLabel("server", s.name);
      const model = s.models.find((m) => m.accessor === name);
      if (model && ctx.kind === "server") return { allowed: true, sym: sym("model", name, { owner: s.name, span: model.nameSpan }) };
      if (model) {
        const hint = ctx.kind === "client"
          ? `call a function of ${label} that uses it, as \`server.f(...)\``
          : `a top-level \`fn\` belongs to the shared scope, which every block can run and which has no database: put the functions that use \`${name}\` inside ${label}`;
        return { allowed: false, code: "E0101", message: `\`${name}\` is a model of ${label}, not of ${ctx.kind === "client" ? "a client block" : "the shared scope"}`, hint };
      }
      const b = s.bindings.find((x) => x.name === name);
      if (b && ctx.kind === "server") {
        if (b.plainData) return { allowed: true, sym: this.bindingSym(b, s.name) };
        return { allowed: false, code: "E0101", message: `\`${name}\` is declared in ${label}, and only plain data can be used from another block`, hint: "move it to a shared block, or make it a literal value" };
      }
      const f = s.fns.find((x) => x.name === name);
      if (f) {
        if (ctx.kind === "client") {
          return { allowed: false, code: "E0101", message: `\`${name}\` is a function of ${label}`, hint: `call it from the client as \`server.${name}(...)\`` };
        }
        if (ctx.kind !== "server") return { allowed: false, code: "E0101", message: `\`${name}\` is a function of ${label}, not of the shared scope`, hint: "move it to a shared block to use it everywhere" };
        const discovered = ctx.server.peers.some((p) => p.name === s.name);
        const peer = s.name ?? "server";
        return {
          allowed: false,
          code: "E0106",
          message: `\`${name}\` is a function of ${label}, which runs in another process`,
          hint: discovered ? `call it as \`${peer}.${name}(...)\`` : `add \`discover "${peer}"\` to ${blockLabel("server", here ?? null)} and call \`${peer}.${name}(...)\``,
        };
      }
      if (s.envs.some((x) => x.name === name) && ctx.kind === "server") {
        return { allowed: false, code: "E0101", message: `\`${name}\` is an env variable of ${label}`, hint: `declare \`env ${name}: ...\` in this block too` };
      }
    }
    return undefined;
  }
}
