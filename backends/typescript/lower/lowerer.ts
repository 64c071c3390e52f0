import type * as ast from "../../../frontend/ast.js";
import type { ModuleContext } from "../context.js";
import { EXPRESSIONS } from "./expressions.js";
import { hasPre, isSimple, type Lowered, type Tail } from "./lowered.js";
import { Scopes } from "./scopes.js";
import { statements } from "./statements.js";
import type { TsStmt } from "./ts-stmt.js";

/**
 * The state lowering shares across constructs: the module being written,
 * the scopes of the function being lowered, and whether it is async. Each
 * construct's lowering is a function of its own (expressions.ts,
 * conditionals.ts, match.ts, statements.ts, ...), dispatched from here.
 */
export class Lowerer {
  readonly scopes: Scopes;
  /** The binding whose value is being lowered, to name its temporaries (`accountResult`). */
  bindingName: string | null = null;
  private readonly asyncStack: boolean[] = [];

  constructor(readonly ctx: ModuleContext) {
    this.scopes = new Scopes((ts) => ctx.moduleNames.has(ts), ctx.reserved);
  }

  /** An expression: the statements it needs first, and its value. */
  expr(e: ast.Expr): Lowered {
    const out = EXPRESSIONS[e.kind](this, e as never);
    if (out.pre.length && !this.hasPre(e)) {
      throw new Error(`internal: lowering a ${e.kind} produced statements that hasPre did not predict`);
    }
    return out;
  }

  /** A Map, not a WeakMap: the Lowerer lives for one module, and a WeakMap's entries cost the collector (issue 15). */
  private readonly preMemo = new Map<ast.Expr, boolean>();

  /**
   * Whether lowering `e` produces statements (lowered.ts, `hasPre`), decided
   * once per node: its parts are decided through here too, so asking again at
   * each level of a nested expression stays linear.
   */
  readonly hasPre = (e: ast.Expr): boolean => {
    let known = this.preMemo.get(e);
    if (known === undefined) this.preMemo.set(e, (known = hasPre(e, this.fixed, this.hasPre)));
    return known;
  };

  /** A subject that reads the same each time it is read (lowered.ts, `isSimple`). */
  isSimple(e: ast.Expr): boolean {
    return isSimple(e, this.fixed);
  }

  /** Whether a name's value cannot change: not a `var`, a client `state` or a data source. */
  readonly fixed = (e: ast.Ident): boolean => {
    const local = this.scopes.lookup(e.name);
    if (local) return !local.mutable;
    const kind = this.ctx.names.symbols.get(e)?.kind;
    return kind !== "var" && kind !== "state" && kind !== "computed" && kind !== "source";
  };

  /** An operand: parenthesised unless it is atomic. */
  operand(e: ast.Expr): Lowered {
    const l = this.expr(e);
    return l.atomic ? l : { ...l, value: `(${l.value})`, atomic: true };
  }

  stmts(list: readonly ast.Stmt[], tail: Tail): TsStmt[] {
    return statements(this, list, tail);
  }

  /** Whether the code being lowered may `await` (inside an async function, or at a module's top level). */
  get inAsync(): boolean {
    return this.asyncStack[this.asyncStack.length - 1] ?? false;
  }

  /** Runs `fn` as the body of a function (or of the module's top level): new scopes, its own async-ness. */
  inFunction<T>(isAsync: boolean, fn: () => T): T {
    this.asyncStack.push(isAsync);
    try {
      return this.scopes.inFunction(fn);
    } finally {
      this.asyncStack.pop();
    }
  }

  /** Runs `fn` at module level (a binding's value, top-level statements): top-level `await` is allowed. */
  atModuleLevel<T>(fn: () => T): T {
    this.asyncStack.push(true);
    try {
      return fn();
    } finally {
      this.asyncStack.pop();
    }
  }

  /** Whether a body must be `async`: it awaits, or calls something that answers asynchronously. */
  needsAsync(e: ast.Expr): boolean {
    return this.ctx.awaits(e);
  }
}
