// The standard library: Option/Result, collections on arrays and Options,
// text and conversions, and tables of rows in CSV / JSON / JSON Lines files.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import * as std from "./index.js";
import { formatCsv, parseCsv } from "./csv.js";
import { dataPath } from "./data-dir.js";

const { Ok, Err, Some, None, isFailure, unwrap, unwrapOr, ok_or, map, first, last, find, sort_by } = std;

describe("Option and Result", () => {
  it("Some(x) is x, None is null; Ok/Err are tagged objects", () => {
    expect(Some(3)).toBe(3);
    expect(None).toBeNull();
    expect(Ok(1)).toEqual({ ok: true, value: 1 });
    expect(Err("e")).toEqual({ ok: false, error: "e" });
  });

  it("isFailure is true for None, undefined and Err only", () => {
    expect([null, undefined, Err(1), Ok(null), 0, "", false, { ok: false, error: 1, extra: 2 }, { ok: false, error: 1 }].map(isFailure)).toEqual([
      true, true, true, false, false, false, false, false, false,
    ]);
  });

  it("unwrap, unwrapOr, ok_or, is_*", () => {
    expect(unwrap(Ok(2))).toBe(2);
    expect(unwrap(5)).toBe(5);
    expect(() => unwrap(null)).toThrow(/None/);
    expect(() => unwrap(Err("bad"))).toThrow(/Err\("bad"\)/);
    expect([unwrapOr(null, 100), unwrapOr(7, 100), unwrapOr(Err("x"), 0), std.unwrap_or(Ok("v"), "d")]).toEqual([100, 7, 0, "v"]);
    expect([ok_or(null, "missing"), ok_or(1, "missing")]).toEqual([Err("missing"), Ok(1)]);
    expect([std.is_some(0), std.is_none(undefined), std.is_ok(Ok(1)), std.is_err(Ok(1))]).toEqual([true, true, true, false]);
  });
});

describe("collections", () => {
  it("map, first, last, find work on arrays and on Options", () => {
    expect(map([1, 2], (x) => x * 2)).toEqual([2, 4]);
    expect(map(null as { t: string } | null, (m) => m.t)).toBeNull();
    expect(map({ t: "now" } as { t: string } | null, (m) => m.t)).toBe("now");
    expect(map(Ok(2), (x) => x + 1)).toEqual(Ok(3));
    expect(map(["1", "2", "3"], parseInt)).toEqual([1, 2, 3]); // one argument, no index
    expect([first([]), first([4, 5]), last([4, 5]), first(null), first(9)]).toEqual([null, 4, 5, null, 9]);
    expect([find([1, 2, 3], (x) => x > 1), find([1], (x) => x > 1), find(5 as number | null, (x) => x > 1)]).toEqual([2, null, 5]);
  });

  it("sort_by takes a key function or a comparator of two, and copies", () => {
    const rows = [{ n: "b", t: 2 }, { n: "a", t: 3 }, { n: "c", t: 1 }];
    expect(sort_by(rows, (r) => r.n).map((r) => r.n)).toEqual(["a", "b", "c"]);
    expect(sort_by(rows, (a, b) => b.t - a.t).map((r) => r.t)).toEqual([3, 2, 1]);
    expect(rows[0]!.n).toBe("b");
  });

  it("the rest of the collection functions", () => {
    expect(std.len("abc") + std.len([1]) + std.len({ a: 1, b: 2 }) + std.len(null)).toBe(6);
    expect([std.range(3), std.range(1, 4), std.range(0, 10, 5), std.range(3, 0), std.range(3, 0, -1)]).toEqual([[0, 1, 2], [1, 2, 3], [0, 5], [], [3, 2, 1]]);
    expect(std.filter([1, 2, 3], (x) => x % 2)).toEqual([1, 3]);
    expect([std.reduce([1, 2, 3], (a, x) => a + x, 10), std.reduce([1, 2, 3], (a, x) => a * x)]).toEqual([16, 6]);
    expect([std.sum([1, 2.5]), std.sum([]), std.min([3, 1, 2]), std.max([3, 1, 2]), std.min([]), std.min(4, 2)]).toEqual([3.5, 0, 1, 3, null, 2]);
    expect([std.take([1, 2, 3], 2), std.skip([1, 2, 3], 2), std.reverse([1, 2]), std.sort([3, 1, 2]), std.unique([1, 1, 2])]).toEqual([
      [1, 2], [3], [2, 1], [1, 2, 3], [1, 2],
    ]);
    expect([std.any([1, 2], (x) => x > 1), std.all([1, 2], (x) => x > 1), std.count([1, 2, 3], (x) => x > 1), std.count([1, 2])]).toEqual([true, false, 2, 2]);
    expect(std.flat_map([1, 2], (x) => [x, x])).toEqual([1, 1, 2, 2]);
    expect(std.group_by([{ s: "a" }, { s: "b" }, { s: "a" }], (r) => r.s)).toEqual({ a: [{ s: "a" }, { s: "a" }], b: [{ s: "b" }] });
    expect([std.keys({ a: 1 }), std.values({ a: 1 }), std.entries({ a: 1 }), std.keys(null)]).toEqual([["a"], [1], [["a", 1]], []]);
    expect(std.where([{ a: 1 }, { a: 2 }], (r) => r.a > 1)).toEqual([{ a: 2 }]);
    expect(std.drop_nil([{ id: 1 }, { id: null }, {}], (r: { id?: number | null }) => r.id)).toEqual([{ id: 1 }]);
  });

  it("each runs sync callbacks in place and chains async ones in order", async () => {
    const seen: number[] = [];
    expect(std.each([1, 2], (x) => seen.push(x))).toBeUndefined();
    await std.each([3, 4], async (x) => {
      await std.sleep(x === 3 ? 20 : 0);
      seen.push(x);
    });
    expect(seen).toEqual([1, 2, 3, 4]);
  });
});

describe("text and conversions", () => {
  it("strings", () => {
    expect([std.join(["a", 1, null], ","), std.split("a,b", ","), std.trim(" x "), std.upper("a"), std.lower("B")]).toEqual([
      "a,1,None", ["a", "b"], "x", "A", "b",
    ]);
    expect([std.contains("abc", "b"), std.contains([1], 1), std.contains({ k: 1 }, "k"), std.starts_with("abc", "a"), std.ends_with("abc", "c")]).toEqual([
      true, true, true, true, true,
    ]);
    expect(std.replace("a-b-c", "-", "+")).toBe("a+b+c");
  });

  it("to_string of a string (an enum value) is itself; conversions give None when they cannot convert", () => {
    expect([std.to_string("Warning"), std.to_string(1.5), std.to_string(null), std.to_string({ a: 1 }), std.to_string(new Error("m"))]).toEqual([
      "Warning", "1.5", "None", "{ a: 1 }", "m",
    ]);
    expect([std.to_int(12.9), std.to_int("42"), std.to_int("x"), std.to_float("2.5"), std.to_float(true), std.to_float("")]).toEqual([12, 42, null, 2.5, 1, null]);
    expect([std.abs(-2), std.round(3.14159, 2), std.floor(1.9), std.ceil(1.1)]).toEqual([2, 3.14, 1, 2]);
  });
});

describe("process functions", () => {
  it("print joins its arguments with spaces and ignores % directives", () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    std.print("100%d", 5, "done");
    std.print("only %s");
    expect(log.mock.calls).toEqual([["100%d 5 done"], ["only %s"]]);
    log.mockRestore();
  });

  it("env, uuid, Process.uptime, cache headers", () => {
    process.env.TOVA_TEST_VAR = "v";
    expect([std.env("TOVA_TEST_VAR"), std.env("TOVA_TEST_UNSET_VAR")]).toEqual(["v", null]);
    expect(std.uuid()).toMatch(/^[0-9a-f-]{36}$/);
    expect(std.Process.uptime()).toBeGreaterThan(0);
    const headers: Record<string, string> = {};
    const res = { setHeader: (n: string, v: string) => (headers[n] = v) };
    std.cache_control(res, "no-store");
    std.etag(res, "abc");
    expect(headers).toEqual({ "Cache-Control": "no-store", ETag: '"abc"' });
  });

  it("JS globals are re-exported as they are", () => {
    expect(std.Date).toBe(globalThis.Date);
    expect(std.JSON.parse("[1]")).toEqual([1]);
  });
});

describe("CSV", () => {
  it("parses quotes, commas and newlines in quotes, CRLF, and types unquoted cells", () => {
    const text = 'id,name,active,score\r\n1,"Smith, J",true,\r\n2,"multi\nline ""q""",false,2.5\r\n,"007",,-1\r\n';
    expect(parseCsv(text)).toEqual([
      { id: 1, name: "Smith, J", active: true, score: null },
      { id: 2, name: 'multi\nline "q"', active: false, score: 2.5 },
      { id: null, name: "007", active: null, score: -1 },
    ]);
  });

  it("round-trips values through write and read, quoting what would read back differently", () => {
    const rows = [{ a: "x,y", b: 'say "hi"', c: "", d: "12", e: null, f: 3, g: "true", h: " pad", i: [1, 2] }];
    const text = formatCsv(rows, Object.keys(rows[0]!), true);
    expect(parseCsv(text)).toEqual([{ ...rows[0], i: "[1,2]" }]);
  });
});

describe("files of rows", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "tova-stdlib-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string) => path.join(dir, name);

  it("write and read CSV, appending without a second header", () => {
    std.write([{ id: 1, name: "a" }], file("out.csv"));
    std.write([{ name: "b", id: 2 }], file("out.csv"), { append: true });
    expect(readFileSync(file("out.csv"), "utf8")).toBe("id,name\n1,a\n2,b\n");
    expect(std.read(file("out.csv"))).toEqual([{ id: 1, name: "a" }, { id: 2, name: "b" }]);
  });

  it("write and read JSON and JSON Lines", () => {
    std.write([{ a: 1 }], file("out.json"));
    std.write([{ a: 2 }], file("out.json"), { append: true });
    expect(std.read(file("out.json"))).toEqual([{ a: 1 }, { a: 2 }]);
    std.write([{ a: 1 }], file("out.jsonl"));
    std.write([{ a: 2 }], file("out.jsonl"), { append: true });
    expect(std.read(file("out.jsonl"))).toEqual([{ a: 1 }, { a: 2 }]);
    expect(() => std.read(file("x.txt"))).toThrow(/is not a file type Tova reads or writes/);
  });

  it("stream yields batches of at most n rows, across chunk boundaries", async () => {
    const lines = ["id,text"];
    for (let i = 0; i < 25_000; i++) lines.push(`${i},"row, ${i}\nsecond line"`);
    writeFileSync(file("big.csv"), lines.join("\r\n") + "\r\n");
    const sizes: number[] = [];
    let last: any;
    await std.each(std.stream(file("big.csv"), { batch: 10_000 }), (batch: any[]) => {
      sizes.push(batch.length);
      last = batch.at(-1);
    });
    expect(sizes).toEqual([10_000, 10_000, 5_000]);
    expect(last).toEqual({ id: 24_999, text: "row, 24999\nsecond line" });
  });

  it("stream reads JSON Lines too", async () => {
    writeFileSync(file("s.jsonl"), '{"a":1}\n{"a":2}\n{"a":3}');
    const batches: unknown[] = [];
    for await (const batch of std.stream(file("s.jsonl"), { batch: 2 })) batches.push(batch);
    expect(batches).toEqual([[{ a: 1 }, { a: 2 }], [{ a: 3 }]]);
  });
});

describe("the data directory of a deployed app", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "tova-data-dir-"));
  afterAll(() => {
    vi.unstubAllEnvs();
    rmSync(dir, { recursive: true, force: true });
  });

  it("leaves paths alone when TOVA_DATA_DIR is unset (tova run, tova dev)", () => {
    vi.stubEnv("TOVA_DATA_DIR", "");
    expect(dataPath("app.db")).toBe("app.db");
    expect(dataPath("./data/x.csv")).toBe("./data/x.csv");
  });

  it("puts relative paths under TOVA_DATA_DIR and leaves absolute ones and :memory: alone", () => {
    vi.stubEnv("TOVA_DATA_DIR", "/opt/tova/apps/myapp/data/");
    expect(dataPath("app.db")).toBe("/opt/tova/apps/myapp/data/app.db");
    expect(dataPath("./exports/out.csv")).toBe("/opt/tova/apps/myapp/data/exports/out.csv");
    expect(dataPath("/var/lib/x.db")).toBe("/var/lib/x.db");
    expect(dataPath(":memory:")).toBe(":memory:");
  });

  it("read and write resolve through it, so a deployed app's files live outside its releases", () => {
    vi.stubEnv("TOVA_DATA_DIR", dir);
    std.write([{ a: 1 }], "rows.csv");
    expect(readFileSync(path.join(dir, "rows.csv"), "utf8")).toContain("a");
    expect(std.read("rows.csv")).toEqual([{ a: 1 }]);
  });
});
