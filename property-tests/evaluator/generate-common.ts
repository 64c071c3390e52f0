/** The generator's types, scopes and text helpers (see generate.ts). */

/** Int, Bool, String, Option<Int>, Result<Int, String>, [Int], and a function bound to a name. */
export type Ty = "Int" | "Bool" | "Str" | "Opt" | "Res" | "Arr" | "Fn";

export interface Sig {
  params: Ty[];
  ret: Ty;
}

export interface Name {
  name: string;
  ty: Ty;
  mutable: boolean;
  /** A `while` counter: read, never assigned by generated statements (it is what ends the loop). */
  fixed?: boolean;
  sig?: Sig;
}

export interface Ctx {
  /** The bindings visible here. */
  scope: Name[];
  /** Functions callable here (each function sees only the ones declared before it: no recursion). */
  fns: { name: string; sig: Sig }[];
  /** The result type of the enclosing function or lambda (what `!` and `return` need); null at the top level. */
  ret: Ty | null;
  /** Inside a loop of the enclosing function or lambda: `break` and `continue` allowed. */
  loop: boolean;
}

/** Expression text; `atom` when it needs no parentheses as an operand. */
export interface Ex {
  t: string;
  atom: boolean;
}

export const atom = (t: string): Ex => ({ t, atom: true });

/** An operand in parentheses unless it is atomic: the generator never relies on precedence. */
export const paren = (e: Ex): string => (e.atom ? e.t : `(${e.t})`);

export const op = (l: Ex, o: string, r: Ex): Ex => ({ t: `${paren(l)} ${o} ${paren(r)}`, atom: false });

export function indent(lines: readonly string[]): string[] {
  return lines.flatMap((l) => l.split("\n")).map((l) => (l === "" ? l : `  ${l}`));
}

/** `{ e }` on one line, or statements then the value on lines of their own. */
export function block(stmts: readonly string[], value: string): string {
  if (stmts.length === 0 && !value.includes("\n")) return `{ ${value} }`;
  return `{\n${indent([...stmts, value]).join("\n")}\n}`;
}
