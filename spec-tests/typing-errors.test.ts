import { spawnSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { BUN_PATH } from "../cli/toolchain.js";
import { codesAt, diagnose } from "./helpers.js";
import { buildProgram, cleanDirs } from "./server/harness.js";

/**
 * Tova's own type checker (ir/typing/; decisions.md "Types", "Gradual
 * typing", "Semantics programs rely on"; issue 9). Same convention as
 * errors.test.ts: each program is otherwise clean and has exactly one
 * diagnostic, compared as `CODE line:col`; line 1 is the backtick's line.
 * Then the words of several of them, and programs the checker must accept,
 * each also built with the TypeScript check on (the emitted code must
 * type-check for every program Tova accepts) and run where it prints.
 */
interface Case {
  name: string;
  src: string;
  expected: string;
}

const MODEL = `server {
  db { path: "./data.db" }
  model Item { name: String, qty: Int }`;

const cases: Case[] = [
  // ---- an Option used as a value --------------------------------------------
  { name: "E0209 arithmetic on an Option", src: `fn f(x: Option<Int>) -> Int { x + 1 }`, expected: "E0209 1:31" },
  { name: "E0206 a String given to a list function", src: `w = "hello"\nprint(w |> take(1) |> join(""))`, expected: "E0206 2:7" },
  { name: "E0209 two names over a stream's batches", src: `for i, batch in stream("rows.csv", batch: 2) {\n  print(i)\n}`, expected: "E0209 1:1" },
  { name: "E0209 a field of an Option record", src: `type User { name: String }\nfn f(u: Option<User>) -> String { u.name }`, expected: "E0209 2:35" },
  { name: "E0206 an Option as a positional record argument", src: `type Adjustment { item: String, note: String }\nfn f(n: Option<String>) -> Adjustment { Adjustment("a", n) }`, expected: "E0206 2:57" },
  { name: "E0206 an Option as a record field", src: `type Adjustment { item: String, note: String }\nfn f(n: Option<String>) -> Adjustment { Adjustment { item: "a", note: n } }`, expected: "E0206 2:71" },
  { name: "E0206 an Option as the argument of a typed function", src: `fn g(s: String) -> Int { len(s) }\nfn f(n: Option<String>) -> Int { g(n) }`, expected: "E0206 2:36" },
  { name: "E0206 an Option as the argument of a typed builtin", src: `fn f(n: Option<String>) -> String { upper(n) }`, expected: "E0206 1:43" },
  { name: "E0206 an Option returned with `return` from `-> Int`", src: `fn f(n: Option<Int>) -> Int { return n }`, expected: "E0206 1:38" },
  { name: "E0206 an Option as the last expression of `-> Int`", src: `fn f(n: Option<Int>) -> Int { n }`, expected: "E0206 1:31" },
  { name: "E0209 an Option compared with `<`", src: `fn f(n: Option<Int>) -> Bool { n < 3 }`, expected: "E0209 1:32" },
  { name: "E0209 an Option joined to text with `+`", src: `fn f(n: Option<String>) -> String { "a" + n }`, expected: "E0209 1:43" },

  // ---- map lookups are Options (decisions.md, "Maps") ---------------------
  { name: "E0209 arithmetic on a map lookup", src: `fn f(m: {String: Int}, k: String) -> Int { m[k] + 1 }`, expected: "E0209 1:44" },
  { name: "E0206 a map lookup returned as an Int", src: `fn f(m: {String: Int}, k: String) -> Int { m[k] }`, expected: "E0206 1:44" },
  { name: "E0209 a lookup in a `var` of string keys is an Option", src: `var stock = { "apple": 5 }\nfn f(item: String) -> Int { stock[item] * 2 }`, expected: "E0209 2:29" },

  // ---- `!` and `return` ---------------------------------------------------
  { name: "E0211 `!` on an Option in a function returning a Result", src: `fn f() -> Result<Int, String> {\n  v = Some(5)!\n  Ok(v)\n}`, expected: "E0211 2:7" },
  { name: "E0211 `!` on a Result in a function returning an Option", src: `fn p(s: String) -> Result<Int, String> { Err("x") }\nfn f(s: String) -> Option<Int> { Some(p(s)! + 1) }`, expected: "E0211 2:39" },
  { name: "E0211 `!` on a Result in a function declared `-> Int`", src: `fn p(s: String) -> Result<Int, String> { Err("x") }\nfn f(s: String) -> Int { p(s)! + 1 }`, expected: "E0211 2:26" },
  { name: "E0211 `!` on a Result whose Err type the function cannot return", src: `fn p(s: String) -> Result<Int, Int> { Err(1) }\nfn f(s: String) -> Result<Int, String> { Ok(p(s)! + 1) }`, expected: "E0211 2:45" },
  { name: "E0211 `!` outside a function", src: `fn p(s: String) -> Result<Int, String> { Err("x") }\nx = p("a")!\nprint(x)`, expected: "E0211 2:5" },
  { name: "E0211 `!` on an Int", src: `fn f(s: Int) -> Result<Int, String> { Ok(s! + 1) }`, expected: "E0211 1:42" },
  { name: "E0212 `return` at the top level", src: `x = 1\nreturn x`, expected: "E0212 2:1" },
  { name: "E0212 `return` in a top-level `if`", src: `if true { return 1 }`, expected: "E0212 1:11" },

  // ---- fields and models --------------------------------------------------
  { name: "E0210 an unknown field read from a record", src: `type User { name: String, age: Int }\nfn f(u: User) -> String { u.nmae }`, expected: "E0210 2:29" },
  { name: "E0210 an unknown field read from an object literal", src: `o = { a: 1 }\nprint(o.b)`, expected: "E0210 2:9" },
  { name: "E0210 a field of a Result", src: `fn f(r: Result<Int, String>) -> Int { r.value }`, expected: "E0210 1:41" },
  { name: "E0209 a record read by index", src: `type U { name: String }\nfn f(u: U) -> String { u["nmae"] }`, expected: "E0209 2:24" },
  { name: "E0210 a model's type used as its accessor (`model Note` makes `NoteModel`)", src: `type Note { body: String }\nserver {\n  db { path: "./data.db" }\n  model Note\n  fn add() { Note.create({ body: "a" }) }\n}`, expected: "E0210 5:19" },
  { name: "E0210 a member of a record type", src: `type Point { x: Int, y: Int }\nprint(Point.x)`, expected: "E0210 2:13" },
  { name: "E0210 an unknown field in a model's create", src: `${MODEL}\n  fn add() { Item.create({ name: "a", qyt: 1 }) }\n}`, expected: "E0210 4:39" },
  { name: "E0210 an unknown field (with a filter suffix) in a model's where", src: `${MODEL}\n  fn low() { Item.where({ qyt_lt: 1 }) }\n}`, expected: "E0210 4:27" },
  { name: "E0210 an unknown field in a model's update", src: `${MODEL}\n  fn fix(id: Int) { Item.update(id, { qyt: 2 }) }\n}`, expected: "E0210 4:39" },
  { name: "E0210 `id` given to a model's create", src: `${MODEL}\n  fn add() { Item.create({ id: 3, name: "a", qty: 1 }) }\n}`, expected: "E0210 4:28" },
  { name: "E0210 `id` changed by a model's update", src: `${MODEL}\n  fn fix(id: Int) { Item.update(id, { id: 4 }) }\n}`, expected: "E0210 4:39" },
  { name: "E0206 a value of the wrong type in a model's create", src: `${MODEL}\n  fn add() { Item.create({ name: "a", qty: "many" }) }\n}`, expected: "E0206 4:44" },
  { name: "E0210 a function a model does not have", src: `${MODEL}\n  fn g() { Item.findd(1) }\n}`, expected: "E0210 4:17" },
  { name: "E0210 a field of an enum read without `match`", src: `type Shape { Circle(radius: Float), Rect(w: Float, h: Float) }\nfn f(s: Shape) -> Float { s.radius }`, expected: "E0210 2:29" },
  { name: "E0210 a field of a type parameter", src: `fn name_of<T>(x: T) -> String { x.name }`, expected: "E0210 1:35" },

  // ---- operations the type does not allow ---------------------------------
  { name: "E0209 calling a String (a binding hides `filter`)", src: `fn f(xs: [String]) {\n  filter = "beta"\n  xs |> map(fn(x) filter(x))\n}`, expected: "E0209 3:19" },
  { name: "E0209 calling a top-level String", src: `filter = "beta"\nprint(filter("x"))`, expected: "E0209 2:7" },
  { name: "E0213 comparing an Int with a String", src: `fn f(n: Int, s: String) -> Bool { n == s }`, expected: "E0213 1:35" },
  { name: "E0213 comparing two record types", src: `type A { x: Int }\ntype B { x: Int }\nfn f(a: A, b: B) -> Bool { a == b }`, expected: "E0213 3:28" },
  { name: "E0209 `*` on text", src: `fn f(s: String) -> Int { s * 2 }`, expected: "E0209 1:26" },
  { name: "E0209 `-` on text", src: `fn f(s: String) -> Int { s - 1 }`, expected: "E0209 1:26" },
  { name: "E0209 unary `-` on text", src: `fn f(s: String) -> Int { -s }`, expected: "E0209 1:27" },
  { name: "E0209 `+=` of text to an Int var", src: `fn f() -> Int {\n  var n = 0\n  n += "a"\n  n\n}`, expected: "E0209 3:3" },
  { name: "E0206 text as the end of a range", src: `fn f(s: String) -> [Int] { 1..s }`, expected: "E0206 1:31" },
  { name: "E0206 text as a list index", src: `fn f(xs: [Int]) -> Int { xs["a"] }`, expected: "E0206 1:29" },

  // ---- arguments, results, assignments, records ---------------------------
  { name: "E0206 text to an Int parameter at the top level", src: `fn g(n: Int) -> Int { n }\nx = g("5")`, expected: "E0206 2:7" },
  { name: "E0206 a String parameter passed to an Int parameter", src: `fn g(n: Int) -> Int { n }\nfn f(s: String) -> Int { g(s) }`, expected: "E0206 2:28" },
  { name: "E0206 an Int returned from `-> String`", src: `fn f(n: Int) -> String { n }`, expected: "E0206 1:26" },
  { name: "E0206 a body that ends without a value", src: `fn f(n: Int) -> Int {\n  var x = n\n}`, expected: "E0206 2:3" },
  { name: "E0206 a body that ends with a loop", src: `fn f(n: Int) -> Int {\n  for i in [1, 2] { print(i) }\n}`, expected: "E0206 2:3" },
  { name: "E0206 a `return` without a value in `-> Int`", src: `fn f(n: Int) -> Int {\n  if n > 0 { return }\n  n\n}`, expected: "E0206 2:14" },
  { name: "E0206 a local `var` assigned text after an Int", src: `fn f(n: Int) -> Int {\n  var total = 0\n  total = "zero"\n  total\n}`, expected: "E0206 3:11" },
  { name: "E0206 a top-level `var` assigned text after an Int", src: `var count = 0\ncount = "many"`, expected: "E0206 2:9" },
  { name: "E0206 a record literal with text for an Int field", src: `type P { x: Int, label: String }\np = P { x: "1", label: "a" }`, expected: "E0206 2:12" },
  { name: "E0206 a record literal with an Int for a String field", src: `type P { x: Int, label: String }\np = P { x: 1, label: 2 }`, expected: "E0206 2:22" },
  { name: "E0206 a Float parameter into an Int field", src: `type Stat { count: Int }\nfn f(a: Float) -> Stat { Stat { count: a } }`, expected: "E0206 2:40" },
  { name: "E0206 Int / Int (a Float: 7 / 2 is 3.5) returned from `-> Int`", src: `fn half(a: Int) -> Int { a / 2 }`, expected: "E0206 1:26" },
  { name: "E0206 a division by a Float into an Int field", src: `type Stat { count: Int }\nfn f(a: Int) -> Stat { Stat { count: a / 2.0 } }`, expected: "E0206 2:38" },
];

describe("type errors: one diagnostic each, at the expression", () => {
  it.each(cases)("$name", ({ src, expected }) => {
    expect(codesAt(src)).toEqual([expected]);
  });
});

/**
 * Invalid programs an earlier checker accepted (then failed in TypeScript's
 * words, or built and returned a value of another type): the one diagnostic
 * they have; `codeOnly` where the exact column is the implementer's choice.
 */
const accepted: (Case & { codeOnly?: boolean })[] = [
  // The branches' join is dynamic (ty.ts `join` gives Any for Int and String), so nothing is checked.
  { name: "E0206 a wrong branch of an `if` result, at the branch", src: `fn f(n: Int) -> Int {\n  if n > 0 { n } else { "none" }\n}`, expected: "E0206 2:25" },
  { name: "E0206 a wrong arm of a `match` result, at the arm", src: `fn f(n: Int) -> Int {\n  match n { 0 => "zero", _ => n }\n}`, expected: "E0206 2:18" },
  { name: "E0206 an `if` of Int and String bound and returned from `-> Int`", src: `fn f(n: Int) -> Int {\n  x = if n > 0 { n } else { "none" }\n  x\n}`, expected: "E0206", codeOnly: true },
  { name: "E0206 a `??` default of another type returned from `-> Int`", src: `fn f(n: Option<Int>) -> Int { n ?? "zero" }`, expected: "E0206", codeOnly: true },
  { name: "E0206 a map lookup's `??` default of another type", src: `fn f(m: {String: Int}) -> Int { m["a"] ?? "zero" }`, expected: "E0206", codeOnly: true },
  // Members of Int and String that JavaScript does not have are dynamic instead of errors.
  { name: "E0210 a field of an Int", src: `fn f(x: Int) -> Int { x.foo }`, expected: "E0210 1:25" },
  { name: "E0210 a misspelt member of a String", src: `fn f(s: String) -> Int { s.lenght }`, expected: "E0210 1:28" },
  // A lambda's annotated parameters are not checked against what the callee passes (assignable.ts checks only results).
  { name: "E0206 a lambda taking String mapped over [Int]", src: `xs = [1, 2] |> map(fn(x: String) upper(x))\nprint(xs)`, expected: "E0206", codeOnly: true },
  { name: "E0206 a lambda taking String where fn(Int) -> Int is declared", src: `fn apply(f: fn(Int) -> Int, x: Int) -> Int { f(x) }\nprint(apply(fn(s: String) len(s), 2))`, expected: "E0206", codeOnly: true },
];

describe("invalid programs an earlier checker accepted", () => {
  it.each(accepted)("$name", ({ src, expected, codeOnly }) => {
    const got = codesAt(src);
    if (codeOnly) expect(got.map((c) => c.split(" ")[0])).toEqual([expected]);
    else expect(got).toEqual([expected]);
  });
});

it("has at least 30 type error cases", () => {
  expect(cases.length).toBeGreaterThanOrEqual(30);
});

/** The one diagnostic of a program. */
function only(src: string) {
  const ds = diagnose(src);
  expect(ds.map((d) => `${d.code} ${d.line}:${d.column}`)).toHaveLength(1);
  return ds[0]!;
}

describe("type errors in Tova's words", () => {
  it("an Option argument names the argument and the record, and says how to unwrap it (decisions.md, \"Types\")", () => {
    const d = only(`type Adjustment { item: String, note: String }\nfn f(n: Option<String>) -> Adjustment { Adjustment("a", n) }`);
    expect(d.message).toBe("argument `note` of `Adjustment` expects String, but this is Option<String>");
    expect(d.hint).toContain("unwrap it with `!`");
    expect(d.hint).toContain("unwrapOr(...)");
  });

  // Finding: Checker.signature builds a program function's type without its parameters' names,
  // so the message says "argument 1 of `g`" where a record constructor says "argument `note`".
  it("an argument of a program's function is named like a record's", () => {
    const d = only(`fn g(count: Int) -> Int { count }\nfn f(s: String) -> Int { g(s) }`);
    expect(d.message).toBe("argument `count` of `g` expects Int, but this is String");
  });

  it("an Option in arithmetic says it may be None", () => {
    const d = only(`fn f(x: Option<Int>) -> Int { x + 1 }`);
    expect(d.message).toBe("`+` needs numbers or text, but this is Option<Int>");
    expect(d.hint).toContain("it may be None");
  });

  it("a field of an Option suggests `?.`", () => {
    const d = only(`type User { name: String }\nfn f(u: Option<User>) -> String { u.name }`);
    expect(d.message).toContain("Option<User>");
    expect(d.message).toContain("`name`");
    expect(d.hint).toContain("`?.`");
  });

  it("an unknown field says which record lacks it", () => {
    const d = only(`type User { name: String, age: Int }\nfn f(u: User) -> Int { u.agee }`);
    expect(d.message).toBe("`User` has no field `agee`");
    expect(d.hint).toBe("did you mean `age`?");
  });

  // Finding: didYouMean (diagnostics/catalog.ts) uses plain edit distance, so a swap of two
  // letters costs 2 and `nmae` (length 4, limit 1) gets the list of fields instead.
  it("`u.nmae` suggests `name` (issue 9)", () => {
    const d = only(`type User { name: String, age: Int }\nfn f(u: User) -> String { u.nmae }`);
    expect(d.hint).toBe("did you mean `name`?");
  });

  it("`Item.create({ qyt: 1 })` suggests `qty` (issue 9)", () => {
    const d = only(`${MODEL}\n  fn add() { Item.create({ name: "a", qyt: 1 }) }\n}`);
    expect(d.message).toBe("model `Item` has no field `qyt`");
    expect(d.hint).toBe("did you mean `qty`?");
  });

  it("`id` in create says the database sets it", () => {
    const d = only(`${MODEL}\n  fn add() { Item.create({ id: 3, name: "a", qty: 1 }) }\n}`);
    expect(d.message).toBe("`id` is set by the database and cannot be given");
  });

  it("`!` on an Option in a Result function says to turn it into a Result", () => {
    const d = only(`fn f() -> Result<Int, String> {\n  v = Some(5)!\n  Ok(v)\n}`);
    expect(d.message).toBe("`!` on an Option returns None, but this function returns Result<Int, String>");
    expect(d.hint).toContain("ok_or");
  });

  it("`!` outside a function and `return` at the top level say why", () => {
    expect(only(`fn p() -> Result<Int, String> { Ok(1) }\nx = p()!`).message).toContain("not inside a function");
    expect(only(`x = 1\nreturn x`).message).toBe("`return` is only allowed inside a function");
  });

  it("calling a String names the binding that hides the function", () => {
    const d = only(`filter = "beta"\nprint(filter("x"))`);
    expect(d.message).toBe("`filter` is a String, not a function");
    expect(d.hint).toContain("hides");
  });

  it("comparing an Int with a String says it is always false", () => {
    const d = only(`fn f(n: Int, s: String) -> Bool { n == s }`);
    expect(d.message).toBe("comparing Int with String is always false");
  });

  it("a Float into an Int field suggests `round` or `floor`", () => {
    const d = only(`type Stat { count: Int }\nfn f(a: Float) -> Stat { Stat { count: a } }`);
    expect(d.message).toBe("field `count` of `Stat` expects Int, but this is Float");
    expect(d.hint).toContain("round(");
    expect(d.hint).toContain("floor(");
  });

  it("a body that ends without a value names the declared result", () => {
    const d = only(`fn f(n: Int) -> Int {\n  var x = n\n}`);
    expect(d.message).toBe("the result is declared `Int`, but the body ends without a value");
  });

  it("a type parameter's field says nothing is known about it", () => {
    expect(only(`fn name_of<T>(x: T) -> String { x.name }`).message).toBe("`T` is a type parameter: nothing is known about its fields");
  });

  it("an enum's field says to `match`", () => {
    const d = only(`type Shape { Circle(radius: Float), Rect(w: Float, h: Float) }\nfn f(s: Shape) -> Float { s.radius }`);
    expect(d.message).toContain("`Shape` is an enum");
    expect(d.hint).toContain("match");
  });

  it("a model's type used as its accessor names the accessor", () => {
    const d = only(`type Note { body: String }\nserver {\n  db { path: "./data.db" }\n  model Note\n  fn all_notes() { Note.all() }\n}`);
    expect(d.message).toBe("`Note` is a type, which has no `.all`");
    expect(d.hint).toContain("`NoteModel.all(...)`");
  });

  it("a match that calls a server fn hiding the shared one says so", () => {
    const d = only(`shared {
  type Level { Low(n: Int), High(n: Int) }
  fn grade(x: Int) -> Level { if x < 10 { Low(x) } else { High(x) } }
}
server {
  fn grade(x: Int) -> String {
    match grade(x) {
      Low(n) => "low {n}"
      High(n) => "high {n}"
    }
  }
}`);
    expect(`${d.code} ${d.line}:${d.column}`).toBe("E0207 8:7");
    expect(d.message).toBe("`Low` is a variant of `Level`, but this match is on a `String`");
    expect(d.hint).toContain("this server's own `fn grade`, which hides the shared one");
  });

  it("variants on an Option without a nil arm say it may be None", () => {
    const d = only(`type Level { Low, High }\nfn f(l: Option<Level>) -> Int {\n  match l {\n    Low => 1\n    High => 2\n  }\n}`);
    expect(d.message).toBe("`Low` is a variant of `Level`, but this match is on an `Option<Level>`");
    expect(d.hint).toContain("`nil => ...`");
  });

  it("no message is in TypeScript's words", () => {
    for (const { src } of cases) for (const d of diagnose(src)) expect(`${d.message} ${d.hint ?? ""}`).not.toMatch(/TS\d{4}|Type '|implicitly has an 'any'/);
  });
});

/**
 * Valid programs the checker must accept. Each is checked, then built with
 * the TypeScript check on (`buildProgram` throws when the emitted code does
 * not type-check) and, when `stdout` is given, its shared module is run with
 * Bun and its output compared.
 */
interface Clean {
  name: string;
  src: string;
  stdout?: string;
  /** Why the test is expected to fail today (a finding, reported). */
  fails?: string;
}

const clean: Clean[] = [
  {
    name: "narrowing after `if x == nil { return ... }`",
    src: `fn inc(n: Option<Int>) -> Int {
  if n == nil { return 0 }
  n + 1
}
print(inc(Some(1)), inc(None))`,
    stdout: "2 0",
  },
  {
    name: "narrowing in the branch of `if x != nil`",
    src: `fn inc(n: Option<Int>) -> Int {
  if n != nil { n + 1 } else { 0 }
}
print(inc(Some(4)), inc(None))`,
    stdout: "5 0",
  },
  {
    name: "narrowing in the branch of `is_some(x)`",
    src: `fn inc(n: Option<Int>) -> Int {
  if is_some(n) { n + 1 } else { -1 }
}
print(inc(Some(4)), inc(None))`,
    stdout: "5 -1",
  },
  {
    name: "`match` on an Option of an enum: `nil =>` first, then the variants; or `Some(variant)`",
    src: `type Level { Low(n: Int), High(n: Int) }
fn pick(x: Int) -> Option<Level> { if x < 0 { None } elif x < 10 { Some(Low(x)) } else { Some(High(x)) } }
fn a(x: Int) -> String {
  match pick(x) {
    nil => "none"
    Low(n) => "low {n}"
    High(n) => "high {n}"
  }
}
fn b(x: Int) -> String {
  match pick(x) {
    Some(Low(n)) => "low {n}"
    Some(High(n)) => "high {n}"
    None => "none"
  }
}
print(a(3), a(-1), a(30), b(4), b(-2), b(40))`,
    stdout: "low 3 none high 30 low 4 none high 40",
  },
  {
    name: "a server fn calling the shared fn of another name; the shared enum matched",
    src: `shared {
  type Level { Low(n: Int), High(n: Int) }
  fn grade(x: Int) -> Level { if x < 10 { Low(x) } else { High(x) } }
}
server {
  fn grade_text(x: Int) -> String {
    match grade(x) {
      Low(n) => "low {n}"
      High(n) => "high {n}"
    }
  }
  route GET "/grade/:x" => grade_text
}`,
  },
  {
    name: "`match` with `nil =>` and then a binding arm",
    src: `fn inc(n: Option<Int>) -> Int {
  match n {
    nil => 0
    v => v + 1
  }
}
print(inc(Some(9)), inc(None))`,
    stdout: "10 0",
  },
  {
    name: "`??` and `unwrapOr` give the value inside",
    src: `fn a(n: Option<Int>) -> Int { (n ?? 0) + 1 }
fn b(n: Option<Int>) -> Int { unwrapOr(n, 0) + 1 }
fn c(n: Option<Int>) -> Int { n |> unwrapOr(10) }
print(a(None), b(Some(2)), c(None))`,
    stdout: "1 3 10",
  },
  {
    name: "Option fields read with `?.` and a default",
    src: `type Address { city: String }
type Customer { name: String, address: Option<Address> }
fn city(c: Customer) -> String { c.address?.city ?? "unknown" }
print(city(Customer { name: "a", address: Some(Address { city: "Oslo" }) }), city(Customer { name: "b", address: None }))`,
    stdout: "Oslo unknown",
  },
  {
    name: "values from `Date` and `JSON` are dynamic",
    src: `fn count_of(s: String) -> Int {
  data = JSON.parse(s)
  data.count + 1
}
started = Date.now()
elapsed = Date.now() - started
print(count_of('{"count": 2}'), elapsed >= 0)`,
    stdout: "3 true",
  },
  {
    name: "`req.body` in a raw handler is dynamic",
    src: `server {
  fn hello(req) { "hi {req.body.name}" }
  route POST "/hello" => hello
}`,
  },
  {
    name: "untyped parameters are dynamic",
    src: `fn twice(x) { x * 2 }
fn label(x) { "{x}!" }
fn pick(o) { o.missing ?? "none" }
print(twice(3), label(4), pick({ a: 1 }))`,
    stdout: "6 4! none",
  },
  {
    name: "`Date.now()` stored in a `String` field and timestamps subtracted (monitoring-service.md)",
    src: `type Metric { name: String, timestamp: String }
old = Metric { name: "a", timestamp: Date.now() - 48.hours }
now = Metric { name: "b", timestamp: Date.now() }
latest = [old, now] |> sort_by(fn(a, b) b.timestamp - a.timestamp) |> first() |> map(fn(m) m.name) |> unwrapOr("never")
print(latest)`,
    stdout: "b",
  },
  {
    name: "lambdas passed to `map`, `filter` and `sort_by`",
    src: `xs = [3, 1, 2]
doubled = xs |> map(fn(x) x * 2)
big = xs |> filter(fn(x) x > 1)
sorted = xs |> sort_by(fn(x) -x)
names = ["bo", "al"] |> sort_by(fn(a, b) len(a) - len(b)) |> map(.toUpperCase())
print(doubled, big, sorted, names)`,
    stdout: `[6, 2, 4] [3, 2] [3, 2, 1] ["BO", "AL"]`,
  },
  {
    name: "a generic function used with several types",
    src: `fn first_or<T>(xs: [T], d: T) -> T { xs |> first() |> unwrapOr(d) }
type Pair<A> { left: A, right: A }
fn swap<A>(p: Pair<A>) -> Pair<A> { Pair { left: p.right, right: p.left } }
print(first_or([1, 2], 0), first_or(["a"], "z"), first_or([], 7))
print(swap(Pair { left: 1, right: 2 }).left, swap(Pair { left: "x", right: "y" }).left)`,
    stdout: "1 a 7\n2 y",
  },
  {
    name: "a recursive enum (decisions.md, \"Recursive types\")",
    src: `type Tree { Leaf, Node(left: Tree, value: Int, right: Tree) }
fn total(t: Tree) -> Int {
  match t {
    Leaf => 0
    Node(l, v, r) => total(l) + v + total(r)
  }
}
print(total(Node(Leaf, 2, Node(Leaf, 3, Leaf))))`,
    stdout: "5",
  },
  {
    name: "a recursive record through an Option",
    src: `type Person { name: String, boss: Option<Person> }
fn boss_name(p: Person) -> String { p.boss?.name ?? "none" }
ceo = Person { name: "ada", boss: None }
print(boss_name(Person { name: "bo", boss: Some(ceo) }), boss_name(ceo))`,
    stdout: "ada none",
  },
  {
    name: "a map built with `?? 0` and read with `?? 0`",
    src: `var counts: {String: Int} = {}
for w in ["a", "b", "a"] { counts[w] = (counts[w] ?? 0) + 1 }
var stock = { "apple": 5 }
stock["pear"] = (stock["pear"] ?? 0) + 2
print(counts["a"] ?? 0, counts["zzz"] ?? 0, stock["pear"] ?? 0, len(counts))`,
    stdout: "2 0 2 2",
  },
  {
    name: "Int / Int into a Float field",
    src: `type Stat { avg: Float }
fn mean(total: Int, n: Int) -> Stat { Stat { avg: total / n } }
print(mean(9, 3).avg)`,
    stdout: "3",
  },
  {
    name: "an Option returned by `!` in a function returning an Option, and a Result chain",
    src: `fn half(n: Int) -> Option<Int> { if n % 2 == 0 { Some(floor(n / 2)) } else { None } }
fn quarter(n: Int) -> Option<Int> { Some(half(half(n)!)!) }
fn parse(s: String) -> Result<Int, String> { if s == "" { Err("empty") } else { Ok(len(s)) } }
fn both(a: String, b: String) -> Result<Int, String> { Ok(parse(a)! + parse(b)!) }
print(quarter(8), quarter(6), both("ab", "c"), both("", "c"))`,
    stdout: `Some(2) None Ok(3) Err("empty")`,
  },
  {
    name: "`find` on a model row and `ok_or(...)!` (monitoring-service.md)",
    src: `server {
  db { path: "./data.db" }
  model Item { name: String, qty: Int }
  fn rename(id: Int, name: String) -> Result<Item, String> {
    item = Item.find(id) |> ok_or("not found")!
    Item.update(id, { name: name })
    Ok(item)
  }
  fn low() -> [Item] { Item.where({ qty_lt: 5, name_like: "a%" }) }
}`,
  },
];

describe("valid programs stay clean and their TypeScript type-checks", () => {
  afterAll(cleanDirs);
  for (const c of clean) {
    const test = c.fails ? it.fails : it;
    test(c.name, async () => {
      expect(codesAt(c.src)).toEqual([]);
      const built = await buildProgram(c.src);
      if (c.stdout === undefined) return;
      const r = spawnSync(BUN_PATH, ["run", built.file("shared")], { cwd: built.dir, encoding: "utf8", timeout: 15_000 });
      expect(r.stderr).toBe("");
      expect(r.stdout.trimEnd()).toBe(c.stdout);
    }, 60_000);
  }
});
