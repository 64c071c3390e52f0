import type { Gen } from "./generate.js";
import { type Ctx, type Ex, type Name, type Ty, block, indent } from "./generate-common.js";

/**
 * `match` (language.md, "Expressions") over an Int, String, Option<Int> or
 * Result<Int, String>: literal, range, wildcard and binding patterns, `Some`
 * / `None`, `Ok` / `Err`, guards, and arms whose body is a block. The arms
 * always cover every value (the last ones complete what the random ones
 * left), so a generated match never fails at run time.
 */
export function genMatch(g: Gen, ctx: Ctx, kind: Ty | "stmt", d: number): Ex {
  const c = g.c;
  const subjectTy = (["Int", "Opt", "Res", "Str"] as const)[c.below(4)]!;
  const subject = g.expr(subjectTy, ctx, d - 1).t;
  const arms: string[] = [];
  const covered = new Set<string>();
  const n = 1 + c.below(3);
  for (let i = 0; i < n; i++) {
    const p = randomPattern(g, subjectTy);
    const guarded = p.binds.length > 0 ? !c.chance(20) : c.chance(25);
    arms.push(arm(g, ctx, kind, d, p, guarded));
    if (!guarded && p.covers) covered.add(p.covers);
  }
  for (const p of completion(g, subjectTy, covered)) arms.push(arm(g, ctx, kind, d, p, false));
  return { t: `match ${subject} {\n${indent(arms).join("\n")}\n}`, atom: false };
}

interface Pattern {
  text: string;
  binds: Name[];
  /** What this pattern matches entirely, when unguarded: every value, or every `Some` / `None` / `Ok` / `Err`. */
  covers: "all" | "Some" | "None" | "Ok" | "Err" | null;
}

function randomPattern(g: Gen, ty: "Int" | "Opt" | "Res" | "Str"): Pattern {
  const c = g.c;
  const int = (): Pattern => {
    const lo = c.below(6);
    return c.pick<Pattern>([
      [3, true, () => ({ text: String(lo), binds: [], covers: null })],
      [2, true, () => ({ text: `${lo}..${c.chance(50) ? "=" : ""}${lo + 1 + c.below(4)}`, binds: [], covers: null })],
      [2, true, () => bind(g, "Int")],
    ]);
  };
  switch (ty) {
    case "Int":
      return int();
    case "Str":
      return c.chance(70) ? { text: `"s${c.below(4)}"`, binds: [], covers: null } : bind(g, "Str");
    case "Opt":
      return c.pick<Pattern>([
        [3, true, () => wrap("Some", int(), null)],
        [1, true, () => ({ text: "None", binds: [], covers: "None" })],
        [1, true, () => ({ text: "Some(_)", binds: [], covers: "Some" })],
      ]);
    case "Res":
      return c.pick<Pattern>([
        [3, true, () => wrap("Ok", int(), null)],
        [1, true, () => wrap("Err", bind(g, "Str"), "Err")],
        [1, true, () => ({ text: `Err("s${c.below(4)}")`, binds: [], covers: null })],
        [1, true, () => ({ text: "Ok(_)", binds: [], covers: "Ok" })],
      ]);
  }
}

function bind(g: Gen, ty: Ty): Pattern {
  const name = g.fresh("m");
  return { text: name, binds: [{ name, ty, mutable: false }], covers: "all" };
}

/** `Some(p)`: covers every `Some` only when `p` covers every value. */
function wrap(variant: "Some" | "Ok" | "Err", inner: Pattern, covers: Pattern["covers"]): Pattern {
  return { text: `${variant}(${inner.text})`, binds: inner.binds, covers: inner.covers === "all" ? variant : covers };
}

/** The arms that make the match exhaustive: `_` or a binding, or the missing variants. */
function completion(g: Gen, ty: "Int" | "Opt" | "Res" | "Str", covered: Set<string>): Pattern[] {
  if (covered.has("all")) return [];
  const c = g.c;
  const all = (): Pattern => (c.chance(50) ? { text: "_", binds: [], covers: "all" } : bind(g, ty));
  if (ty === "Int" || ty === "Str" || c.chance(30)) return [all()];
  const [a, b] = ty === "Opt" ? (["Some", "None"] as const) : (["Ok", "Err"] as const);
  const out: Pattern[] = [];
  for (const v of [a, b]) {
    if (covered.has(v)) continue;
    if (v === "None") out.push({ text: "None", binds: [], covers: "None" });
    else out.push(c.chance(40) ? { text: `${v}(_)`, binds: [], covers: v } : wrap(v, bind(g, v === "Err" ? "Str" : "Int"), v));
  }
  return out;
}

function arm(g: Gen, ctx: Ctx, kind: Ty | "stmt", d: number, p: Pattern, guarded: boolean): string {
  const c = g.c;
  const inner: Ctx = { ...ctx, scope: [...ctx.scope, ...p.binds] };
  const guard = guarded ? ` if ${g.expr("Bool", inner, Math.max(0, d - 1)).t}` : "";
  let body: string;
  if (kind === "stmt") {
    body = `{\n${indent(g.stmts(inner, 1 + c.below(2), d - 1)).join("\n")}\n}`;
  } else {
    const stmts = c.chance(30) ? g.stmts(inner, 1 + c.below(2), d - 1) : [];
    const value = g.expr(kind, inner, d - 1).t;
    body = stmts.length || c.chance(15) ? block(stmts, value) : value;
  }
  return `${p.text}${guard} => ${body}`;
}
