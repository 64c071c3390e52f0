import type * as ast from "../../frontend/ast.js";
import type { Span } from "../../frontend/span.js";
import type { Diagnostic } from "../../diagnostics/types.js";
import { diagnostic, type Code } from "../../diagnostics/catalog.js";
import type { NameInfo, Proxy, SymbolRef } from "../checked.js";
import type { Binding, ClientBlock, Fn, PortedApp, PortedServer, TypeExpr } from "../types.js";
import { assignable } from "./assignable.js";
import { Decls } from "./decls.js";
import { EXPRESSIONS } from "./expressions.js";
import { ANY, fn, named, NIL, show, type Ty } from "./ty.js";
import { allNamed, firstNamed } from "../named.js";

/**
 * Tova's own type checker (decisions.md, "Types"; architecture.md, "The IR"):
 * it infers the types of expressions where it can (literals, records, enums,
 * Option / Result, arrays, maps, lambdas, calls of typed functions), treats
 * JavaScript values and what it cannot know as dynamic, and reports every
 * error in Tova's words at the expression that is wrong. The types it infers
 * are what the TypeScript backend writes, so the emitted code type-checks.
 *
 * This file holds the state: scopes, the function being checked, the block
 * it belongs to, and signatures computed on demand. Each construct is
 * checked in its own module (expressions.ts, calls.ts, statements.ts, ...).
 */

export type BlockCtx = { kind: "server"; server: PortedServer } | { kind: "client"; client: ClientBlock } | { kind: "shared" } | { kind: "data" };

interface Local {
  ty: Ty;
  /** The declared (or first inferred) type: what assignments must fit and narrowing falls back to. */
  declared: Ty;
  mutable: boolean;
}

export interface FnCtx {
  /** The declared result type, or null to infer it. */
  ret: Ty | null;
  typeParams: ReadonlySet<string>;
  /** Types of the values it returns (`return e`, the last expression, a failed `!`). */
  returns: Ty[];
  /** Where `!` and `return` are: a function or lambda body, or the top level of a block. */
  kind: "fn" | "lambda" | "top";
}

/** What the checker hands on to the backends. */
export interface TypeInfo {
  /** The type of every expression checked. */
  exprs: Map<ast.Expr, Ty>;
  /** The inferred result type of every function and lambda without a declared one (keyed by its IR or AST node). */
  returns: Map<object, Ty>;
  /** Let statements and top-level bindings with the type they bind. */
  bindings: Map<object, Ty>;
}

export class Checker {
  readonly decls: Decls;
  readonly info: TypeInfo = { exprs: new Map(), returns: new Map(), bindings: new Map() };
  block: BlockCtx = { kind: "shared" };
  private frames: Map<string, Local>[] = [];
  private fnStack: FnCtx[] = [];
  private readonly signatures = new Map<Fn, Ty>();
  private readonly inProgress = new Set<object>();
  private readonly bindingTypes = new Map<Binding, Ty>();
  private readonly checkedFns = new Set<Fn>();

  constructor(
    readonly app: PortedApp,
    readonly names: NameInfo,
    readonly proxies: readonly Proxy[],
    readonly diagnostics: Diagnostic[],
  ) {
    this.decls = new Decls(app);
  }

  // ---- reporting ------------------------------------------------------

  error(code: Code, span: Span, message: string, hint?: string): void {
    this.diagnostics.push(diagnostic(code, span, message, hint ? { hint } : {}));
  }

  /** A value used where `want` is expected: E0206 in Tova's words, with a hint for the usual cause. */
  mismatch(span: Span, what: string, want: Ty, got: Ty): void {
    this.error("E0206", span, `${what} expects ${show(want)}, but this is ${show(got)}`, hintFor(want, got));
  }

  // ---- expressions ----------------------------------------------------

  /** The type of `e`, checked; `expected` guides literals and lambdas (it is not enforced here). */
  infer(e: ast.Expr, expected: Ty | null = null): Ty {
    const t = EXPRESSIONS[e.kind](this, e as never, expected);
    this.info.exprs.set(e, t);
    return t;
  }

  /** The type of `e`, which must fit `want` (reported as E0206 with `what` naming the place). */
  check(e: ast.Expr, want: Ty, what: () => string): Ty {
    const t = this.infer(e, want);
    if (!assignable(t, want, this.decls)) {
      const wrong = this.wrongBranch(e, want);
      this.mismatch((wrong ?? e).span, what(), want, wrong ? this.info.exprs.get(wrong)! : t);
    } else if (t.k === "any") {
      // Branches of different types join to a dynamic value; where a type is expected, each must fit it.
      const wrong = this.wrongBranch(e, want);
      if (wrong) this.mismatch(wrong.span, what(), want, this.info.exprs.get(wrong)!);
    }
    return t;
  }

  /** The value-producing branch of an `if`, `match`, block, `??` or `or` whose type does not fit `want`. */
  private wrongBranch(e: ast.Expr, want: Ty): ast.Expr | null {
    for (const x of branchValues(e)) {
      const t = this.info.exprs.get(x);
      if (t && !assignable(t, want, this.decls)) return x;
    }
    return null;
  }

  assignable(from: Ty, to: Ty): boolean {
    return assignable(from, to, this.decls);
  }

  // ---- scopes ---------------------------------------------------------

  withFrame<T>(fn: () => T): T {
    this.frames.push(new Map());
    try {
      return fn();
    } finally {
      this.frames.pop();
    }
  }

  define(name: string, ty: Ty, mutable = false): void {
    if (!this.frames.length) this.frames.push(new Map());
    this.frames[this.frames.length - 1]!.set(name, { ty, declared: ty, mutable });
  }

  local(name: string): Local | undefined {
    for (let i = this.frames.length - 1; i >= 0; i--) {
      const hit = this.frames[i]!.get(name);
      if (hit) return hit;
    }
    return undefined;
  }

  /**
   * A narrowed type for `name` in the current frame (`if x != nil { ... }`);
   * `original` is its type before, for a name that is not a local (a top-level `var`).
   */
  narrow(name: string, ty: Ty, original: Ty = ty): void {
    if (!this.frames.length) this.frames.push(new Map());
    const local = this.local(name) ?? { ty: original, declared: original, mutable: true };
    this.frames[this.frames.length - 1]!.set(name, { ...local, ty });
  }

  /** Inside a lambda, TypeScript forgets what it narrowed about mutable variables; so does Tova, to agree with it. */
  forgetMutableNarrowing(): void {
    const seen = new Set<string>();
    const frame = new Map<string, Local>();
    for (let i = this.frames.length - 1; i >= 0; i--) {
      for (const [name, l] of this.frames[i]!) {
        if (seen.has(name)) continue;
        seen.add(name);
        if (l.mutable && l.ty !== l.declared) frame.set(name, { ...l, ty: l.declared });
      }
    }
    this.frames.push(frame);
  }

  popFrame(): void {
    this.frames.pop();
  }

  get fnCtx(): FnCtx | undefined {
    return this.fnStack[this.fnStack.length - 1];
  }

  /** Checks a body as a function of its own: its own scopes and result. */
  inFunction<T>(ctx: FnCtx, body: () => T): T {
    const savedFrames = this.frames;
    this.frames = [...savedFrames, new Map()];
    this.fnStack.push(ctx);
    try {
      return body();
    } finally {
      this.fnStack.pop();
      this.frames = savedFrames;
    }
  }

  /** Runs `body` with the scopes of another block (a signature computed on demand). */
  inBlock<T>(block: BlockCtx, body: () => T): T {
    const saved = { block: this.block, frames: this.frames, fns: this.fnStack };
    this.block = block;
    this.frames = [];
    this.fnStack = [];
    try {
      return body();
    } finally {
      this.block = saved.block;
      this.frames = saved.frames;
      this.fnStack = saved.fns;
    }
  }

  // ---- declarations ---------------------------------------------------

  /** A top-level function's type: declared parameter types, and its declared or inferred result. */
  signature(f: Fn, block: BlockCtx): Ty {
    const known = this.signatures.get(f);
    if (known) return known;
    const params = new Set(f.typeParams);
    const ps = f.params.map((p) => this.decls.ty(p.type, params));
    const min = f.params.filter((p) => !p.optional).length;
    const names = f.params.map((p) => p.name);
    if (f.returnType) {
      const sig = fn(ps, this.decls.ty(f.returnType, params), min, null, names);
      this.signatures.set(f, sig);
      return sig;
    }
    if (this.inProgress.has(f)) return fn(ps, ANY, min, null, names); // recursion while its result is inferred
    this.checkFn(f, block);
    return this.signatures.get(f) ?? fn(ps, ANY, min, null, names);
  }

  /** Checks a top-level function's body once; its inferred result completes its signature. */
  checkFn(f: Fn, block: BlockCtx): void {
    if (this.checkedFns.has(f)) return;
    this.checkedFns.add(f);
    this.inProgress.add(f);
    const typeParams = new Set(f.typeParams);
    const ps = f.params.map((p) => this.decls.ty(p.type, typeParams));
    const declared = f.returnType ? this.decls.ty(f.returnType, typeParams) : null;
    const ret = this.inBlock(block, () => checkBody(this, { params: f.params.map((p, i) => ({ name: p.name, ty: ps[i]!, default: p.default })), body: f.body, ret: declared, typeParams, kind: "fn" }));
    this.inProgress.delete(f);
    if (!declared) this.info.returns.set(f, ret);
    this.signatures.set(f, fn(ps, declared ?? ret, f.params.filter((p) => !p.optional).length, null, f.params.map((p) => p.name)));
  }

  // ---- names ------------------------------------------------------------

  /** The type of a name that is not a local of the function being checked. */
  symbolType(name: string, sym: SymbolRef, expected: Ty | null): Ty {
    switch (sym.kind) {
      case "var":
      case "block-binding": {
        const b = this.findBinding(name, sym);
        return b ? this.bindingType(b.binding, b.block) : ANY;
      }
      case "fn": {
        const f = this.findFn(name, sym);
        return f ? this.signature(f.fn, f.block) : ANY;
      }
      case "env": {
        const server = this.app.servers.find((s) => s.name === sym.owner) ?? (this.block.kind === "server" ? this.block.server : undefined);
        const env = server?.envs.find((e) => e.name === name);
        return env ? this.decls.ty(env.type) : ANY;
      }
      case "type": {
        const fields = this.decls.fields(name);
        const decl = this.decls.types.get(name);
        if (!fields || decl?.typeParams.length) return ANY;
        return fn([...fields.values()], named(name), fields.size, null, [...fields.keys()]);
      }
      case "variant": {
        const v = this.decls.variants.get(name);
        if (!v) return ANY;
        const args = expected?.k === "named" && expected.name === v.enumName ? expected.args : v.typeParams.map(() => ANY);
        const fields = this.decls.variantFields(name, args);
        if (!fields.length) return named(v.enumName, args);
        return fn(fields.map((f) => f.ty), named(v.enumName, args), fields.length, null, fields.map((f, i) => f.name || `_${i}`));
      }
      case "state":
      case "computed":
        return this.clientValueType(name, sym.kind);
      case "builtin":
        return name === "None" ? NIL : ANY;
      default:
        return ANY;
    }
  }

  /** The declared type of something an assignment changes: a `var` or a client `state`. */
  globalType(name: string, sym: SymbolRef): Ty {
    if (sym.kind === "state") {
      const client = this.block.kind === "client" ? this.block.client : this.app.clients.find((c) => c.states.some((s) => s.name === name));
      const st = client?.states.find((s) => s.name === name);
      if (st?.type) return this.decls.ty(st.type);
      return st ? widenLiteral(this.clientValueType(name, "state")) : ANY;
    }
    const b = this.findBinding(name, sym);
    return b ? this.bindingType(b.binding, b.block) : ANY;
  }

  /** A function of a discovered peer, as the proxy declares it (its result awaited). */
  peerFunction(peer: string, fnName: string): Ty {
    const from = this.block.kind === "server" ? this.block.server.name : undefined;
    const proxy = this.proxies.find((p) => p.from === from && p.peer === peer);
    const target = this.app.servers.find((s) => s.name === proxy?.target);
    const f = target ? allNamed(target.fns, fnName).find((x) => x.kind === "fn") : undefined;
    return f && target ? this.signature(f, { kind: "server", server: target }) : ANY;
  }

  /** `server.f` in a client: the RPC function of the server block that defines it. */
  serverFunction(fnName: string): Ty {
    for (const s of this.app.servers) {
      const f = allNamed(s.fns, fnName).find((x) => x.kind === "fn");
      if (f) return this.signature(f, { kind: "server", server: s });
    }
    return ANY;
  }

  private readonly clientValues = new Map<string, Ty>();
  /** The top-level binding whose value is being inferred, if any. */
  private bindingAt: Binding | null = null;

  private clientValueType(name: string, kind: "state" | "computed"): Ty {
    const client = this.block.kind === "client" ? this.block.client : this.app.clients.find((c) => [...c.states, ...c.computeds].some((s) => s.name === name));
    if (!client) return ANY;
    const key = `${client.name ?? ""}\0${name}`;
    const known = this.clientValues.get(key);
    if (known) return known;
    const decl = kind === "state" ? client.states.find((s) => s.name === name) : client.computeds.find((s) => s.name === name);
    if (!decl) return ANY;
    if ("type" in decl && decl.type) return this.decls.ty(decl.type as TypeExpr);
    if (this.inProgress.has(decl)) return ANY;
    this.inProgress.add(decl);
    const t = this.inBlock({ kind: "client", client }, () => this.inFunction({ ret: null, typeParams: new Set(), returns: [], kind: "top" }, () => this.infer(decl.value)));
    this.inProgress.delete(decl);
    const widened = kind === "state" ? widenLiteral(t) : t;
    this.clientValues.set(key, widened);
    return widened;
  }

  private findBinding(name: string, sym: SymbolRef): { binding: Binding; block: BlockCtx } | null {
    const here = this.block;
    if (sym.owner !== undefined) {
      const server = this.app.servers.find((s) => s.name === sym.owner);
      const b = server ? firstNamed(server.bindings, name) : undefined;
      if (server && b) return { binding: b, block: { kind: "server", server } };
    }
    if (here.kind === "client") {
      const b = firstNamed(here.client.bindings, name);
      if (b) return { binding: b, block: here };
    }
    // A name bound again at the top level: a binding's value reads the version bound before it.
    const shared = allNamed(this.app.shared.bindings, name);
    const at = this.bindingAt;
    const before = at ? shared.filter((x) => x.span.file === at.span.file && x.span.start < at.span.start) : [];
    if (shared.length) return { binding: before[before.length - 1] ?? shared[shared.length - 1]!, block: { kind: "shared" } };
    const data = firstNamed(this.app.data.bindings, name);
    if (data) return { binding: data, block: { kind: "data" } };
    return null;
  }

  private findFn(name: string, sym: SymbolRef): { fn: Fn; block: BlockCtx } | null {
    if (sym.owner !== undefined) {
      const server = this.app.servers.find((s) => s.name === sym.owner);
      const f = server ? firstNamed(server.fns, name) : undefined;
      if (server && f) return { fn: f, block: { kind: "server", server } };
    }
    if (this.block.kind === "client") {
      const f = firstNamed(this.block.client.fns, name);
      if (f) return { fn: f, block: this.block };
    }
    const shared = firstNamed(this.app.shared.fns, name);
    if (shared) return { fn: shared, block: { kind: "shared" } };
    const data = firstNamed(this.app.data.fns, name);
    return data ? { fn: data, block: { kind: "data" } } : null;
  }

  /** The type of a top-level binding (its annotation, or its value's type). */
  bindingType(b: Binding, block: BlockCtx): Ty {
    const known = this.bindingTypes.get(b);
    if (known) return known;
    if (b.type) {
      const t = this.decls.ty(b.type);
      this.bindingTypes.set(b, t);
      this.info.bindings.set(b, t);
      return t;
    }
    if (this.inProgress.has(b)) return ANY;
    this.inProgress.add(b);
    const savedAt = this.bindingAt;
    this.bindingAt = b;
    const t = this.inBlock(block, () => this.inFunction({ ret: null, typeParams: new Set(), returns: [], kind: "top" }, () => this.infer(b.value)));
    this.bindingAt = savedAt;
    this.inProgress.delete(b);
    const widened = widenLiteral(t);
    this.bindingTypes.set(b, widened);
    this.info.bindings.set(b, widened);
    return widened;
  }
}

export interface CheckerLookups {
  symbolType(name: string, sym: SymbolRef, expected: Ty | null): Ty;
}

/** The expressions whose values a branching expression can have. */
export function branchValues(e: ast.Expr): ast.Expr[] {
  const ofBlock = (b: ast.BlockExpr): ast.Expr[] => {
    const last = b.stmts[b.stmts.length - 1];
    return last?.kind === "ExprStmt" ? branchValues(last.expr) : [];
  };
  switch (e.kind) {
    case "If":
      return [...e.branches.flatMap((b) => ofBlock(b.body)), ...(e.otherwise ? ofBlock(e.otherwise) : [])];
    case "Match":
      return e.arms.flatMap((a) => (a.body.kind === "Block" ? ofBlock(a.body) : branchValues(a.body)));
    case "Block":
      return ofBlock(e);
    case "Try":
      return [...ofBlock(e.body), ...(e.catchBody ? ofBlock(e.catchBody) : [])];
    case "Binary":
      return e.op === "??" || e.op === "or" ? branchValues(e.right) : [e];
    default:
      return [e];
  }
}

/** `[]` and `nil` say nothing about what a binding will hold later. */
export function widenLiteral(t: Ty): Ty {
  // nil says nothing about later values; never (after `Err(e)!`) means the code is unreachable.
  if (t.k === "nil" || t.k === "never") return ANY;
  if (t.k === "array" && t.el.k === "never") return { k: "array", el: ANY };
  if (t.k === "map" && t.value.k === "never") return { k: "map", value: ANY };
  return t;
}

function hintFor(want: Ty, got: Ty): string | undefined {
  if (got.k === "option" && want.k !== "option") return "it may be None: unwrap it with `!`, `?? default` or `unwrapOr(...)`";
  if (got.k === "result" && want.k !== "result") return "unwrap it with `!` (in a function that returns a Result) or handle both cases with `match`";
  if (got.k === "float" && want.k === "int") return "round it with `round(...)`, `floor(...)` or `ceil(...)`";
  if (want.k === "string" && (got.k === "int" || got.k === "float" || got.k === "bool")) return "turn it into text with `to_string(...)` or `\"{...}\"`";
  if ((want.k === "int" || want.k === "float") && got.k === "string") return "read a number from text with `to_int(...)` or `to_float(...)`";
  return undefined;
}

import { checkBody } from "./statements.js";
