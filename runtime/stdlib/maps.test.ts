// decisions.md "Semantics programs rely on": a map has only the keys the
// program put in it, and nil/null/undefined are one value for `==`.
import { describe, expect, it } from "vitest";
import { contains, entries, eq, Err, group_by, keys, len, mapGet, mapSet, Ok, unique, values, where } from "./index.js";

const OBJECT_NAMES = ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf", "__defineGetter__"];

describe("mapGet / mapSet", () => {
  it("reads only the keys the program stored: Object's names are None", () => {
    const stock: Record<string, number> = { apple: 5 };
    expect(mapGet(stock, "apple")).toBe(5);
    expect(mapGet(stock, "pear")).toBeNull();
    for (const k of OBJECT_NAMES) expect(mapGet(stock, k), k).toBeNull();
  });

  it("stores every key as an ordinary own key, __proto__ included", () => {
    const m: Record<string, number> = {};
    for (const [i, k] of OBJECT_NAMES.entries()) expect(mapSet(m, k, i)).toBe(i);
    expect(Object.getPrototypeOf(m)).toBe(Object.prototype);
    for (const [i, k] of OBJECT_NAMES.entries()) expect(mapGet(m, k), k).toBe(i);
    expect(keys(m)).toEqual(OBJECT_NAMES);
    expect(len(m)).toBe(OBJECT_NAMES.length);
    mapSet(m, "__proto__", 42); // a second write updates the own key
    expect([mapGet(m, "__proto__"), Object.getPrototypeOf(m) === Object.prototype]).toEqual([42, true]);
    expect(JSON.parse(JSON.stringify(m)).__proto__).toBe(42);
  });

  it("a __proto__ value that is an object does not become the prototype", () => {
    const m: Record<string, unknown> = {};
    mapSet(m, "__proto__", { polluted: true });
    expect((m as { polluted?: unknown }).polluted).toBeUndefined();
    expect(mapGet(m, "polluted")).toBeNull();
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it("keys, values, entries, len and contains see own keys only", () => {
    const m = Object.create({ inherited: 1 }) as Record<string, number>;
    mapSet(m, "own", 2);
    expect([keys(m), values(m), entries(m), len(m)]).toEqual([["own"], [2], [["own", 2]], 1]);
    expect([contains(m, "own"), contains(m, "inherited"), contains({}, "toString")]).toEqual([true, false, false]);
  });

  it("group_by keys named like Object's members are ordinary groups", () => {
    const groups = group_by(["__proto__", "constructor", "__proto__"], (x) => x);
    expect(keys(groups)).toEqual(["__proto__", "constructor"]);
    expect(mapGet(groups, "__proto__")).toEqual(["__proto__", "__proto__"]);
    expect(Object.getPrototypeOf(groups)).toBe(Object.prototype);
  });
});

describe("eq", () => {
  it("nil, null and undefined are one value", () => {
    expect([eq(null, undefined), eq(undefined, null), eq(null, null), eq(undefined, undefined)]).toEqual([true, true, true, true]);
    expect(eq(({} as { missing?: number }).missing, null)).toBe(true);
  });

  it("is strict otherwise: no JavaScript coercion", () => {
    expect([eq(0, ""), eq(0, null), eq("", undefined), eq(false, 0), eq("1", 1), eq(null, false), eq(Number.NaN, Number.NaN)]).toEqual([
      false, false, false, false, false, false, false,
    ]);
    const o = {};
    expect([eq(1, 1), eq("a", "a"), eq(o, o)]).toEqual([true, true, true]);
  });

  it("compares lists, records, maps and Results by what they hold, in any key order", () => {
    expect(eq([1, 2], [1, 2])).toBe(true);
    expect(eq([1, 2], [2, 1])).toBe(false);
    expect(eq([1, 2], [1, 2, 3])).toBe(false);
    expect(eq({ x: 1, y: 2 }, { y: 2, x: 1 })).toBe(true);
    expect(eq({ x: 1, y: 2 }, { x: 1, y: 3 })).toBe(false);
    expect(eq({ tag: "Low", n: [1, { a: "b" }] }, { tag: "Low", n: [1, { a: "b" }] })).toBe(true);
    expect(eq({ tag: "Low", n: 1 }, { tag: "High", n: 1 })).toBe(false);
    expect(eq(Ok([1]), Ok([1]))).toBe(true);
    expect(eq(Ok(1), Err(1))).toBe(false);
    expect(eq(Ok(1), { ok: true, value: 1 })).toBe(false); // a record is never a Result
    expect(eq([1], { 0: 1 })).toBe(false);
    expect(eq({}, [])).toBe(false);
  });

  it("a field holding nil is the same as one that is not there; nil inside is one value", () => {
    expect(eq({ a: 1, b: null }, { a: 1 })).toBe(true);
    expect(eq({ a: 1 }, { a: 1, b: undefined })).toBe(true);
    expect(eq({ a: 1, b: 2 }, { a: 1 })).toBe(false);
    expect(eq([null], [undefined])).toBe(true);
  });

  it("contains, unique and where compare with the same ==", () => {
    expect(contains([[1], { a: 1 }], [1])).toBe(true);
    expect(contains([{ a: 1, b: 2 }], { b: 2, a: 1 })).toBe(true);
    expect(contains([null], undefined)).toBe(true);
    expect(contains([[1]], [2])).toBe(false);
    expect(unique([{ a: 1 }, { a: 1 }, { a: 2 }, 1, 1, null, undefined, "1"])).toEqual([{ a: 1 }, { a: 2 }, 1, null, "1"]);
    expect(unique([{ a: 1, b: 2 }, { b: 2, a: 1, c: null }, [1, "1"], [1, "1"], [1, 1], Ok(1), { ok: true, value: 1 }, Ok(1), 0, -0, true, "true"])).toEqual([
      { a: 1, b: 2 }, [1, "1"], [1, 1], Ok(1), { ok: true, value: 1 }, 0, true, "true",
    ]);
    const d = new Date(0);
    expect(unique([d, d, new Date(0)])).toHaveLength(2); // other objects: by identity, as ==
    const many = Array.from({ length: 20_000 }, (_, i) => ({ id: i % 10_000, tags: [(i % 10_000) % 3] }));
    expect(unique(many)).toHaveLength(10_000); // keyed, not compared pair by pair
    const rows = [{ id: 1, tag: null as string | null }, { id: 2, tag: "x" }, { id: 3 } as { id: number; tag?: string | null }];
    expect(where(rows, { tag: null }).map((r) => r.id)).toEqual([1, 3]);
  });

  it("other objects are equal only to themselves, and a value that holds itself ends", () => {
    const d = new Date(0);
    expect([eq(d, d), eq(d, new Date(0))]).toEqual([true, false]);
    const a: unknown[] = [1];
    a.push(a);
    const b: unknown[] = [1];
    b.push(b);
    expect(eq(a, a)).toBe(true);
    expect(eq(a, b)).toBe(false);
  });
});
