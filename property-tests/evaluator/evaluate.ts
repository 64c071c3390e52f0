import type * as ast from "../../frontend/ast.js";
import type { CheckedApp } from "../../ir/checked.js";
import { builtins } from "./builtins.js";
import { type Event, propagates } from "./events.js";
import { matchPattern } from "./patterns.js";
import { Builtin, Closure, Env, EvalError, Obj, Variant, conforms, describe, equals, show, type Value } from "./values.js";

/**
 * A reference evaluator for the core language: it interprets the shared
 * block of a checked application (the AST after lowering and desugaring,
 * `ir/lower.ts`, `ir/desugar.ts`: pipes are already calls) by the rules of
 * language.md and decisions.md, "Semantics programs rely on":
 *
 * - expressions left to right; an untaken branch, the right side of
 *   `and` / `or` / `??` when not needed and a lambda's body until it is
 *   called are never evaluated; a loop condition at every iteration;
 * - `e!` returns the `None` / `Err` from the function or lambda whose body
 *   it is written in;
 * - `x = e` assigns when `x` is a visible `var`, and binds otherwise;
 *   `x += e` reads `x`, then evaluates `e`;
 * - functions are defined before anything runs; top-level bindings and
 *   statements run in source order.
 *
 * What it does not model (types, servers, async, JavaScript values) is an
 * `EvalError`, never a guess.
 */
export interface Evaluation {
  /** What the program printed, one entry per `print`. */
  trace: string[];
  /** The top-level binding named `result` at the end, if any. */
  result: Value | undefined;
  /** Set when the program stopped with an error (a runtime error of the program, or something not modelled). */
  error?: string;
  /** True when the run was stopped for exceeding the step budget. */
  exhausted?: boolean;
  /** What happened while it ran (events.ts), for the property's coverage counts. */
  events: Set<Event>;
  /** The named functions that were called. */
  called: Set<string>;
}

class Return {
  constructor(
    readonly value: Value,
    readonly propagated = false,
  ) {}
}
class LoopSignal {
  constructor(readonly signal: "break" | "continue") {}
}
const BREAK = new LoopSignal("break");
const CONTINUE = new LoopSignal("continue");
class Exhausted {}

export function evaluateShared(app: CheckedApp, budget = 100_000): Evaluation {
  const trace: string[] = [];
  const events = new Set<Event>();
  const called = new Set<string>();
  const ev = new Evaluator(trace, budget, events, called);
  const global = new Env(ev.globals);
  try {
    for (const f of app.shared.fns) global.define(f.name, new Closure(f.name, f.params, f.body, global, f.returnType), false);
    const items: ({ start: number } & ({ b: (typeof app.shared.bindings)[number] } | { s: ast.Stmt }))[] = [
      ...app.shared.bindings.map((b) => ({ start: b.span.start, b })),
      ...app.shared.stmts.map((s) => ({ start: s.span.start, s })),
    ];
    items.sort((a, b) => a.start - b.start);
    for (const item of items) {
      if ("b" in item) ev.bind(item.b.name, item.b.mutable, ev.typed(ev.expr(item.b.value, global), item.b.type, `\`${item.b.name}\``), global);
      else ev.stmt(item.s, global);
    }
    return { trace, result: global.lookup("result")?.value, events, called };
  } catch (e) {
    if (e instanceof Exhausted) return { trace, result: undefined, error: "step budget exhausted", exhausted: true, events, called };
    if (e instanceof EvalError) return { trace, result: undefined, error: e.message, events, called };
    if (e instanceof Return) return { trace, result: undefined, error: "`return` or `!` at the top level", events, called };
    if (e instanceof LoopSignal) return { trace, result: undefined, error: `\`${e.signal}\` outside a loop`, events, called };
    throw e;
  }
}

class Evaluator {
  readonly globals: Env = new Env(null);
  private steps = 0;

  constructor(
    private readonly trace: string[],
    private readonly budget: number,
    private readonly events: Set<Event>,
    private readonly called: Set<string>,
  ) {
    for (const [name, v] of builtins((f, args) => this.apply(f, args), (line) => this.trace.push(line))) this.globals.define(name, v, false);
  }

  /** A value that breaks its declared type makes the program invalid (values.ts, `conforms`). */
  typed(v: Value, t: ast.TypeExpr | null, what: string): Value {
    if (t && !conforms(v, t)) throw new EvalError(`${what} is ${describe(v)}, which is not of its declared type`);
    return v;
  }

  private tick(): void {
    if (++this.steps > this.budget) throw new Exhausted();
  }

  /** `x = e` / `var x = e`: assignment to a visible `var`, otherwise a new binding in this scope. */
  bind(name: string, mutable: boolean, value: Value, env: Env): void {
    const slot = mutable ? undefined : env.lookup(name);
    if (slot && slot.mutable) slot.value = value;
    else env.define(name, value, mutable);
  }

  apply(f: Value, args: Value[]): Value {
    this.tick();
    if (f instanceof Builtin) return f.call(args);
    if (!(f instanceof Closure)) throw new EvalError(`calling ${describe(f)}, which is not a function`);
    this.called.add(f.name);
    const env = new Env(f.env);
    f.params.forEach((p, i) => {
      const v = i < args.length ? args[i]! : p.default ? this.expr(p.default, env) : null;
      env.define(p.name, this.typed(v, p.type, `parameter ${p.name} of ${f.name}`), false);
    });
    try {
      return this.typed(this.expr(f.body, env), f.returnType, `the result of ${f.name}`);
    } catch (e) {
      if (e instanceof Return) {
        this.events.add(!e.propagated ? "an early return" : f.name === "lambda" ? "! returned from a lambda" : e.value === null ? "! returned None" : "! returned Err");
        return this.typed(e.value, f.returnType, `the result of ${f.name}`);
      }
      if (e instanceof LoopSignal) throw new EvalError(`\`${e.signal}\` outside a loop in ${f.name}`);
      throw e;
    }
  }

  // ---- statements -------------------------------------------------------

  /** A block's statements in a new scope; its value is its last expression statement's. */
  block(b: ast.BlockExpr, outer: Env): Value {
    const env = new Env(outer);
    let value: Value = null;
    b.stmts.forEach((s, i) => {
      const v = this.stmt(s, env);
      if (i === b.stmts.length - 1) value = v;
    });
    return value;
  }

  stmt(s: ast.Stmt, env: Env): Value {
    this.tick();
    switch (s.kind) {
      case "ExprStmt":
        return this.expr(s.expr, env);
      case "Let":
        this.bind(s.name, s.mutable, this.typed(this.expr(s.value, env), s.type, `\`${s.name}\``), env);
        return null;
      case "Assign":
        this.assign(s, env);
        return null;
      case "Return":
        throw new Return(s.value ? this.expr(s.value, env) : null);
      case "Break":
        this.events.add("break");
        throw BREAK;
      case "Continue":
        this.events.add("continue");
        throw CONTINUE;
      case "FnDecl":
        env.define(s.name, new Closure(s.name, s.params, s.body, env, s.returnType), false);
        return null;
      case "For":
        this.forLoop(s, env);
        return null;
      case "While":
        for (let again = false; ; again = true) {
          if (again) this.events.add(propagates(s.cond) ? "a while condition with a ! was evaluated again" : "a while condition was evaluated again");
          const c = this.expr(s.cond, env);
          if (!this.truth(c, "a `while` condition")) return null;
          if (this.loopBody(s.body, env) === "break") return null;
        }
      default:
        throw new EvalError(`the evaluator does not model \`${s.kind}\` statements`);
    }
  }

  private assign(s: ast.AssignStmt, env: Env): void {
    if (s.target.kind !== "Ident") throw new EvalError("the evaluator assigns only to names");
    const slot = env.lookup(s.target.name);
    if (!slot || !slot.mutable) throw new EvalError(`\`${s.target.name}\` is not a var`);
    if (s.op === "=") {
      slot.value = this.expr(s.value, env);
      return;
    }
    const old = slot.value; // `x += e` reads x first: left to right
    slot.value = this.arith(s.op.slice(0, 1) as ast.BinaryOp, old, this.expr(s.value, env));
  }

  private forLoop(s: ast.ForStmt, env: Env): void {
    const it = this.expr(s.iterable, env);
    let pairs: [Value, Value][];
    if (Array.isArray(it)) pairs = it.map((x, i) => [i, x]);
    else if (it instanceof Obj) pairs = [...it.fields].map(([k, v]) => [k, v]);
    else throw new EvalError(`\`for\` over ${describe(it)}`);
    for (const [k, v] of pairs) {
      const iter = new Env(env);
      if (s.names.length === 1) iter.define(s.names[0]!.name, it instanceof Obj ? k : v, false);
      else (iter.define(s.names[0]!.name, k, false), iter.define(s.names[1]!.name, v, false));
      if (this.loopBody(s.body, iter) === "break") return;
    }
  }

  private loopBody(body: ast.BlockExpr, env: Env): "break" | "next" {
    try {
      this.block(body, env);
    } catch (e) {
      if (e === BREAK) return "break";
      if (e === CONTINUE) return "next";
      throw e;
    }
    return "next";
  }

  // ---- expressions ------------------------------------------------------

  expr(e: ast.Expr, env: Env): Value {
    this.tick();
    switch (e.kind) {
      case "Num":
        return e.value;
      case "Str":
        return e.value;
      case "Bool":
        return e.value;
      case "Nil":
        return null;
      case "Template":
        return e.parts.map((p) => (typeof p === "string" ? p : show(this.expr(p, env)))).join("");
      case "Ident": {
        const slot = env.lookup(e.name);
        if (!slot) throw new EvalError(`\`${e.name}\` is not defined`);
        return slot.value;
      }
      case "Array":
        return e.elements.map((x) => {
          if (x.kind === "Spread") throw new EvalError("the evaluator does not model spreads");
          return this.expr(x, env);
        });
      case "Object": {
        const fields = new Map<string, Value>();
        for (const p of e.entries) {
          if (p.kind === "Spread") throw new EvalError("the evaluator does not model spreads");
          fields.set(p.key, this.expr(p.value, env));
        }
        return new Obj(fields);
      }
      case "Member": {
        const o = this.expr(e.object, env);
        if (o === null && e.optional) return null;
        if (o instanceof Obj) return o.fields.get(e.name) ?? null; // a missing field is nil
        throw new EvalError(`\`.${e.name}\` of ${describe(o)}`);
      }
      case "Index": {
        const o = this.expr(e.object, env);
        const i = this.expr(e.index, env);
        if (Array.isArray(o) && typeof i === "number") return o[i] ?? null;
        if (o instanceof Obj && typeof i === "string") return o.fields.get(i) ?? null;
        throw new EvalError(`indexing ${describe(o)} with ${describe(i)}`);
      }
      case "Call": {
        const f = this.expr(e.callee, env);
        const args = e.args.map((a) => this.expr(a.value, env));
        return this.apply(f, args);
      }
      case "Unary": {
        const v = this.expr(e.operand, env);
        if (e.op === "-") return -(this.num(v, "-"));
        return !this.truth(v, "`not`");
      }
      case "Binary":
        return this.binary(e, env);
      case "Compare": {
        // `a < b < c`: each operand once, left to right, stopping at the first false comparison.
        let left = this.expr(e.operands[0]!, env);
        for (let i = 0; i < e.ops.length; i++) {
          const right = this.expr(e.operands[i + 1]!, env);
          if (!this.compare(e.ops[i]!, left, right)) return false;
          left = right;
        }
        return true;
      }
      case "Range": {
        const a = this.num(this.expr(e.start, env), "..");
        const b = this.num(this.expr(e.end, env), "..");
        const out: number[] = [];
        for (let i = a; e.inclusive ? i <= b : i < b; i++) out.push(i);
        return out;
      }
      case "Propagate": {
        const v = this.expr(e.expr, env);
        if (v === null || (v instanceof Variant && v.tag === "Err")) throw new Return(v, true);
        this.events.add("! unwrapped");
        if (v instanceof Variant) return v.value;
        throw new EvalError(`\`!\` on ${describe(v)}, which is neither an Option nor a Result`);
      }
      case "Lambda":
        return new Closure(e.name ?? "lambda", e.params, e.body, env, e.returnType);
      case "If": {
        let taken: ast.BlockExpr | null = e.otherwise;
        for (const b of e.branches) {
          if (this.truth(this.expr(b.cond, env), "an `if` condition")) {
            taken = b.body;
            break;
          }
        }
        if ([...e.branches.map((b) => b.body), e.otherwise].some((b) => b && b !== taken && propagates(b))) this.events.add("a branch with a ! was not taken");
        return taken ? this.block(taken, env) : null;
      }
      case "Match":
        return this.match(e, env);
      case "Block":
        return this.block(e, env);
      default:
        throw new EvalError(`the evaluator does not model \`${e.kind}\` expressions`);
    }
  }

  private binary(e: ast.BinaryExpr, env: Env): Value {
    const left = this.expr(e.left, env);
    switch (e.op) {
      case "and":
        if (this.truth(left, "`and`")) return this.truth(this.expr(e.right, env), "`and`");
        return this.skipped(false, e.right);
      case "or":
        if (!this.truth(left, "`or`")) return this.truth(this.expr(e.right, env), "`or`");
        return this.skipped(true, e.right);
      case "??":
        // `o ?? d` is d when o is nil/None, and o's value otherwise (`Some(x) ?? d` is x).
        if (left === null) return this.expr(e.right, env);
        return this.skipped(left instanceof Variant && left.tag === "Some" ? left.value : left, e.right);
      case "==":
        return equals(left, this.expr(e.right, env));
      case "!=":
        return !equals(left, this.expr(e.right, env));
      case "<": case "<=": case ">": case ">=":
        return this.compare(e.op, left, this.expr(e.right, env));
      default:
        return this.arith(e.op, left, this.expr(e.right, env));
    }
  }

  private skipped(v: Value, right: ast.Expr): Value {
    this.events.add("the right side of and/or/?? was skipped");
    if (propagates(right)) this.events.add("a branch with a ! was not taken");
    return v;
  }

  private arith(op: ast.BinaryOp, a: Value, b: Value): Value {
    const x = this.num(a, op);
    const y = this.num(b, op);
    switch (op) {
      case "+": return x + y;
      case "-": return x - y;
      case "*": return x * y;
      case "/": return x / y;
      case "%": return x % y;
      case "**": return x ** y;
      default: throw new EvalError(`operator ${op}`);
    }
  }

  private compare(op: ast.BinaryOp, a: Value, b: Value): boolean {
    if (op === "==") return equals(a, b);
    if (op === "!=") return !equals(a, b);
    if (!((typeof a === "number" && typeof b === "number") || (typeof a === "string" && typeof b === "string"))) {
      throw new EvalError(`comparing ${describe(a)} ${op} ${describe(b)}`);
    }
    return op === "<" ? a < b : op === "<=" ? a <= b : op === ">" ? a > b : a >= b;
  }

  private num(v: Value, op: string): number {
    if (typeof v === "number") return v;
    throw new EvalError(`\`${op}\` on ${describe(v)}`);
  }

  private truth(v: Value, where: string): boolean {
    if (typeof v === "boolean") return v;
    throw new EvalError(`${where} must be a Bool, got ${describe(v)}`);
  }

  // ---- match --------------------------------------------------------------

  private match(e: ast.MatchExpr, env: Env): Value {
    const subject = this.expr(e.subject, env);
    for (const arm of e.arms) {
      const armEnv = new Env(env);
      if (!matchPattern(arm.pattern, subject, armEnv)) continue;
      if (arm.guard && !this.truth(this.expr(arm.guard, armEnv), "a guard")) {
        this.events.add("a guard was false");
        continue;
      }
      if (arm.body.kind === "Block") this.events.add("a match arm block ran");
      if (e.arms.some((a) => a !== arm && propagates(a.body))) this.events.add("a branch with a ! was not taken");
      return this.expr(arm.body, armEnv);
    }
    throw new EvalError(`no arm of the match matches ${describe(subject)}`);
  }
}
