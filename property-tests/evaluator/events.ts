import type * as ast from "../../frontend/ast.js";

/**
 * Things that happen at run time where a lowering can go wrong: the dynamic
 * counterpart of coverage.ts (a `!` that is written is not a `!` that
 * returns early).
 */
export const EVENTS = [
  "! returned None", "! returned Err", "! unwrapped", "! returned from a lambda", "a while condition was evaluated again",
  "break", "continue", "the right side of and/or/?? was skipped", "a guard was false", "a match arm block ran", "an early return",
  "a branch with a ! was not taken", "a while condition with a ! was evaluated again",
] as const;
export type Event = (typeof EVENTS)[number];

const propagatesCache = new WeakMap<object, boolean>();

/** Whether a `!` is written in this node outside any lambda (one that would return from the enclosing function). */
export function propagates(node: ast.Expr): boolean {
  let known = propagatesCache.get(node);
  if (known === undefined) {
    known = scan(node);
    propagatesCache.set(node, known);
  }
  return known;
}

function scan(x: unknown): boolean {
  if (Array.isArray(x)) return x.some(scan);
  if (x === null || typeof x !== "object") return false;
  const kind = (x as { kind?: string }).kind;
  if (kind === "Propagate") return true;
  if (kind === "Lambda" || kind === "FnDecl") return false;
  return Object.entries(x).some(([k, v]) => k !== "span" && k !== "nameSpan" && scan(v));
}
