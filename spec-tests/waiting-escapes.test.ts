import { describe, expect, it } from "vitest";
import { compile } from "../compile.js";
import { LineMap } from "../frontend/span.js";

/**
 * E0214 (backends/typescript/escapes.ts): a function that waits (it reads the
 * database or calls another server) put where Tova cannot await its calls is
 * a compile error at the place it goes, not a program that answers with a
 * promise. Each case is otherwise clean; `tova build` reports it and writes
 * nothing. The programs of spec-tests/programs/waiting-callbacks show the
 * places Tova does follow.
 */
const SERVER = (body: string) => `server {
  db { path: "./data.db" }
  model Item { name: String, qty: Int }
  fn count_items() -> Int { len(Item.all()) }
${body}
  route GET "/x" => h
}
`;

function errors(src: string): string[] {
  const r = compile([{ path: "app.tova", text: src }], { stem: "app", emit: ["ts"] });
  const lines = new LineMap(src);
  return r.diagnostics.filter((d) => d.severity === "error").map((d) => {
    const { line, column } = lines.position(d.span.start);
    return `${d.code} ${line}:${column} ${d.message.replace(/.*, and (.*), where.*/, "$1")}`;
  });
}

describe("a function that waits, kept where Tova cannot await it (E0214)", () => {
  it("in a list, then called from it", () => {
    expect(errors(SERVER(`  fn h() {\n    fs = [fn() Item.all()]\n    fs |> map(fn(f) f())\n  }`))).toEqual(["E0214 6:11 it is kept in a list"]);
  });

  it("in a record field", () => {
    expect(errors(SERVER(`  fn h() {\n    r = { op: count_items }\n    r.op() + 1\n  }`))).toEqual(["E0214 6:15 it is kept in a record"]);
  });

  it("returned by a function (a lambda that calls a parameter given a function that waits)", () => {
    const src = SERVER(`  fn make_adder(f) { fn(x) f(x) + 100 }\n  fn h() {\n    g = make_adder(fn(n) count_items() + n)\n    "v={g(2)}"\n  }`);
    expect(errors(src)).toEqual(["E0214 5:22 it is returned"]);
  });

  it("given to JavaScript's array method, which does not wait", () => {
    expect(errors(SERVER(`  fn h() { [1, 2].map(fn(i) count_items() + i) }`))).toEqual(["E0214 5:23 it is given to a function that calls it without waiting (a function held in a name, or JavaScript's)"]);
  });

  it("a shared helper that puts its parameter in a record, given a function that waits", () => {
    const src = `fn boxed(f) {\n  b = { run: f }\n  b.run() + 1\n}\n` + SERVER(`  fn h() { boxed(fn() Item.all()) }`);
    expect(errors(src)).toEqual(["E0214 2:14 it is kept in a record"]);
  });

  it("in a record built by its constructor, or in an Option", () => {
    const src = `type Job { name: String, run: fn() -> Int }\n` + SERVER(`  fn h() {\n    j = Job("n", count_items)\n    o = Some(count_items)\n    j.name\n  }`);
    expect(errors(src)).toEqual(["E0214 7:18 it is kept in a record", "E0214 8:14 it is kept in an Option or a Result"]);
  });

  it("not inside an explicit `await` the program wrote (`await Promise.all(...)`)", () => {
    expect(errors(SERVER(`  fn h() {\n    rows = await Promise.all([1, 2].map(fn(id) Item.find(id)))\n    len(rows)\n  }`))).toEqual([]);
  });

  it("not for functions that answer at once, nor where Tova follows them", () => {
    expect(errors(SERVER(`  fn h() {\n    fs = [fn() 1, fn() 2]\n    r = { op: fn() 3 }\n    g = count_items\n    total = [1, 2] |> map(fn(i) count_items() + i) |> sum()\n    g() + r.op() + total + len(fs)\n  }`))).toEqual([]);
  });

  it("tova check does not report it; tova build does, and writes nothing", () => {
    const r = compile([{ path: "app.tova", text: SERVER(`  fn h() {\n    fs = [fn() Item.all()]\n    len(fs)\n  }`) }], { stem: "app", emit: ["ts", "ir"] });
    expect(r.diagnostics.map((d) => d.code)).toEqual(["E0214"]);
    expect(r.modules).toEqual([]);
    expect(r.outputs.size).toBe(0);
  });
});
