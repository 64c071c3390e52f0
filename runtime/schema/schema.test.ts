// Schemas check JSON strictly, convert strings from paths, queries and the
// environment, and explain failures with the path to the bad value.
import { describe, expect, it } from "vitest";
import { t, type Schema } from "./index.js";
import { INVALID, type SchemaNode } from "./node.js";

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
