// Tova values as Tova writes them (issue 9): `show`, `to_string`, `print`,
// with and without a schema, and the Result brand they rely on.
import { describe, expect, it, vi } from "vitest";
import { t, type Schema } from "../schema/index.js";
import { Err, None, Ok, Some, isFailure, is_ok, map, print, show, to_string, unwrap, matchFailed } from "./index.js";

const User = t.record("User", { id: t.int, name: t.string, boss: t.option(t.string) });
const Severity = t.enum("Severity", ["Info", "Warning"] as const);
const Shape = t.union("Shape", { Circle: { radius: t.float }, Rect: { w: t.float, h: t.float }, Dot: {} });

describe("by inspection (no schema)", () => {
  it.each([
    [Ok(0), "Ok(0)"],
    [Err("bad"), 'Err("bad")'],
    [Some(1), "1"],
    [None, "None"],
    [undefined, "None"],
    [[1, 2], "[1, 2]"],
    [[], "[]"],
    [{ a: 1 }, "{ a: 1 }"],
    [{}, "{}"],
    ["top-level string", "top-level string"],
    [["a", "b{c}"], '["a", "b{c}"]'],
    [{ "two words": "x", __proto__x: null }, '{ "two words": "x", __proto__x: None }'],
    [[Ok([1]), Err({ code: 2 }), null], "[Ok([1]), Err({ code: 2 }), None]"],
    [1.5, "1.5"],
    [true, "true"],
    [Ok("s"), 'Ok("s")'],
    [new Map([["k", 1]]), "{ k: 1 }"],
    [new Set([1]), "[1]"],
    [new Date(0), "1970-01-01T00:00:00.000Z"],
    [[new Date(0)], '["1970-01-01T00:00:00.000Z"]'],
    [new Error("boom"), "boom"],
  ])("%# %s", (value, text) => {
    expect(show(value)).toBe(text);
    expect(to_string(value)).toBe(text);
  });

  it("shows a user object with ok/value fields as the map it is, not a Result", () => {
    expect(show({ ok: true, value: 1 })).toBe("{ ok: true, value: 1 }");
    expect(show({ ok: false, error: "disk" })).toBe('{ ok: false, error: "disk" }');
  });

  it("names class instances and functions", () => {
    class Point {
      constructor(readonly x: number) {}
    }
    expect(show(new Point(1))).toBe("Point { x: 1 }");
    expect(show(function named() {})).toBe("<fn named>");
    // A function standing for a value (res.status) shows that value.
    expect(show(Object.assign(() => 0, { toJSON: () => 404 }))).toBe("404");
  });

  it("asks toJSON once, like JSON.stringify", () => {
    const selfish = { toJSON() { return this; }, a: 1 };
    expect(show(new (class Box { toJSON() { return selfish; } })())).toBe("{ toJSON: <fn toJSON>, a: 1 }");
    expect(show([new Uint8Array([1, 2]), new DataView(new ArrayBuffer(1))])).toBe("[[1, 2], DataView {}]");
  });

  it("is bounded: cycles and deep nesting", () => {
    const a: any[] = [1];
    a.push(a);
    expect(show(a)).toBe("[1, <cycle>]");
    const shared = { x: 1 };
    expect(show([shared, shared])).toBe("[{ x: 1 }, { x: 1 }]"); // shared, not a cycle
    let deep: unknown = 0;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const text = show(deep);
    expect(text.startsWith("[[[")).toBe(true);
    expect(text).toContain("...");
    expect(text.length).toBeLessThan(1000);
    let results: unknown = 0;
    for (let i = 0; i < 100_000; i++) results = Ok(results);
    expect(show(results)).toContain("Ok(Ok(...))");
  });

  it("shows own keys only", () => {
    const m = Object.create({ inherited: 1 }) as Record<string, unknown>;
    m.own = 2;
    expect(show(m)).toBe("Object { own: 2 }");
    expect(show({ a: 1, constructor: 2 })).toBe("{ a: 1, constructor: 2 }");
  });
});

describe("with a schema (what only the static type knows)", () => {
  it.each([
    [Some(1), t.option(t.int), "Some(1)"],
    [None, t.option(t.int), "None"],
    [Some("a"), t.option(t.string), 'Some("a")'],
    [[1, null], t.array(t.option(t.int)), "[Some(1), None]"],
    [{ id: 1, name: "a", boss: null }, User, 'User { id: 1, name: "a", boss: None }'],
    [{ id: 1, name: "a", boss: "b" }, User, 'User { id: 1, name: "a", boss: Some("b") }'],
    [{ id: 1, name: "a" }, User, 'User { id: 1, name: "a", boss: None }'],
    ["Warning", Severity, "Warning"],
    [["Info", "Warning"], t.array(Severity), "[Info, Warning]"],
    [{ tag: "Circle", radius: 2.5 }, Shape, "Circle(2.5)"],
    [{ tag: "Rect", w: 1, h: 2 }, Shape, "Rect(1, 2)"],
    [{ tag: "Dot" }, Shape, "Dot"],
    [{ apple: 5, "a b": 1 }, t.map(t.int), '{ apple: 5, "a b": 1 }'],
    [{ u: { id: 1, name: "x", boss: null } }, t.map(User), '{ u: User { id: 1, name: "x", boss: None } }'],
    [Ok(null), t.result(t.option(t.int), t.string), "Ok(None)"],
    [Ok(3), t.result(t.option(t.int), t.string), "Ok(Some(3))"],
    [Err("e"), t.result(t.int, t.string), 'Err("e")'],
    ["top", t.string, "top"],
  ] as [unknown, Schema<any>, string][])("%# %s", (value, schema, text) => {
    expect(show(value, schema)).toBe(text);
    expect(to_string(value, schema)).toBe(text);
  });

  it("falls back to inspection where a dynamic value does not have the schema's shape", () => {
    expect(show("not a user", User)).toBe("not a user");
    expect(show([1], User)).toBe("[1]");
    expect(show({ tag: "Oval" }, Shape)).toBe('{ tag: "Oval" }');
    expect(show(7, t.array(t.int))).toBe("7");
  });

  it("follows lazy references (recursive types)", () => {
    const Tree: Schema<any> = t.union("Tree", { Leaf: {}, Node: { left: t.lazy(() => Tree), value: t.int } });
    expect(show({ tag: "Node", left: { tag: "Node", left: { tag: "Leaf" }, value: 1 }, value: 2 }, Tree)).toBe("Node(Node(Leaf, 1), 2)");
    const Person: Schema<any> = t.record("Person", { name: t.string, boss: t.option(t.lazy(() => Person)) });
    expect(show({ name: "a", boss: { name: "b", boss: null } }, Person)).toBe('Person { name: "a", boss: Some(Person { name: "b", boss: None }) }');
  });
});

describe("print and interpolation take formatted text as it is", () => {
  it("print formats each argument; a string from show prints as it is", () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    print(Ok(0), Some(1), None);
    print(show(Some(1), t.option(t.int)));
    print([1, "a"], { a: 1 });
    print("100%d", 5);
    expect(log.mock.calls).toEqual([["Ok(0) 1 None"], ["Some(1)"], ['[1, "a"] { a: 1 }'], ["100%d 5"]]);
    log.mockRestore();
  });

  it("to_string of formatted text is that text", () => {
    const text = show({ id: 1, name: "a", boss: null }, User);
    expect(to_string(text)).toBe(text);
    expect(`user: ${show(None)}`).toBe("user: None");
  });

  it("error messages quote the value they name", () => {
    expect(() => unwrap(Err({ code: 1 }))).toThrow("unwrap of Err({ code: 1 })");
    expect(() => matchFailed("x")).toThrow('no match arm applies to "x"');
  });
});

describe("Results are branded", () => {
  it("Ok/Err serialise as before and compare equal to their fields", () => {
    expect(JSON.stringify([Ok(1), Err("e")])).toBe('[{"ok":true,"value":1},{"ok":false,"error":"e"}]');
    expect(Object.keys(Ok(1))).toEqual(["ok", "value"]);
    expect(Ok(1)).toEqual({ ok: true, value: 1 });
  });

  it("a user object with an ok field is not a Result", () => {
    const record = { ok: false, error: "disk" };
    expect([isFailure(record), is_ok({ ok: true, value: 1 }), isFailure(Err(1)), is_ok(Ok(1))]).toEqual([false, false, true, true]);
    expect(map(record as any, (r: any) => r.error)).toBe("disk"); // a plain value, mapped as a Some
    expect(show(map(Ok(2), (x) => x + 1))).toBe("Ok(3)");
    // JSON loses the brand: a Result from another process is a plain object.
    expect(isFailure(JSON.parse(JSON.stringify(Err(1))))).toBe(false);
  });
});
