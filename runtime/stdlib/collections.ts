// The collection functions of language.md "Standard library". They never
// mutate their input (`sort`, `reverse` copy), callbacks get one argument
// (so `map(xs, parseInt)` does not receive an index), and `map`, `first`,
// `last`, `find` also accept an Option (a value or null).
import { isResult, OkResult } from "./result-shape.js";
import { mapGet, mapSet } from "./maps.js";
import { eq, type Option, type Result } from "./option.js";
import { listOf } from "./program-error.js";

/**
 * Matches only a dynamic (`any`) argument: the first overload of functions that
 * take a list or an Option, so a dynamic value gives a dynamic result as Tova
 * says (decisions.md, "Gradual typing"), instead of TypeScript picking the
 * Option overload for it.
 */
type IfAny<X> = 0 extends 1 & X ? unknown : never;

const isNone = (x: unknown): x is null | undefined => x === null || x === undefined;

/**
 * Length of a string or array, number of keys of an object, size of a Map/Set; 0 for None.
 * @example len([1, 2]) // 2
 */
export function len(x: unknown): number {
  if (isNone(x)) return 0;
  if (typeof x === "string" || Array.isArray(x)) return x.length;
  if (x instanceof Map || x instanceof Set) return x.size;
  if (typeof x === "object") return Object.keys(x).length;
  return 0;
}

/**
 * `range(n)` is 0..n-1; `range(a, b)` is a..b-1; an optional step.
 * @example range(1, 4) // [1, 2, 3]
 */
export function range(start: number, end?: number, step?: number): number[] {
  if (end === undefined) [start, end] = [0, start];
  // Counting up unless a negative step says otherwise: `3..0` is empty, as `for i in 1..0` reads (language.md ranges).
  const by = step ?? 1;
  if (by === 0) throw new Error("range: step must not be 0");
  const out: number[] = [];
  for (let i = start; by > 0 ? i < end : i > end; i += by) out.push(i);
  return out;
}

/**
 * Maps an array element by element, the value inside an Option, or the value inside an Ok.
 * @example [1, 2] |> map(fn(x) x * 2) // [2, 4]
 * @example latest |> map(fn(m) m.timestamp) // None stays None
 */
export function map<X>(x: X & IfAny<X>, f: (x: any) => unknown): any;
export function map<T, U>(xs: readonly T[], f: (x: T) => U): U[];
export function map<T, U, E>(x: Result<T, E>, f: (x: T) => U): Result<U, E>;
export function map<T, U>(x: T | null | undefined, f: (x: T) => U): U | null;
export function map(x: any, f: (x: any) => any): any {
  if (Array.isArray(x)) return x.map((v) => f(v));
  if (isNone(x)) return null;
  if (isResult(x)) return x.ok ? new OkResult(f(x.value)) : x;
  return f(x);
}

/** The elements for which `pred` is truthy. */
export function filter<T>(xs: readonly T[], pred: (x: T) => unknown): T[] {
  listOf("filter", xs);
  return xs.filter((x) => pred(x));
}

/** Same as `filter`; `pred` may also be an object of field values to match. */
export function where<T>(rows: readonly T[], pred: ((row: T) => unknown) | Partial<T>): T[] {
  listOf("where", rows);
  if (typeof pred === "function") return rows.filter((r) => (pred as (row: T) => unknown)(r));
  const wanted = Object.entries(pred as object);
  return rows.filter((r) => wanted.every(([k, v]) => eq((r as Record<string, unknown>)[k], v)));
}

/**
 * Drops the rows where `field` (a function or a field name) is None.
 * @example rows |> drop_nil(.id)
 */
export function drop_nil<T>(rows: readonly T[], field: ((row: T) => unknown) | string): T[] {
  listOf("drop_nil", rows);
  const get = typeof field === "function" ? field : (r: T) => (r as Record<string, unknown>)[field];
  return rows.filter((r) => !isNone(get(r)));
}

/**
 * Calls `f` on each element. When `f` returns a promise (an async callback) or
 * `xs` is an async iterable (`stream(...)`), the calls run one after another and
 * `each` returns a promise.
 */
export function each<T>(xs: Iterable<T> | AsyncIterable<T>, f: (x: T) => unknown): any {
  if (isNone(xs)) return undefined;
  if (typeof (xs as AsyncIterable<T>)[Symbol.asyncIterator] === "function") {
    return (async () => {
      for await (const x of xs as AsyncIterable<T>) await f(x);
    })();
  }
  const it = (xs as Iterable<T>)[Symbol.iterator]();
  for (let step = it.next(); !step.done; step = it.next()) {
    const r = f(step.value);
    if (r && typeof (r as Promise<unknown>).then === "function") {
      return (async () => {
        await r;
        for (let s = it.next(); !s.done; s = it.next()) await f(s.value);
      })();
    }
  }
  return undefined;
}

/** Folds `xs` with `f`, starting from `init` (or the first element). */
export function reduce<T, A>(xs: readonly T[], f: (acc: A, x: T) => A, init: A): A;
export function reduce<T>(xs: readonly T[], f: (acc: T, x: T) => T): T;
export function reduce(xs: readonly any[], f: (a: any, x: any) => any, ...init: any[]): any {
  listOf("reduce", xs);
  return init.length > 0 ? xs.reduce((a, x) => f(a, x), init[0]) : xs.reduce((a, x) => f(a, x));
}

/** Sum of numbers, or of `key(x)`. */
export function sum<T>(xs: readonly T[], key?: (x: T) => number): number {
  listOf("sum", xs);
  let total = 0;
  for (const x of xs) total += key ? key(x) : (x as unknown as number);
  return total;
}

function extreme(args: any[], pick: (a: any, b: any) => boolean): any {
  const xs = Array.isArray(args[0]) ? args[0] : args;
  const key: ((x: any) => any) | undefined = Array.isArray(args[0]) && typeof args[1] === "function" ? args[1] : undefined;
  if (xs.length === 0) return null;
  let best = xs[0];
  let bestKey = key ? key(best) : best;
  for (let i = 1; i < xs.length; i++) {
    const k = key ? key(xs[i]) : xs[i];
    if (pick(k, bestKey)) [best, bestKey] = [xs[i], k];
  }
  return best;
}

/**
 * Smallest element, or the smaller of two numbers. Typed as the element (language.md names only
 * `first`, `last` and `find` as returning Options); an empty list gives nil.
 */
export function min<X>(xs: X & IfAny<X>, key?: (x: any) => unknown): any;
export function min<T>(xs: readonly T[], key?: (x: T) => unknown): T;
export function min(a: number, b: number, ...more: number[]): number;
export function min(...args: any[]): any {
  return extreme(args, (a, b) => a < b);
}

/** Largest element, or the larger of two numbers; typed as the element like `min` (an empty list gives nil). */
export function max<X>(xs: X & IfAny<X>, key?: (x: any) => unknown): any;
export function max<T>(xs: readonly T[], key?: (x: T) => unknown): T;
export function max(a: number, b: number, ...more: number[]): number;
export function max(...args: any[]): any {
  return extreme(args, (a, b) => a > b);
}

const compare = (a: any, b: any): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * A sorted copy, by a key function of one argument or a comparator of two
 * (told apart by `f.length`). One signature for both, so that either lambda
 * gets its parameters typed from the array.
 * @example rows |> sort_by(.name)
 * @example rows |> sort_by(fn(a, b) b.timestamp - a.timestamp)
 */
export function sort_by<T>(xs: readonly T[], f: (a: T, b: T) => unknown): T[] {
  listOf("sort_by", xs);
  if (f.length === 2) return [...xs].sort((a, b) => f(a, b) as number);
  const keyed = xs.map((x) => ({ x, k: (f as (x: T) => unknown)(x) }));
  keyed.sort((a, b) => compare(a.k, b.k));
  return keyed.map((e) => e.x);
}

/** A sorted copy (numbers by value, strings by code unit). */
export function sort<T>(xs: readonly T[]): T[] {
  listOf("sort", xs);
  return [...xs].sort(compare);
}

/** A reversed copy. */
export function reverse<T>(xs: readonly T[]): T[] {
  listOf("reverse", xs);
  return [...xs].reverse();
}

/** The first `n` elements. */
export function take<T>(xs: readonly T[], n: number): T[] {
  listOf("take", xs);
  return xs.slice(0, Math.max(0, n));
}

/** All but the first `n` elements. */
export function skip<T>(xs: readonly T[], n: number): T[] {
  listOf("skip", xs);
  return xs.slice(Math.max(0, n));
}

/** The first element as an Option (`first([])` is None); an Option passes through. */
export function first<X>(x: X & IfAny<X>): any;
export function first<T>(xs: readonly T[]): Option<T>;
export function first<T>(x: T | null | undefined): Option<T>;
export function first(x: any): any {
  if (Array.isArray(x)) return x.length > 0 ? x[0] : null;
  return isNone(x) ? null : x;
}

/** The last element as an Option; an Option passes through. */
export function last<X>(x: X & IfAny<X>): any;
export function last<T>(xs: readonly T[]): Option<T>;
export function last<T>(x: T | null | undefined): Option<T>;
export function last(x: any): any {
  if (Array.isArray(x)) return x.length > 0 ? x[x.length - 1] : null;
  return isNone(x) ? null : x;
}

/** The first element for which `pred` holds, as an Option; on an Option, the value if `pred` holds. */
export function find<X>(x: X & IfAny<X>, pred: (x: any) => unknown): any;
export function find<T>(xs: readonly T[], pred: (x: T) => unknown): Option<T>;
export function find<T>(x: T | null | undefined, pred: (x: T) => unknown): Option<T>;
export function find(x: any, pred: (x: any) => unknown): any {
  if (Array.isArray(x)) {
    for (const v of x) if (pred(v)) return v;
    return null;
  }
  return !isNone(x) && pred(x) ? x : null;
}

/** True when some element satisfies `pred` (or is truthy). */
export function any<T>(xs: readonly T[], pred?: (x: T) => unknown): boolean {
  listOf("any", xs);
  return pred ? xs.some((x) => pred(x)) : xs.some(Boolean);
}

/** True when every element satisfies `pred` (or is truthy). */
export function all<T>(xs: readonly T[], pred?: (x: T) => unknown): boolean {
  listOf("all", xs);
  return pred ? xs.every((x) => pred(x)) : xs.every(Boolean);
}

/** Number of elements, or of those satisfying `pred`. */
export function count<T>(xs: readonly T[], pred?: (x: T) => unknown): number {
  listOf("count", xs);
  if (!pred) return len(xs);
  let n = 0;
  for (const x of xs) if (pred(x)) n++;
  return n;
}

/** Elements without duplicates by Tova's `==` (a record equal to an earlier one is a duplicate; nil is one value), first occurrence kept. */
export function unique<T>(xs: readonly T[]): T[] {
  listOf("unique", xs);
  // One pass: each element's key is the same text exactly when `==` holds (keyOf); others by `eq` itself.
  const seen = new Set<unknown>();
  const others: unknown[] = [];
  const out: T[] = [];
  for (const x of xs) {
    const key = keyOf(x);
    if (key === undefined) {
      if (others.some((o) => eq(o, x))) continue;
      others.push(x);
    } else {
      if (seen.has(key)) continue;
      seen.add(key);
    }
    out.push(x);
  }
  return out;
}

/**
 * A value as text that is equal for two values exactly when `eq` says they are: nil as one value, numbers,
 * text and Bools tagged by kind, lists in order, records and maps by sorted keys without their nil fields,
 * Results by side. Undefined for anything `eq` compares by identity (a date, a value that holds itself).
 */
function keyOf(x: unknown, depth = 0): string | undefined {
  if (x === null || x === undefined) return "n";
  if (typeof x === "number") return `d${x}`; // -0 is "0", as 0 === -0
  if (typeof x === "string") return `s${JSON.stringify(x)}`;
  if (typeof x === "boolean") return x ? "t" : "f";
  if (typeof x !== "object" || depth > 100) return undefined;
  const parts: string[] = [];
  if (Array.isArray(x)) {
    for (const e of x) {
      const k = keyOf(e, depth + 1);
      if (k === undefined) return undefined;
      parts.push(k);
    }
    return `[${parts.join(",")}]`;
  }
  const proto = Object.getPrototypeOf(x);
  const result = isResult(x);
  if (!result && proto !== Object.prototype && proto !== null) return undefined;
  for (const k of Object.keys(x).sort()) {
    const v = (x as Record<string, unknown>)[k];
    if (v === null || v === undefined) continue;
    const vk = keyOf(v, depth + 1);
    if (vk === undefined) return undefined;
    parts.push(`${JSON.stringify(k)}:${vk}`);
  }
  return `${result ? "r" : ""}{${parts.join(",")}}`;
}

/** Maps each element to an array and concatenates them. */
export function flat_map<T, U>(xs: readonly T[], f: (x: T) => U[] | U): U[] {
  listOf("flat_map", xs);
  return xs.flatMap((x) => f(x));
}

/** Groups elements by `key(x)` (turned into a string). */
export function group_by<T>(xs: readonly T[], key: ((x: T) => unknown) | string): Record<string, T[]> {
  listOf("group_by", xs);
  const get = typeof key === "function" ? key : (x: T) => (x as Record<string, unknown>)[key];
  const groups: Record<string, T[]> = {};
  for (const x of xs) {
    const k = String(get(x));
    (mapGet(groups, k) ?? mapSet(groups, k, [])).push(x);
  }
  return groups;
}

/** Keys of an object or Map. */
export function keys(x: any): any[] {
  if (isNone(x)) return [];
  return x instanceof Map ? [...x.keys()] : Object.keys(x);
}

/** Values of an object or Map. */
export function values(x: any): any[] {
  if (isNone(x)) return [];
  return x instanceof Map ? [...x.values()] : Object.values(x);
}

/** `[key, value]` pairs of an object or Map. */
export function entries(x: any): [any, any][] {
  if (isNone(x)) return [];
  // `for i, x in xs` over an array gives numeric indices, not Object.entries' strings.
  if (Array.isArray(x)) return [...x.entries()];
  return x instanceof Map ? [...x.entries()] : Object.entries(x);
}
