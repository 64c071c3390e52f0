import { Choices } from "./choices.js";
import { type Ctx, type Ex, type Sig, type Ty, atom, block, indent, op, paren } from "./generate-common.js";
import { genMatch } from "./generate-match.js";

/**
 * Generates well-typed, well-scoped Tova programs (language.md) from a
 * stream of decisions, for the differential property. A program is
 *
 *     var g0 = 3                    global vars, first
 *     fn f0(a1: Int) -> Int { .. }  functions with side effects (print, mutate vars);
 *                                   each calls only the ones above it
 *     statements and bindings       in source order, reading and mutating the globals,
 *                                   and calling most functions (printing what they return)
 *     result = <Int>                the program's result
 *
 * Values are Int, Bool, String, Option<Int>, Result<Int, String> and [Int];
 * only Int, Bool and String are printed. Every program terminates: no
 * recursion, `for` over short arrays and ranges, and every `while` counts its
 * iterations in a `var` and breaks after a few, whatever its condition does.
 */
export function generateProgram(stream: readonly number[]): string {
  return new Gen(new Choices(stream)).program();
}

const RET_TYPES: Ty[] = ["Int", "Opt", "Res", "Bool", "Str"];
/** Lambdas return Options and Results more often: a `!` in a lambda returns from the lambda. */
const LAMBDA_TYPES: Ty[] = ["Int", "Opt", "Res", "Opt", "Res", "Bool"];
const TYPE_TEXT: Record<Ty, string> = { Int: "Int", Bool: "Bool", Str: "String", Opt: "Option<Int>", Res: "Result<Int, String>", Arr: "[Int]", Fn: "" };

export class Gen {
  private next = 0;
  private tags = 0;
  peek = false;

  constructor(readonly c: Choices) {}

  fresh(prefix: string): string {
    return `${prefix}${this.next++}`;
  }

  tag(): string {
    return `p${this.tags++}`;
  }

  program(): string {
    const c = this.c;
    const out: string[] = [];
    const ctx: Ctx = { scope: [], fns: [], ret: null, loop: false };
    const globals = 1 + c.below(3);
    for (let i = 0; i < globals; i++) {
      const name = this.fresh("g");
      out.push(`var ${name} = ${c.below(10)}`);
      ctx.scope.push({ name, ty: "Int", mutable: true });
    }
    if (c.chance(30)) {
      // A dynamic value's missing field is nil (decisions.md, "nil").
      this.peek = true;
      out.push("fn peek(o: Any) -> Bool { o.z == nil }");
    }
    const fns = c.below(5);
    for (let i = 0; i < fns; i++) out.push(...this.fn(ctx));
    const top = 1 + c.below(5);
    const globalsOnly: Ctx = { ...ctx, scope: [...ctx.scope] };
    const stmts = this.stmtList(ctx, top, 2);
    // Most functions are called from the top level, so their bodies run (and their `!` can return early).
    for (const f of ctx.fns) if (c.chance(85)) stmts.splice(c.below(stmts.length + 1), 0, this.use(globalsOnly, f, 1).split("\n"));
    out.push(...stmts.flat());
    out.push(`result = ${this.expr("Int", ctx, 2).t}`);
    return out.join("\n") + "\n";
  }

  /** `fn fN(a: Int, ...) -> T { ... }`: prints that it was called, may mutate the globals, then computes its result. */
  private fn(top: Ctx): string[] {
    const c = this.c;
    const name = this.fresh("f");
    const ret = RET_TYPES[c.below(RET_TYPES.length)]!;
    const params = Array.from({ length: 1 + c.below(2) }, () => this.fresh("a"));
    const ctx: Ctx = { scope: [...top.scope, ...params.map((p) => ({ name: p, ty: "Int" as Ty, mutable: false }))], fns: [...top.fns], ret, loop: false };
    const body: string[] = [];
    if (!c.chance(15)) body.push(`print("${name} ${params.map((p) => `{${p}}`).join(" ")}")`);
    if ((ret === "Opt" || ret === "Res") && c.chance(40)) {
      // A `!` in straight-line code, besides those the expressions put in branches, conditions and arms.
      const v = this.fresh("v");
      body.push(`${v} = ${this.propagated(ctx, 1)}`);
      ctx.scope.push({ name: v, ty: "Int", mutable: false });
    }
    if ((ret === "Opt" || ret === "Res") && c.chance(25)) body.push(...this.whileStmt(ctx, 1, true));
    body.push(...this.stmts(ctx, c.below(3), 2));
    body.push(this.expr(ret, ctx, 2).t);
    top.fns.push({ name, sig: { params: params.map(() => "Int"), ret } });
    return [`fn ${name}(${params.map((p) => `${p}: Int`).join(", ")}) -> ${TYPE_TEXT[ret]} {`, ...indent(body), "}"];
  }

  // ---- statements -------------------------------------------------------

  /** `n` statements; bindings they introduce are added to `ctx.scope` (the caller passes a copy for a new block). */
  stmts(ctx: Ctx, n: number, d: number): string[] {
    return this.stmtList(ctx, n, d).flat();
  }

  /** The same, each statement's lines apart. */
  stmtList(ctx: Ctx, n: number, d: number): string[][] {
    return Array.from({ length: n }, () => this.stmt(ctx, d));
  }

  /** A block's statements in a scope of their own. */
  private blockStmts(ctx: Ctx, n: number, d: number): string[] {
    return this.stmts({ ...ctx, scope: [...ctx.scope] }, n, d);
  }

  private stmt(ctx: Ctx, d: number): string[] {
    const c = this.c;
    const mutables = ctx.scope.filter((n) => n.mutable && !n.fixed && n.ty !== "Fn");
    return c.pick<string[]>([
      [3, true, () => [`print(${this.printable(ctx, d)})`]],
      [3, true, () => this.let(ctx, d)],
      [2, true, () => {
        const name = this.fresh("v");
        const ty: Ty = c.chance(75) ? "Int" : (["Opt", "Str", "Bool"] as Ty[])[c.below(3)]!;
        const line = `var ${name} = ${this.expr(ty, ctx, d).t}`;
        ctx.scope.push({ name, ty, mutable: true });
        return [line];
      }],
      [3, mutables.length > 0, () => {
        const v = mutables[c.below(mutables.length)]!;
        if (v.ty === "Int" && c.chance(70)) return [`${v.name} ${["+=", "-=", "+="][c.below(3)]} ${this.expr("Int", ctx, d).t}`];
        return [`${v.name} = ${this.expr(v.ty, ctx, d).t}`];
      }],
      [2, this.callables(ctx).length > 0, () => [this.call(ctx, this.callables(ctx), d)]],
      [2, d > 0, () => this.ifStmt(ctx, d)],
      [1, d > 0, () => genMatch(this, ctx, "stmt", d).t.split("\n")],
      [2, d > 0, () => this.forStmt(ctx, d)],
      [2, d > 0, () => this.whileStmt(ctx, d)],
      [2, ctx.loop, () => [`if ${this.expr("Bool", ctx, 1).t} { ${c.chance(50) ? "break" : "continue"} }`]],
      [1, ctx.ret !== null, () => [`if ${this.expr("Bool", ctx, 1).t} { return ${this.expr(ctx.ret!, ctx, 1).t} }`]],
      [2, d > 0, () => this.lambdaBinding(ctx, d)],
    ]);
  }

  /** What `print` shows: an Int, a Bool or a String (never an Option or a Result, whose format is not the point here). */
  private printable(ctx: Ctx, d: number): string {
    const c = this.c;
    const names = ctx.scope.filter((n) => n.ty === "Int" || n.ty === "Bool" || n.ty === "Str");
    if (names.length && c.chance(40)) {
      const shown = Array.from({ length: 1 + c.below(2) }, () => `{${names[c.below(names.length)]!.name}}`);
      return `"${this.tag()} ${shown.join(" ")}"`;
    }
    return this.expr((["Int", "Bool", "Str"] as Ty[])[c.below(3)]!, ctx, d).t;
  }

  private let(ctx: Ctx, d: number): string[] {
    const ty = (["Int", "Int", "Bool", "Opt", "Res", "Str", "Arr"] as Ty[])[this.c.below(7)]!;
    const name = this.fresh("v");
    const line = `${name} = ${this.expr(ty, ctx, d).t}`;
    ctx.scope.push({ name, ty, mutable: false });
    return [line];
  }

  private ifStmt(ctx: Ctx, d: number): string[] {
    const c = this.c;
    const out = [`if ${this.expr("Bool", ctx, d - 1).t} {`, ...indent(this.blockStmts(ctx, 1 + c.below(3), d - 1))];
    const elifs = c.below(3);
    for (let i = 0; i < elifs; i++) out.push(`} elif ${this.expr("Bool", ctx, d - 1).t} {`, ...indent(this.blockStmts(ctx, 1 + c.below(2), d - 1)));
    if (c.chance(50)) out.push("} else {", ...indent(this.blockStmts(ctx, 1 + c.below(2), d - 1)));
    out.push("}");
    return out;
  }

  private forStmt(ctx: Ctx, d: number): string[] {
    const c = this.c;
    const x = this.fresh("x");
    const inner: Ctx = { ...ctx, scope: [...ctx.scope], loop: true };
    let head: string;
    const kind = c.below(4);
    if (kind === 0) {
      head = `for ${x} in ${this.expr("Arr", ctx, d - 1).t}`;
    } else if (kind === 1) {
      const i = this.fresh("i");
      inner.scope.push({ name: i, ty: "Int", mutable: false });
      head = `for ${i}, ${x} in ${this.expr("Arr", ctx, d - 1).t}`;
    } else {
      // Ascending ranges only: language.md does not say what `3..1` is (the evaluator takes it as empty).
      const lo = c.below(3);
      head = `for ${x} in ${lo}${kind === 2 ? ".." : "..="}${lo + c.below(4)}`;
    }
    inner.scope.push({ name: x, ty: "Int", mutable: false });
    return [`${head} {`, ...indent(this.stmts(inner, 1 + c.below(3), d - 1)), "}"];
  }

  /** `while` with a counter that ends it after a few iterations, so a miscompiled condition cannot hang the run. */
  private whileStmt(ctx: Ctx, d: number, propagating = false): string[] {
    const c = this.c;
    const w = this.fresh("w");
    const outer: Ctx = { ...ctx, scope: [...ctx.scope, { name: w, ty: "Int", mutable: true, fixed: true }] };
    let cond = this.expr("Bool", outer, d - 1).t;
    if ((ctx.ret === "Opt" || ctx.ret === "Res") && (propagating || c.chance(60))) {
      // A `!` in the condition, evaluated at every iteration (decisions.md, "Evaluation order"); often one that succeeds, so the loop goes on.
      const wrap = ctx.ret === "Opt" ? "Some" : "Ok";
      const operand = c.chance(50) ? `${wrap}(${w} + ${this.expr("Int", outer, 0).t})!` : this.propagated(outer, d - 1);
      cond = `${operand} < ${2 + c.below(4)}`;
    }
    const inner: Ctx = { ...outer, scope: [...outer.scope], loop: true };
    const body = [`${w} += 1`, `if ${w} > ${2 + c.below(4)} { break }`, ...this.stmts(inner, 1 + c.below(3), d - 1)];
    ctx.scope.push(outer.scope[outer.scope.length - 1]!);
    // How many times the body ran shows in the trace (a condition evaluated once instead of every time shows here).
    const after = c.chance(60) ? [`print("${this.tag()} {${w}}")`] : [];
    return [`var ${w} = 0`, `while ${cond} {`, ...indent(body), "}", ...after];
  }

  private lambdaBinding(ctx: Ctx, d: number): string[] {
    const c = this.c;
    const name = this.fresh("h");
    const ret = LAMBDA_TYPES[c.below(LAMBDA_TYPES.length)]!;
    const lam = this.lambda(ctx, ret, d);
    const f = { name, sig: { params: ["Int" as Ty], ret } };
    const use = c.chance(70) ? this.use(ctx, f, d - 1).split("\n") : [];
    ctx.scope.push({ name, ty: "Fn", mutable: false, sig: f.sig });
    return [...`${name} = ${lam}`.split("\n"), ...use];
  }

  /** `fn(p) expr` or `fn(p) { stmts; expr }`, closing over the scope; a `!` in it returns from the lambda. */
  lambda(ctx: Ctx, ret: Ty, d: number, param = this.fresh("a")): string {
    const c = this.c;
    const typed = c.chance(60) ? `${param}: Int` : param;
    const inner: Ctx = { ...ctx, scope: [...ctx.scope, { name: param, ty: "Int", mutable: false }], ret, loop: false };
    if (c.chance(50)) return `fn(${typed}) ${this.expr(ret, inner, Math.max(0, d - 1)).t}`;
    const body: string[] = [];
    if ((ret === "Opt" || ret === "Res") && c.chance(60)) {
      // `!` inside a lambda returns from the lambda (decisions.md, "Evaluation order").
      const v = this.fresh("v");
      body.push(`${v} = ${this.propagated(inner, Math.max(0, d - 1))}`);
      inner.scope.push({ name: v, ty: "Int", mutable: false });
    }
    body.push(...this.stmts(inner, c.below(3), Math.max(0, d - 1)));
    body.push(this.expr(ret, inner, Math.max(0, d - 1)).t);
    return `fn(${typed}) {\n${indent(body).join("\n")}\n}`;
  }

  // ---- expressions ------------------------------------------------------

  callables(ctx: Ctx, ret?: Ty): { name: string; sig: Sig }[] {
    const lambdas = ctx.scope.filter((n) => n.ty === "Fn" && n.sig).map((n) => ({ name: n.name, sig: n.sig! }));
    return [...ctx.fns, ...lambdas].filter((f) => ret === undefined || f.sig.ret === ret);
  }

  call(ctx: Ctx, fs: { name: string; sig: Sig }[], d: number): string {
    const f = fs[this.c.below(fs.length)]!;
    return `${f.name}(${f.sig.params.map(() => this.expr("Int", ctx, Math.max(0, d - 1)).t).join(", ")})`;
  }

  /** A statement that calls `f` and prints what it returned (an Option or a Result through `??` or `match`, so only simple values print). */
  use(ctx: Ctx, f: { name: string; sig: Sig }, d: number): string {
    const call = this.call(ctx, [f], d);
    switch (f.sig.ret) {
      case "Opt":
        return `print(${call} ?? ${90 + this.c.below(10)})`;
      case "Res": {
        const e = this.fresh("m");
        return `print(match ${call} {\n  Ok(${e}) => ${e}\n  Err(${e}) => len(${e})\n})`;
      }
      default:
        return `print(${call})`;
    }
  }

  /** An Int that propagates: `e!` on the enclosing function's Option or Result. */
  propagated(ctx: Ctx, d: number): string {
    return `${paren(this.expr(ctx.ret!, ctx, Math.max(0, d)))}!`;
  }

  expr(ty: Ty, ctx: Ctx, d: number): Ex {
    const c = this.c;
    const vars = ctx.scope.filter((n) => n.ty === ty);
    const fs = this.callables(ctx, ty);
    const deep = d > 0;
    const sub = (t: Ty) => this.expr(t, ctx, d - 1);
    const common: [number, boolean, () => Ex][] = [
      [3, vars.length > 0, () => atom(vars[c.below(vars.length)]!.name)],
      [4, deep && fs.length > 0, () => atom(this.call(ctx, fs, d))],
      [1, deep && ty !== "Arr", () => this.ifExpr(ty, ctx, d)],
      [1, deep && ty !== "Arr", () => genMatch(this, ctx, ty, d)],
    ];
    switch (ty) {
      case "Int":
        return c.pick<Ex>([
          [3, true, () => atom(String(c.below(10)))],
          ...common,
          [3, deep, () => op(sub("Int"), ["+", "-", "+"][c.below(3)]!, sub("Int"))],
          // Times a positive literal only: `(0 - 3) * 0` is JavaScript's -0, which the runtime prints as "-0" (reported apart).
          [1, deep, () => op(sub("Int"), "*", atom(String(1 + c.below(3))))],
          [4, deep && (ctx.ret === "Opt" || ctx.ret === "Res"), () => atom(this.propagated(ctx, d - 1))],
          [2, deep, () => op(sub("Opt"), "??", sub("Int"))],
          [1, deep && (ctx.ret === "Opt" || ctx.ret === "Res"), () => op(sub("Opt"), "??", atom(this.propagated(ctx, d - 1)))],
          [1, deep, () => atom(`unwrapOr(${sub("Opt").t}, ${sub("Int").t})`)],
          [1, deep, () => atom(`${c.chance(50) ? "len" : "sum"}(${sub("Arr").t})`)],
        ]);
      case "Bool":
        return c.pick<Ex>([
          [3, true, () => atom(c.chance(50) ? "true" : "false")],
          ...common,
          [5, deep, () => op(sub("Int"), ["<", "<=", ">", ">=", "==", "!="][c.below(6)]!, sub("Int"))],
          [4, deep, () => op(sub("Bool"), c.chance(50) ? "and" : "or", sub("Bool"))],
          [1, deep && (ctx.ret === "Opt" || ctx.ret === "Res"), () => op(sub("Bool"), c.chance(50) ? "and" : "or", op(atom(this.propagated(ctx, d - 1)), ">", atom(String(c.below(5)))))],
          [1, deep, () => ({ t: `not ${paren(sub("Bool"))}`, atom: false })],
          [2, deep, () => op(sub("Opt"), c.chance(50) ? "==" : "!=", atom("nil"))],
          [1, deep && this.peek, () => atom(`peek({ ${c.chance(50) ? "z" : "y"}: ${sub("Int").t} })`)],
        ]);
      case "Str": {
        const shown = ctx.scope.filter((n) => n.ty === "Int" || n.ty === "Bool" || n.ty === "Str");
        return c.pick<Ex>([
          [3, true, () => atom(`"s${c.below(4)}"`)],
          ...common,
          [3, shown.length > 0, () => atom(`"t${c.below(4)} {${shown[c.below(shown.length)]!.name}}"`)],
        ]);
      }
      case "Opt":
        return c.pick<Ex>([
          [2, true, () => atom("None")],
          [3, true, () => atom(`Some(${sub("Int").t})`)],
          ...common,
          [1, deep, () => atom(`first(${sub("Arr").t})`)],
          [1, deep, () => atom(`find(${sub("Arr").t}, ${this.lambda(ctx, "Bool", d - 1)})`)],
        ]);
      case "Res":
        return c.pick<Ex>([
          [3, true, () => atom(`Ok(${sub("Int").t})`)],
          [2, true, () => atom(`Err(${sub("Str").t})`)],
          ...common,
        ]);
      case "Arr":
        return c.pick<Ex>([
          [3, true, () => atom(`[${Array.from({ length: 1 + c.below(3) }, () => sub("Int").t).join(", ")}]`)],
          common[0]!,
          [1, deep, () => atom(`map(${sub("Arr").t}, ${this.lambda(ctx, "Int", d - 1)})`)],
          [1, deep, () => atom(`filter(${sub("Arr").t}, ${this.lambda(ctx, "Bool", d - 1)})`)],
        ]);
      case "Fn":
        throw new Error("no expression of a function type is generated");
    }
  }

  private ifExpr(ty: Ty, ctx: Ctx, d: number): Ex {
    const c = this.c;
    const branch = () => {
      const inner: Ctx = { ...ctx, scope: [...ctx.scope] };
      const stmts = this.stmts(inner, c.chance(30) ? 1 + c.below(2) : 0, d - 1);
      return block(stmts, this.expr(ty, inner, d - 1).t);
    };
    let t = `if ${this.expr("Bool", ctx, d - 1).t} ${branch()}`;
    const elifs = c.chance(30) ? 1 + c.below(2) : 0;
    for (let i = 0; i < elifs; i++) t += ` elif ${this.expr("Bool", ctx, d - 1).t} ${branch()}`;
    t += ` else ${branch()}`;
    return { t, atom: false };
  }
}
