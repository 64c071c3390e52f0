// security.md, "Between the application's own servers", against real Bun
// servers: `POST /rpc/__event` takes only requests signed with the app's key
// (TOVA_APP_KEY), inside the time window, never twice; event data must fit the
// subscriber's parameter type, from another server or from the same process.
// Hostile requests sit next to friendly ones, and every refusal is checked to
// have run no subscriber.
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { logLines, runBun, startServer, stopAll, workspace, writeProgram, type Server } from "../testing/bun-process.js";

const KEY = "a".repeat(32) + "0123456789abcdef0123456789abcdef";
const OTHER_KEY = "b".repeat(64);

// The receiver: typed and untyped subscribers; what they saw is readable at GET /seen.
const LEDGER = `
import { createApp } from "./runtime/server.js";
import { t } from "./runtime/schema.js";
const Credit = t.record("Credit", { account: t.string, amount: t.int });
const seen = [];
const app = createApp({ name: "ledger", port: 3001, portEnv: "PORT_LEDGER" });
app.subscribe("credit", (c) => { seen.push({ event: "credit", amount: c.amount, account: c.account }); }, Credit);
app.subscribe("audit", (x) => { seen.push({ event: "audit", data: x }); }, null);
app.subscribe("legacy", (x) => { seen.push({ event: "legacy", data: x }); });
// monitoring-service.md publishes Alert { timestamp: Date.now() }: a number where a String is declared (decisions.md, Gradual typing).
app.subscribe("alerts", (a) => { seen.push({ event: "alerts", data: a }); }, t.record("Alert", { service: t.string, timestamp: t.string }));
app.route("GET", "/seen", () => seen, []);
await app.listen();
`;

// The sender: publishes whatever it is given (dynamic data) to the ledger, and to itself for "local".
const BANK = `
import { createApp, publish } from "./runtime/server.js";
import { t } from "./runtime/schema.js";
const Credit = t.record("Credit", { account: t.string, amount: t.int });
const local = [];
const app = createApp({ name: "bank", port: 3002, portEnv: "PORT_BANK" });
app.route("POST", "/pay", (req, res) => { publish(req.body.event, req.body.data); return { sent: true }; }, "req-res");
app.subscribe("local", (c) => { local.push(c); }, Credit);
app.route("GET", "/local", () => local, []);
app.events({ credit: ["ledger"], audit: ["ledger"], alerts: ["ledger"], local: ["bank"] });
await app.listen();
`;

let dir: string;
let ledger: Server;
let bank: Server;
let intruder: Server;

beforeAll(async () => {
  dir = workspace();
  const ledgerFile = writeProgram(dir, "ledger.ts", LEDGER);
  const bankFile = writeProgram(dir, "bank.ts", BANK);
  ledger = await startServer(ledgerFile, { TOVA_APP_KEY: KEY }, "PORT_LEDGER");
  const port = new URL(ledger.url).port;
  bank = await startServer(bankFile, { TOVA_APP_KEY: KEY, PORT_LEDGER: port }, "PORT_BANK");
  // The same program with another key: what a server of another app (or an attacker's) would send.
  intruder = await startServer(bankFile, { TOVA_APP_KEY: OTHER_KEY, PORT_LEDGER: port }, "PORT_BANK");
}, 60_000);

afterAll(stopAll);

function sign(body: string, timestamp: number, key = KEY, path = "/rpc/__event", method = "POST"): Record<string, string> {
  const signature = createHmac("sha256", key).update(`v1\n${timestamp}\n${method}\n${path}\n${body}`).digest("hex");
  return { "x-tova-timestamp": String(timestamp), "x-tova-signature": signature };
}

async function post(url: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}/rpc/__event`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

const seen = async (server = ledger, path = "/seen"): Promise<any[]> => (await fetch(`${server.url}${path}`)).json() as Promise<any[]>;

/** Polls until `f` holds (events to another process arrive after the publisher continues). */
async function eventually(f: () => Promise<boolean>, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("POST /rpc/__event is closed to everyone but the app's servers", () => {
  const forged = JSON.stringify({ event: "credit", data: { account: "mallory", amount: 1_000_000 } });

  it("refuses an unsigned event (the curl of issue 10) with 401, and runs no subscriber", async () => {
    const before = (await seen()).length;
    const r = await post(ledger.url, JSON.stringify({ event: "credit", data: { amount: "lots" } }));
    expect(r.status).toBe(401);
    expect(r.body.error).toMatch(/must be signed/);
    expect(await post(ledger.url, forged)).toMatchObject({ status: 401 });
    expect((await seen()).length).toBe(before);
  });

  it("refuses a tampered body under a genuine signature", async () => {
    const now = Date.now();
    const genuine = JSON.stringify({ event: "credit", data: { account: "alice", amount: 5 } });
    const r = await post(ledger.url, genuine.replace("5", "5000"), sign(genuine, now));
    expect(r).toMatchObject({ status: 401, body: { error: expect.stringMatching(/bad signature/) } });
    expect((await seen()).some((s) => s.account === "alice")).toBe(false);
  });

  it("refuses a signature for another path or method (no replay against another endpoint)", async () => {
    expect((await post(ledger.url, forged, sign(forged, Date.now(), KEY, "/rpc/other"))).status).toBe(401);
    expect((await post(ledger.url, forged, sign(forged, Date.now(), KEY, "/rpc/__event", "PUT"))).status).toBe(401);
    expect((await seen()).some((s) => s.account === "mallory")).toBe(false);
  });

  it("refuses an old timestamp (a replay) and one from the future, each correctly signed", async () => {
    const old = Date.now() - 5 * 60_000;
    const future = Date.now() + 5 * 60_000;
    expect(await post(ledger.url, forged, sign(forged, old))).toMatchObject({ status: 401, body: { error: expect.stringMatching(/window/) } });
    expect(await post(ledger.url, forged, sign(forged, future))).toMatchObject({ status: 401 });
    expect((await seen()).some((s) => s.account === "mallory")).toBe(false);
  });

  it("refuses an event signed with another key", async () => {
    expect(await post(ledger.url, forged, sign(forged, Date.now(), OTHER_KEY))).toMatchObject({ status: 401, body: { error: expect.stringMatching(/bad signature/) } });
    expect((await seen()).some((s) => s.account === "mallory")).toBe(false);
  });

  it("refuses malformed signature headers", async () => {
    const now = String(Date.now());
    expect((await post(ledger.url, forged, { "x-tova-timestamp": now, "x-tova-signature": "zz" })).status).toBe(401);
    expect((await post(ledger.url, forged, { "x-tova-timestamp": "soon", "x-tova-signature": "0".repeat(64) })).status).toBe(401);
    expect((await post(ledger.url, forged, { "x-tova-signature": sign(forged, Date.now())["x-tova-signature"]! })).status).toBe(401);
  });

  it("delivers a correctly signed event once; the same request again is a replay (401)", async () => {
    const body = JSON.stringify({ event: "credit", data: { account: "bob", amount: 7 } });
    const headers = sign(body, Date.now());
    expect(await post(ledger.url, body, headers)).toEqual({ status: 200, body: { delivered: true } });
    expect(await post(ledger.url, body, headers)).toMatchObject({ status: 401, body: { error: expect.stringMatching(/replay/) } });
    expect((await seen()).filter((s) => s.account === "bob")).toEqual([{ event: "credit", account: "bob", amount: 7 }]);
  });

  it("answers 400 for signed data that does not fit the subscriber's type, and the subscriber does not run", async () => {
    for (const data of [{ account: "carol", amount: "lots" }, { account: "carol" }, { account: "carol", amount: 1, admin: true }, "carol", null]) {
      const body = JSON.stringify({ event: "credit", data });
      const r = await post(ledger.url, body, sign(body, Date.now()));
      expect(r.status, JSON.stringify(data)).toBe(400);
      expect(r.body.param).toBe("data");
    }
    const body = JSON.stringify({ event: "credit", data: { account: "carol", amount: "lots" } });
    expect((await post(ledger.url, body, sign(body, Date.now()))).body.error).toBe('event "credit": data.amount: expected Int, got String "lots"');
    expect((await seen()).some((s) => s.account === "carol")).toBe(false);
    // Log lines are flushed every 100 ms.
    await eventually(async () => logLines(ledger.output().stdout).some((l) => l["msg"] === "event data rejected" && l["event"] === "credit"));
  });

  it("delivers anything to an untyped subscriber (schema null, or none given)", async () => {
    for (const event of ["audit", "legacy"]) {
      const body = JSON.stringify({ event, data: { free: ["form", 1] } });
      expect((await post(ledger.url, body, sign(body, Date.now()))).status).toBe(200);
    }
    expect((await seen()).filter((s) => s.event !== "credit")).toEqual([
      { event: "audit", data: { free: ["form", 1] } },
      { event: "legacy", data: { free: ["form", 1] } },
    ]);
  });

  it("answers 400 for a signed body that is not an event, and 404 for an event nobody here subscribes to", async () => {
    for (const body of ["not json", JSON.stringify({ data: 1 }), JSON.stringify([1])]) {
      expect((await post(ledger.url, body, sign(body, Date.now()))).status).toBe(400);
    }
    const body = JSON.stringify({ event: "unknown", data: 1 });
    expect((await post(ledger.url, body, sign(body, Date.now()))).status).toBe(404);
  });

  it("refuses a signed body over the limit with 413, chunked or not, and runs nothing", async () => {
    const big = JSON.stringify({ event: "audit", data: "x".repeat(2 * 1024 * 1024) });
    expect((await post(ledger.url, big, sign(big, Date.now()))).status).toBe(413);
    const chunks = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 40; i++) c.enqueue(new TextEncoder().encode("x".repeat(64 * 1024)));
        c.close();
      },
    });
    const res = await fetch(`${ledger.url}/rpc/__event`, { method: "POST", headers: { "content-type": "application/json", ...sign("whatever", Date.now()) }, body: chunks, duplex: "half" } as RequestInit);
    expect(res.status).toBe(413);
    expect((await seen()).some((s) => typeof s.data === "string")).toBe(false);
  });

  it("is not reachable by another spelling of the path or another method", async () => {
    const body = JSON.stringify({ event: "audit", data: "sneaky" });
    for (const path of ["//rpc/__event", "/rpc/%5F%5Fevent", "/rpc/__event/", "/RPC/__event"]) {
      const res = await fetch(`${ledger.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body });
      expect(res.status, path).toBe(404);
    }
    expect((await fetch(`${ledger.url}/rpc/__event`)).status).not.toBe(200);
    expect((await seen()).some((s) => s.data === "sneaky")).toBe(false);
  });
});

describe("events between two real server processes started with the same key", () => {
  it("delivers a good event from the bank to the ledger", async () => {
    const r = await fetch(`${bank.url}/pay`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ event: "credit", data: { account: "dave", amount: 42 } }) });
    expect(r.status).toBe(200);
    await eventually(async () => (await seen()).some((s) => s.account === "dave"));
    expect((await seen()).filter((s) => s.account === "dave")).toEqual([{ event: "credit", account: "dave", amount: 42 }]);
  });

  it("delivers a number where the subscriber declares a String (the monitoring example's Date.now() timestamps), nothing else loose", async () => {
    const now = 1_700_000_000_000;
    await fetch(`${bank.url}/pay`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ event: "alerts", data: { service: "auth", timestamp: now } }) });
    await eventually(async () => (await seen()).some((s) => s.event === "alerts"));
    expect((await seen()).filter((s) => s.event === "alerts")).toEqual([{ event: "alerts", data: { service: "auth", timestamp: now } }]);
    const body = JSON.stringify({ event: "alerts", data: { service: true, timestamp: "t" } });
    expect((await post(ledger.url, body, sign(body, Date.now()))).status).toBe(400);
  });

  it("a publisher's dynamic data that does not fit is refused by the receiver (400, logged by both, never retried)", async () => {
    const refusals = () => logLines(ledger.output().stdout).filter((l) => l["msg"] === "request" && l["status"] === 400 && l["path"] === "/rpc/__event").length;
    await new Promise((r) => setTimeout(r, 250)); // the log lines of earlier requests are out
    const before = refusals();
    await fetch(`${bank.url}/pay`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ event: "credit", data: { account: "erin", amount: "100lots" } }) });
    await eventually(async () => logLines(bank.output().stdout).some((l) => l["msg"] === "event delivery failed"));
    const failure = logLines(bank.output().stdout).find((l) => l["msg"] === "event delivery failed")!;
    expect(failure["error"]).toMatch(/^HTTP 400: event "credit": data.amount: expected Int/);
    await new Promise((r) => setTimeout(r, 700)); // a retry would have come by now
    expect(refusals()).toBe(before + 1);
    expect((await seen()).some((s) => s.account === "erin")).toBe(false);
  });

  it("a server with another key is refused (401), and says so in its log", async () => {
    await fetch(`${intruder.url}/pay`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ event: "credit", data: { account: "mallory", amount: 1 } }) });
    await eventually(async () => logLines(intruder.output().stdout).some((l) => l["msg"] === "event delivery failed"));
    expect(logLines(intruder.output().stdout).find((l) => l["msg"] === "event delivery failed")!["error"]).toMatch(/^HTTP 401: bad signature/);
    expect((await seen()).some((s) => s.account === "mallory")).toBe(false);
  });

  it("checks in-process delivery too: the bank's own subscriber runs only with data of its type", async () => {
    const pay = (data: unknown) => fetch(`${bank.url}/pay`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ event: "local", data }) });
    await pay({ account: "frank", amount: "many" });
    await pay({ account: "frank", amount: 3 });
    await eventually(async () => (await seen(bank, "/local")).length > 0);
    await new Promise((r) => setTimeout(r, 100));
    expect(await seen(bank, "/local")).toEqual([{ account: "frank", amount: 3 }]);
    await eventually(async () => logLines(bank.output().stdout).some((l) => l["msg"] === "event data rejected" && l["event"] === "local"));
  });
});

describe("the key", () => {
  it("a server without TOVA_APP_KEY makes up its own: it warns, and refuses events signed with any given key", async () => {
    const file = writeProgram(dir, "alone.ts", LEDGER);
    const alone = await startServer(file, { TOVA_APP_KEY: "" }, "PORT_LEDGER");
    expect(logLines(alone.output().stdout).some((l) => l["level"] === "warn" && String(l["msg"]).includes("TOVA_APP_KEY is not set"))).toBe(true);
    const body = JSON.stringify({ event: "audit", data: 1 });
    expect((await post(alone.url, body, sign(body, Date.now()))).status).toBe(401);
    expect((await post(alone.url, body, sign(body, Date.now(), ""))).status).toBe(401);
    expect(await seen(alone)).toEqual([]);
    alone.child.kill("SIGTERM");
    await alone.exited;
  });

  it("a TOVA_APP_KEY shorter than 32 characters stops the start, naming the variable", async () => {
    const file = writeProgram(dir, "short.ts", LEDGER);
    const r = await runBun(file, { TOVA_APP_KEY: "secret", PORT_LEDGER: "0" });
    expect(r.code).not.toBe(0);
    expect(r.stderr + r.stdout).toMatch(/TOVA_APP_KEY is 6 characters long; it must have at least 32/);
  });

  it("a server without subscriptions or remote events has no event endpoint and needs no key", async () => {
    const file = writeProgram(
      dir,
      "plain.ts",
      `import { createApp } from "./runtime/server.js";
const app = createApp({ name: null, port: 3000, portEnv: "PORT" });
app.route("GET", "/", () => "hi", []);
await app.listen();`,
    );
    const plain = await startServer(file, { TOVA_APP_KEY: "short" });
    const body = JSON.stringify({ event: "audit", data: 1 });
    expect((await post(plain.url, body, sign(body, Date.now(), "short"))).status).toBe(404);
    expect(logLines(plain.output().stdout).some((l) => String(l["msg"]).includes("TOVA_APP_KEY"))).toBe(false);
    plain.child.kill("SIGTERM");
    await plain.exited;
  });
});
