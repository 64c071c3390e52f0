// `{String: T}` maps (decisions.md "Maps"): a map has only the keys the
// program put in it. Maps are plain objects, so reading `m[k]` would find
// Object.prototype's `constructor`, `toString` and `__proto__`, and writing
// `m["__proto__"] = v` would replace the map's prototype. Generated code
// indexes maps through these two functions instead. `keys`, `values`,
// `entries`, `len` and `contains` already see own keys only (Object.keys).

/**
 * `m[k]` of a map: the value the program stored under `k`, else None.
 * Typed like TypeScript's own `m[k]` on a `Record<string, T>`.
 * @example mapGet(stock, item) ?? 0
 */
export function mapGet<T>(m: Readonly<Record<string, T>>, k: string): T {
  return (Object.hasOwn(m, k) ? m[k] : null) as T;
}

/**
 * `m[k] = v` of a map; answers `v`. A `__proto__` key is an ordinary key.
 * @example mapSet(stock, item, mapGet(stock, item) + 1)
 */
export function mapSet<T>(m: Record<string, T>, k: string, v: T): T {
  // Assignment would call Object.prototype's __proto__ setter until the map has that key itself.
  if (k === "__proto__" && !Object.hasOwn(m, k)) Object.defineProperty(m, k, { value: v, writable: true, enumerable: true, configurable: true });
  else m[k] = v;
  return v;
}
