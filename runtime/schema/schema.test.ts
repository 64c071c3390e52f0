// Schemas check JSON strictly, convert strings from paths, queries and the
// environment, and explain failures with the path to the bad value.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Err, Ok } from "../stdlib/index.js";
import { MAX_NESTING } from "./compound.js";
import { t, type Schema } from "./index.js";
import { INVALID, type SchemaNode } from "./node.js";
import { setCompiling } from "./compile.js";

const node = (s: Schema<unknown>) => s as unknown as SchemaNode;
const check = (s: Schema<any>, v: unknown) => node(s).check(v);
const parse = (s: Schema<any>, text: string) => node(s).parse(text);
const explain = (s: Schema<any>, v: unknown) => node(s).explain(v, "x");

const Metric = t.record<{ service: string; value: number; tags: string[]; note: string | null }>("Metric", {
  service: t.string,
  value: t.float,
  tags: t.array(t.string),
  note: t.option(t.string),
});
const Severity = t.enum("AlertSeverity", ["Info", "Warning", "Critical"] as const);
const Shape = t.union("Shape", { Circle: { radius: t.float }, Rect: { w: t.float, h: t.float } });

describe("strict checks of JSON values", () => {
  it.each([
    [t.int, 5, true], [t.int, 5.5, false], [t.int, "5", false],
    [t.float, 5, true], [t.float, 5.5, true], [t.float, Number.NaN, false],
    [t.string, "", true], [t.string, 1, false],
    [t.bool, false, true], [t.bool, "true", false],
    [t.any, null, true], [t.any, undefined, false],
    [t.option(t.int), null, true], [t.option(t.int), undefined, true], [t.option(t.int), "1", false],
    [t.array(t.int), [1, 2], true], [t.array(t.int), [1, "2"], false], [t.array(t.int), {}, false],
    [t.map(t.bool), { a: true }, true], [t.map(t.bool), { a: 1 }, false], [t.map(t.bool), [], false],
    [Severity, "Warning", true], [Severity, "Fatal", false],
    [Shape, { tag: "Circle", radius: 1 }, true], [Shape, { tag: "Circle", w: 1 }, false], [Shape, { tag: "Oval" }, false],
  ] as [Schema<any>, unknown, boolean][])("%# %j", (schema, value, ok) => {
    expect(check(schema, value)).toBe(ok);
  });

  it("records need their fields, allow absent Options, and reject extra fields", () => {
    expect(check(Metric, { service: "a", value: 1, tags: [] })).toBe(true);
    expect(check(Metric, { service: "a", value: 1, tags: [], note: "n" })).toBe(true);
    expect(check(Metric, { service: "a", tags: [] })).toBe(false);
    expect(check(Metric, { service: "a", value: 1, tags: [], extra: 1 })).toBe(false);
    expect(check(Metric, [])).toBe(false);
  });

  it("explain failures with the path to the bad value", () => {
    expect(explain(t.int, "5")).toBe('x: expected Int, got String "5"');
    expect(explain(Metric, { service: "a", tags: [] })).toBe("x.value: missing field");
    expect(explain(Metric, { service: "a", value: 1, tags: ["t", 2] })).toBe("x.tags[1]: expected String, got Int 2");
    expect(explain(Metric, { service: "a", value: 1, tags: [], extra: 1 })).toBe("x.extra: unexpected field");
    expect(explain(Severity, "Fatal")).toBe('x: expected AlertSeverity, got String "Fatal" (one of Info, Warning, Critical)');
    expect(explain(t.option(t.array(t.int)), "no")).toBe('x: expected Option<[Int]>, got String "no"');
  });
});

describe("conversion of strings", () => {
  it.each([
    [t.int, "5", 5], [t.int, "-12", -12], [t.int, "5.0", INVALID], [t.int, "", INVALID], [t.int, "99999999999999999999", INVALID],
    [t.float, "2.5", 2.5], [t.float, "1e3", 1000], [t.float, "abc", INVALID], [t.float, "Infinity", INVALID],
    [t.bool, "true", true], [t.bool, "0", false], [t.bool, "yes", INVALID],
    [t.string, "a b", "a b"],
    [t.option(t.int), "", null], [t.option(t.int), "3", 3],
    [t.array(t.int), "[1,2]", [1, 2]], [t.array(t.int), "7", [7]],
    [Metric, '{"service":"a","value":1,"tags":[]}', { service: "a", value: 1, tags: [] }], [Metric, "{", INVALID],
    [Severity, "Info", "Info"], [Severity, "info", INVALID],
  ] as [Schema<any>, string, unknown][])("%# %s", (schema, text, expected) => {
    expect(parse(schema, text)).toEqual(expected);
  });
});

describe("types", () => {
  it("t.record infers the record type from its fields", () => {
    const s = t.record("P", { a: t.int, b: t.option(t.string) });
    const typed: Schema<{ a: number; b: string | null }> = s;
    expect(typed.kind).toBe("record");
  });
});

// Recursive types (decisions.md "Recursive types"): schemas declared in any
// order through t.lazy, checked like any other, and bounded for hostile input.
type Tree = { tag: "Leaf" } | { tag: "Node"; left: Tree; value: number };
// Declared before the schema it refers to: the reference is looked up at first use.
const Forest = t.array(t.lazy(() => TreeSchema));
const TreeSchema: Schema<Tree> = t.union("Tree", { Leaf: {}, Node: { left: t.lazy(() => TreeSchema), value: t.int } });
type Person = { name: string; boss: Person | null };
const PersonSchema: Schema<Person> = t.record<Person>("Person", { name: t.string, boss: t.option(t.lazy(() => PersonSchema)) });

const leaf = { tag: "Leaf" };
const chain = (depth: number, bottom: unknown = leaf): unknown => {
  let v = bottom;
  for (let i = 0; i < depth; i++) v = { tag: "Node", left: v, value: i };
  return v;
};
const bosses = (depth: number): unknown => {
  let v: unknown = null;
  for (let i = 0; i < depth; i++) v = { name: `p${i}`, boss: v };
  return v;
};

describe("recursive types", () => {
  it("check and explain values of self-referring types", () => {
    expect(check(TreeSchema, chain(3))).toBe(true);
    expect(check(PersonSchema, bosses(3))).toBe(true);
    expect(check(Forest, [chain(2), leaf])).toBe(true);
    expect(explain(TreeSchema, chain(2, { tag: "Node", left: leaf, value: "x" }))).toBe('x.left.left.value: expected Int, got String "x"');
    expect(explain(PersonSchema, { name: "a", boss: { name: 1, boss: null } })).toBe("x.boss.name: expected String, got Int 1");
    expect(explain(Forest, [leaf, { tag: "Oak" }])).toBe('x[1]: expected Tree with tag one of Leaf, Node, got tag "Oak"');
    expect(node(PersonSchema).fields!.boss!.name).toBe("Option<Person>");
  });

  it("convert JSON text from a query or path", () => {
    expect(parse(TreeSchema, JSON.stringify(chain(2)))).toEqual(chain(2));
    expect(parse(t.lazy(() => Severity), "Info")).toBe("Info");
    expect(parse(PersonSchema, '{"name":1}')).toBe(INVALID);
  });

  it("accept values up to the nesting limit and reject deeper ones with a short message", () => {
    expect(check(TreeSchema, chain(MAX_NESTING - 2))).toBe(true);
    for (const deep of [chain(10_000), bosses(10_000), chain(200_000)]) {
      const schema = (deep as { tag?: string }).tag ? TreeSchema : PersonSchema;
      const started = performance.now();
      expect(check(schema, deep)).toBe(false);
      expect(explain(schema, deep)).toBe(`x: nested more than ${MAX_NESTING} levels deep`);
      expect(performance.now() - started).toBeLessThan(2000);
    }
    // The limit is per value: a failed deep check leaves nothing behind.
    expect(check(TreeSchema, chain(5))).toBe(true);
  });

  it("explain costs one walk: a wide value under a deep failure is not re-checked at every level", () => {
    const wide = { tag: "Node", left: leaf, value: 1, extra: Array.from({ length: 200_000 }, () => 1) };
    const started = performance.now();
    expect(explain(TreeSchema, chain(900, wide))).toMatch(/\.extra: unexpected field$/);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe("results and own fields", () => {
  it("t.result checks branded Results; plain objects are not Results", () => {
    const R = t.result(t.int, t.string);
    expect([check(R, Ok(1)), check(R, Err("e")), check(R, Ok("1")), check(R, { ok: true, value: 1 })]).toEqual([true, true, false, false]);
    expect(explain(R, Ok("1"))).toBe('x: expected Int, got String "1"');
  });

  it("record fields named like Object's members are read from the value itself", () => {
    const R = t.record("R", { constructor: t.string, toString: t.option(t.int) });
    expect(check(R, JSON.parse('{"constructor":"c"}'))).toBe(true);
    expect(check(R, {})).toBe(false);
    expect(explain(R, {})).toBe("x.constructor: missing field");
  });
});

// explain is null exactly where check passes, for arbitrary JSON values.
describe("explain agrees with check", () => {
  const schemas: Schema<any>[] = [
    t.int, t.float, t.string, t.bool, t.any, t.option(t.int), t.array(t.option(t.string)), t.map(t.bool),
    Metric, Severity, Shape, TreeSchema, PersonSchema, Forest, t.option(Metric),
  ];
  const json = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      fc.constantFrom(null, true, false, 0, 1, 2.5, -3, "", "Info", "Leaf", "Node", "Circle", "a"),
      fc.array(tie("value"), { maxLength: 3 }),
      fc.dictionary(fc.constantFrom("tag", "left", "value", "name", "boss", "service", "tags", "note", "radius", "w", "h", "x"), tie("value"), { maxKeys: 4 }),
    ),
  })).value;
  // Mostly valid trees and people, with a wrong value, a missing or an extra field here and there.
  const nearly = fc.letrec((tie) => ({
    tree: fc.oneof(
      { depthSize: "small" },
      fc.constant<unknown>({ tag: "Leaf" }),
      fc.record({ tag: fc.constant("Node"), left: tie("tree"), value: fc.oneof(fc.integer(), fc.constant<unknown>("x")) }, { requiredKeys: ["tag", "value"] }),
      fc.record({ tag: fc.constant("Node"), left: tie("tree"), value: fc.integer(), note: json }),
    ),
    person: fc.oneof(
      { depthSize: "small" },
      fc.constant<unknown>(null),
      fc.record({ name: fc.oneof(fc.string(), fc.constant<unknown>(1)), boss: tie("person") }, { requiredKeys: ["name"] }),
    ),
  }));
  const values = fc.oneof(json, nearly.tree, nearly.person, fc.array(nearly.tree, { maxLength: 3 }));
  it("for every schema and value", () => {
    fc.assert(
      fc.property(fc.nat(schemas.length - 1), values, (i, value) => {
        const why = node(schemas[i]!).explain(value, "x");
        expect(why === null, `schema ${i}: ${why}`).toBe(node(schemas[i]!).check(value));
      }),
      { numRuns: 1500 },
    );
  });
});

// Checks compile to straight-line code at their first call (compile.ts): the
// compiled check answers what the interpreted one does, for friendly and
// hostile values alike.
describe("compiled checks", () => {
  const make = (): Schema<any>[] => {
    const Item = t.record("Item", { id: t.int, name: t.string, price: t.float, tags: t.array(t.string) });
    const Own = t.record("Own", { constructor: t.string, toString: t.option(t.int), ["__proto__"]: t.option(t.bool) } as never);
    const Tagged = t.union("Tagged", { A: { tag: t.string }, B: { n: t.option(t.int), inner: Item }, C: {} });
    const Deep = t.record("Deep", { items: t.array(Item), by: t.map(t.array(t.option(Item))), shape: t.option(Shape), sev: Severity, any: t.any });
    const Rec: Schema<any> = t.record("Rec", { next: t.option(t.lazy(() => Rec)), r: t.option(t.result(t.int, t.string)) });
    return [Item, Own, Tagged, Deep, Rec, t.array(t.map(t.option(t.float))), t.option(t.array(t.int))];
  };
  setCompiling(false);
  const interpreted = make();
  const leaves = (s: Schema<any>) => node(s).check({}); // the first call decides: these keep the loops of compound.ts
  interpreted.forEach(leaves);
  setCompiling(true);
  const compiled = make();
  const item = { id: 1, name: "lamp", price: 19.5, tags: ["home", "light"] };
  const hostile: unknown[] = [
    item,
    { ...item, tags: ["home", 2] },
    { ...item, extra: 1 },
    { ...item, id: 2 ** 53 },
    { ...item, price: Number.NaN },
    { id: 1, name: "lamp", price: 19.5 },
    JSON.parse('{"id":1,"name":"lamp","price":19.5,"tags":[],"__proto__":{"id":"x"}}'),
    JSON.parse('{"constructor":"c","__proto__":true}'),
    JSON.parse('{"constructor":"c","__proto__":"no"}'),
    {},
    Object.create({ id: 1, name: "lamp", price: 19.5, tags: [] }),
    { tag: "A" },
    { tag: "A", extra: 1 },
    { tag: "B", inner: item },
    { tag: "B", inner: item, n: null },
    { tag: "B", inner: { ...item, tags: [null] } },
    { tag: "C" },
    { tag: "toString" },
    { tag: "__proto__" },
    { items: [item, item], by: { a: [null, item] }, shape: { tag: "Circle", radius: 1 }, sev: "Info", any: 0 },
    { items: [item], by: { a: [item, {}] }, shape: null, sev: "Info", any: null },
    { items: [], by: {}, sev: "Fatal", any: 1 },
    { items: [], by: {}, sev: "Info" },
    { next: { next: { next: null } } },
    { next: { next: { r: Ok(1) } } },
    { next: { r: Ok("1") } },
    { r: { ok: true, value: 1 } },
    [[{ a: 1.5, b: null }], [{}]],
    [[{ a: "1" }]],
    [1, 2, 3],
    [1, 2.5],
    new Array(3),
    null,
    undefined,
    "x",
    7,
  ];
  it("agree with the interpreted checks on friendly and hostile values", () => {
    for (let i = 0; i < compiled.length; i++) {
      for (const value of hostile) expect(check(compiled[i]!, value), `schema ${i}, ${JSON.stringify(value)}`).toBe(check(interpreted[i]!, value));
    }
    expect(check(compiled[0]!, item)).toBe(true);
    expect(check(compiled[0]!, hostile[6])).toBe(false); // an own "__proto__" key (JSON.parse makes one) is an unexpected field
    expect(check(compiled[1]!, hostile[7])).toBe(true); // ... unless the record declares it
    expect(check(compiled[1]!, hostile[8])).toBe(false);
  });

  const json = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      fc.constantFrom<unknown>(null, true, false, 0, 1, 2.5, -3, 2 ** 53, "", "home", "A", "B", "C", "Info", "Circle", undefined),
      fc.array(tie("value"), { maxLength: 3 }),
      fc.dictionary(fc.constantFrom("id", "name", "price", "tags", "tag", "n", "inner", "items", "by", "shape", "sev", "any", "next", "r", "radius", "constructor", "a"), tie("value"), { maxKeys: 5 }),
    ),
  })).value;
  it("agree with the interpreted checks on arbitrary values", () => {
    fc.assert(
      fc.property(fc.nat(compiled.length - 1), json, (i, value) => {
        expect(check(compiled[i]!, value)).toBe(check(interpreted[i]!, value));
      }),
      { numRuns: 3000 },
    );
  });

  it("are generated code, not the loops", () => {
    const [Item] = make();
    check(Item!, {});
    expect(String(node(Item!).check)).toMatch(/Number\.isSafeInteger/);
  });
});

describe("compiled checks of types declared later", () => {
  it("check without compiling while a referenced type does not exist yet, and compile once it does", () => {
    let later: Schema<any> | undefined;
    const Early = t.record("Early", { n: t.int, next: t.lazy(() => later!) });
    // `later` is not there yet: compiling would read it; checking a value that fails before it does not.
    expect(check(Early, { n: "1" })).toBe(false);
    later = t.record("Later", { s: t.string });
    expect(check(Early, { n: 1, next: { s: "x" } })).toBe(true);
    expect(check(Early, { n: 1, next: { s: 2 } })).toBe(false);
    expect(String(node(Early).check)).toMatch(/Number\.isSafeInteger/);
  });
});
