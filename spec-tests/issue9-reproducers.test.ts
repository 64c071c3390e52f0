import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { BUN_PATH } from "../cli/toolchain.js";
import { readInput } from "../cli/files.js";
import { check } from "../compile.js";
import { locate, render } from "../diagnostics/render.js";
import { codesAt, diagnose } from "./helpers.js";
import { buildProgram, call, cleanDirs, start, stopAll, type Built } from "./server/harness.js";

/**
 * Every reproducer of issue 9, "What is wrong today" (source maps aside: they
 * are source-maps.test.ts'). Miscompilations are built with the TypeScript
 * check on and run with Bun (the shared module as a script, or a server);
 * valid programs that were rejected build with the check on; invalid ones
 * are `tova check` errors in Tova's words at the right line and column; and
 * no diagnostic of any of them is in TypeScript's words.
 *
 * Tests marked `it.fails` are findings (reported to the lead): what they
 * expect is what decisions.md settles, and the compiler does not do it yet.
 */

/** Every program built here, by source: each is built once (the wording test reads the failures too). */
const builds = new Map<string, Promise<Built | Error>>();
function build(src: string): Promise<Built | Error> {
  if (!builds.has(src)) builds.set(src, buildProgram(src).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e)))));
  return builds.get(src)!;
}
async function built(src: string): Promise<Built> {
  const b = await build(src);
  if (b instanceof Error) throw b;
  return b;
}

/** Builds `src`, writes `files` beside the output, runs the shared module with Bun (killed after 10 s). */
async function runShared(src: string, files: Record<string, string> = {}): Promise<string> {
  const b = await built(src);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(b.dir, name), text);
  const r = spawnSync(BUN_PATH, ["run", b.file("shared")], { cwd: b.dir, encoding: "utf8", timeout: 10_000 });
  if (r.signal) throw new Error(`killed by ${r.signal} (it did not end): ${r.stdout}${r.stderr}`);
  expect(r.stderr).toBe("");
  return r.stdout.trimEnd();
}

afterEach(stopAll);
afterAll(cleanDirs);

/** Every program this file builds (and must build), for the wording test. */
const buildable: string[] = [];
const program = (src: string) => (buildable.push(src), src);
/** Every program this file only checks. */
const checked: string[] = [];
const invalid = (src: string) => (checked.push(src), src);

// ---- miscompilations ------------------------------------------------------

const IF_BANG = program(`var deleted = 0
fn delete_all() -> Result<Int, String> {
  deleted += 1
  Ok(5)
}
fn clear(confirm: Bool) -> Result<Int, String> {
  n = if confirm { delete_all()! } else { 0 }
  Ok(n)
}
print(clear(false), deleted)
print(clear(true), deleted)`);

const AND_BANG = program(`var parsed = 0
fn parse(s: String) -> Result<Int, String> {
  parsed += 1
  if s == "abc" { Err("not a number") } else { Ok(len(s)) }
}
fn check(s: String) -> Result<Bool, String> {
  Ok(len(s) > 5 and parse(s)! > 0)
}
print(check("abc"), parsed, check("abcdefg"), parsed)`);

const MATCH_BANG = program(`fn parse(s: String) -> Result<Int, String> {
  if s == "" { Err("empty") } else { Ok(len(s)) }
}
fn double(s: String) -> Result<Int, String> {
  r = match s {
    "" => 0
    _ => parse(s)! * 2
  }
  Ok(r)
}
print(double(""), double("ab"))`);

const WHILE_BANG = program(`var calls = 0
fn next() -> Result<Int, String> {
  calls += 1
  Ok(3 - calls)
}
fn count() -> Result<Int, String> {
  var n = 0
  while next()! > 0 { n += 1 }
  Ok(n)
}
print(count(), calls)`);

const TOP_ORDER = program(`var items = []
items.push("a")
n = len(items)
print(n)`);

const TOP_STREAM = program(`stream("rows.csv", batch: 2) |> each(fn(batch) print("batch {len(batch)}"))
print("done")`);

const FOR_STREAM = program(`var total = 0
for batch in stream("rows.csv", batch: 2) {
  print("batch {len(batch)}")
  total += len(batch)
}
fn named(path: String) -> [String] {
  var out = []
  for batch in stream(path, batch: 2) {
    for row in batch { out.push(row.name) }
  }
  out
}
print(total, named("rows.csv"))`);

const LAMBDA_AWAITS = program(`later = fn(x) {
  sleep(5)
  x * 2
}
fn twice(n: Int) -> Int { later(n) + later(n) }
fn wrapped() {
  count = fn(path) {
    var k = 0
    for b in stream(path, batch: 1) { k += 1 }
    k
  }
  { batches: count("rows.csv") }
}
print(later(21), twice(1), wrapped())`);

const CONST_COMPARED = program(`mode = "dev"
if mode == "prod" { print("prod") } else { print("not prod") }
n = 15
print(match n { 0 => "zero", _ => "other" }, n != 3)
fn check() -> Bool {
  level = "warn"
  level == "error"
}
limit = -1
pick = if limit < 0 { "none" } else { "some" }
print(check(), limit == 5, pick == "all")`);

const EQUALITY = program(`type P { x: Int, y: Int }
type Level { Low(n: Int), High(n: Int) }
var m1: {String: Int} = {}
m1["a"] = 1
m1["b"] = 2
var m2: {String: Int} = {}
m2["b"] = 2
m2["a"] = 1
print([1, 2] == [1, 2], P(1, 2) == P { y: 2, x: 1 }, m1 == m2, Low(1) == Low(1), Low(1) != Low(2), Ok([1]) == Ok([1]))
print([1, 2] == [2, 1], P(1, 2) != P(1, 2), Low(1) == High(1))`);

const UNDEFINED_NIL = program(`fn missing(o) { o.missing == nil }
fn present(o) { o.missing != nil }
fn matched(o) {
  match o.missing {
    nil => "nil"
    _ => "value"
  }
}
print(missing({ name: "a" }), present({ name: "a" }), matched({ name: "a" }))`);

const MAP_PROTO = program(`var stock: {String: Int} = {}
stock["apple"] = 5
print(stock["__proto__"] == nil, stock["constructor"] == nil, stock["toString"] == nil)
print((stock["toString"] ?? 0) + 1, len(stock), keys(stock))`);

describe("miscompilations: the compiled program does what the source says", () => {
  it("`n = if confirm { delete_all()! } else { 0 }` calls delete_all only when confirm", async () => {
    expect(await runShared(IF_BANG)).toBe("Ok(0) 0\nOk(5) 1");
  }, 60_000);

  it("`len(s) > 5 and parse(s)! > 0` does not parse a short string", async () => {
    expect(await runShared(AND_BANG)).toBe("Ok(false) 0 Ok(true) 1");
  }, 60_000);

  it("`match s { \"\" => 0, _ => parse(s)! * 2 }` parses only in the `_` arm", async () => {
    expect(await runShared(MATCH_BANG)).toBe("Ok(0) Ok(4)");
  }, 60_000);

  it("`while next()! > 0` evaluates the condition at every iteration", async () => {
    expect(await runShared(WHILE_BANG)).toBe("Ok(2) 3");
  }, 60_000);

  it("top-level statements run in source order", async () => {
    expect(await runShared(TOP_ORDER)).toBe("1");
  }, 60_000);

  it("a top-level `stream(...) |> each(...)` finishes before the next statement", async () => {
    expect(await runShared(TOP_STREAM, { "rows.csv": "id,name\n1,a\n2,b\n3,c\n" })).toBe("batch 2\nbatch 1\ndone");
  }, 60_000);

  it("`for batch in stream(...)` reads the batches in order, at the top level and in a function", async () => {
    expect(await runShared(FOR_STREAM, { "rows.csv": "id,name\n1,a\n2,b\n3,c\n" })).toBe(`batch 2\nbatch 1\n3 ["a", "b", "c"]`);
  }, 60_000);

  it("a call of a lambda bound to a name is awaited when the lambda waits (it gave a promise)", async () => {
    expect(await runShared(LAMBDA_AWAITS, { "rows.csv": "id,name\n1,a\n2,b\n3,c\n" })).toBe(`42 4 { batches: 3 }`);
  }, 60_000);

  it("a constant compared with another literal builds and runs (TypeScript took it for a comparison that can never hold)", async () => {
    expect(await runShared(CONST_COMPARED)).toBe("not prod\nother true\nfalse false false");
  }, 60_000);

  it("`==` compares lists, records, maps, enum values and Results by what they hold (it compared references)", async () => {
    expect(await runShared(EQUALITY)).toBe("true true true true true true\nfalse false false");
  }, 60_000);

  it("JavaScript's `undefined` is nil for `==`, `!=` and `match` (decisions.md, \"nil\")", async () => {
    expect(await runShared(UNDEFINED_NIL)).toBe("true false nil");
  }, 60_000);

  it("a map has only the keys the program put in it (decisions.md, \"Maps\")", async () => {
    expect(await runShared(MAP_PROTO)).toBe(`true true true\n1 1 ["apple"]`);
  }, 60_000);
});

// ---- servers --------------------------------------------------------------

const TYPED_REQ = program(`server {
  fn echo(req: Int) -> Int { req + 1 }
  route GET "/echo" => echo
}`);

const SSE_ONE_ARG = program(`server {
  sse "/events" fn(send, close) {
    send({ n: 1 })
    close()
  }
}`);

const ON_FINISH = program(`server {
  middleware fn logger(req, res) {
    start = Date.now()
    res.on_finish(fn() {
      duration = Date.now() - start
      print(JSON.stringify({ method: req.method, path: req.path, status: res.status, duration_ms: duration }))
    })
  }
  fn hello() { "hi" }
  route GET "/hello" => hello
}`);

describe("servers", () => {
  it("a parameter named `req` with a type is an ordinary parameter, and the fn is an RPC endpoint", async () => {
    const s = await start((await built(TYPED_REQ)).file("server"));
    expect(await call(`${s.url}/echo?req=5`)).toMatchObject({ status: 200, body: 6 });
    expect(await call(`${s.url}/rpc/echo`, { json: { __args: [5] } })).toMatchObject({ status: 200, body: { result: 6 } });
  }, 60_000);

  it("SSE `send(data)` with one argument is a data-only message", async () => {
    const s = await start((await built(SSE_ONE_ARG)).file("server"));
    const text = await (await fetch(`${s.url}/events`)).text();
    expect(text).toContain('data: {"n":1}');
    expect(text).not.toContain("[object Object]");
    expect(text).not.toContain("event:");
  }, 60_000);

  it("`res.status` inside `res.on_finish` is the sent status (scaling.md, \"Structured Logging\")", async () => {
    const s = await start((await built(ON_FINISH)).file("server"));
    expect((await call(`${s.url}/hello`)).status).toBe(200);
    const deadline = Date.now() + 5000;
    while (!s.output().includes('"path":"/hello"') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const line = s.output().split("\n").find((l) => l.includes('"path":"/hello"') && l.includes("duration_ms"));
    expect(JSON.parse(line!)).toMatchObject({ method: "GET", path: "/hello", status: 200 });
  }, 60_000);
});

// ---- names the emitter takes from the user ------------------------------

const NAME_APP = program(`server {
  app = "shop"
  fn name() -> String { app }
  route GET "/name" => name
}`);

const NAME_T = program(`type User { name: String }
t = 5
u = User { name: "a" }
print(t + 1, u.name)`);

const NAME_DB = program(`server {
  db { path: "./data.db" }
  model Item { name: String }
  fn db() -> String { "mine" }
  fn add(name: String) -> Int { Item.create({ name: name }).id }
  route GET "/db" => db
}`);

const NAME_RUNTIME_SHARED = program(`server = 1
createApp = 2
unwrap = 3
isFailure = 4
model = 5
sqlite = 6
fn parse(s: String) -> Result<Int, String> { if s == "" { Err("empty") } else { Ok(len(s)) } }
fn twice(s: String) -> Result<Int, String> { Ok(parse(s)! * 2) }
print(server + createApp + unwrap + isFailure + model + sqlite, twice("ab"), twice(""))`);

const NAME_RUNTIME_SERVER = program(`server {
  db { path: "./data.db" }
  model Item { name: String }
  server = "s"
  createApp = "c"
  unwrap = "u"
  isFailure = "i"
  sqlite = "q"
  fn model() -> String { "{server}{createApp}{unwrap}{isFailure}{sqlite}" }
  fn parse(s: String) -> Result<Int, String> { if s == "" { Err("empty") } else { Ok(len(s)) } }
  fn twice(s: String) -> Result<Int, String> { Ok(parse(s)! * 2) }
  fn add(name: String) -> Int { Item.create({ name: name }).id }
}`);

const NAME_ENTRIES = program(`server {
  var entries = 0
  fn count(xs: [String]) -> Int {
    for i, e in xs { entries += i }
    entries
  }
}`);

describe("names the emitter used to take from the user (decisions.md, \"Names\")", () => {
  it("a server binding named `app`", async () => {
    const s = await start((await built(NAME_APP)).file("server"));
    expect(await call(`${s.url}/name`)).toMatchObject({ status: 200, body: "shop" });
  }, 60_000);

  it("a binding named `t` in a program with a record type", async () => {
    expect(await runShared(NAME_T)).toBe("6 a");
  }, 60_000);

  it("`fn db()` in a server with a `db`", async () => {
    const s = await start((await built(NAME_DB)).file("server"));
    expect(await call(`${s.url}/db`)).toMatchObject({ status: 200, body: "mine" });
    expect(await call(`${s.url}/rpc/add`, { json: { __args: ["a"] } })).toMatchObject({ status: 200, body: { result: 1 } });
  }, 60_000);

  it("`server`, `createApp`, `unwrap`, `isFailure`, `model`, `sqlite` as top-level bindings", async () => {
    expect(await runShared(NAME_RUNTIME_SHARED)).toBe(`21 Ok(4) Err("empty")`);
  }, 60_000);

  it("the same names inside a server with a model and a `!`", async () => {
    const s = await start((await built(NAME_RUNTIME_SERVER)).file("server"));
    expect(await call(`${s.url}/rpc/model`, { json: { __args: [] } })).toMatchObject({ body: { result: "scuiq" } });
    expect(await call(`${s.url}/rpc/twice`, { json: { __args: ["abc"] } })).toMatchObject({ status: 200, body: { result: 6 } });
    expect((await call(`${s.url}/rpc/twice`, { json: { __args: [""] } })).body).toMatchObject({ error: "empty" });
    expect(await call(`${s.url}/rpc/add`, { json: { __args: ["x"] } })).toMatchObject({ status: 200, body: { result: 1 } });
  }, 60_000);

  it("a server `var entries` beside a `for i, e in xs` loop", async () => {
    const s = await start((await built(NAME_ENTRIES)).file("server"));
    expect(await call(`${s.url}/rpc/count`, { json: { __args: [["a", "b", "c"]] } })).toMatchObject({ body: { result: 3 } });
    expect(await call(`${s.url}/rpc/count`, { json: { __args: [["a", "b", "c"]] } })).toMatchObject({ body: { result: 6 } });
  }, 60_000);
});

// ---- valid programs that were rejected in TypeScript's words -----------

const STOCK_INDEX = program(`var stock = { "apple": 5 }
fn get(item: String) -> Int { stock[item] ?? 0 }
stock["pear"] = 2
print(get("apple"), get("pear"), get("fig"))`);

const ANY_BANG = program(`fn f(x: Any) -> Option<Int> {
  y = x!
  Some(y + 1)
}
print(f(Some(1)), f(None))`);

const LAMBDA_BANG = program(`fn parse(s: String) -> Result<Int, String> { if s == "" { Err("empty") } else { Ok(len(s)) } }
xs = ["a", "", "abc"]
print(xs |> map(fn(x) parse(x)!))`);

const DATE_IN_STRING = program(`type Check { name: String, at: String }
old = Check { name: "old", at: Date.now() - 48.hours }
now = Check { name: "now", at: Date.now() }
print([old, now] |> sort_by(fn(a, b) b.at - a.at) |> map(.name))`);

const TREE = program(`type Tree { Leaf, Node(left: Tree, value: Int) }
fn total(t: Tree) -> Int {
  match t {
    Leaf => 0
    Node(l, v) => total(l) + v
  }
}
print(total(Node(Node(Leaf, 1), 2)))`);

const PERSON = program(`shared {
  type Person { name: String, boss: Option<Person> }
}
server {
  fn chain(p: Person) -> Int {
    match p.boss {
      Some(b) => 1 + chain(b)
      None => 1
    }
  }
}`);

const DATA_DERIVED = program(`data {
  source people = read("people.json")
  active_names = people |> where(.active) |> map(.name)
}
server {
  fn names() -> [String] { active_names }
  route GET "/names" => names
}`);

describe("valid programs build with the type-check on and run", () => {
  it("`var stock = { \"apple\": 5 }` indexed with a String is a map", async () => {
    expect(await runShared(STOCK_INDEX)).toBe("5 2 0");
  }, 60_000);

  // Finding: TS2322 on `{ ok: false; error: any } | null | undefined` (the `!` of a dynamic value).
  it("`x!` on an `Any` in a function returning an Option", async () => {
    expect(await runShared(ANY_BANG)).toBe("Some(2) None");
  }, 60_000);

  it("`xs |> map(fn(x) parse(x)!)`: the `!` returns from the lambda", async () => {
    expect(await runShared(LAMBDA_BANG)).toBe(`[1, Err("empty"), 3]`);
  }, 60_000);

  // Finding: TS2322 "Type 'number' is not assignable to type 'string'" (decisions.md, "Gradual typing").
  it("`Date.now() - 48.hours` stored in a `String` field, and timestamps subtracted", async () => {
    expect(await runShared(DATE_IN_STRING)).toBe(`["now", "old"]`);
  }, 60_000);

  it("a recursive enum `type Tree { Leaf, Node(left: Tree, value: Int) }`", async () => {
    expect(await runShared(TREE)).toBe("3");
  }, 60_000);

  it("a recursive record `type Person { boss: Option<Person> }` validates at the request boundary", async () => {
    const s = await start((await built(PERSON)).file("server"));
    const chain = { name: "a", boss: { name: "b", boss: { name: "c", boss: null } } };
    expect(await call(`${s.url}/rpc/chain`, { json: { __args: [chain] } })).toMatchObject({ status: 200, body: { result: 3 } });
    const bad = { name: "a", boss: { name: 7, boss: null } };
    expect((await call(`${s.url}/rpc/chain`, { json: { __args: [bad] } })).status).toBe(400);
  }, 60_000);

  it("a data block's derived binding is emitted and served", async () => {
    const b = await built(DATA_DERIVED);
    const people = [{ name: "ada", active: true }, { name: "bo", active: false }, { name: "cy", active: true }];
    writeFileSync(path.join(b.dir, "people.json"), JSON.stringify(people));
    const s = await start(b.file("server"));
    // The source may still be loading right after start.
    let got = await call(`${s.url}/names`);
    for (let i = 0; i < 20 && JSON.stringify(got.body) !== '["ada","cy"]'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      got = await call(`${s.url}/names`);
    }
    expect(got).toMatchObject({ status: 200, body: ["ada", "cy"] });
  }, 60_000);
});

// ---- invalid programs: `tova check` errors in Tova's words -------------

const INVALID: { name: string; src: string; at: string; says: string }[] = [
  { name: "`u.nmae` on a known record", src: invalid(`type User { name: String, email: String }\nfn label(u: User) -> String { u.nmae }`), at: "E0210 2:33", says: "`User` has no field `nmae`" },
  { name: "`Some(5)!` inside a function returning Result", src: invalid(`fn f() -> Result<Int, String> {\n  v = Some(5)!\n  Ok(v)\n}`), at: "E0211 2:7", says: "`!` on an Option returns None" },
  { name: "calling a String (`filter = \"beta\"` then `filter(x)`)", src: invalid(`fn pick(xs: [String]) {\n  filter = "beta"\n  xs |> map(fn(x) filter(x))\n}`), at: "E0209 3:19", says: "`filter` is a String, not a function" },
  { name: "`return x` at the top level", src: invalid(`x = 1\nreturn x`), at: "E0212 2:1", says: "`return` is only allowed inside a function" },
  {
    name: "`Item.create({ name: \"a\", qyt: 1 })` on a model without `qyt`",
    src: invalid(`server {\n  db { path: "./data.db" }\n  model Item { name: String, qty: Int }\n  fn add() { Item.create({ name: "a", qyt: 1 }) }\n}`),
    at: "E0210 4:39",
    says: "model `Item` has no field `qyt`",
  },
];

describe("invalid programs are `tova check` errors at the expression", () => {
  it.each(INVALID)("$name", ({ src, at, says }) => {
    expect(codesAt(src)).toEqual([at]);
    expect(diagnose(src)[0]!.message).toContain(says);
  });
});

// ---- diagnostics that mislead or overflow, and layout (the parser's) ----

/** Diagnostics of one in-memory file, located, and as `tova check` prints them. */
function checkText(text: string) {
  const ds = check([{ path: "main.tova", text }], { stem: "main" });
  const sources = new Map([["main.tova", text]]);
  return { located: locate(ds, sources), printed: render(ds, sources) };
}

const UNCLOSED_FN = invalid(`server {
  fn a() -> Int {
    1
  }

  fn b() -> Int {
    2

  fn c() -> Int {
    3
  }
}`);

describe("parser diagnostics", () => {
  it("an unclosed `{` of a function in a server block is reported once, at that function", () => {
    const ds = diagnose(UNCLOSED_FN);
    expect(ds.map((d) => `${d.code} ${d.line}`)).toEqual(["E0011 6"]);
    expect(ds[0]!.message).not.toContain("server block");
  });

  it.each([
    ["fun f() { 1 }", "fn"],
    ["fn f(x) {\n  retrun x\n}", "return"],
    ["serer {\n  fn f() { 1 }\n}", "server"],
  ])("a keyword typo gets one diagnostic with a suggestion: %s", (src, keyword) => {
    const ds = diagnose(invalid(src));
    expect(ds).toHaveLength(1);
    expect(ds[0]!.hint).toContain(`did you mean \`${keyword}\`?`);
  });

  it("`map(fn(x) { v: x })` hints `fn(x) ({ v: x })`", () => {
    const ds = diagnose(invalid(`xs = [1, 2]\nys = xs |> map(fn(x) { v: x })`));
    expect(ds.length).toBeGreaterThan(0);
    // The issue asks for `fn(x) ({ v: x })`; the object may be elided as `{ ... }`.
    expect(ds.map((d) => d.hint ?? "").join("\n")).toMatch(/fn\(x\) \(\{ (v: x|\.\.\.) \}\)/);
  });

  it.each([
    ["(", ")"],
    ["[", "]"],
    ["{a:", "}"],
    ["if x {", "}"],
  ])("1,000 nested `%s` give a clean diagnostic, not a stack overflow", (open, close) => {
    for (const text of [`x = ${open.repeat(1000)}1${close.repeat(1000)}\n`, `x = ${open.repeat(1000)}1\n`]) {
      const { located, printed } = checkText(text);
      expect(located.length).toBeGreaterThan(0);
      expect(printed).not.toContain("internal");
      expect(printed).not.toContain("Maximum call stack");
      // At most 50 diagnostics shown, none echoing the whole line.
      expect((printed.match(/error\[E\d+\]/g) ?? []).length).toBeLessThanOrEqual(50);
      expect(printed.split("\n").every((l) => l.length <= 200)).toBe(true);
    }
  });

  it("4 KB of random bytes are one diagnostic; 4 KB of random text at most 50 shown, then \"and N more\"", async () => {
    let seed = 9;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const dir = mkdtempSync(path.join(os.tmpdir(), "tova-i9-"));
    try {
      writeFileSync(path.join(dir, "bytes.tova"), new Uint8Array(4096).map(() => Math.floor(rnd() * 256)));
      const bytes = await readInput(path.join(dir, "bytes.tova"));
      expect(check(bytes.files, { stem: "bytes" }).map((d) => d.code)).toEqual(["E0017"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const text = Array.from({ length: 4096 }, (_, i) => (i % 60 === 59 ? "\n" : String.fromCharCode(32 + Math.floor(rnd() * 95)))).join("");
    const { printed } = checkText(text);
    expect((printed.match(/error\[E\d+\]/g) ?? []).length).toBeLessThanOrEqual(50);
    expect(printed).toMatch(/and \d+ more diagnostics/);
    expect(printed.length).toBeLessThan(20_000);
  });

  // The issue measured 10–20 s for a 5 MB line. On two shared cores an absolute bound is noisy, so the
  // time must grow linearly (5 MB at most 8 times 1 MB) and stay under the upper end.
  it.each([
    ["a long expression", (n: number) => "x = " + "1 + ".repeat(n / 4) + ")\n"],
    ["a long string", (n: number) => 'x = "' + "a".repeat(n) + '" + )\n'],
  ])("a 5 MB one-line file (%s) is checked in linear time, its code frame cut to 120 columns", (_, line) => {
    const timed = (text: string) => {
      const t0 = performance.now();
      const r = checkText(text);
      return { ...r, seconds: (performance.now() - t0) / 1000 };
    };
    const small = timed(line(1_000_000));
    const big = timed(line(5_000_000));
    expect(big.located.map((d) => d.code)).toEqual(["E0010"]);
    expect(big.printed.length).toBeLessThan(1000);
    expect(big.seconds).toBeLessThan(Math.max(1, 8 * small.seconds));
    expect(big.seconds).toBeLessThan(20);
  }, 120_000);

  it("a file that is not UTF-8 is one diagnostic at its first bad byte", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "tova-i9-"));
    try {
      const enc = new TextEncoder();
      writeFileSync(path.join(dir, "latin1.tova"), new Uint8Array([...enc.encode('x = 1\ny = "caf'), 0xe9, ...enc.encode('"\nprint(y)\n')]));
      const input = await readInput(path.join(dir, "latin1.tova"));
      const located = locate(check(input.files, { stem: "latin1" }), input.sources);
      expect(located.map((d) => `${d.code} ${d.line}:${d.column}`)).toEqual(["E0017 2:9"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const BRACES = program(`print("{'{'}", "{"\\{"}")`);
const SHOW = program(`x = None
print(Ok(0), Some(1), None)
print("{x}", "{None}")
print("{ {a: 1} }" == to_string({a: 1}), "{[1, 2]}")`);
const ONE_LINE = program(`fn a() { 1 } fn b() { 2 }
print(a() + b())`);
const RETURN_ARM = program(`fn check(x: Int) -> Result<Int, String> {
  match x {
    0 => return Err("zero")
    _ => Ok(x)
  }
}
print(check(0), check(2))`);

describe("layout and strings (decisions.md, \"Layout\", \"Strings\")", () => {
  it("a string literal with braces inside an interpolation: `\"{'{'}\"` and `\"{\"\\{\"}\"`", async () => {
    expect(codesAt(BRACES)).toEqual([]);
    expect(await runShared(BRACES)).toBe("{ {");
  }, 60_000);

  it("`print` and interpolation show Tova values: `Ok(0) Some(1) None`, `\"{None}\"` is None", async () => {
    expect(await runShared(SHOW)).toBe("Ok(0) Some(1) None\nNone None\ntrue [1, 2]");
  }, 60_000);

  it("`fn a() { 1 } fn b() { 2 }` on one line", async () => {
    expect(codesAt(ONE_LINE)).toEqual([]);
    expect(await runShared(ONE_LINE)).toBe("3");
  }, 60_000);

  it("`=> return Err(...)` as a match arm", async () => {
    expect(codesAt(RETURN_ARM)).toEqual([]);
    expect(await runShared(RETURN_ARM)).toBe(`Err("zero") Ok(2)`);
  }, 60_000);
});

// ---- no diagnostic in TypeScript's words ---------------------------------

const TS_WORDS = /TS\d{4}|Type '|implicitly has an 'any'/;

describe("no diagnostic of any reproducer is in TypeScript's words", () => {
  it("from `tova check`", () => {
    const found: string[] = [];
    for (const src of [...buildable, ...checked]) {
      for (const d of diagnose(src)) if (TS_WORDS.test(`${d.message} ${d.hint ?? ""}`)) found.push(`${d.code} ${d.message} (${src.split("\n")[0]})`);
    }
    expect(found).toEqual([]);
  });

  it("from the build's type-check", async () => {
    const found: string[] = [];
    for (const src of buildable) {
      const b = await build(src);
      if (b instanceof Error && TS_WORDS.test(b.message)) found.push(`${b.message.split("\n").slice(0, 2).join(" ")} (${src.split("\n")[0]})`);
    }
    expect(found).toEqual([]);
  }, 300_000);
});
