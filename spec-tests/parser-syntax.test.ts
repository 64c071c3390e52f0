import { describe, expect, it } from "vitest";
import type { BlockDecl, ComponentStmt, ConfigEntry, FnDecl, IfExpr, JsxElement, JsxFor, MatchExpr, SecurityDecl } from "../frontend/ast.js";
import { parse } from "../frontend/parse.js";
import { codesAt } from "./helpers.js";

/**
 * Syntax the settled pages bring (client.md, security.md, decisions.md
 * "Layout" and "Strings"): the shape the parser gives it, the names it
 * resolves; and the parser diagnostics issue 9 found misleading.
 */

const parsed = (src: string) => {
  const out = parse(src, "main.tova");
  expect(out.diagnostics.map((d) => d.message)).toEqual([]);
  return out.program;
};

describe("client.md JSX", () => {
  const src = `client {
  state todos = [{ id: 1, title: "a" }]
  state draft = ""
  state done = false
  fn add() { draft = "" }
  component App {
    <main>
      <input bind:value={draft} bind:checked={done} placeholder="What next?" />
      <button onclick={add} disabled={draft == ""}>Add</button>
      <ul>
        for todo in todos key todo.id {
          <li>{todo.title}</li>
        }
        for t in todos {
          <li>{t.title}</li>
        }
      </ul>
    </main>
  }
}
`;

  const app = () => {
    const block = parsed(src).items[0] as BlockDecl;
    const comp = block.body.find((s): s is ComponentStmt => s.kind === "Component")!;
    return (comp.body.stmts[0] as { expr: JsxElement }).expr;
  };

  it("keeps attribute names as written and reads expression values", () => {
    const main = app();
    const [input, button] = main.children.filter((c): c is JsxElement => c.kind === "JsxElement");
    expect(input!.attrs.map((a) => [a.name, a.value?.kind ?? null])).toEqual([
      ["bind:value", "Ident"],
      ["bind:checked", "Ident"],
      ["placeholder", "Str"],
    ]);
    expect(button!.attrs.map((a) => [a.name, a.value?.kind ?? null])).toEqual([
      ["onclick", "Ident"],
      ["disabled", "Binary"],
    ]);
  });

  it("reads `key expr` of a JSX for, and none when absent", () => {
    const ul = app().children.find((c): c is JsxElement => c.kind === "JsxElement" && c.tag === "ul")!;
    const [keyed, plain] = ul.children.filter((c): c is JsxFor => c.kind === "JsxFor");
    expect(keyed!.key).toMatchObject({ kind: "Member", name: "id", object: { kind: "Ident", name: "todo" } });
    expect(keyed!.children.map((c) => c.kind)).toEqual(["JsxElement"]);
    expect(plain!.key).toBeNull();
  });

  it("checks clean, and resolves the key in the loop's scope", () => {
    expect(codesAt(src)).toEqual([]);
    const bad = `client {
  state todos = [{ id: 1 }]
  component App {
    <ul>
      for todo in todos key item.id {
        <li>{todo.id}</li>
      }
    </ul>
  }
}`;
    expect(codesAt(bad)).toEqual(["E0101 5:29"]);
  });

  it("reports a `key` without an expression at the `{`", () => {
    const src2 = `client {
  state xs = [1]
  component App {
    <ul>
      for x in xs key {
        <li>{x}</li>
      }
    </ul>
  }
}`;
    expect(codesAt(src2)[0]).toBe("E0010 5:23");
  });

  it("reads `if n < 10 {` inside JSX as a condition, not as a tag", () => {
    const program = parsed(`client {
  state n = 1
  component App {
    <div>
      if n < 10 {
        <p>small</p>
      } elif n <= 100 {
        <p>medium</p>
      }
    </div>
  }
}
`);
    const comp = (program.items[0] as BlockDecl).body.find((s) => s.kind === "Component") as ComponentStmt;
    const div = (comp.body.stmts[0] as { expr: JsxElement }).expr;
    const branch = div.children.find((c) => c.kind === "JsxIf");
    expect(branch?.kind === "JsxIf" && branch.branches.map((b) => b.cond.kind)).toEqual(["Binary", "Binary"]);
  });

  it("reads `for` and `if` as control only at the start of the children or of a line: after an element or {expr} they are text", () => {
    const program = parsed(`client {
  state n = 1
  component App {
    <p>Showing {n} for "{n}" if any <b>notes</b> for you</p>
  }
}
`);
    const comp = (program.items[0] as BlockDecl).body.find((s) => s.kind === "Component") as ComponentStmt;
    const p = (comp.body.stmts[0] as { expr: JsxElement }).expr;
    expect(p.children.map((c) => (c.kind === "JsxText" ? c.text : c.kind))).toEqual(["Showing ", "JsxExpr", ' for "', "JsxExpr", '" if any ', "JsxElement", " for you"]);
  });
});

describe("security.md entries", () => {
  const src = `security {
  auth jwt {
    secret: env("JWT_SECRET")
  }
  role Admin { can: [manage_users, view_reports] }
  protect "/api/admin/*" { require: Admin }
  trust_proxy true
  trust_proxy ["10.0.0.1"]
}
`;
  const entries = () => (parsed(src).items[0] as SecurityDecl).entries;
  const shape = (e: ConfigEntry) => [e.key, e.label, e.value?.kind ?? null, e.entries?.map((x) => x.key) ?? null];

  it("reads `key label { }` with a name or a string label, and `key value`", () => {
    expect(entries().map(shape)).toEqual([
      ["auth", "jwt", null, ["secret"]],
      ["role", "Admin", null, ["can"]],
      ["protect", "/api/admin/*", null, ["require"]],
      ["trust_proxy", null, "Bool", null],
      ["trust_proxy", null, "Array", null],
    ]);
  });

  it("a bare value must end its line", () => {
    const { diagnostics } = parse(`security {\n  trust_proxy true false\n}\n`, "main.tova");
    expect(diagnostics.map((d) => d.code)).toEqual(["E0010"]);
  });
});

describe('decisions.md, "Layout"', () => {
  it("a statement may follow a block's `}` on the same line", () => {
    const items = parsed("fn a() { 1 } fn b() { 2 } print(a() + b())\n").items;
    expect(items.map((i) => i.kind)).toEqual(["FnDecl", "FnDecl", "ExprStmt"]);
    expect(codesAt("server { fn a() { 1 } } client { state x = 1 }\nfor i in [1] { print(i) } print(2)\n")).toEqual([]);
  });

  it("`return e`, `break` and `continue` are a match arm's body, as a block holding just that statement", () => {
    const src = `fn f(r: Result<Int, String>) -> Result<Int, String> {
  v = match r {
    Err(e) => return Err(e)
    Ok(v) => v
  }
  Ok(v)
}
fn g(xs) {
  for x in xs {
    match x { 0 => break, 1 => continue, 2 => return, _ => print(x) }
  }
}
`;
    const [f, g] = parsed(src).items as FnDecl[];
    const arms = (m: MatchExpr) =>
      m.arms.map((a) => (a.body.kind === "Block" ? a.body.stmts.map((s) => `${s.kind}${s.kind === "Return" && s.value ? ":value" : ""}`).join(",") : a.body.kind));
    expect(arms((f!.body.stmts[0] as { value: MatchExpr }).value)).toEqual(["Return:value", "Ident"]);
    const loop = g!.body.stmts[0] as { body: { stmts: { expr: MatchExpr }[] } };
    expect(arms(loop.body.stmts[0]!.expr)).toEqual(["Break", "Continue", "Return", "Call"]);
    expect(codesAt(src)).toEqual([]);
  });

  it("and an `if` / `elif` / `else` branch without braces", () => {
    const src = `fn sign(x: Int) -> Int {
  if x < 0 return -1 elif x == 0 return 0
  else return 1
}
fn sum(xs: [Int]) -> Int {
  var n = 0
  for x in xs {
    if x < 0 continue
    if x > 100 break
    n += x
  }
  n
}
print(sign(-4), sum([1, -2, 300]))
`;
    const fn = parsed(src).items[0] as FnDecl;
    const ifs = (fn.body.stmts[0] as { expr: IfExpr }).expr;
    expect(ifs.branches.map((b) => b.body.stmts.map((s) => s.kind))).toEqual([["Return"], ["Return"]]);
    expect(ifs.otherwise!.stmts.map((s) => s.kind)).toEqual(["Return"]);
    expect(codesAt(src)).toEqual([]);
  });

  it("any other statement in a branch still needs braces", () => {
    expect(codesAt("fn f(c) {\n  if c x = 1\n}\n")).toEqual(["E0010 2:8"]);
    expect(codesAt("fn f(x) {\n  match x {\n    _ => var y = 1\n  }\n}\n")).toEqual(["E0010 3:10"]);
  });
});

describe('decisions.md, "Strings"', () => {
  it("a string literal in an interpolation may contain braces", () => {
    const src = `a = "{'{'}"
b = "{"\\{"}"
c = "<{ "}" }>"
d = "{ "x{ "y" }z" }"
`;
    const lets = parsed(src).items as { value: { kind: string; parts: unknown[] } }[];
    expect(lets.map((l) => l.value.parts)).toEqual([
      [expect.objectContaining({ kind: "Str", value: "{" })],
      [expect.objectContaining({ kind: "Str", value: "{" })],
      ["<", expect.objectContaining({ kind: "Str", value: "}" }), ">"],
      [expect.objectContaining({ kind: "Template", parts: ["x", expect.objectContaining({ value: "y" }), "z"] })],
    ]);
  });

  it("an interpolation that is really never closed is still reported at its `{`", () => {
    expect(codesAt(`x = "a {'}' b"\n`)).toEqual(["E0002 1:8"]);
  });
});

describe("diagnostics that used to mislead (issue 9)", () => {
  const render1 = (src: string) => {
    const ds = parse(src, "main.tova").diagnostics;
    expect(ds).toHaveLength(1);
    return ds[0]!;
  };

  it("an unclosed `{` names the construct and points, by the indentation, where its body ends", () => {
    const d = render1(`server {
  fn a() {
    x = 1

  fn b() {
    2
  }
}
`);
    expect(d.message).toBe("the `{` of function `a` is never closed");
    expect(d.labels.map((l) => l.message)).toEqual(["going by the indentation, its body ends before this line"]);
    expect(d.labels[0]!.span.start).toBe(`server {\n  fn a() {\n    x = 1\n\n  `.length);
  });

  it("the code after it parses as what it is: no cascade of errors", () => {
    const src = `server {
  fn a() -> Int {
    1

  fn b() -> Int {
    2
  }
  route GET "/b" => b
}
`;
    expect(codesAt(src)).toEqual(["E0011 2:17"]);
  });

  it("odd indentation of a block that is closed is not blamed; the `{` still open at the end is", () => {
    const d = render1(`fn f() {
  x = {
  a: 1 }
  y = 2
`);
    expect(d.message).toBe("this `{` is never closed");
    expect(d.span.start).toBe("fn f() ".length);
  });

  it("code that is not indented gets no guess from its indentation", () => {
    const d = render1("fn f() {\nx = 1\nfn g() {\n2\n}\n");
    expect(d.message).toBe("this `{` is never closed");
    expect(d.span.start).toBe("fn f() ".length);
  });

  it.each([
    ["fun f() { 1 }", "fun", "fn"],
    ["fn f(x) {\n  retrun x\n}", "retrun", "return"],
    ["serer {\n  x = 1\n}", "serer", "server"],
    ["fn f() {\n  whle true { break }\n}", "whle", "while"],
    ["componet App { <p>hi</p> }", "componet", "component"],
  ])("a misspelt keyword: %j", (src, word, keyword) => {
    const d = render1(src);
    expect(d.message).toBe(`\`${word}\` is not a keyword`);
    expect(d.hint).toBe(`did you mean \`${keyword}\`?`);
  });

  it("no keyword is guessed for an ordinary mistake after a name", () => {
    expect(parse("total 5\n", "main.tova").diagnostics[0]!.hint).not.toMatch(/did you mean/);
    expect(parse("x y\n", "main.tova").diagnostics[0]!.hint).not.toMatch(/did you mean/);
  });

  it("an object as a lambda's body says to wrap it in parentheses, once", () => {
    const d = render1("ys = [1] |> map(fn(x) { v: x })\n");
    expect(d.hint).toBe("to return an object, wrap it in parentheses: `fn(x) ({ ... })`");
    expect(codesAt("ys = [1] |> map(fn(x) ({ v: x }))\nprint(ys)\n")).toEqual([]);
  });
});
