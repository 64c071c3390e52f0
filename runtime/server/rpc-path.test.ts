// The RPC path with a validated record (issue 15), against a real Bun server
// with no layer but the default headers: the path bench/serve.mjs measures.
// Its shortcuts (checks compiled per type, JSON answers built with the default
// headers, no `.then` in the headers layer for a POST, the log line's
// constant part made once per route) must not drop anything: every answer,
// friendly or hostile, carries the default headers once and a request id, is
// logged, and a hostile body never reaches the handler.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { logLines, startServer, stopAll, workspace, writeProgram, type Server } from "../testing/bun-process.js";
import { rawRequest, requestHead, type RawResponse } from "../testing/raw-http.js";

const APP = `
import { createApp } from "./runtime/server.js";
import { t } from "./runtime/schema.js";
import { sleep } from "./runtime/stdlib.js";

let runs = 0;
const Item = t.record("Item", { id: t.int, name: t.string, price: t.float, tags: t.array(t.string) });
const Order = t.record("Order", { items: t.array(Item), note: t.option(t.string) });
const app = createApp({ name: null, port: 3000, portEnv: "PORT" });
app.maxBody(4096);
app.rpc("add_item", (item) => { runs++; return item; }, [{ name: "item", schema: Item }]);
app.rpc("order", (order) => { runs++; return order.items.length; }, [{ name: "order", schema: Order }]);
app.rpc("later", async (n) => { runs++; await sleep(1); return n; }, [{ name: "n", schema: t.int }]);
app.rpc("boom", () => { runs++; throw new Error("secret detail"); }, []);
app.route("POST", "/moved", () => { runs++; return Response.redirect("http://x/elsewhere", 302); }, []);
app.route("POST", "/own-headers", (req, res) => { runs++; res.setHeader("x-frame-options", "SAMEORIGIN"); res.setHeader("x-extra", "1"); return { ok: true }; }, "req-res");
app.route("GET", "/runs", () => ({ runs }), []);
await app.listen();
`;

let server: Server;
beforeAll(async () => {
  server = await startServer(writeProgram(workspace(), "rpc.ts", APP));
}, 60_000);
afterAll(stopAll);

/** One request over a fresh connection, with exactly these headers; `body` chunked when `chunked`. */
function send(method: string, target: string, headers: Record<string, string> = {}, body = "", chunked = false): Promise<RawResponse> {
  const framing: Record<string, string> = body === "" ? {} : chunked ? { "transfer-encoding": "chunked" } : { "content-length": String(Buffer.byteLength(body)) };
  const payload = chunked && body !== "" ? `${Buffer.byteLength(body).toString(16)}\r\n${body}\r\n0\r\n\r\n` : body;
  return rawRequest(Number(new URL(server.url).port), requestHead(method, target, { ...framing, ...headers }), payload);
}

const JSON_TYPE = { "content-type": "application/json" };
const rpc = (fn: string, body: string, headers: Record<string, string> = {}, chunked = false) => send("POST", `/rpc/${fn}`, { ...JSON_TYPE, ...headers }, body, chunked);
const runs = async () => (await send("GET", "/runs")).json.runs as number;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const item = { id: 1, name: "lamp", price: 19.5, tags: ["home", "light"] };

/** The default headers, each exactly once, a request id, and HSTS only when asked for. */
function expectDefaults(r: RawResponse, hsts = false): void {
  expect(r.headers).toMatchObject({ "x-content-type-options": "nosniff", "x-frame-options": "DENY", "referrer-policy": "no-referrer" });
  expect(r.headers["x-request-id"]).toMatch(/^[\w.:@-]+$/);
  expect(r.headers["strict-transport-security"]).toBe(hsts ? "max-age=15552000; includeSubDomains" : undefined);
}

describe("the RPC path with a validated record", () => {
  it("answers {result} with the default headers once, a fresh request id, and a log line", async () => {
    const r = await rpc("add_item", JSON.stringify({ __args: [item] }));
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ result: item });
    expect(r.headers["content-type"]).toMatch(/^application\/json/);
    expectDefaults(r);
    expect(r.headers["x-request-id"]).toMatch(UUID);
    const mine = await rpc("add_item", JSON.stringify({ __args: [item] }), { "x-request-id": "rpc-path-1", "x-forwarded-proto": "https" });
    expect(mine.headers["x-request-id"]).toBe("rpc-path-1");
    expectDefaults(mine, true);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(logLines(server.output().stdout).filter((l) => l.request_id === "rpc-path-1")).toEqual([
      { time: expect.any(Number), level: "info", msg: "request", method: "POST", path: "/rpc/add_item", status: 200, duration_ms: expect.any(Number), request_id: "rpc-path-1" },
    ]);
  });

  it("validates every field, nested arrays and records included; a hostile body is a 400 naming the field, and the function does not run", async () => {
    const order = { items: [item, { ...item, id: 2 }], note: null };
    const ok = await rpc("order", JSON.stringify({ __args: [order] }));
    expect(ok).toMatchObject({ status: 200, json: { result: 2 } });
    const before = await runs();
    const cases: [string, string, string, RegExp][] = [
      ["order", JSON.stringify({ __args: [{ ...order, items: [item, { ...item, tags: ["a", 5] }] }] }), "order", /^order\.items\[1\]\.tags\[1\]: expected String, got Int 5$/],
      ["order", JSON.stringify({ __args: [{ ...order, items: [{ ...item, zz: 1 }] }] }), "order", /^order\.items\[0\]\.zz: unexpected field$/],
      ["order", JSON.stringify({ __args: [{ items: [item] }, 1] }), "__args", /too many arguments/],
      ["add_item", JSON.stringify({ __args: [{ ...item, price: "19.5" }] }), "item", /^item\.price: expected Float, got String "19\.5"$/],
      ["add_item", JSON.stringify({ __args: [{ ...item, id: 2 ** 53 + 2 }] }), "item", /^item\.id: expected Int, got 9007199254740994, outside the safe integers/],
      ["add_item", JSON.stringify({ __args: [{ id: 1, name: "lamp", price: 19.5 }] }), "item", /^item\.tags: missing field$/],
      ["add_item", '{"__args":[{"id":1,"name":"lamp","price":19.5,"tags":[],"__proto__":{"id":"x"}}]}', "item", /^item\.__proto__: unexpected field$/],
      ["add_item", JSON.stringify({ __args: [{ ...item, id: JSON.parse("[".repeat(500) + "]".repeat(500)) }] }), "item", /^item\.id: expected Int, got an array$/],
      ["add_item", JSON.stringify({ __args: [[item]] }), "item", /^item: expected Item, got an array$/],
      ["add_item", JSON.stringify({ __args: { 0: item } }), "__args", /__args/],
      ["add_item", '{"__args":[{"id":1,', "__args", /malformed JSON/],
    ];
    for (const [fn, body, param, message] of cases) {
      const r = await rpc(fn, body);
      expect(r.status, body.slice(0, 80)).toBe(400);
      expect(r.json).toEqual({ error: expect.stringMatching(message), param });
      expectDefaults(r);
    }
    expect(await runs()).toBe(before);
  });

  it("refuses other content types (415) and bodies over max_body, with or without a Content-Length (413)", async () => {
    const before = await runs();
    const big = JSON.stringify({ __args: [{ ...item, name: "x".repeat(5000) }] });
    const answers = await Promise.all([
      send("POST", "/rpc/add_item", { "content-type": "text/plain" }, JSON.stringify({ __args: [item] })),
      rpc("add_item", big),
      rpc("add_item", big, {}, true),
    ]);
    expect(answers.map((a) => a.status)).toEqual([415, 413, 413]);
    for (const a of answers) expectDefaults(a);
    expect(await runs()).toBe(before);
    // The same body within the limit, chunked, is read and answered.
    expect(await rpc("add_item", JSON.stringify({ __args: [item] }), {}, true)).toMatchObject({ status: 200, json: { result: item } });
  });

  it("gives the default headers to every other answer of a POST: async, thrown, a Response with immutable headers, res's own headers", async () => {
    const later = await rpc("later", JSON.stringify({ __args: [7] }));
    expect(later).toMatchObject({ status: 200, json: { result: 7 } });
    expectDefaults(later);
    const boom = await rpc("boom", JSON.stringify({ __args: [] }), { "x-request-id": "boom-1" });
    expect(boom).toMatchObject({ status: 500, json: { error: "Internal Server Error", request_id: "boom-1" } });
    expectDefaults(boom);
    const moved = await send("POST", "/moved", JSON_TYPE, "{}");
    expect(moved.status).toBe(302);
    expect(moved.headers.location).toBe("http://x/elsewhere");
    expectDefaults(moved);
    // X-Frame-Options stays DENY whatever the handler set, as the headers layer always did; its other headers stay.
    const own = await send("POST", "/own-headers", JSON_TYPE, "{}");
    expect(own).toMatchObject({ status: 200, json: { ok: true } });
    expect(own.headers["x-extra"]).toBe("1");
    expectDefaults(own);
  });
});
