import type * as ast from "../../frontend/ast.js";
import type { Span } from "../../frontend/span.js";
import { propertyName, type TsFile } from "./builders.js";
import type { ModuleContext } from "./context.js";
import { tsType, variantField } from "./types.js";

/**
 * Function bodies: Tova statements and expressions as TypeScript.
 *
 * - immutable bindings are `const`; binding a name again declares a renamed
 *   `const` (`total2`), `var` is `let`, and `x = e` on a `var` assigns;
 * - `match` is a `switch` over literals and unit variants, an `if` chain
 *   otherwise, or a conditional expression where a value is needed;
 * - `e!` is an early return: `if (isFailure(r)) return r;`;
 * - a pipe was already lowered to a call; durations are numbers with a comment;
 * - calls that answer over the network (peers, `server.f()`) are awaited, and
 *   a function that awaits is `async`.
 */

type Mode = { kind: "return" } | { kind: "discard" } | { kind: "assign"; to: string };

const RETURN: Mode = { kind: "return" };
const DISCARD: Mode = { kind: "discard" };

/** Calls whose result nobody wants as a function's result. */
const STATEMENT_CALLS = new Set(["print", "publish", "spawn_job", "broadcast", "cache_control", "etag", "sleep"]);
const RESPONSE_METHODS = new Set(["json", "text", "send", "setHeader", "header", "status", "redirect", "on_finish"]);

const TS_RESERVED = new Set([
  "new", "class", "this", "function", "let", "const", "delete", "typeof", "void", "with", "yield", "switch", "case", "default", "do",
  "enum", "extends", "super", "throw", "instanceof", "interface", "package", "private", "protected", "public", "static", "implements",
  "debugger", "arguments", "eval", "undefined", "NaN", "Infinity",
]);

export function safeName(name: string): string {
  return TS_RESERVED.has(name) ? `${name}_` : name;
}

interface Local {
  ts: string;
  /** The TypeScript expression to read it (an alias for match bindings). */
  read: string;
  mutable: boolean;
}

export class BodyEmitter {
  private scopes: Map<string, Local>[] = [];
  /** Every TypeScript name declared in each open scope, including ones a later binding of the same Tova name hides. */
  private declared: Set<string>[] = [];
  /** Temporaries of the current function (`result`, `subject`, ...). */
  private temps = new Set<string>();
  private prelude: string[] | null = null;
  private asyncStack: boolean[] = [];

  constructor(
    private readonly ctx: ModuleContext,
    private out: TsFile,
  ) {}

  // ---- functions ------------------------------------------------------

  /** Parameters as TypeScript (`name: Type`, defaults kept, untyped ones `any`). */
  params(params: { name: string; type: ast.TypeExpr | null; default: ast.Expr | null }[]): string[] {
    const isOption = (p: (typeof params)[number]) => p.type?.kind === "TName" && p.type.name === "Option";
    return params.map((p, i) => {
      const type = tsType(p.type, this.ctx.useType);
      const optionalOption = isOption(p) && !p.default && params.slice(i + 1).every((q) => q.default || isOption(q));
      const dflt = p.default ? ` = ${this.inScope(() => this.expr(p.default!))}` : optionalOption ? " = null" : "";
      return `${safeName(p.name)}: ${type}${dflt}`;
    });
  }

  /** A function body: parameters in scope, the last expression returned when `returns`. */
  body(params: { name: string }[], block: ast.BlockExpr, returns: boolean, isAsync: boolean): void {
    const savedScopes = this.scopes;
    const savedDeclared = this.declared;
    const savedTemps = this.temps;
    this.scopes = [new Map()];
    this.declared = [];
    this.temps = new Set();
    this.asyncStack.push(isAsync);
    for (const p of params) this.declareParam(p.name);
    this.stmts(block.stmts, returns ? RETURN : DISCARD);
    this.asyncStack.pop();
    this.scopes = savedScopes;
    this.declared = savedDeclared;
    this.temps = savedTemps;
  }

  /** Whether a body must be `async`: it awaits, or calls something that answers over the network. */
  needsAsync(e: ast.Expr | ast.BlockExpr): boolean {
    let found = false;
    const visit = (x: ast.Expr): void => {
      if (found) return;
      if (x.kind === "Await" || (x.kind === "Call" && this.ctx.isAsyncCall(x))) {
        found = true;
        return;
      }
      if (x.kind === "Lambda") return; // a lambda is async on its own account
      forEachChild(x, visit);
    };
    visit(e);
    return found;
  }

  /** An expression at module level (a binding's value); hoisted statements are written before it. */
  topLevel(fn: () => string, span: Span): string {
    return this.inScope(() => {
      const saved = this.prelude;
      const lines: string[] = [];
      this.prelude = lines;
      try {
        const text = fn();
        for (const l of lines) this.out.line(l, span);
        return text;
      } finally {
        this.prelude = saved;
      }
    });
  }

  private inScope<T>(fn: () => T): T {
    if (this.scopes.length) return fn();
    this.scopes = [new Map()];
    this.declared = [];
    try {
      return fn();
    } finally {
      this.scopes = [];
      this.declared = [];
    }
  }

  // ---- scopes ---------------------------------------------------------

  private lookup(name: string): Local | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const hit = this.scopes[i]!.get(name);
      if (hit) return hit;
    }
    return undefined;
  }

  /**
   * Declares a binding. A name already visible (an outer binding, or one of
   * the module) gets a numbered TypeScript name, so `x = x + 1` reads the old
   * `x` and `const` is never declared twice.
   */
  private declare(name: string, mutable: boolean, preferred = safeName(name)): string {
    let ts = preferred;
    for (let n = 2; this.visible(ts); n++) ts = `${preferred}${n}`;
    this.scopes[this.scopes.length - 1]!.set(name, { ts, read: ts, mutable });
    this.declaredHere().add(ts);
    return ts;
  }

  private declaredHere(): Set<string> {
    const i = this.scopes.length - 1;
    return (this.declared[i] ??= new Set());
  }

  /** Parameters keep their names: they start a scope of their own. */
  private declareParam(name: string): void {
    const ts = safeName(name);
    this.scopes[this.scopes.length - 1]!.set(name, { ts, read: ts, mutable: false });
    this.declaredHere().add(ts);
  }

  private visible(ts: string): boolean {
    if (this.ctx.moduleNames.has(ts) || this.temps.has(ts)) return true;
    for (let i = 0; i < this.scopes.length; i++) if (this.declared[i]?.has(ts)) return true;
    return false;
  }

  private alias(name: string, read: string) {
    this.scopes[this.scopes.length - 1]!.set(name, { ts: read, read, mutable: false });
  }

  private nested<T>(fn: () => T): T {
    this.scopes.push(new Map());
    if (this.declared.length > this.scopes.length - 1) this.declared.length = this.scopes.length - 1;
    try {
      return fn();
    } finally {
      this.scopes.pop();
      this.declared.length = Math.min(this.declared.length, this.scopes.length);
    }
  }

  private temp(base: string): string {
    let name = base;
    for (let n = 2; this.visible(name) || this.temps.has(name); n++) name = `${base}${n}`;
    this.temps.add(name);
    return name;
  }

  // ---- statements -----------------------------------------------------

  stmts(stmts: ast.Stmt[], mode: Mode): void {
    stmts.forEach((s, i) => this.stmt(s, i === stmts.length - 1 ? mode : DISCARD));
    if (!stmts.length && mode.kind === "assign") this.out.line(`${mode.to} = null`);
  }

  /** Runs `fn` collecting hoisted statements, then writes them before what `fn` wrote. */
  private withPrelude(fn: () => (() => void) | void): void {
    const saved = this.prelude;
    const lines: string[] = [];
    this.prelude = lines;
    let write: (() => void) | void;
    try {
      write = fn();
    } finally {
      this.prelude = saved;
    }
    for (const l of lines) this.out.line(l, this.statementSpan);
    if (write) write();
  }

  /** The binding whose value is being written, to name its temporaries (`itemResult`). */
  private bindingName: string | null = null;

  /** An `if`, `match`, `try` or block whose value cannot be one expression. */
  private needsStatements(e: ast.Expr): boolean {
    switch (e.kind) {
      case "If":
        return !(e.branches.every((b) => single(b.body) !== null) && (!e.otherwise || single(e.otherwise) !== null));
      case "Match":
        return !e.arms.every((a) => a.body.kind !== "Block" || single(a.body) !== null);
      case "Try":
      case "Block":
        return true;
      default:
        return false;
    }
  }

  /** The statement being written, so hoisted lines map back to it. */
  private statementSpan: Span | undefined;

  private stmt(s: ast.Stmt, mode: Mode): void {
    this.statementSpan = s.span;
    this.bindingName = null;
    switch (s.kind) {
      case "Let":
        if (!this.ctx.names.reassignments.has(s) && this.needsStatements(s.value)) {
          // `x = if ... { } else { }` whose branches need statements: declare `x`, and let each branch assign it.
          const ts = this.declare(s.name, true);
          // TypeScript infers the type from the branches' assignments, except from `[]` or `nil`.
          const type = s.type ? `: ${tsType(s.type, this.ctx.useType)}` : tails(s.value).some(vague) ? ": any" : "";
          this.out.line(`let ${ts}${type}`, s.span);
          this.exprStmt(s.value, { kind: "assign", to: ts }, s.span);
          return;
        }
        return this.withPrelude(() => {
          this.bindingName = s.name;
          const assigned = this.ctx.names.reassignments.get(s);
          if (assigned) {
            const local = this.lookup(s.name);
            const target = local ? local.ts : this.ctx.reference(s.name, assigned, true);
            const value = this.expr(s.value);
            return () => this.out.line(`${target} = ${value}`, s.span);
          }
          const value = this.expr(s.value);
          const ts = this.declare(s.name, s.mutable);
          const type = s.type ? `: ${tsType(s.type, this.ctx.useType)}` : vagueType(s.value);
          return () => this.out.line(`${s.mutable ? "let" : "const"} ${ts}${type} = ${value}`, s.span);
        });
      case "Assign":
        return this.withPrelude(() => {
          const value = this.expr(s.value);
          const target = this.target(s.target);
          return () => this.out.line(`${target} ${s.op} ${value}`, s.span);
        });
      case "ExprStmt":
        return this.exprStmt(s.expr, mode, s.span);
      case "Return":
        return this.withPrelude(() => {
          const value = s.value ? this.expr(s.value) : null;
          return () => this.out.line(value === null ? "return" : `return ${value}`, s.span);
        });
      case "Break":
        this.out.line("break", s.span);
        return;
      case "Continue":
        this.out.line("continue", s.span);
        return;
      case "For":
        return this.withPrelude(() => {
          const iterable = this.expr(s.iterable);
          return () =>
            this.nested(() => {
              const names = s.names.map((n) => this.declare(n.name, false));
              const head = names.length === 1 ? `for (const ${names[0]} of ${iterable})` : `for (const [${names.join(", ")}] of ${this.ctx.stdlib("entries")}(${iterable}))`;
              this.out.block(head, () => this.stmts(s.body.stmts, DISCARD), s.span);
            });
        });
      case "While":
        return this.withPrelude(() => {
          const cond = this.expr(s.cond);
          return () => this.out.block(`while (${cond})`, () => this.nested(() => this.stmts(s.body.stmts, DISCARD)), s.span);
        });
      case "FnDecl": {
        const ts = this.declare(s.name, false);
        const isAsync = s.async || this.needsAsync(s.body);
        const ret = s.returnType ? tsType(s.returnType, this.ctx.useType) : null;
        this.out.function(
          { name: ts, exported: false, async: isAsync, typeParams: s.typeParams, params: this.params(s.params), returnType: ret && isAsync ? `Promise<${ret}>` : ret },
          () => this.nested(() => {
            for (const p of s.params) this.declareParam(p.name);
            this.asyncStack.push(isAsync);
            this.stmts(s.body.stmts, RETURN);
            this.asyncStack.pop();
          }),
          s.span,
        );
        return;
      }
      case "ErrorStmt":
      case "Placeholder":
        return;
      default:
        this.out.comment(`${s.kind} is not allowed here`);
    }
  }

  /** An expression in statement position, with what to do with its value. */
  private exprStmt(e: ast.Expr, mode: Mode, span: Span): void {
    switch (e.kind) {
      case "If":
        return this.ifStmt(e, mode, span);
      case "Match":
        return this.matchStmt(e, mode, span);
      case "Block":
        this.out.block("", () => this.nested(() => this.stmts(e.stmts, mode)), span);
        return;
      case "Try":
        return this.tryStmt(e, mode, span);
    }
    this.withPrelude(() => {
      const text = this.expr(e);
      return () => {
        if (mode.kind === "return" && !this.isStatementCall(e)) this.out.line(`return ${text}`, span);
        else if (mode.kind === "assign") this.out.line(`${mode.to} = ${text}`, span);
        else this.out.line(text, span);
      };
    });
  }

  private isStatementCall(e: ast.Expr): boolean {
    const inner = e.kind === "Await" ? e.expr : e;
    if (inner.kind !== "Call") return false;
    if (inner.callee.kind === "Ident") return STATEMENT_CALLS.has(inner.callee.name);
    if (inner.callee.kind === "Member") return RESPONSE_METHODS.has(inner.callee.name) && inner.callee.object.kind === "Ident" && inner.callee.object.name === "res";
    return false;
  }

  private ifStmt(e: ast.IfExpr, mode: Mode, span: Span): void {
    this.withPrelude(() => {
      const conds = e.branches.map((b) => this.expr(b.cond));
      return () => {
        const parts = e.branches.map((b, i) => ({
          head: `${i === 0 ? "if" : "else if"} (${conds[i]})`,
          body: () => this.nested(() => this.stmts(b.body.stmts, mode)),
        }));
        if (e.otherwise) parts.push({ head: "else", body: () => this.nested(() => this.stmts(e.otherwise!.stmts, mode)) });
        this.out.chain(parts, span);
      };
    });
  }

  private tryStmt(e: ast.TryExpr, mode: Mode, span: Span): void {
    const parts: { head: string; body: () => void }[] = [{ head: "try", body: () => this.nested(() => this.stmts(e.body.stmts, mode)) }];
    if (e.catchBody) {
      parts.push({
        head: e.catchName ? `catch (${safeName(e.catchName)}: any)` : "catch",
        body: () => this.nested(() => {
          if (e.catchName) this.declareParam(e.catchName);
          this.stmts(e.catchBody!.stmts, mode);
        }),
      });
    }
    if (e.finallyBody) parts.push({ head: "finally", body: () => this.nested(() => this.stmts(e.finallyBody!.stmts, DISCARD)) });
    this.out.chain(parts, span);
  }

  // ---- match ----------------------------------------------------------

  /** The subject, evaluated once: a name or member chain is used as is, anything else gets a `const`. */
  private subject(e: ast.Expr, hoist: (line: string) => void): string {
    const text = this.expr(e);
    if (/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/.test(text)) return text;
    const name = this.temp("subject");
    hoist(`const ${name} = ${text}`);
    return name;
  }

  private matchStmt(e: ast.MatchExpr, mode: Mode, span: Span): void {
    if (this.isBoolMatch(e)) return this.boolMatch(e, mode, span);
    this.withPrelude(() => {
      const lines: string[] = [];
      const subject = this.subject(e.subject, (l) => lines.push(l));
      return () => {
        for (const l of lines) this.out.line(l, span);
        if (this.switchable(e)) return this.switchStmt(e, subject, mode, span);
        const parts: { head: string; body: () => void }[] = [];
        for (let i = 0; i < e.arms.length; i++) {
          const arm = e.arms[i]!;
          const done = this.nested(() => {
            const test = this.pattern(arm.pattern, subject);
            const guard = arm.guard ? this.expr(arm.guard) : null;
            let cond = [test, guard].filter((c): c is string => !!c && c !== "true").join(" && ");
            // The last arm of an exhaustive match needs no test (check-types made sure of it).
            if (i === e.arms.length - 1 && parts.length && exhaustiveTail(arm)) cond = "";
            const scope = this.scopes[this.scopes.length - 1]!;
            const body = () => {
              this.scopes.push(scope);
              try {
                this.armBody(arm.body, mode);
              } finally {
                this.scopes.pop();
              }
            };
            const empty = arm.body.kind === "Block" && arm.body.stmts.length === 0;
            if (!cond && empty && mode.kind === "discard" && parts.length) return true; // `_ => {}`: nothing to write
            parts.push({ head: cond ? `${parts.length ? "else if" : "if"} (${cond})` : parts.length ? "else" : "", body });
            return !cond;
          });
          if (done) break;
        }
        if (parts[0]!.head === "") {
          this.out.block("", parts[0]!.body, span);
          return;
        }
        // No arm applies (a literal or array match without `_`): fail loudly rather than fall through.
        if (mode.kind !== "discard" && !parts.some((p) => p.head === "else")) {
          parts.push({ head: "else", body: () => this.out.line(`${mode.kind === "return" ? "return " : ""}${this.ctx.stdlib("matchFailed")}(${subject})`) });
        }
        this.out.chain(parts, span);
      };
    });
  }

  private isBoolMatch(e: ast.MatchExpr): boolean {
    return e.arms.every((a) => !a.guard && ((a.pattern.kind === "PLit" && typeof a.pattern.value === "boolean") || a.pattern.kind === "PWild")) && e.arms.length <= 2;
  }

  /** `match c { true => a, false => b }` is `if (c) { a } else { b }`. */
  private boolMatch(e: ast.MatchExpr, mode: Mode, span: Span): void {
    this.withPrelude(() => {
      const cond = this.expr(e.subject);
      return () => {
        const arm = (value: boolean) => e.arms.find((a) => a.pattern.kind === "PLit" && a.pattern.value === value) ?? e.arms.find((a) => a.pattern.kind === "PWild");
        const whenTrue = arm(true);
        const whenFalse = arm(false);
        const isEmpty = (a: ast.MatchArm | undefined) => !a || (a.body.kind === "Block" && a.body.stmts.length === 0);
        const parts: { head: string; body: () => void }[] = [];
        if (!isEmpty(whenTrue)) parts.push({ head: `if (${cond})`, body: () => this.nested(() => this.armBody(whenTrue!.body, mode)) });
        if (!isEmpty(whenFalse)) {
          parts.push(parts.length ? { head: "else", body: () => this.nested(() => this.armBody(whenFalse!.body, mode)) } : { head: `if (!(${cond}))`, body: () => this.nested(() => this.armBody(whenFalse!.body, mode)) });
        }
        if (parts.length) this.out.chain(parts, span);
      };
    });
  }

  /** Literal and unit-variant patterns with no guards (and a trailing `_`) make a `switch`. */
  private switchable(e: ast.MatchExpr): boolean {
    // `break` in a `case` would leave the switch, not the loop around the match.
    if (e.arms.some((a) => breaksOrContinues(a.body))) return false;
    return e.arms.every((a, i) => {
      if (a.guard) return false;
      const p = a.pattern;
      if (p.kind === "PWild") return i === e.arms.length - 1;
      if (p.kind === "PLit") return typeof p.value === "string" || typeof p.value === "number";
      return p.kind === "PVariant" && p.args.length === 0 && this.ctx.isUnitVariant(p.name);
    });
  }

  private switchStmt(e: ast.MatchExpr, subject: string, mode: Mode, span: Span): void {
    this.out.block(`switch (${subject})`, () => {
      for (const arm of e.arms) {
        const p = arm.pattern;
        const label = p.kind === "PWild" ? "default:" : `case ${JSON.stringify(p.kind === "PLit" ? p.value : (p as { name: string }).name)}:`;
        this.out.block(label, () => {
          this.nested(() => this.armBody(arm.body, mode));
          if (mode.kind !== "return" || !this.endsWithReturn(arm.body)) this.out.line("break");
        });
      }
    }, span);
  }

  private endsWithReturn(body: ast.Expr): boolean {
    if (body.kind !== "Block") return !this.isStatementCall(body) && !["If", "Match", "Try", "Block"].includes(body.kind);
    const last = body.stmts[body.stmts.length - 1];
    return !!last && (last.kind === "Return" || (last.kind === "ExprStmt" && !this.isStatementCall(last.expr) && !["If", "Match", "Try", "Block"].includes(last.expr.kind)));
  }

  private armBody(body: ast.Expr, mode: Mode): void {
    if (body.kind === "Block") this.stmts(body.stmts, mode);
    else this.exprStmt(body, mode, body.span);
  }

  /**
   * The condition for a pattern against `subject` (or "true"); bindings are
   * declared in the current scope as aliases of the matched part.
   */
  private pattern(p: ast.Pattern, subject: string): string {
    switch (p.kind) {
      case "PWild":
        return "true";
      case "PBind":
        this.alias(p.name, subject);
        return "true";
      case "PLit":
        // `nil` matches a missing JS value as well (undefined counts as None).
        return p.value === null ? `${subject} == null` : `${subject} === ${JSON.stringify(p.value)}`;
      case "PRange":
        return `${subject} >= ${p.start} && ${subject} ${p.inclusive ? "<=" : "<"} ${p.end}`;
      case "PVariant": {
        const conds: string[] = [];
        const sub = (i: number, access: string) => {
          const arg = p.args[i];
          if (!arg) return;
          const c = this.pattern(arg, access);
          if (c !== "true") conds.push(c);
        };
        switch (p.name) {
          case "Some":
            conds.push(`${subject} != null`);
            sub(0, subject);
            break;
          case "None":
            conds.push(`${subject} == null`);
            break;
          case "Ok":
            conds.push(`${subject}.ok`);
            sub(0, `${subject}.value`);
            break;
          case "Err":
            conds.push(`!${subject}.ok`);
            sub(0, `${subject}.error`);
            break;
          default: {
            if (this.ctx.isUnitVariant(p.name)) {
              conds.push(`${subject} === ${JSON.stringify(p.name)}`);
              break;
            }
            conds.push(`${subject}.tag === ${JSON.stringify(p.name)}`);
            const fields = this.ctx.variantFields(p.name);
            p.args.forEach((_, i) => sub(i, `${subject}.${variantField(fields[i] ?? "", i)}`));
          }
        }
        return conds.join(" && ") || "true";
      }
      case "PArray": {
        const conds = [`Array.isArray(${subject})`, `${subject}.length ${p.rest ? ">=" : "==="} ${p.elements.length}`];
        p.elements.forEach((el, i) => {
          const c = this.pattern(el, `${subject}[${i}]`);
          if (c !== "true") conds.push(c);
        });
        if (p.rest) this.alias(p.rest, `${subject}.slice(${p.elements.length})`);
        return conds.join(" && ");
      }
      case "PObject": {
        const conds = [`${subject} != null`];
        for (const f of p.fields) {
          const access = `${subject}.${f.key}`;
          if (f.pattern) {
            const c = this.pattern(f.pattern, access);
            if (c !== "true") conds.push(c);
          } else this.alias(f.key, access);
        }
        return conds.join(" && ");
      }
    }
  }

  // ---- expressions ----------------------------------------------------

  /** Where an assignment writes: a `var`, a client `state`'s value, a field, an element. */
  private target(e: ast.Expr): string {
    if (e.kind === "Ident") {
      const local = this.lookup(e.name);
      if (local) return local.ts;
      const sym = this.ctx.names.symbols.get(e);
      return this.ctx.reference(e.name, sym, true);
    }
    return this.expr(e);
  }

  expr(e: ast.Expr): string {
    switch (e.kind) {
      case "Num":
        return numberText(e);
      case "Str":
        return JSON.stringify(e.value);
      case "Template":
        return this.template(e);
      case "Bool":
        return String(e.value);
      case "Nil":
        return "null";
      case "Ident": {
        const local = this.lookup(e.name);
        if (local) return local.read;
        return this.ctx.reference(e.name, this.ctx.names.symbols.get(e), false);
      }
      case "Array":
        return `[${e.elements.map((x) => (x.kind === "Spread" ? `...${this.expr(x.value)}` : this.expr(x))).join(", ")}]`;
      case "Object":
        return this.object(e.entries);
      case "Record":
        // `satisfies` checks the fields and keeps literal types; a generic record is checked by check-types alone.
        if (this.ctx.types.decls.get(e.type)?.typeParams.length) return this.object(e.fields);
        this.ctx.useType(e.type);
        return `${this.object(e.fields)} satisfies ${e.type}`;
      case "Member": {
        const factor = this.ctx.names.durations.get(e);
        if (factor !== undefined) return `${this.operand(e.object)} * ${factor} /* .${e.name} */`;
        return `${this.operand(e.object)}${e.optional ? "?." : "."}${e.name}`;
      }
      case "Index":
        return `${this.operand(e.object)}[${this.expr(e.index)}]`;
      case "Call":
        return this.call(e);
      case "Unary":
        return `${e.op === "not" ? "!" : e.op}${this.operand(e.operand)}`;
      case "Binary":
        return `${this.operand(e.left)} ${BINARY[e.op]} ${this.operand(e.right)}`;
      case "Compare": {
        const parts: string[] = [];
        for (let i = 0; i < e.ops.length; i++) parts.push(`${this.operand(e.operands[i]!)} ${BINARY[e.ops[i]!]} ${this.operand(e.operands[i + 1]!)}`);
        return `(${parts.join(" && ")})`;
      }
      case "Range":
        return `${this.ctx.stdlib("range")}(${this.expr(e.start)}, ${e.inclusive ? `${this.operand(e.end)} + 1` : this.expr(e.end)})`;
      case "Pipe":
        return this.call({ kind: "Call", callee: e.stage, args: [{ name: null, value: e.left, span: e.left.span }], span: e.span });
      case "Propagate":
        return this.propagate(e);
      case "Lambda":
        return this.lambda(e);
      case "ImplicitMember":
        return `it.${e.name}`;
      case "If":
        return this.valueIf(e);
      case "Match":
        return this.valueMatch(e);
      case "Block":
      case "Try":
        return this.hoisted(e);
      case "Await":
        return `await ${this.operand(e.expr.kind === "Call" ? { ...e.expr, span: e.expr.span } : e.expr, true)}`;
      case "JsxElement":
        return this.ctx.jsx(e, (x) => this.expr(x), (name, fn) => this.nested(() => fn(this.declare(name, false))));
      case "ErrorExpr":
        return "undefined as never";
    }
  }

  /** A sub-expression, parenthesised unless it is atomic. */
  private operand(e: ast.Expr, awaited = false): string {
    const text = e.kind === "Call" && awaited ? this.call(e, true) : this.expr(e);
    return ATOMIC.has(e.kind) && !(e.kind === "Member" && this.ctx.names.durations.has(e)) ? text : `(${text})`;
  }

  private object(entries: (ast.Prop | ast.Spread)[]): string {
    if (!entries.length) return "{}";
    const parts = entries.map((x) => {
      if (x.kind === "Spread") return `...${this.expr(x.value)}`;
      const value = this.expr(x.value);
      const key = propertyName(x.key);
      return value === key ? key : `${key}: ${value}`;
    });
    return `{ ${parts.join(", ")} }`;
  }

  private template(e: ast.TemplateLit): string {
    const parts = e.parts.map((p) => (typeof p === "string" ? escapeTemplate(p) : `\${${this.expr(p)}}`));
    return `\`${parts.join("")}\``;
  }

  private call(e: ast.CallExpr, alreadyAwaited = false): string {
    const args = e.args.map((a) => this.expr(a.value));
    const callee = e.callee;
    if (callee.kind === "Ident" && !this.lookup(callee.name)) {
      const sym = this.ctx.names.symbols.get(callee);
      const special = this.ctx.specialCall(callee.name, sym, args);
      if (special !== null) return special;
    }
    const text = `${this.operand(callee)}(${args.join(", ")})`;
    if (!alreadyAwaited && this.ctx.isAsyncCall(e) && this.asyncStack[this.asyncStack.length - 1]) return `await ${text}`;
    return text;
  }

  /** A callback whose result nobody reads (hooks, handlers, effects): its last statement is not returned. */
  handler(e: ast.LambdaExpr): string {
    this.discardTail = true;
    return this.expr(e);
  }

  private discardTail = false;

  private lambda(e: ast.LambdaExpr): string {
    const tail = this.discardTail ? DISCARD : RETURN;
    this.discardTail = false;
    const isAsync = e.async || this.needsAsync(e.body);
    const params = e.params.map((p) => `${safeName(p.name)}: ${tsType(p.type, this.ctx.useType)}`);
    const head = `${isAsync ? "async " : ""}(${params.join(", ")})${e.returnType ? `: ${tsType(e.returnType, this.ctx.useType)}` : ""} =>`;
    return this.nested(() => {
      for (const p of e.params) this.declareParam(p.name);
      this.asyncStack.push(isAsync);
      try {
        if (e.body.kind !== "Block" && tail.kind === "return") {
          // An expression body stays one expression unless it needs hoisted statements.
          const saved = this.prelude;
          const lines: string[] = [];
          this.prelude = lines;
          const text = this.expr(e.body);
          this.prelude = saved;
          if (!lines.length) return `${head} ${text.startsWith("{") ? `(${text})` : text}`;
          return `${head} {\n${lines.map((l) => `${l};`).join("\n")}\nreturn ${text};\n}`;
        }
        const block: ast.BlockExpr = e.body.kind === "Block" ? e.body : { kind: "Block", stmts: [{ kind: "ExprStmt", expr: e.body, span: e.body.span }], span: e.body.span };
        return `${head} ${this.capture(() => this.stmts(block.stmts, tail))}`;
      } finally {
        this.asyncStack.pop();
      }
    });
  }

  /** Writes statements into a detached block and gives back its text. */
  private capture(fn: () => void): string {
    const inner = this.ctx.detached();
    const savedOut = this.out;
    this.out = inner;
    const savedPrelude = this.prelude;
    this.prelude = null;
    try {
      fn();
    } finally {
      this.out = savedOut;
      this.prelude = savedPrelude;
    }
    return `{\n${inner.toString()}}`;
  }

  /** `e!`: hoist `const r = e; if (isFailure(r)) return r;` and use `unwrap(r)`. */
  private propagate(e: ast.PropagateExpr): string {
    const inner = this.expr(e.expr);
    const name = this.temp(this.bindingName ? `${this.bindingName}Result` : "result");
    this.hoist(`const ${name} = ${inner}`);
    this.hoist(`if (${this.ctx.stdlib("isFailure")}(${name})) return ${name}`);
    return `${this.ctx.stdlib("unwrap")}(${name})`;
  }

  private hoist(line: string) {
    if (!this.prelude) throw new Error("internal: no statement to hoist into");
    this.prelude.push(line);
  }

  /** `if` as a value: a conditional expression when every branch is one expression. */
  private valueIf(e: ast.IfExpr): string {
    const simple = e.branches.every((b) => single(b.body) !== null) && (!e.otherwise || single(e.otherwise) !== null);
    if (simple && this.prelude) {
      const conds = e.branches.map((b) => this.expr(b.cond));
      const values = e.branches.map((b) => this.nested(() => this.expr(single(b.body)!)));
      const otherwise = e.otherwise ? this.nested(() => this.expr(single(e.otherwise!)!)) : "null";
      return conds.reduceRight((acc, c, i) => `${c} ? ${values[i]} : ${acc}`, otherwise);
    }
    return this.hoisted(e);
  }

  /** `match` as a value: a chain of conditional expressions when every arm is one expression. */
  private valueMatch(e: ast.MatchExpr): string {
    const simple = e.arms.every((a) => a.body.kind !== "Block" || single(a.body) !== null);
    if (!simple || !this.prelude) return this.hoisted(e);
    const subject = this.subject(e.subject, (l) => this.hoist(l));
    const arms = e.arms.map((arm) =>
      this.nested(() => {
        const test = this.pattern(arm.pattern, subject);
        const guard = arm.guard ? this.expr(arm.guard) : null;
        const cond = [test, guard].filter((c): c is string => !!c && c !== "true").join(" && ");
        const body = arm.body.kind === "Block" ? single(arm.body)! : arm.body;
        return { cond, value: this.expr(body), guarded: !!arm.guard };
      }),
    );
    // The last arm needs no test when the match is exhaustive (check-types made sure of it).
    const last = arms[arms.length - 1]!;
    const lastPattern = e.arms[e.arms.length - 1]!.pattern;
    const exhaustiveTail = !last.cond || (!last.guarded && (lastPattern.kind === "PVariant" || (lastPattern.kind === "PLit" && typeof lastPattern.value === "boolean")));
    let acc = exhaustiveTail ? last.value : `${last.cond} ? ${last.value} : ${this.ctx.stdlib("matchFailed")}(${subject})`;
    for (let i = arms.length - 2; i >= 0; i--) {
      const a = arms[i]!;
      acc = a.cond ? `${a.cond} ? ${a.value} : ${acc}` : a.value;
    }
    return acc;
  }

  /** A value that needs statements: `let tmp;` then the statements assign it. */
  private hoisted(e: ast.Expr): string {
    const name = this.temp("value");
    const block = this.capture(() => this.exprStmt(e, { kind: "assign", to: name }, e.span));
    this.hoist(`let ${name}: any`);
    this.hoist(block.slice(2, -1).trim().replace(/;$/, ""));
    return name;
  }
}

/** The values an `if`/`match`/`try`/block can end with. */
function tails(e: ast.Expr): ast.Expr[] {
  const ofBlock = (b: ast.BlockExpr): ast.Expr[] => {
    const last = b.stmts[b.stmts.length - 1];
    return last?.kind === "ExprStmt" ? tails(last.expr) : [];
  };
  switch (e.kind) {
    case "If":
      return [...e.branches.flatMap((b) => ofBlock(b.body)), ...(e.otherwise ? ofBlock(e.otherwise) : [])];
    case "Match":
      return e.arms.flatMap((a) => (a.body.kind === "Block" ? ofBlock(a.body) : tails(a.body)));
    case "Try":
      return [...ofBlock(e.body), ...(e.catchBody ? ofBlock(e.catchBody) : [])];
    case "Block":
      return ofBlock(e);
    default:
      return [e];
  }
}

/** `: any[]` for `[]` and `: any` for `nil`, whose own types TypeScript would make `never[]` and `null`. */
export function vagueType(e: ast.Expr): string {
  if (e.kind === "Array" && e.elements.length === 0) return ": any[]";
  if (e.kind === "Nil" || (e.kind === "Ident" && e.name === "None")) return ": any";
  return "";
}

/** Values TypeScript cannot infer a useful type from. */
function vague(e: ast.Expr): boolean {
  return vagueType(e) !== "";
}

/** Whether a `break` or `continue` of an enclosing loop occurs in `e` (nested loops own theirs). */
function breaksOrContinues(e: ast.Expr): boolean {
  let found = false;
  const stmts = (list: ast.Stmt[]) => {
    for (const s of list) {
      if (s.kind === "Break" || s.kind === "Continue") found = true;
      else if (s.kind === "ExprStmt") visit(s.expr);
    }
  };
  const visit = (x: ast.Expr): void => {
    if (found) return;
    if (x.kind === "Block") return stmts(x.stmts);
    if (x.kind === "If") {
      x.branches.forEach((b) => stmts(b.body.stmts));
      if (x.otherwise) stmts(x.otherwise.stmts);
    } else if (x.kind === "Match") x.arms.forEach((a) => visit(a.body));
    else if (x.kind === "Try") {
      stmts(x.body.stmts);
      if (x.catchBody) stmts(x.catchBody.stmts);
    }
  };
  visit(e);
  return found;
}

/** An arm that needs no test when it is last: a variant or Bool arm with nothing refutable inside and no guard. */
function exhaustiveTail(arm: ast.MatchArm): boolean {
  const p = arm.pattern;
  if (arm.guard) return false;
  if (p.kind === "PWild" || p.kind === "PBind") return true;
  if (p.kind === "PLit") return typeof p.value === "boolean";
  return p.kind === "PVariant" && p.args.every((a) => a.kind === "PWild" || a.kind === "PBind");
}

/** Text of a template literal, with control characters written as escapes, as a person would. */
function escapeTemplate(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/`/g, "\\`").replace(/\$\{/g, "\\${").replace(/\n/g, "\\n").replace(/\t/g, "\\t").replace(/\r/g, "\\r");
}

/** The one expression of a block that is just one expression statement. */
function single(b: ast.BlockExpr): ast.Expr | null {
  if (b.stmts.length === 0) return { kind: "Nil", span: b.span };
  if (b.stmts.length !== 1) return null;
  const s = b.stmts[0]!;
  if (s.kind !== "ExprStmt") return null;
  if (s.expr.kind === "Block" || s.expr.kind === "Try") return null;
  if (s.expr.kind === "If" && !s.expr.otherwise) return null;
  return s.expr;
}

function numberText(e: ast.NumLit): string {
  const suffix = /[a-z]+$/i.exec(e.raw.replace(/^0x[0-9a-f_]+$/i, ""));
  const value = Number.isInteger(e.value) && Math.abs(e.value) >= 10_000 ? e.value.toLocaleString("en-US").replace(/,/g, "_") : String(e.value);
  if (suffix && e.raw.includes(".") && /[a-z]/i.test(e.raw.split(".").pop()!)) return `${value} /* ${e.raw} */`;
  return e.raw.startsWith("0x") ? e.raw : value;
}

const BINARY: Record<ast.BinaryOp, string> = {
  "+": "+", "-": "-", "*": "*", "/": "/", "%": "%", "**": "**", "??": "??", or: "||", and: "&&",
  "==": "===", "!=": "!==", "<": "<", "<=": "<=", ">": ">", ">=": ">=",
};

const ATOMIC = new Set<ast.Expr["kind"]>(["Num", "Str", "Template", "Bool", "Nil", "Ident", "Array", "Object", "Member", "Index", "Call"]);

/** The direct sub-expressions of an expression (statements included), for scans. */
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
    default: return;
  }
}

