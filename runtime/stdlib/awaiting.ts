// The collection functions of collections.ts for callbacks that wait (a
// lambda that calls a model, a peer, `sleep`, or an async function). The
// emitter calls these, awaited, when a callback it passes waits
// (backends/typescript/lower/awaiting.ts): `ids |> map(fn(id) Note.find(id))`
// is `await mapAsync(ids, async (id) => await Note.find(id))`, a list of rows,
// not a list of promises. Callbacks run one after another, in the order the
// synchronous function calls them, and the short-circuiting ones (`find`,
// `any`, `all`) stop where it stops: the program does what its source says.
import {
  count,
  drop_nil,
  filter,
  flat_map,
  group_by,
  map,
  max,
  min,
  sort_by,
  sum,
  where,
} from "./collections.js";
import { isResult, OkResult } from "./result-shape.js";
import type { Option } from "./option.js";

type Callback<T, U> = (x: T) => U | Promise<U>;

const isNone = (x: unknown): x is null | undefined => x === null || x === undefined;

/**
 * Awaits `f` on each element in order, then runs the synchronous `run` with
 * a callback that answers those results in the same order (every function
 * this serves calls its callback once per element, first to last).
 */
async function replay<T, R>(xs: readonly T[], f: Callback<T, unknown>, run: (next: () => any) => R): Promise<R> {
  const results: unknown[] = [];
  for (const x of xs) results.push(await f(x));
  let i = 0;
  return run(() => results[i++]);
}

/** `map` with a callback that waits: an array, an Option or a Result, as `map`. */
export async function mapAsync(x: any, f: Callback<any, unknown>): Promise<any> {
  if (Array.isArray(x)) return replay(x, f, (next) => map(x, next));
  if (isNone(x)) return null;
  if (isResult(x)) return x.ok ? new OkResult(await f(x.value)) : x;
  return f(x);
}

export function filterAsync<T>(xs: readonly T[], pred: Callback<T, unknown>): Promise<T[]> {
  return replay(xs, pred, (next) => filter(xs, next));
}

export function whereAsync<T>(rows: readonly T[], pred: Callback<T, unknown>): Promise<T[]> {
  return replay(rows, pred, (next) => where(rows, next));
}

export function drop_nilAsync<T>(rows: readonly T[], field: Callback<T, unknown>): Promise<T[]> {
  return replay(rows, field, (next) => drop_nil(rows, next));
}

export function flat_mapAsync<T, U>(xs: readonly T[], f: Callback<T, U[] | U>): Promise<U[]> {
  return replay(xs, f, (next) => flat_map(xs, next));
}

export function group_byAsync<T>(xs: readonly T[], key: Callback<T, unknown>): Promise<Record<string, T[]>> {
  return replay(xs, key, (next) => group_by(xs, next));
}

export function sumAsync<T>(xs: readonly T[], key: Callback<T, number>): Promise<number> {
  return replay(xs, key, (next) => sum(xs, next));
}

export function countAsync<T>(xs: readonly T[], pred: Callback<T, unknown>): Promise<number> {
  return replay(xs, pred, (next) => count(xs, next));
}

export function minAsync<T>(xs: readonly T[], key: Callback<T, unknown>): Promise<T> {
  return replay(xs, key, (next) => min(xs, next));
}

export function maxAsync<T>(xs: readonly T[], key: Callback<T, unknown>): Promise<T> {
  return replay(xs, key, (next) => max(xs, next));
}

/** `sort_by` with a key of one argument (awaited once per element) or a comparator of two (a merge sort, awaited per comparison). */
export async function sort_byAsync<T>(xs: readonly T[], f: (a: T, b: T) => unknown): Promise<T[]> {
  if (f.length !== 2) return replay(xs, f as Callback<T, unknown>, (next) => sort_by(xs, next));
  const sorted = async (part: readonly T[]): Promise<T[]> => {
    if (part.length < 2) return [...part];
    const mid = part.length >> 1;
    const [a, b] = [await sorted(part.slice(0, mid)), await sorted(part.slice(mid))];
    const out: T[] = [];
    let i = 0;
    let j = 0;
    while (i < a.length && j < b.length) out.push(((await f(a[i]!, b[j]!)) as number) > 0 ? b[j++]! : a[i++]!);
    return out.concat(a.slice(i), b.slice(j));
  };
  return sorted(xs);
}

export async function reduceAsync(xs: readonly any[], f: (acc: any, x: any) => unknown, ...init: any[]): Promise<any> {
  const rest = init.length > 0 ? xs : xs.slice(1);
  if (init.length === 0 && xs.length === 0) throw new TypeError("reduce of an empty list with no initial value");
  let acc = init.length > 0 ? init[0] : xs[0];
  for (const x of rest) acc = await f(acc, x);
  return acc;
}

export async function findAsync(x: any, pred: Callback<any, unknown>): Promise<Option<any>> {
  if (Array.isArray(x)) {
    for (const v of x) if (await pred(v)) return v;
    return null;
  }
  return !isNone(x) && (await pred(x)) ? x : null;
}

export async function anyAsync<T>(xs: readonly T[], pred: Callback<T, unknown>): Promise<boolean> {
  for (const x of xs) if (await pred(x)) return true;
  return false;
}

export async function allAsync<T>(xs: readonly T[], pred: Callback<T, unknown>): Promise<boolean> {
  for (const x of xs) if (!(await pred(x))) return false;
  return true;
}
