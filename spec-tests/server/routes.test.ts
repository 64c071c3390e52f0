import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildProgram, call, cleanDirs, start, stopAll, type Running } from "./harness.js";

/**
 * decisions.md, "Routes and RPC" and "Health", against a real server: every
 * route and RPC form, conversion of path and query strings to the declared
 * types, and a 400 naming the parameter for every bad input.
 */
const PROGRAM = `
shared {
  type Item { id: Int, name: String, price: Float }
}

server {
  fn get_item(id: Int) -> Item {
    Item { id: id, name: "item {id}", price: 2.5 }
  }

  fn list_items(limit: Int, active: Option<Bool>, tag: Option<String>) {
    { limit: limit, active: active, tag: tag, doubled: limit * 2 }
  }

  fn create_item(name: String, price: Float) -> Item {
    Item { id: 7, name: name, price: price }
  }

  fn replace_item(item: Item) -> Item {
    item
  }

  fn rename(id: Int, name: String) {
    { id: id, name: name }
  }

  fn remove(id: Int) -> Result<Int, String> {
    if id > 100 { Err("no item {id}") } else { Ok(id) }
  }

  fn find(id: Int) -> Option<Item> {
    if id == 1 { Some(Item { id: 1, name: "one", price: 1.0 }) } else { None }
  }

  fn raw(req, res) {
    res.setHeader("X-Raw", "yes")
    res.status(201)
    res.json({ method: req.method, path: req.path, q: req.query["q"] })
  }

  fn add(a: Int, b: Int = 10) -> Int {
    a + b
  }

  route GET "/items/:id" => get_item
  route GET "/items" => list_items
  route POST "/items" => create_item
  route PUT "/items" => replace_item
  route PATCH "/items/:id" => rename
  route DELETE "/items/:id" => remove
  route GET "/find/:id" => find
  fn tag(req, id: Int, label: String) {
    { id: id, label: label, method: req.method, body: req.body }
  }

  fn stamp(req, res, id: Int) {
    res.setHeader("X-Stamped", "{id}")
    { id: id + 1, path: req.path }
  }

  fn adopt(req, item: Item) -> Item {
    Item { id: item.id, name: "{item.name} via {req.method}", price: item.price }
  }

  route GET "/raw" => raw
  route POST "/tags/:id" => tag
  route GET "/stamp/:id" => stamp
  route PUT "/adopt" => adopt
}
`;

let server: Running;

beforeAll(async () => {
  const built = await buildProgram(PROGRAM);
  server = await start(built.file("server"));
}, 60_000);

afterAll(async () => {
  await stopAll();
  cleanDirs();
});

describe("routes bind parameters by name and convert them", () => {
  it("a path parameter reaches an Int parameter as a number", async () => {
    const r = await call(`${server.url}/items/42`);
    expect(r).toMatchObject({ status: 200, body: { id: 42, name: "item 42", price: 2.5 } });
  });

  it("query parameters are converted; absent Option parameters are None", async () => {
    const r = await call(`${server.url}/items?limit=5&active=true`);
    expect(r.body).toEqual({ limit: 5, active: true, tag: null, doubled: 10 });
  });

  it("POST binds JSON body fields", async () => {
    const r = await call(`${server.url}/items`, { json: { name: "lamp", price: 19.5 } });
    expect(r).toMatchObject({ status: 200, body: { id: 7, name: "lamp", price: 19.5 } });
  });

  it("a single record parameter receives the whole body", async () => {
    const r = await call(`${server.url}/items`, { method: "PUT", json: { id: 3, name: "desk", price: 120 } });
    expect(r.body).toEqual({ id: 3, name: "desk", price: 120 });
  });

  it("PATCH takes the path parameter and body fields together", async () => {
    const r = await call(`${server.url}/items/9`, { method: "PATCH", json: { name: "renamed" } });
    expect(r.body).toEqual({ id: 9, name: "renamed" });
  });

  it("Ok answers 200 with the value, Err answers 4xx with {error}", async () => {
    expect(await call(`${server.url}/items/5`, { method: "DELETE" })).toMatchObject({ status: 200, body: 5 });
    const err = await call(`${server.url}/items/500`, { method: "DELETE" });
    expect(err.status).toBeGreaterThanOrEqual(400);
    expect(err.status).toBeLessThan(500);
    expect(err.body).toEqual({ error: "no item 500" });
  });

  it("Some answers the value, None answers 404", async () => {
    expect(await call(`${server.url}/find/1`)).toMatchObject({ status: 200, body: { id: 1, name: "one" } });
    expect((await call(`${server.url}/find/2`)).status).toBe(404);
  });

  it("a (req, res) handler gets the request and answers through res", async () => {
    const r = await call(`${server.url}/raw?q=hello`);
    expect(r.status).toBe(201);
    expect(r.headers.get("x-raw")).toBe("yes");
    expect(r.body).toEqual({ method: "GET", path: "/raw", q: "hello" });
  });
});

describe("a handler taking req (and res) beside other parameters", () => {
  it("gets the request first and the others bound by name and checked", async () => {
    const ok = await call(`${server.url}/tags/5`, { method: "POST", json: { label: "red" } });
    expect(ok).toMatchObject({ status: 200, body: { id: 5, label: "red", method: "POST", body: { label: "red" } } });
    const bad = await call(`${server.url}/tags/5`, { method: "POST", json: { label: 3 } });
    expect(bad).toMatchObject({ status: 400, body: { param: "label" } });
    // `req` is the request object, not a body field a client could set.
    const forged = await call(`${server.url}/tags/5`, { method: "POST", json: { label: "x", req: { method: "FAKE" } } });
    expect(forged).toMatchObject({ status: 400, body: { param: "req" } });
  });

  it("(req, res, id): both objects, then the path parameter converted", async () => {
    const r = await call(`${server.url}/stamp/41`);
    expect(r).toMatchObject({ status: 200, body: { id: 42, path: "/stamp/41" } });
    expect(r.headers.get("x-stamped")).toBe("41");
    expect((await call(`${server.url}/stamp/x`)).body.param).toBe("id");
  });

  it("a single record parameter after req still takes the whole body", async () => {
    const r = await call(`${server.url}/adopt`, { method: "PUT", json: { id: 3, name: "cup", price: 1.5 } });
    expect(r).toMatchObject({ status: 200, body: { id: 3, name: "cup via PUT", price: 1.5 } });
  });

  it("has no RPC endpoint: it needs the request only a route gives it", async () => {
    expect((await call(`${server.url}/rpc/tag`, { json: { __args: [{}, 1, "x"] } })).status).toBe(404);
  });
});

describe("bad input answers 400 naming the parameter", () => {
  it.each([
    ["a missing query parameter", "/items", undefined, "limit"],
    ["a query string that is not an Int", "/items?limit=five", undefined, "limit"],
    ["a path parameter that is not an Int", "/items/abc", undefined, "id"],
    ["a missing body field", "/items", { method: "POST", json: { name: "x" } }, "price"],
    ["a body field of the wrong type", "/items", { method: "POST", json: { name: "x", price: "cheap" } }, "price"],
    ["an extra body field", "/items", { method: "POST", json: { name: "x", price: 1, colour: "red" } }, "colour"],
  ] as const)("%s", async (_label, path, init, param) => {
    const r = await call(`${server.url}${path}`, init as never);
    expect(r.status).toBe(400);
    expect(r.body.param).toBe(param);
    expect(typeof r.body.error).toBe("string");
  });

  it("malformed JSON", async () => {
    const r = await fetch(`${server.url}/items`, { method: "POST", headers: { "content-type": "application/json" }, body: "{name:" });
    expect(r.status).toBe(400);
    expect(await r.json()).toHaveProperty("error");
  });
});

describe("RPC", () => {
  it("POST /rpc/<fn> with __args answers {result}", async () => {
    expect((await call(`${server.url}/rpc/add`, { json: { __args: [1, 2] } })).body).toEqual({ result: 3 });
    expect((await call(`${server.url}/rpc/add`, { json: { __args: [1] } })).body).toEqual({ result: 11 });
    expect((await call(`${server.url}/rpc/get_item`, { json: { __args: [4] } })).body).toEqual({ result: { id: 4, name: "item 4", price: 2.5 } });
  });

  it("rejects a wrong type, a missing and an extra argument with 400", async () => {
    for (const args of [["1", 2], [], [1, 2, 3]]) {
      const r = await call(`${server.url}/rpc/add`, { json: { __args: args } });
      expect(r.status, JSON.stringify(args)).toBe(400);
      expect(r.body).toHaveProperty("error");
    }
  });
});

describe("health and request ids", () => {
  it("answers GET /healthz", async () => {
    const r = await call(`${server.url}/healthz`);
    expect(r.status).toBe(200);
    expect(r.body.status).toBe("ok");
  });

  it("echoes an X-Request-Id, or makes one", async () => {
    const given = await fetch(`${server.url}/healthz`, { headers: { "X-Request-Id": "abc-123" } });
    expect(given.headers.get("x-request-id")).toBe("abc-123");
    const made = await fetch(`${server.url}/healthz`);
    expect(made.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{8,}$/);
  });
});
