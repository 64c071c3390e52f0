import type * as ast from "../../../frontend/ast.js";
import type { Span } from "../../../frontend/span.js";
import type { TsFile } from "../builders.js";
import type { ModuleContext } from "../context.js";
import { handler, lambda, params } from "./calls.js";
import { DISCARD, RETURN } from "./lowered.js";
import { Lowerer } from "./lowerer.js";
import { statements } from "./statements.js";
import { line, writeStmts, type TsStmt } from "./ts-stmt.js";
import { propertyName } from "../builders.js";

/**
 * What the block emitters use to lower Tova code: function bodies, module
 * level values (a binding's value, a handler, a setting) and top-level
 * statements. The lowering itself is data (lowerer.ts and one module per
 * construct); this writes it into the module being emitted.
 */
export class BodyEmitter {
  private readonly l: Lowerer;
  /** Statements a module-level value needs, written before the line that uses it. */
  private pending: TsStmt[] | null = null;

  constructor(
    ctx: ModuleContext,
    private readonly out: TsFile,
  ) {
    this.l = ctx.lowerer;
  }

  /**
   * A value at module level: `fn` lowers it with `expr`/`handler`; statements it
   * needs are written before the caller writes the line that uses the text.
   */
  topLevel(fn: () => string, span: Span): string {
    const saved = this.pending;
    this.pending = [];
    try {
      const text = this.l.atModuleLevel(fn);
      writeStmts(this.out, this.pending.map((s) => ({ ...s, span: s.span ?? span })));
      return text;
    } finally {
      this.pending = saved;
    }
  }

  /** An expression inside `topLevel`. */
  expr(e: ast.Expr): string {
    const lowered = this.l.expr(e);
    this.take(lowered.pre);
    return lowered.value;
  }

  /** A callback whose result nobody reads (hooks, handlers, effects), inside `topLevel`. */
  handler(e: ast.LambdaExpr): string {
    return handler(this.l, e).value;
  }

  /** A lambda whose result is its body's value, inside `topLevel`. */
  lambda(e: ast.LambdaExpr): string {
    return lambda(this.l, e).value;
  }

  /** Top-level statements, run once when the module loads, in source order. */
  statements(stmts: readonly ast.Stmt[]): void {
    writeStmts(this.out, this.l.atModuleLevel(() => statements(this.l, stmts, DISCARD)));
  }

  /**
   * A module-level function: its parameters (`name: Type`, defaults kept) and a
   * writer for its body, lowered in a scope of its own.
   */
  function(ps: readonly { name: string; type: ast.TypeExpr | null; default: ast.Expr | null }[], body: ast.BlockExpr, returns: boolean, isAsync: boolean): { params: string[]; write: () => void } {
    const lowered = this.l.inFunction(isAsync, () => ({ params: params(this.l, ps), body: statements(this.l, body.stmts, returns ? RETURN : DISCARD) }));
    return { params: lowered.params, write: () => writeStmts(this.out, lowered.body) };
  }

  /**
   * A function body that computes `items` in order into locals, each later
   * value reading the earlier locals instead of the module-level names of the
   * same name (a data block's refresh: the source reloaded, then what derives
   * from it). Answers the statements and each item's local name.
   */
  locals(items: readonly { name: string; value: ast.Expr }[], isAsync: boolean): { stmts: TsStmt[]; names: string[] } {
    return this.l.inFunction(isAsync, () => {
      const stmts: TsStmt[] = [];
      const names = items.map((item) => {
        const saved = this.l.bindingName;
        this.l.bindingName = item.name;
        const value = this.l.expr(item.value);
        this.l.bindingName = saved;
        const ts = this.l.scopes.declare(item.name, false);
        stmts.push(...value.pre, line(`const ${ts} = ${value.value}`, item.value.span));
        return ts;
      });
      return { stmts, names };
    });
  }

  /**
   * A component (client.md): its props arrive as functions (`{ todo }: { todo: () => Todo }`), so every
   * read of a prop in the body is a call that gives its current value. Answers the destructured
   * parameter with its type, and a writer for the body.
   */
  component(ps: readonly ast.Param[], body: ast.BlockExpr, type: (p: ast.Param) => string): { param: string | null; write: () => void } {
    const lowered = this.l.inFunction(false, () => {
      const fields = ps.map((p) => {
        const ts = this.l.scopes.nameFor(p.name);
        this.l.scopes.reserve(ts);
        const optional = p.default !== null || (p.type?.kind === "TName" && p.type.name === "Option");
        const dflt = p.default ? ` = () => ${this.l.expr(p.default).value}` : optional ? " = () => null" : "";
        this.l.scopes.alias(p.name, `${ts}()`);
        return { pattern: `${ts === p.name ? p.name : `${p.name}: ${ts}`}${dflt}`, member: `${propertyName(p.name)}${optional ? "?" : ""}: () => ${type(p)}` };
      });
      return { fields, body: statements(this.l, body.stmts, RETURN) };
    });
    const param = ps.length ? `{ ${lowered.fields.map((f) => f.pattern).join(", ")} }: { ${lowered.fields.map((f) => f.member).join("; ")} }` : null;
    return { param, write: () => writeStmts(this.out, lowered.body) };
  }

  needsAsync(e: ast.Expr): boolean {
    return this.l.needsAsync(e);
  }

  private take(pre: TsStmt[]): void {
    if (!pre.length) return;
    if (!this.pending) throw new Error("internal: an expression that needs statements outside `topLevel`");
    this.pending.push(...pre);
  }
}
