import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanDirs, stopAll, type Running } from "../server/harness.js";
import { eventually, launch, removeTempDirs, send, serve, sleep, tempDir } from "./attack.js";

/**
 * security.md, "Between the application's own servers": `POST /rpc/__event`
 * needs an HMAC of body and timestamp made with TOVA_APP_KEY; without a valid
 * one it answers 401 and reaches no subscriber; event data is validated
 * against the subscriber's parameter type (400 to the sender, logged,
 * dropped). The sender is the real runtime of the `api` block; a recording
 * proxy between it and `ledger` captures what it sends, so the tests never
 * depend on the signature's format. The attacker is this file's requests.
 */
const PROGRAM = `
shared {
  type Credit { account: String, amount: Int }
}

server "api" {
  fn credit(account: String, amount: Int) {
    publish("credit", Credit { account: account, amount: amount })
    { sent: true }
  }

  fn raw_credit(req) {
    publish("credit", req.body)
    { sent: true }
  }

  route POST "/credit" => credit
  route POST "/raw-credit" => raw_credit
}

server "ledger" {
  var balance = 100
  var runs = 0

  subscribe "credit" fn(c: Credit) {
    runs += 1
    balance += c.amount
  }

  fn state() { { balance: balance, runs: runs } }

  route GET "/state" => state
}
`;

interface Captured {
  path: string;
  headers: Record<string, string>;
  body: string;
  status: number;
}

/** A proxy in front of `target` that records every request and the status it got. */
function recordingProxy(target: () => number): Promise<{ port: number; seen: Captured[]; close(): void }> {
  const seen: Captured[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : v;
      const out = http.request({ host: "127.0.0.1", port: target(), method: req.method, path: req.url, headers }, (answer) => {
        const back: Buffer[] = [];
        answer.on("data", (c: Buffer) => back.push(c));
        answer.on("end", () => {
          seen.push({ path: req.url ?? "", headers, body: body.toString("utf8"), status: answer.statusCode ?? 0 });
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          res.end(Buffer.concat(back));
        });
      });
      out.on("error", () => {
        res.writeHead(502);
        res.end();
      });
      out.end(body);
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ port: (server.address() as AddressInfo).port, seen, close: () => server.close() })));
}

const KEY = randomBytes(32).toString("hex");
const program = serve(PROGRAM, { launch: false });
let ledger: Running;
let keyless: Running;
let api: Running;
let late: Running;
let proxy: Awaited<ReturnType<typeof recordingProxy>>;
let lateProxy: Awaited<ReturnType<typeof recordingProxy>>;
let failure: unknown = null;

beforeAll(async () => {
  await program.ready;
  try {
    const built = program.built();
    // The `late` sender runs with its clock an hour behind: every event it signs carries an old timestamp.
    const skewed = tempDir("events-clock");
    writeFileSync(path.join(skewed, "clock.js"), `const R = Date; const off = -3600_000;\nglobalThis.Date = class extends R { constructor(...a) { if (a.length) super(...a); else super(R.now() + off); } static now() { return R.now() + off; } };\n`);
    writeFileSync(path.join(skewed, "bunfig.toml"), `preload = ["./clock.js"]\n`);
    [ledger, keyless] = await Promise.all([
      launch(built.file("server", "ledger"), { portEnv: "PORT_LEDGER", env: { TOVA_APP_KEY: KEY } }),
      launch(built.file("server", "ledger"), { portEnv: "PORT_LEDGER" }),
    ]);
    [proxy, lateProxy] = await Promise.all([recordingProxy(() => ledger.port), recordingProxy(() => ledger.port)]);
    [api, late] = await Promise.all([
      launch(built.file("server", "api"), { portEnv: "PORT_API", env: { TOVA_APP_KEY: KEY, URL_LEDGER: `http://127.0.0.1:${proxy.port}` } }),
      launch(built.file("server", "api"), { portEnv: "PORT_API", cwd: skewed, env: { TOVA_APP_KEY: KEY, URL_LEDGER: `http://127.0.0.1:${lateProxy.port}` } }),
    ]);
  } catch (err) {
    failure = err;
  }
}, 60_000);

afterAll(async () => {
  proxy?.close();
  lateProxy?.close();
  await stopAll();
  cleanDirs();
  removeTempDirs();
});

function ready(): void {
  program.built();
  if (failure) throw failure;
}

const state = async (s = ledger) => (await send(s.port, "GET", "/state")).json as { balance: number; runs: number };
const post = (s: Running, target: string, body: unknown, headers: Record<string, string> = {}) =>
  send(s.port, "POST", target, { "content-type": "application/json", ...headers }, typeof body === "string" ? body : JSON.stringify(body));

/** A genuine event as the api's runtime sent it (made once, through the proxy). */
let genuine: Captured | null = null;
async function genuineEvent(): Promise<Captured> {
  if (genuine) return genuine;
  const before = proxy.seen.length;
  expect((await post(api, "/credit", { account: "a", amount: 5 })).status).toBe(200);
  await eventually(async () => proxy.seen.length > before);
  genuine = proxy.seen.find((c, i) => i >= before && c.path === "/rpc/__event") ?? null;
  expect(genuine, "the api sent the event through the proxy").not.toBeNull();
  return genuine!;
}

/** The headers a sender added beyond plain HTTP and JSON: where a signature and a timestamp must be. */
function extraHeaders(c: Captured): Record<string, string> {
  const plain = new Set(["host", "content-type", "content-length", "connection", "user-agent", "accept", "accept-encoding", "x-request-id"]);
  return Object.fromEntries(Object.entries(c.headers).filter(([k]) => !plain.has(k)));
}

/** Waits long enough for any delivery (and the sender's retries) to have happened, then checks nothing changed. */
async function unchanged(before: { balance: number; runs: number }, s = ledger): Promise<void> {
  await sleep(800);
  expect(await state(s)).toEqual(before);
}

describe("events between the application's servers", () => {
  it("a genuine event, signed by the sending runtime, reaches the typed subscriber", async () => {
    ready();
    const before = await state();
    const c = await genuineEvent();
    expect(c.status).toBe(200);
    expect(Object.keys(extraHeaders(c)).length, "the event carries a signature").toBeGreaterThan(0);
    expect(await eventually(async () => (await state()).runs === before.runs + 1)).toBe(true);
    expect(await state()).toEqual({ balance: before.balance + 5, runs: before.runs + 1 });
  });

  it("the issue's forged event (no signature, bad data): 401, no subscriber runs", async () => {
    ready();
    const before = await state();
    const r = await post(ledger, "/rpc/__event", { event: "credit", data: { amount: "lots" } });
    expect(r.status).toBe(401);
    await unchanged(before);
  });

  it("an unsigned event with well-typed data: 401, no subscriber runs", async () => {
    ready();
    const before = await state();
    expect((await post(ledger, "/rpc/__event", { event: "credit", data: { account: "a", amount: 1_000_000 } })).status).toBe(401);
    await unchanged(before);
  });

  it("made-up signature headers (the genuine names, invented values): 401", async () => {
    ready();
    const forged: Record<string, string> = {};
    for (const [k, v] of Object.entries(extraHeaders(await genuineEvent()))) {
      // Keep a timestamp current, so only the signature can be what is wrong.
      if (/^\d{13}$/.test(v)) forged[k] = String(Date.now());
      else if (/^\d{10}$/.test(v)) forged[k] = String(Math.floor(Date.now() / 1000));
      else forged[k] = randomBytes(Math.ceil(v.length / 2)).toString("hex").slice(0, v.length);
    }
    const before = await state();
    expect((await post(ledger, "/rpc/__event", { event: "credit", data: { account: "a", amount: 1_000_000 } }, forged)).status).toBe(401);
    await unchanged(before);
  });

  it("a genuine signature on another body (amount changed): 401", async () => {
    ready();
    const c = await genuineEvent();
    const body = JSON.parse(c.body);
    body.data.amount = 1_000_000;
    const before = await state();
    expect((await post(ledger, "/rpc/__event", JSON.stringify(body), extraHeaders(c))).status).toBe(401);
    await unchanged(before);
  });

  it("a genuine event replayed verbatim: 401, the subscriber does not run twice", async () => {
    // security.md names only "an HMAC of its body and a timestamp"; within the
    // timestamp's window a verbatim copy would credit the account again, so a
    // replay must be refused too (one delivery per signed request).
    ready();
    const c = await genuineEvent();
    const before = await state();
    expect((await post(ledger, "/rpc/__event", c.body, extraHeaders(c))).status).toBe(401);
    await unchanged(before);
  });

  it("an old timestamp (a sender whose clock is an hour behind, as a replay would be): 401, nothing runs", async () => {
    ready();
    const before = await state();
    expect((await post(late, "/credit", { account: "a", amount: 7 })).status).toBe(200);
    expect(await eventually(async () => lateProxy.seen.some((c) => c.path === "/rpc/__event"))).toBe(true);
    await unchanged(before);
    expect(lateProxy.seen.filter((c) => c.path === "/rpc/__event").map((c) => c.status)).toEqual(expect.arrayContaining([401]));
    expect(lateProxy.seen.every((c) => c.status !== 200)).toBe(true);
  });

  it.each([
    ["a String where Int is declared", { account: "a", amount: "lots" }],
    ["an integer past 2^53", { account: "a", amount: 2 ** 53 + 2 }],
    ["a missing field", { account: "a" }],
    ["an extra field", { account: "a", amount: 1, admin: true }],
  ])("invalid data from a genuine sender (%s): 400 to the sender, logged, the subscriber does not run", async (_label, data) => {
    ready();
    const before = await state();
    const seen = proxy.seen.length;
    const logged = ledger.output().length;
    expect((await post(api, "/raw-credit", data)).status).toBe(200);
    expect(await eventually(async () => proxy.seen.length > seen)).toBe(true);
    expect(proxy.seen[seen]!.status).toBe(400);
    await unchanged(before);
    expect(ledger.output().slice(logged)).toMatch(/credit/);
  });

  it("a server started without TOVA_APP_KEY accepts neither forged events nor another process's signed ones", async () => {
    ready();
    const before = await state(keyless);
    expect((await post(keyless, "/rpc/__event", { event: "credit", data: { account: "a", amount: 1 } })).status).toBe(401);
    const c = await genuineEvent();
    expect((await post(keyless, "/rpc/__event", c.body, extraHeaders(c))).status).toBe(401);
    await unchanged(before, keyless);
  });
});
