import type * as ast from "../../frontend/ast.js";
import { BUILTIN_VARIANTS } from "../builtins.js";
import type { TypeDecl } from "../types.js";

/**
 * Whether the arms of a `match` cover every value (language.md, "match": a
 * match over an enum, Option, Result or Bool that misses a variant is a
 * compile error naming the missing variants). Nested patterns count:
 * `Key(code, true)` and `Key(code, false)` together cover `Key`. Guarded arms
 * cover nothing; literals other than Bools, ranges and lists never complete a
 * set, so they need a `_` arm.
 *
 * The classic column-by-column check: a set of rows is exhaustive when, for
 * the first column, either its constructors form a complete set and every
 * constructor's rows are exhaustive, or the rows with a wildcard there are.
 */
type Pat = { kind: "wild" } | { kind: "ctor"; name: string; args: Pat[] } | { kind: "other" };

const WILD: Pat = { kind: "wild" };

export interface Families {
  /** The enum a variant belongs to. */
  variantOwner: ReadonlyMap<string, TypeDecl>;
}

/** The top-level constructors no arm covers (empty when the match is exhaustive). */
export function missingVariants(arms: readonly ast.MatchArm[], families: Families, all: readonly string[]): string[] {
  const rows = arms.filter((a) => !a.guard).map((a) => [normalize(a.pattern, families)]);
  return all.filter((name) => !exhaustive(specialize(rows, name, arity(name, families)), families));
}

function normalize(p: ast.Pattern, f: Families): Pat {
  switch (p.kind) {
    case "PWild":
    case "PBind":
      return WILD;
    case "PLit":
      return typeof p.value === "boolean" ? { kind: "ctor", name: String(p.value), args: [] } : { kind: "other" };
    case "PVariant": {
      const n = arity(p.name, f);
      const args = p.args.map((a) => normalize(a, f));
      while (args.length < n) args.push(WILD);
      return { kind: "ctor", name: p.name, args };
    }
    case "PObject":
      // `{ w, h }` binds fields and matches any record; a field with a pattern may not match.
      return p.fields.every((x) => !x.pattern || normalize(x.pattern, f).kind === "wild") ? WILD : { kind: "other" };
    default:
      return { kind: "other" };
  }
}

function arity(name: string, f: Families): number {
  const builtin = BUILTIN_VARIANTS[name];
  if (builtin) return builtin.arity;
  if (name === "true" || name === "false") return 0;
  const owner = f.variantOwner.get(name);
  const v = owner?.def.kind === "enum" ? owner.def.variants.find((x) => x.name === name) : undefined;
  return v ? v.fields.length : 0;
}

/** Every constructor of the family `name` belongs to, or null when the family has no complete set. */
function siblings(name: string, f: Families): string[] | null {
  if (name === "true" || name === "false") return ["true", "false"];
  const builtin = BUILTIN_VARIANTS[name];
  if (builtin) return builtin.type === "Option" ? ["Some", "None"] : ["Ok", "Err"];
  const owner = f.variantOwner.get(name);
  return owner?.def.kind === "enum" ? owner.def.variants.map((v) => v.name) : null;
}

function exhaustive(rows: Pat[][], f: Families): boolean {
  if (!rows.length) return false;
  if (rows.some((r) => r.length === 0)) return true;
  const firsts = rows.map((r) => r[0]!);
  const ctor = firsts.find((p): p is Extract<Pat, { kind: "ctor" }> => p.kind === "ctor");
  const all = ctor ? siblings(ctor.name, f) : null;
  if (all && all.every((name) => firsts.some((p) => p.kind === "ctor" && p.name === name))) {
    return all.every((name) => exhaustive(specialize(rows, name, arity(name, f)), f));
  }
  return exhaustive(rows.filter((r) => r[0]!.kind === "wild").map((r) => r.slice(1)), f);
}

/** The rows that match constructor `name` in the first column, with its arguments in its place. */
function specialize(rows: Pat[][], name: string, n: number): Pat[][] {
  const out: Pat[][] = [];
  for (const r of rows) {
    const p = r[0]!;
    if (p.kind === "wild") out.push([...Array<Pat>(n).fill(WILD), ...r.slice(1)]);
    else if (p.kind === "ctor" && p.name === name) out.push([...p.args, ...r.slice(1)]);
  }
  return out;
}
