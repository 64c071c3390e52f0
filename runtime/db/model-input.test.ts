// Model writes and filters are checked against the model's field types
// (issue 10; security.md): a wrong type, an unknown field or a change to `id`
// is a ModelInputError naming the field, and nothing is written. Out of a
// request handler it answers 400 naming the field, not 500. The one widening
// (a number where a String is declared, decisions.md "Gradual typing") keeps
// the monitoring example's `timestamp: Date.now()` working.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, stopAll, workspace, writeProgram, type Server } from "../testing/bun-process.js";
import { closeEngines, ENGINE_NAMES, openEngine, runModels } from "../testing/engines.js";

let dir: string;

beforeAll(() => {
  dir = workspace();
});
afterAll(() => {
  stopAll();
  closeEngines();
});

const ITEM = `const Item = await model(db, "Item", "items", {
  name: t.string, qty: t.int, price: t.float, active: t.bool, note: t.option(t.string),
  tags: t.array(t.string), size: t.enum("Size", ["S", "M", "L"]), meta: t.option(t.record("Meta", { color: t.string, weight: t.int })),
});`;

const GOOD = `{ name: "bolt", qty: 3, price: 0.5, active: true, tags: ["a"], size: "M" }`;

describe.each(ENGINE_NAMES)("model writes are checked against the fields' types, on %s", (name) => {
  // Each test on a database of its own.
  const run = async (stem: string, body: string) => runModels(dir, await openEngine(name), stem, `${ITEM}\n${body}`);

  it("update with a wrong type, an unknown column or an id key: a ModelInputError naming the field; nothing stored", async () => {
    const out = await run(
      "update",
      `const row = await Item.create(${GOOD});
const changes: Record<string, any> = { qty: "lots" };
out.wrongType = await attempt(() => Item.update(row.id, changes));
out.unknown = await attempt(() => Item.update(row.id, { qty: 4, colour: "red" }));
out.id = await attempt(() => Item.update(row.id, { id: 99, qty: 5 }));
out.float = await attempt(() => Item.update(row.id, { qty: 1.5 }));
out.nan = await attempt(() => Item.update(row.id, { price: "NaN" }));
out.bool = await attempt(() => Item.update(row.id, { active: "yes" }));
out.enum = await attempt(() => Item.update(row.id, { size: "XL" }));
out.array = await attempt(() => Item.update(row.id, { tags: ["a", true] }));
out.record = await attempt(() => Item.update(row.id, { meta: { color: "red", weight: "heavy" } }));
out.extra = await attempt(() => Item.update(row.id, { meta: { color: "red", weight: 1, admin: true } }));
out.nullRequired = await attempt(() => Item.update(row.id, { name: null }));
out.notObject = await attempt(() => Item.update(row.id, "qty=4" as any));
out.after = await Item.find(row.id);
out.count = await Item.count();
out.good = await Item.update(row.id, { qty: 10, note: null, meta: { color: "red", weight: 2 } });`,
    );
    expect(out.wrongType).toEqual({ name: "ModelInputError", field: "qty", message: 'Item.update: qty: expected Int, got String "lots"' });
    expect(out.unknown).toMatchObject({ name: "ModelInputError", field: "colour", message: expect.stringMatching(/^Item.update: unknown field "colour" \(fields: name, qty/) });
    expect(out.id).toEqual({ name: "ModelInputError", field: "id", message: 'Item.update: "id" cannot be changed' });
    expect(out.float).toMatchObject({ field: "qty", message: "Item.update: qty: expected Int, got Float 1.5" });
    // (A NaN the program computed, an average of no values, is a Float and stored as NULL: conform.ts.)
    expect(out.nan).toMatchObject({ field: "price" });
    expect(out.bool).toMatchObject({ field: "active", message: 'Item.update: active: expected Bool, got String "yes"' });
    expect(out.enum).toMatchObject({ field: "size", message: expect.stringContaining("one of S, M, L") });
    expect(out.array).toMatchObject({ field: "tags", message: "Item.update: tags[1]: expected String, got Bool true" });
    expect(out.record).toMatchObject({ field: "meta", message: 'Item.update: meta.weight: expected Int, got String "heavy"' });
    expect(out.extra).toMatchObject({ field: "meta", message: "Item.update: meta.admin: unexpected field" });
    expect(out.nullRequired).toMatchObject({ field: "name", message: "Item.update: name: expected String, got null" });
    expect(out.notObject).toMatchObject({ name: "ModelInputError", message: "Item.update: expected an object of fields, got string" });
    expect(out.after).toEqual({ id: 1, name: "bolt", qty: 3, price: 0.5, active: true, note: null, tags: ["a"], size: "M", meta: null });
    expect(out.count).toBe(1);
    expect(out.good).toMatchObject({ qty: 10, note: null, meta: { color: "red", weight: 2 } });
  });

  it("create checks every value too, and a refused create inserts nothing", async () => {
    const out = await run(
      "create",
      `out.wrongType = await attempt(() => Item.create({ name: "x", qty: "7" }));
out.unknown = await attempt(() => Item.create({ name: "x", admin: true }));
out.badId = await attempt(() => Item.create({ id: "1; DROP TABLE Item", name: "x" }));
out.count = await Item.count();
out.partial = await attempt(() => Item.create({ name: "partial" }));
out.countAfter = await Item.count();
out.withId = await attempt(() => Item.create({ ...${GOOD}, id: 40 }));
out.countWithId = await Item.count();`,
    );
    expect(out.wrongType).toMatchObject({ name: "ModelInputError", field: "qty", message: 'Item.create: qty: expected Int, got String "7"' });
    expect(out.unknown).toMatchObject({ field: "admin", message: expect.stringMatching(/^Item.create: unknown field "admin"/) });
    expect(out.badId).toMatchObject({ field: "id" });
    expect(out.count).toBe(0);
    // A field that is not an Option needs a value; nothing is inserted without it.
    expect(out.partial).toMatchObject({ name: "ModelInputError", field: "qty", message: 'Item.create: field "qty" is missing' });
    expect(out.countAfter).toBe(0);
    // The database gives ids (a given one would leave PostgreSQL's sequence behind and collide later).
    expect(out.withId).toEqual({ name: "ModelInputError", field: "id", message: 'Item.create: "id" is given by the database' });
    expect(out.countWithId).toBe(0);
  });

  it("answers alike on both engines where they differ underneath: NUL in text, a pattern ending in \\, long _in lists, _like on a number, NaN", async () => {
    const out = await run(
      "parity",
      `const B = String.fromCharCode(92); // a backslash
const a = await Item.create({ ...${GOOD}, name: "back" + B + "slash" });
await Item.create({ ...${GOOD}, name: "plain", qty: 12 });
out.nulCreate = await attempt(() => Item.create({ ...${GOOD}, name: "x\u0000y" }));
out.nulUpdate = await attempt(() => Item.update(a.id, { note: "\u0000" }));
out.nulFilter = await attempt(() => Item.where({ name: "\u0000" }));
out.nulIn = await attempt(() => Item.where({ name_in: ["a", "\u0000"] }));
out.trailing = (await Item.where({ name_like: "%" + B })).map((r: any) => r.name);
out.lone = (await Item.where({ name_like: B })).map((r: any) => r.name);
out.escaped = (await Item.where({ name_like: "back" + B + B + "%" })).map((r: any) => r.name);
out.trailingMatch = (await Item.where({ name_like: "%k" + B })).map((r: any) => r.name);
out.manyIn = await attempt(() => Item.where({ qty_in: Array.from({ length: 10_001 }, (_, i) => i) }));
out.justEnoughIn = (await Item.where({ qty_in: Array.from({ length: 10_000 }, (_, i) => i) })).length;
out.likeInt = await attempt(() => Item.where({ qty_like: "1%" }));
const nan = await Item.update(a.id, { price: 0 / 0 });
out.nan = nan.price;
out.nanGt = (await Item.where({ price_gt: 100 })).length;
out.nanNull = (await Item.where({ price: null })).length;
out.count = await Item.count();`,
    );
    const nul = (field: string) => ({ name: "ModelInputError", field, message: expect.stringContaining("NUL character") });
    expect(out.nulCreate).toMatchObject(nul("name"));
    expect(out.nulUpdate).toMatchObject(nul("note"));
    expect(out.nulFilter).toMatchObject(nul("name"));
    expect(out.nulIn).toMatchObject(nul("name_in"));
    // A pattern ending in a lone backslash matches a literal backslash there: "%\\" is "ends with a backslash".
    expect(out.trailing).toEqual([]);
    expect(out.lone).toEqual([]);
    expect(out.trailingMatch).toEqual([]);
    expect(out.escaped).toEqual(["back\\slash"]);
    expect(out.manyIn).toMatchObject({ name: "ModelInputError", field: "qty_in", message: expect.stringContaining("at most 10000") });
    expect(out.justEnoughIn).toBe(2);
    expect(out.likeInt).toMatchObject({ name: "ModelInputError", field: "qty_like", message: expect.stringContaining("qty is not a String field") });
    expect(out.nan).toBeNull();
    expect(out.nanGt).toBe(0);
    expect(out.nanNull).toBe(1);
    expect(out.count).toBe(2);
  });

  it("filters of where, first, count and delete_all take values of the field's type", async () => {
    const out = await run(
      "filters",
      `await Item.create(${GOOD});
out.where = await attempt(() => Item.where({ qty: "3" }));
out.gt = await attempt(() => Item.where({ qty_gt: "2" }));
out.first = await attempt(() => Item.first({ price_lt: "1" }));
out.count = await attempt(() => Item.count({ active: "true" }));
out.deleteAll = await attempt(() => Item.delete_all({ qty_in: [3, "x"] }));
out.like = await attempt(() => Item.where({ name_like: 5 }));
out.unknown = await attempt(() => Item.delete_all({ colour: "red" }));
out.nullCompare = await attempt(() => Item.where({ qty_lt: null }));
out.left = await Item.count();
out.ok = [(await Item.where({ qty: 3 })).length, await Item.count({ note: null }), await Item.count({ note_ne: null }), (await Item.where({ size_in: ["M", "L"] })).length, await Item.count({ id: 1 })];`,
    );
    expect(out.where).toEqual({ name: "ModelInputError", field: "qty", message: 'Item.where: qty: expected Int, got String "3"' });
    expect(out.gt).toMatchObject({ field: "qty_gt", message: 'Item.where: qty_gt: expected Int, got String "2"' });
    expect(out.first).toMatchObject({ field: "price_lt", message: expect.stringMatching(/^Item.first: price_lt: expected Float/) });
    expect(out.count).toMatchObject({ field: "active", message: expect.stringMatching(/^Item.count: active: expected Bool/) });
    expect(out.deleteAll).toMatchObject({ field: "qty_in[1]", message: 'Item.delete_all: qty_in[1]: expected Int, got String "x"' });
    expect(out.like).toMatchObject({ field: "name_like", message: expect.stringContaining("needs a String pattern") });
    expect(out.unknown).toMatchObject({ name: "ModelInputError", field: "colour" });
    expect(out.nullCompare).toMatchObject({ field: "qty_lt" });
    expect(out.left).toBe(1);
    expect(out.ok).toEqual([1, 1, 0, 1, 1]);
  });

  it("a number in a String field is stored, as the monitoring example's Date.now() timestamps are (decisions.md, Gradual typing)", async () => {
    const out = await run(
      "gradual",
      `const Sample = await model(db, "Sample", "samples", { service: t.string, timestamp: t.string });
await Sample.create({ service: "a", timestamp: 1700000000000 });
out.lt = (await Sample.where({ timestamp_lt: 1800000000000 })).length;
out.notBool = await attempt(() => Sample.create({ service: true }));
out.notObject = await attempt(() => Sample.create({ service: { a: 1 } }));`,
    );
    expect(out.lt).toBe(1);
    expect(out.notBool).toMatchObject({ field: "service", message: "Sample.create: service: expected String, got Bool true" });
    expect(out.notObject).toMatchObject({ field: "service" });
  });
});

describe("a ModelInputError out of a request handler", () => {
  let server: Server;

  beforeAll(async () => {
    const file = writeProgram(
      dir,
      "items-server.ts",
      `import { createApp } from "./runtime/server.js";
import { sqlite, model } from "./runtime/db.js";
import { t } from "./runtime/schema.js";
const db = sqlite("items-server.db");
${ITEM}
await Item.create(${GOOD});
const app = createApp({ name: null, port: 3000, portEnv: "PORT" });
// A handler that passes user input through, as a {String: Any} map.
app.route("PUT", "/items/:id", (id, changes) => Item.update(id, changes), [{ name: "id", schema: t.int }, { name: "changes", schema: t.map(t.any), wholeBody: true }]);
app.route("GET", "/items", (req) => Item.where(req.query), "req-res");
app.route("GET", "/items/:id", (id) => Item.find(id), [{ name: "id", schema: t.int }]);
app.route("GET", "/bug", () => { throw new Error("not a model error"); }, []);
await app.listen();`,
    );
    server = await startServer(file);
  });

  const put = (body: unknown) => fetch(`${server.url}/items/1`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

  it("answers 400 naming the field for a wrong type, an unknown column or an id key, and stores nothing", async () => {
    for (const [body, field] of [[{ qty: "lots" }, "qty"], [{ colour: "red" }, "colour"], [{ id: 2 }, "id"], [{ qty: 4, active: "no" }, "active"]] as const) {
      const res = await put(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      const answer = (await res.json()) as { error: string; field: string };
      expect(answer.field).toBe(field);
      expect(answer.error).toContain(`Item.update: `);
    }
    expect(await (await fetch(`${server.url}/items/1`)).json()).toMatchObject({ id: 1, qty: 3, active: true });
  });

  it("answers 400 for a filter built from the query string that does not fit", async () => {
    const res = await fetch(`${server.url}/items?qty=3`);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'Item.where: qty: expected Int, got String "3"', field: "qty" });
    expect((await fetch(`${server.url}/items?name=bolt`)).status).toBe(200);
  });

  it("still answers a good update 200, and any other error 500 without details", async () => {
    const res = await put({ qty: 9 });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: 1, qty: 9 });
    const bug = await fetch(`${server.url}/bug`);
    expect(bug.status).toBe(500);
    expect(JSON.stringify(await bug.json())).not.toContain("not a model error");
  });
});
