// Option and Result (language.md "Types", "Expressions"): `Some(x)` is x
// itself and `None` is null (undefined also counts as None), so Options cost
// nothing and JSON carries them as they are; a Result is a small tagged
// object, branded so that user objects with an `ok` field are never one
// (result-shape.ts).
import { ErrResult, isResult, OkResult } from "./result-shape.js";
import { format } from "./format.js";

/** `Option<T>`: `Some(x)` is `x`, `None` is `null` (`undefined` also counts as None). */
export type Option<T> = T | null;

/** `Result<T, E>`: `Ok(v)` or `Err(e)`. */
export type Result<T, E> = { ok: true; value: T } | { ok: false; error: E };

/**
 * `Some(x)`: the value itself.
 * @example Some(5) // 5
 */
export function Some<T>(value: T): Option<T> {
  return value;
}

/** `None`. */
export const None: null = null;

/**
 * `Ok(v)`.
 * @example Ok(5) // { ok: true, value: 5 }
 */
export function Ok<T>(value: T): Result<T, never> {
  return new OkResult(value);
}

/**
 * `Err(e)`; a route answers it with 400 (or `e.status`) and `{"error": e}`.
 * @example Err("not found") // { ok: false, error: "not found" }
 */
export function Err<E>(error: E): Result<never, E> {
  return new ErrResult(error);
}

/** `expr!`: true when `r` is None (null/undefined) or an Err, so the enclosing function returns it. */
// Generic, so the failure it narrows to is the value's own: the Err of a Result, None of an Option, and
// anything for a dynamic value (`x!` on an `Any` in a function returning an Option).
export function isFailure<R>(r: R): r is Extract<R, { ok: false } | null | undefined> {
  return r === null || r === undefined || (isResult(r) && !r.ok);
}

/**
 * A `match` over literals (or arrays) without a `_` arm found no arm for the
 * value: an error naming it, rather than falling through.
 */
export function matchFailed(subject: unknown): never {
  throw new Error(`no match arm applies to ${format(subject, undefined, true)}`);
}

/** `[a, b, ...rest]` patterns: whether the subject is a list (generated code never names the global `Array`). */
export function isArray(x: unknown): x is any[] {
  return Array.isArray(x);
}

/**
 * The value inside `Ok(v)` / `Some(v)`; throws on `Err` or `None`.
 * @example unwrap(Ok(1)) // 1
 */
export function unwrap<T>(r: Result<T, unknown> | Option<T>): T {
  if (r === null || r === undefined) throw new Error("unwrap of None");
  if (isResult(r)) {
    if (r.ok) return r.value as T;
    throw new Error(`unwrap of ${format(r)}`);
  }
  return r as T;
}

/**
 * The value of `Some`/`Ok`, else `fallback`.
 * @example unwrapOr(null, 100) // 100
 */
export function unwrapOr<T, D>(r: Result<T, unknown> | Option<T> | undefined, fallback: D): T | D {
  if (r === null || r === undefined) return fallback;
  if (isResult(r)) return r.ok ? (r.value as T) : fallback;
  return r as T;
}

/** Same as `unwrapOr`. */
export const unwrap_or: <T, D>(r: Result<T, unknown> | Option<T> | undefined, fallback: D) => T | D = unwrapOr;

/**
 * Turns an Option into a Result: `None` becomes `Err(error)`.
 * @example AlertRecord.find(id) |> ok_or("Alert not found")
 */
export function ok_or<T, E>(option: Option<T> | undefined, error: E): Result<T, E> {
  return option === null || option === undefined ? Err(error) : Ok(option);
}

/**
 * `a == b` of Tova (decisions.md "Semantics programs rely on", `nil`):
 * `nil`, null and undefined are one value; numbers, text and Bools compare
 * strictly, with no JavaScript coercion (`0 == ""` is false); lists, records,
 * enum values with fields, maps and Results compare by what they hold, as the source
 * says (`[1, 2] == [1, 2]`, `P(1, 2) == P { y: 2, x: 1 }`), a field or key
 * holding nil being the same as one that is not there. Other objects (a
 * request, a date) are equal only to themselves. Generated code uses it where
 * it cannot prove both sides are numbers, text or Bools; `x == nil` is
 * `x == null`.
 * @example eq(obj.missing, nil)   // true when missing is undefined
 */
export function eq(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  // Only two objects (null included) are walked, with a list of what the walk is inside; other values are equal when both are nil.
  return typeof a === "object" && typeof b === "object" ? same(a, b, []) : is_none(a) && is_none(b);
}

/** `path`: the objects being compared above this one (a value that holds itself is equal only to itself there). */
function same(a: unknown, b: unknown, path: object[]): boolean {
  if (a === b) return true;
  if (a === null || a === undefined || b === null || b === undefined) return is_none(a) && is_none(b);
  if (typeof a !== "object" || typeof b !== "object" || path.includes(a)) return false;
  path.push(a);
  try {
    if (Array.isArray(a) || Array.isArray(b)) {
      if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
      return a.every((x, i) => same(x, b[i], path));
    }
    if (!sameKind(a, b)) return false;
    const x = a as Record<string, unknown>;
    const y = b as Record<string, unknown>;
    for (const k of Object.keys(x)) if (!same(x[k], Object.hasOwn(y, k) ? y[k] : null, path)) return false;
    for (const k of Object.keys(y)) if (!Object.hasOwn(x, k) && !is_none(y[k])) return false;
    return true;
  } finally {
    path.pop();
  }
}

/** Two records or maps (plain objects), or two Results of the same side (`Ok` and `Ok`): compared by their fields. */
function sameKind(a: object, b: object): boolean {
  const pa = Object.getPrototypeOf(a) as object | null;
  const pb = Object.getPrototypeOf(b) as object | null;
  const plain = (p: object | null) => p === Object.prototype || p === null;
  // Results by their brand, not their class: two copies of the runtime in one process have a class each.
  return (plain(pa) && plain(pb)) || (isResult(a) && isResult(b));
}

/**
 * True for `Some(x)` (anything but null/undefined). A type guard, so the
 * emitted TypeScript narrows an Option after `if is_some(x)` as Tova does.
 */
export function is_some<T>(option: T | null | undefined): option is T {
  return option !== null && option !== undefined;
}

/** True for `None` (null or undefined). */
export function is_none(option: unknown): boolean {
  return option === null || option === undefined;
}

/** True for `Ok(v)`. */
export function is_ok(result: unknown): boolean {
  return isResult(result) && result.ok;
}

/** True for `Err(e)`. */
export function is_err(result: unknown): boolean {
  return isResult(result) && !result.ok;
}
