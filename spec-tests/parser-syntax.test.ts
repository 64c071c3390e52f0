import { describe, expect, it } from "vitest";
import type { BlockDecl, ComponentStmt, ConfigEntry, JsxElement, JsxFor, SecurityDecl } from "../frontend/ast.js";
import { parse } from "../frontend/parse.js";
import { codesAt } from "./helpers.js";

/**
 * Syntax the settled pages bring (client.md, security.md): the shape the
 * parser gives it, and the names it resolves.
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
