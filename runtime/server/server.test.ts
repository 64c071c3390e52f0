// The server contract of runtime/README.md, against real Bun servers built
// from the bundled runtime: binding and conversion, 400s naming the
// parameter, RPC, Result mapping, (req, res) handlers, middleware, on_error,
// request ids, /healthz.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { logLines, startServer, stopAll, workspace, writeProgram, type Server } from "../testing/bun-process.js";

const PLAIN_APP = `
import { createApp } from "./runtime/server.js";
import { t } from "./runtime/schema.js";
import { Ok, Err, sleep } from "./runtime/stdlib.js";

const Metric = t.record("Metric", { service: t.string, value: t.float, tags: t.array(t.string), note: t.option(t.string) });
const app = createApp({ name: null, port: 3000, portEnv: "PORT" });

app.route("GET", "/items", (limit, active, q) => ({ limit, active, q }), [
  { name: "limit", schema: t.int }, { name: "active", schema: t.option(t.bool) }, { name: "q", schema: t.option(t.string) },
]);
app.route("GET", "/tags", (tag) => tag, [{ name: "tag", schema: t.array(t.string) }]);
app.route("GET", "/ratio", (x) => ({ x }), [{ name: "x", schema: t.float }]);
app.route("GET", "/items/:id", (id) => (id === 0 ? null : { id }), [{ name: "id", schema: t.int }]);
app.route("GET", "/files/:name", (name) => ({ name }), [{ name: "name", schema: t.string }]);
app.route("DELETE", "/items/:id", (id, hard) => ({ deleted: id, hard }), [{ name: "id", schema: t.int }, { name: "hard", schema: t.bool }]);
app.route("POST", "/items/:id/rename", (id, name, force) => ({ id, name, force }), [
  { name: "id", schema: t.int }, { name: "name", schema: t.string }, { name: "force", schema: t.option(t.bool) },
]);
app.route("POST", "/ingest", (metric) => ({ accepted: metric }), [{ name: "metric", schema: Metric, wholeBody: true }]);
app.route("POST", "/alerts/:id/resolve", (id) =>
  id === 1 ? Ok({ id, resolved: true }) : id === 2 ? Err("Alert not found") : Err({ status: 409, message: "already resolved" }),
  [{ name: "id", schema: t.int }]);
app.route("GET", "/slow-ok", async () => { await sleep(20); return Ok("done"); }, []);
app.route("GET", "/boom", () => { throw new Error("secret detail"); }, []);
app.route("GET", "/async-boom", async () => { await sleep(5); throw new Error("secret async detail"); }, []);
app.route("GET", "/raw", () => new Response("plain", { headers: { "content-type": "text/plain" } }), []);
app.route("GET", "/whoami", (req, res) => { res.setHeader("X-Handler", "req-res"); return { method: req.method, path: req.path, id: req.id, q: req.query.x ?? null, ua: req.headers["user-agent"] ?? null }; }, "req-res");
app.route("POST", "/echo", (req, res) => { res.status(201); res.json({ body: req.body }); }, "req-res");
app.route("PUT", "/created", (req, res) => { res.status(201); return { ok: 1 }; }, "req-res");
app.route("GET", "/nothing", (req, res) => { res.status(204); }, "req-res");
app.route("GET", "/redirect", (req, res) => res.redirect("/items?limit=1"), "req-res");

app.rpc("add", (a, b) => a + b, [{ name: "a", schema: t.int }, { name: "b", schema: t.int }]);
app.rpc("bump", (n, by = 10) => n + by, [{ name: "n", schema: t.int }, { name: "by", schema: t.int, optional: true }]);
app.route("GET", "/page", (size = 20) => ({ size }), [{ name: "size", schema: t.int, optional: true }]);
app.rpc("ingest_metric", async (m) => { await sleep(1); return { status: "accepted", service: m.service }; }, [{ name: "metric", schema: Metric }]);
app.rpc("find", (id) => (id > 10 ? null : { id }), [{ name: "id", schema: t.int }]);
app.rpc("greet", (name) => Ok("hi " + (name ?? "you")), [{ name: "name", schema: t.option(t.string) }]);
app.rpc("fails", () => Err({ status: 422, field: "x" }), []);

const server = Bun.serve(await app.start());
app.stopOnSignals(server);
`;

const HOOKED_APP = `
import { createApp } from "./runtime/server.js";
import { t } from "./runtime/schema.js";

const app = createApp({ name: "api", port: 3001, portEnv: "PORT_API" });
const order = [];
app.use((req, res) => { order.push("first"); res.setHeader("X-Trace", "t-" + req.id); });
app.use(async (req, res) => {
  order.push("second");
  if (req.headers["x-tenant"] === "blocked") { res.status(403); res.json({ error: "blocked" }); }
  if (req.headers["x-new-id"]) req.id = req.headers["x-new-id"];
  if (req.headers["x-echo-id"]) res.setHeader("X-Request-Id", "mw-" + req.id);
});
app.use((req, res) => { order.push("third"); });
app.route("GET", "/order", () => { const seen = order.splice(0); return seen; }, []);
app.route("GET", "/id", (req, res) => ({ id: req.id }), "req-res");
app.route("GET", "/boom", () => { throw new Error("kaboom"); }, []);
app.route("GET", "/boom-handled-async", async () => { throw new Error("async kaboom"); }, []);
app.route("GET", "/healthz", () => ({ status: "custom" }), []);
app.route("GET", "/limit", (limit) => ({ limit }), [{ name: "limit", schema: t.int }]);
app.onError((err, req, res) => {
  res.status(500);
  res.json({ error: "Internal collector error", message: err.message, request_id: req.id });
});
const server = Bun.serve(await app.start());
app.stopOnSignals(server);
`;

let plain: Server;
let hooked: Server;

beforeAll(async () => {
  const dir = workspace();
  [plain, hooked] = await Promise.all([
    startServer(writeProgram(dir, "plain.ts", PLAIN_APP)),
    startServer(writeProgram(dir, "hooked.ts", HOOKED_APP), {}, "PORT_API"),
  ]);
});
afterAll(stopAll);

async function call(server: Server, path: string, init: RequestInit = {}) {
  const response = await fetch(server.url + path, { redirect: "manual", ...init });
  const text = await response.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}
const post = (server: Server, path: string, body: unknown) =>
  call(server, path, { method: "POST", body: typeof body === "string" ? body : JSON.stringify(body), headers: { "content-type": "application/json" } });

describe("route parameters", () => {
  it("converts query strings to the declared types (?limit=5 reaches an Int param as 5)", async () => {
    expect((await call(plain, "/items?limit=5")).json).toEqual({ limit: 5, active: null, q: null });
    expect((await call(plain, "/items?limit=-3&active=true&q=a%20b+c")).json).toEqual({ limit: -3, active: true, q: "a b c" });
    expect((await call(plain, "/ratio?x=2.5")).json).toEqual({ x: 2.5 });
  });

  it("binds repeated query values to an array parameter", async () => {
    expect((await call(plain, "/tags?tag=a&tag=b")).json).toEqual(["a", "b"]);
  });

  it("binds a String path parameter as it is, dots and encoded characters included", async () => {
    expect((await call(plain, "/files/report.v2.csv")).json).toEqual({ name: "report.v2.csv" });
    expect((await call(plain, "/files/a%20b")).json).toEqual({ name: "a b" });
  });

  it("binds and converts path parameters", async () => {
    expect((await call(plain, "/items/42")).json).toEqual({ id: 42 });
    expect((await call(plain, "/items/7", { method: "DELETE" })).status).toBe(400);
    expect((await call(plain, "/items/7?hard=false", { method: "DELETE" })).json).toEqual({ deleted: 7, hard: false });
  });

  it("binds body fields for POST after the path parameters; Option fields may be absent", async () => {
    expect((await post(plain, "/items/3/rename", { name: "new" })).json).toEqual({ id: 3, name: "new", force: null });
    expect((await post(plain, "/items/3/rename", { name: "new", force: true })).json).toEqual({ id: 3, name: "new", force: true });
  });

  it("gives the whole body to a parameter marked wholeBody", async () => {
    const metric = { service: "api", value: 1, tags: ["x"] };
    expect((await post(plain, "/ingest", metric)).json).toEqual({ accepted: metric });
  });
});

describe("400 answers name the parameter", () => {
  it.each([
    ["a missing parameter", "/items", "limit", /missing parameter "limit"/],
    ["an unconvertible query value", "/items?limit=five", "limit", /limit: expected Int, got String "five"/],
    ["a float for an Int", "/items?limit=1.5", "limit", /expected Int/],
    ["a bad Bool", "/items?limit=1&active=yes", "active", /expected Option<Bool>/],
    ["an extra query parameter", "/items?limit=1&color=red", "color", /unexpected query parameter "color"/],
    ["a bad path parameter", "/items/abc", "id", /id: expected Int/],
    ["a path parameter holding an encoded slash", "/files/..%2Fsecret", "name", /path parameter "name" must be one path segment/],
    ["a path parameter holding an encoded backslash", "/files/..%5Csecret", "name", /must be one path segment/],
  ])("%s", async (_what, path, param, message) => {
    const r = await call(plain, path);
    expect(r.status).toBe(400);
    expect(r.json.param).toBe(param);
    expect(r.json.error).toMatch(message);
  });

  it.each([
    ["a wrongly typed field (strict: a string is not an Int)", "/items/3/rename", { name: 5 }, "name", /name: expected String, got Int 5/],
    ["a missing field", "/items/3/rename", {}, "name", /missing parameter "name"/],
    ["an extra field", "/items/3/rename", { name: "a", extra: 1 }, "extra", /unexpected field "extra"/],
    ["a record field of the wrong type", "/ingest", { service: "a", value: "1", tags: [] }, "metric", /metric.value: expected Float, got String "1"/],
    ["a record with an unknown field", "/ingest", { service: "a", value: 1, tags: [], zz: 1 }, "metric", /metric.zz: unexpected field/],
    ["a wrong array element", "/ingest", { service: "a", value: 1, tags: ["a", 2] }, "metric", /metric.tags\[1\]: expected String/],
    ["malformed JSON", "/items/3/rename", "{not json", "body", /malformed JSON/],
  ])("%s", async (_what, path, body, param, message) => {
    const r = await post(plain, path, body);
    expect(r.status).toBe(400);
    expect(r.json).toEqual({ error: expect.stringMatching(message), param });
  });
});

describe("RPC", () => {
  it("answers {result} for POST /rpc/<fn> with {__args}", async () => {
    expect(await post(plain, "/rpc/add", { __args: [2, 3] })).toMatchObject({ status: 200, json: { result: 5 } });
  });

  it("awaits async functions and validates record arguments", async () => {
    const metric = { service: "api", value: 2.5, tags: [], note: null };
    expect((await post(plain, "/rpc/ingest_metric", { __args: [metric] })).json).toEqual({ result: { status: "accepted", service: "api" } });
    const bad = await post(plain, "/rpc/ingest_metric", { __args: [{ ...metric, value: "x" }] });
    expect(bad).toMatchObject({ status: 400, json: { param: "metric", error: expect.stringMatching(/metric.value/) } });
  });

  it("rejects missing, extra and wrongly typed arguments and malformed JSON", async () => {
    expect((await post(plain, "/rpc/add", { __args: [1] })).json).toEqual({ error: 'missing parameter "b"', param: "b" });
    expect((await post(plain, "/rpc/add", { __args: [1, 2, 3] })).json.param).toBe("__args");
    expect((await post(plain, "/rpc/add", { __args: [1, "2"] })).json).toEqual({ error: 'b: expected Int, got String "2"', param: "b" });
    expect((await post(plain, "/rpc/add", "[1,")).json).toMatchObject({ param: "__args", error: expect.stringMatching(/malformed JSON/) });
    expect((await post(plain, "/rpc/add", { args: [1, 2] })).status).toBe(400);
  });

  it("passes an absent parameter that has a default as undefined, so the default applies", async () => {
    expect((await post(plain, "/rpc/bump", { __args: [1] })).json).toEqual({ result: 11 });
    expect((await post(plain, "/rpc/bump", { __args: [1, 2] })).json).toEqual({ result: 3 });
    expect((await post(plain, "/rpc/bump", { __args: [1, "2"] })).status).toBe(400);
    expect((await call(plain, "/page")).json).toEqual({ size: 20 });
    expect((await call(plain, "/page?size=5")).json).toEqual({ size: 5 });
  });

  it("maps None to a null result, Ok to its value, Err to its status", async () => {
    expect((await post(plain, "/rpc/find", { __args: [11] })).json).toEqual({ result: null });
    expect((await post(plain, "/rpc/greet", { __args: [] })).json).toEqual({ result: "hi you" });
    expect(await post(plain, "/rpc/fails", { __args: [] })).toMatchObject({ status: 422, json: { error: { status: 422, field: "x" } } });
  });
});

describe("handler values", () => {
  it("answers Ok(v) with 200 v, Err(e) with 400 or e.status, None with 404", async () => {
    expect(await call(plain, "/alerts/1/resolve", { method: "POST" })).toMatchObject({ status: 200, json: { id: 1, resolved: true } });
    expect(await call(plain, "/alerts/2/resolve", { method: "POST" })).toMatchObject({ status: 400, json: { error: "Alert not found" } });
    expect(await call(plain, "/alerts/3/resolve", { method: "POST" })).toMatchObject({ status: 409, json: { error: { status: 409 } } });
    expect(await call(plain, "/items/0")).toMatchObject({ status: 404, json: { error: "Not Found" } });
    expect(await call(plain, "/slow-ok")).toMatchObject({ status: 200, json: "done" });
  });

  it("sends a Response the handler built as it is", async () => {
    const r = await call(plain, "/raw");
    expect([r.status, r.text, r.headers.get("content-type")]).toEqual([200, "plain", "text/plain"]);
    expect(r.headers.get("x-request-id")).toBeTruthy();
  });

  it("answers unknown paths 404 in JSON", async () => {
    expect(await call(plain, "/no/such/path")).toMatchObject({ status: 404, json: { error: "Not Found" } });
  });
});

describe("(req, res) handlers", () => {
  it("get the request, and a returned value answers 200 JSON with res's headers", async () => {
    const r = await call(plain, "/whoami?x=1", { headers: { "user-agent": "tests", "x-request-id": "rid-1" } });
    expect(r.json).toEqual({ method: "GET", path: "/whoami", id: "rid-1", q: "1", ua: "tests" });
    expect(r.headers.get("x-handler")).toBe("req-res");
  });

  it("answer through res.status + res.json, with the parsed body", async () => {
    expect(await post(plain, "/echo", { a: [1] })).toMatchObject({ status: 201, json: { body: { a: [1] } } });
  });

  it("keep res.status for a returned value; a status alone answers empty", async () => {
    expect(await call(plain, "/created", { method: "PUT" })).toMatchObject({ status: 201, json: { ok: 1 } });
    expect(await call(plain, "/nothing")).toMatchObject({ status: 204, text: "" });
  });

  it("redirect", async () => {
    const r = await call(plain, "/redirect");
    expect([r.status, r.headers.get("location")]).toEqual([302, "/items?limit=1"]);
  });
});

describe("errors", () => {
  it("answer 500 with the request id and no details when there is no on_error", async () => {
    for (const path of ["/boom", "/async-boom"]) {
      const r = await call(plain, path, { headers: { "x-request-id": "err-1" } });
      expect(r.status).toBe(500);
      expect(r.json).toEqual({ error: "Internal Server Error", request_id: "err-1" });
      expect(r.text).not.toMatch(/secret|at /);
    }
  });

  it("are logged with their stack", async () => {
    await new Promise((r) => setTimeout(r, 250)); // the log buffer flushes every 100 ms
    const errors = logLines(plain.output().stdout).filter((l) => l.level === "error");
    expect(errors.some((l) => l.message === "secret detail" && String(l.stack).includes("Error: secret detail") && l.request_id === "err-1")).toBe(true);
  });

  it("go to on_error, whose res.status + res.json answer (sync and async handlers)", async () => {
    for (const [path, message] of [["/boom", "kaboom"], ["/boom-handled-async", "async kaboom"]]) {
      const r = await call(hooked, path, { headers: { "x-request-id": "e-2" } });
      expect(r.status).toBe(500);
      expect(r.json).toEqual({ error: "Internal collector error", message, request_id: "e-2" });
      expect(r.headers.get("x-trace")).toBe("t-e-2"); // middleware headers stay on error answers
    }
  });
});

describe("middleware", () => {
  it("runs in declaration order before the handler", async () => {
    await call(hooked, "/order"); // empties what earlier requests recorded
    expect((await call(hooked, "/order")).json).toEqual(["first", "second", "third"]);
  });

  it("sets headers that appear on the final response, including 400s and 404s", async () => {
    for (const path of ["/order", "/limit?limit=x", "/missing"]) {
      expect((await call(hooked, path, { headers: { "x-request-id": "m-1" } })).headers.get("x-trace")).toBe("t-m-1");
    }
  });

  it("answers early: the rest of the chain and the route do not run", async () => {
    await call(hooked, "/order");
    const r = await call(hooked, "/order", { headers: { "x-tenant": "blocked" } });
    expect(r).toMatchObject({ status: 403, json: { error: "blocked" } });
    // The blocked request ran the first two middleware only; this one runs all three, then the route.
    expect((await call(hooked, "/order")).json).toEqual(["first", "second", "first", "second", "third"]);
  });

  it("may set req.id; the echoed header keeps the request's id unless middleware sets it", async () => {
    const changed = await call(hooked, "/id", { headers: { "x-request-id": "orig", "x-new-id": "changed" } });
    expect(changed.json).toEqual({ id: "changed" });
    expect(changed.headers.get("x-request-id")).toBe("orig");
    const echoed = await call(hooked, "/id", { headers: { "x-request-id": "orig", "x-echo-id": "1" } });
    expect(echoed.headers.get("x-request-id")).toBe("mw-orig");
  });
});

describe("request ids", () => {
  it("echo an incoming X-Request-Id", async () => {
    expect((await call(plain, "/items?limit=1", { headers: { "X-Request-Id": "abc-123" } })).headers.get("x-request-id")).toBe("abc-123");
  });

  it("generate a UUID when there is none (or it is not a plain token)", async () => {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    const a = (await call(plain, "/items?limit=1")).headers.get("x-request-id");
    const b = (await call(plain, "/items?limit=1", { headers: { "x-request-id": 'x"y' } })).headers.get("x-request-id");
    expect(a).toMatch(uuid);
    expect(b).toMatch(uuid);
    expect(a).not.toBe(b);
  });

  it("appear in one JSON log line per request", async () => {
    await call(plain, "/items?limit=2", { headers: { "x-request-id": "log-me" } });
    await new Promise((r) => setTimeout(r, 250));
    const lines = logLines(plain.output().stdout).filter((l) => l.request_id === "log-me");
    expect(lines).toEqual([
      { time: expect.any(Number), level: "info", msg: "request", method: "GET", path: "/items", status: 200, duration_ms: expect.any(Number), request_id: "log-me" },
    ]);
    expect(logLines(hooked.output().stdout).some((l) => l.msg === "request" && l.service === "api")).toBe(true);
  });
});

describe("/healthz", () => {
  it("answers status ok and the uptime", async () => {
    const r = await call(plain, "/healthz");
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ status: "ok", uptime: expect.any(Number) });
  });

  it("is the program's own when it defines GET /healthz", async () => {
    expect((await call(hooked, "/healthz")).json).toEqual({ status: "custom" });
  });
});
