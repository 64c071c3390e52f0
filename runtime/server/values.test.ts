// Issue 9 at the server boundary, against a real Bun server: recursive types
// validate (and hostile nesting is a quick 400), Results are told from user
// records by their brand, `res.status` reads in on_finish, and an SSE
// `send(data)` with one argument is a data-only message.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, stopAll, workspace, writeProgram, type Server } from "../testing/bun-process.js";

const APP = `
import { createApp } from "./runtime/server.js";
import { t } from "./runtime/schema.js";
import { Ok, Err, print } from "./runtime/stdlib.js";

// The reference comes first: lazy schemas may be declared in any order.
const Forest = t.array(t.lazy(() => TreeSchema));
const TreeSchema = t.union("Tree", { Leaf: {}, Node: { left: t.lazy(() => TreeSchema), value: t.int } });
const PersonSchema = t.record("Person", { name: t.string, boss: t.option(t.lazy(() => PersonSchema)) });
const sum = (tree) => { let n = 0; for (let x = tree; x.tag === "Node"; x = x.left) n += x.value; return n; };

const app = createApp({ name: null, port: 3000, portEnv: "PORT" });
app.use((req, res) => {
  res.on_finish(() => print(JSON.stringify({ finished: req.path, status: res.status, failed: res.status >= 400, text: \`\${res.status}\` })));
});
app.route("POST", "/tree", (tree) => ({ sum: sum(tree) }), [{ name: "tree", schema: TreeSchema, wholeBody: true }]);
app.route("POST", "/forest", (trees) => trees.map(sum), [{ name: "trees", schema: Forest }]);
app.rpc("chain", (p) => { let n = 0; for (let x = p; x; x = x.boss) n++; return n; }, [{ name: "p", schema: PersonSchema }]);
app.route("GET", "/check", () => ({ ok: false, error: "disk full" }), []);
app.route("GET", "/ok", () => Ok({ n: 1 }), []);
app.route("GET", "/err", () => Err("bad"), []);
app.route("POST", "/ctor", (constructor) => ({ got: constructor }), [{ name: "constructor", schema: t.option(t.string) }]);
app.route("GET", "/teapot", (req, res) => { res.status(418); return { tea: true }; }, "req-res");
app.sse("/one", (send, close) => {
  send({ type: "tick", n: 1 });
  send("plain text\\nline 2");
  send("named", { a: 1 });
  send("bad\\nevent", "x");
  close();
});

const server = Bun.serve(await app.start());
app.stopOnSignals(server);
`;

let server: Server;
beforeAll(async () => {
  server = await startServer(writeProgram(workspace(), "values.ts", APP));
});
afterAll(stopAll);

const post = async (path: string, body: string) => {
  const r = await fetch(server.url + path, { method: "POST", body, headers: { "content-type": "application/json" } });
  return { status: r.status, json: (await r.json()) as any };
};
const get = async (path: string) => {
  const r = await fetch(server.url + path);
  return { status: r.status, json: (await r.json()) as any };
};
const tree = (depth: number) => '{"tag":"Node","left":'.repeat(depth) + '{"tag":"Leaf"}' + ',"value":1}'.repeat(depth);
const person = (depth: number) => '{"name":"p","boss":'.repeat(depth) + "null" + "}".repeat(depth);

describe("recursive types at the request boundary", () => {
  it("validate and bind", async () => {
    expect(await post("/tree", tree(3))).toEqual({ status: 200, json: { sum: 3 } });
    expect(await post("/forest", `{"trees":[${tree(2)},{"tag":"Leaf"}]}`)).toEqual({ status: 200, json: [2, 0] });
    expect(await post("/rpc/chain", `{"__args":[${person(3)}]}`)).toEqual({ status: 200, json: { result: 3 } });
    expect(await post("/tree", tree(2).replace('"value":1}', '"value":"x"}'))).toEqual({
      status: 400,
      json: { error: 'tree.left.value: expected Int, got String "x"', param: "tree" },
    });
  });

  it("answer a 10,000-deep body with a quick 400, and the server keeps serving", async () => {
    for (const [path, body, param] of [
      ["/tree", tree(10_000), "tree"],
      ["/rpc/chain", `{"__args":[${person(10_000)}]}`, "p"],
      ["/forest", `{"trees":[${tree(30_000)}]}`, "trees"], // 960 KB: within the 1 MB default body limit
    ] as const) {
      const started = Date.now();
      expect(await post(path, body)).toEqual({ status: 400, json: { error: `${param}: nested more than 1000 levels deep`, param } });
      expect(Date.now() - started).toBeLessThan(3000);
    }
    expect(await post("/tree", tree(900))).toEqual({ status: 200, json: { sum: 900 } });
  });

  it("answer a body over the 1 MB default limit 413 before parsing it", async () => {
    expect((await post("/forest", `{"trees":[${tree(100_000)}]}`)).status).toBe(413);
  });
});

describe("Results", () => {
  it("a user record with ok/error fields is data, not an Err", async () => {
    expect(await get("/check")).toEqual({ status: 200, json: { ok: false, error: "disk full" } });
  });

  it("Ok and Err still answer as before", async () => {
    expect(await get("/ok")).toEqual({ status: 200, json: { n: 1 } });
    expect(await get("/err")).toEqual({ status: 400, json: { error: "bad" } });
  });
});

describe("own fields", () => {
  it("a body parameter named constructor is bound from the body only", async () => {
    expect(await post("/ctor", "{}")).toEqual({ status: 200, json: { got: null } });
    expect(await post("/ctor", '{"constructor":"c"}')).toEqual({ status: 200, json: { got: "c" } });
  });
});

describe("res.status in on_finish (scaling.md, Structured Logging)", () => {
  it("is the status that was sent, as a number in JSON and text", async () => {
    await fetch(server.url + "/teapot");
    await get("/err");
    await get("/no/such/path");
    await fetch(server.url + "/ok");
    const deadline = Date.now() + 5000;
    let lines: any[] = [];
    while (Date.now() < deadline) {
      lines = server.output().stdout.split("\n").filter((l) => l.startsWith('{"finished"')).map((l) => JSON.parse(l));
      if (lines.some((l) => l.finished === "/ok")) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const byPath = Object.fromEntries(lines.map((l) => [l.finished, l]));
    expect(byPath["/teapot"]).toEqual({ finished: "/teapot", status: 418, failed: true, text: "418" });
    expect(byPath["/err"]).toEqual({ finished: "/err", status: 400, failed: true, text: "400" });
    expect(byPath["/no/such/path"]).toEqual({ finished: "/no/such/path", status: 404, failed: true, text: "404" });
    expect(byPath["/ok"]).toEqual({ finished: "/ok", status: 200, failed: false, text: "200" });
  });
});

describe("SSE send", () => {
  it("with one argument sends data only; with two, a named event", async () => {
    const r = await fetch(server.url + "/one");
    expect(r.headers.get("content-type")).toBe("text/event-stream");
    expect(await r.text()).toBe(
      'data: {"type":"tick","n":1}\n\n' +
        "data: plain text\ndata: line 2\n\n" +
        'event: named\ndata: {"a":1}\n\n' +
        'event: badevent\ndata: "x"\n\n',
    );
  });
});
