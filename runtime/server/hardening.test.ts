// Request hardening (security.md, "Server statements" and "Requests"; issue
// 10) against real Bun servers written by hand on the runtime: the default
// response headers and HSTS, CORS, body limits counted as read (chunked too,
// answered rather than reset), JSON only for body parameters, safe integers,
// 405 with Allow, early errors, HOST, 304, and uploads. Each hostile request
// sits next to the friendly one, and checks that the handler did not run.
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { logLines, runBun, startServer, stopAll, workspace, writeProgram, type Server } from "../testing/bun-process.js";
import { rawRequest, requestHead, type RawResponse } from "../testing/raw-http.js";

const APP = `
import { createApp } from "./runtime/server.js";
import { t } from "./runtime/schema.js";
import { Err, cache_control, etag } from "./runtime/stdlib.js";

let runs = 0;
const app = createApp({ name: null, port: 3000, portEnv: "PORT" });
app.config("cors", { origins: ["https://app.example.org"], methods: ["GET", "POST"], headers: ["Content-Type"], credentials: true, max_age: 600 });
app.config("cache", { default: "public, max-age=60" });
app.config("uploads", { max_size: 2048, allowed_types: ["image/png", "text/plain"] });
app.route("POST", "/items", (name, qty) => { runs++; return { name, qty }; }, [{ name: "name", schema: t.string }, { name: "qty", schema: t.int }]);
app.route("POST", "/note", (req, res) => { runs++; return { body: req.body }; }, "req-res");
app.route("GET", "/runs", () => ({ runs }), []);
app.route("GET", "/items/:id", (id) => ({ id }), [{ name: "id", schema: t.int }]);
app.route("DELETE", "/items/:id", (id) => { runs++; return { deleted: id }; }, [{ name: "id", schema: t.int }]);
app.route("GET", "/tagged", (req, res) => { etag(res, "v1"); cache_control(res, "private, max-age=5"); return { data: "tagged" }; }, "req-res");
app.route("POST", "/avatar", (title, n, image) => { runs++; return { title, n, image }; },
  [{ name: "title", schema: t.string }, { name: "n", schema: t.option(t.int) }, { name: "image", schema: t.file }]);
app.route("POST", "/docs", (docs, reject) => { runs++; return reject ? Err("rejected by the handler") : { docs: docs.map((d) => d.name) }; },
  [{ name: "docs", schema: t.array(t.file) }, { name: "reject", schema: t.bool }]);
app.rpc("add", (a, b) => { runs++; return a + b; }, [{ name: "a", schema: t.int }, { name: "b", schema: t.int }]);
await app.listen();
`;

const SMALL = `
import { createApp } from "./runtime/server.js";
import { t } from "./runtime/schema.js";
let runs = 0;
const app = createApp({ name: "small", port: 3001, portEnv: "PORT" });
app.maxBody(1024);
app.route("POST", "/echo", (text) => { runs++; return text.length; }, [{ name: "text", schema: t.string }]);
app.route("GET", "/runs", () => ({ runs }), []);
await app.listen();
`;

const PNG = Buffer.from("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5d3a4e80000000049454e44ae426082", "hex");

let dir: string;
let data: string;
let main: Server;
let small: Server;
beforeAll(async () => {
  dir = workspace();
  data = mkdtempSync(path.join(tmpdir(), "tova-hardening-data-"));
  [main, small] = await Promise.all([
    startServer(writeProgram(dir, "main.ts", APP), { TOVA_DATA_DIR: data }),
    startServer(writeProgram(dir, "small.ts", SMALL)),
  ]);
}, 60_000);
afterAll(() => {
  stopAll();
  rmSync(data, { recursive: true, force: true });
});

const portOf = (s: Server) => Number(new URL(s.url).port);

type Raw = RawResponse;
const raw = rawRequest;

const send = (s: Server, method: string, target: string, headers: Record<string, string> = {}, body = "") =>
  raw(portOf(s), requestHead(method, target, { ...(body ? { "content-length": String(Buffer.byteLength(body)) } : {}), ...headers }), body);
const runsOf = async (s: Server) => (await send(s, "GET", "/runs")).json.runs as number;

/** Runs `attempt` and checks that no handler ran meanwhile. */
async function noRun(s: Server, attempt: () => Promise<void>): Promise<void> {
  const before = await runsOf(s);
  await attempt();
  expect(await runsOf(s)).toBe(before);
}

/** Streams a JSON body `{"text":"aaa…"}` of `total` bytes (chunked or with a Content-Length) until the server answers or the body ends. */
function stream(s: Server, target: string, total: number, chunked: boolean, extra: Record<string, string> = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(portOf(s), "127.0.0.1");
    let answer = "";
    let sent = 0;
    const piece = Buffer.alloc(64 * 1024, 0x61);
    socket.write(`POST ${target} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n${chunked ? "transfer-encoding: chunked" : `content-length: ${total}`}\r\n${Object.entries(extra).map(([k, v]) => `${k}: ${v}\r\n`).join("")}\r\n`);
    const frame = (b: Buffer) => (chunked ? Buffer.concat([Buffer.from(b.length.toString(16) + "\r\n"), b, Buffer.from("\r\n")]) : b);
    socket.write(frame(Buffer.from('{"text":"')));
    sent = 9;
    const pump = () => {
      while (sent < total - 2 && !socket.destroyed && answer === "") {
        const b = piece.subarray(0, Math.min(piece.length, total - 2 - sent));
        sent += b.length;
        if (!socket.write(frame(b))) return void socket.once("drain", pump);
      }
      if (sent === total - 2 && !socket.destroyed) {
        socket.write(frame(Buffer.from('"}')));
        if (chunked) socket.write("0\r\n\r\n");
        sent = total;
      }
    };
    pump();
    socket.on("data", (d) => {
      answer += d.toString("latin1");
      const end = answer.indexOf("\r\n\r\n");
      if (end === -1) return;
      const m = /content-length: (\d+)/i.exec(answer.slice(0, end));
      if (m && answer.length - end - 4 < Number(m[1])) return;
      socket.destroy();
      const body = answer.slice(end + 4);
      resolve({ status: Number(answer.split(" ")[1]), headers: {}, body, json: JSON.parse(body) });
    });
    socket.on("error", (e) => reject(new Error(`no answer after ${sent} bytes: ${e.message}`)));
    socket.on("end", () => reject(new Error(`the connection ended without an answer after ${sent} bytes`)));
  });
}

describe("default response headers", () => {
  it("are on every answer (200, 404, 405, 400, 415, 413), without HSTS over plain HTTP", async () => {
    const answers = await Promise.all([
      send(main, "GET", "/runs"),
      send(main, "GET", "/nothing"),
      send(main, "PUT", "/runs"),
      send(main, "POST", "/items", { "content-type": "application/json" }, "{"),
      send(main, "POST", "/items", { "content-type": "text/plain" }, "{}"),
      send(small, "POST", "/echo", { "content-type": "application/json" }, JSON.stringify({ text: "x".repeat(2000) })),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 404, 405, 400, 415, 413]);
    for (const a of answers) {
      expect(a.headers).toMatchObject({ "x-content-type-options": "nosniff", "x-frame-options": "DENY", "referrer-policy": "no-referrer" });
      expect(a.headers["strict-transport-security"]).toBeUndefined();
    }
  });

  it("add Strict-Transport-Security when a proxy says the request came over HTTPS", async () => {
    const r = await send(main, "GET", "/runs", { "x-forwarded-proto": "https" });
    expect(r.headers["strict-transport-security"]).toBe("max-age=15552000; includeSubDomains");
  });
});

describe("cors", () => {
  const ORIGIN = "https://app.example.org";
  it("a preflight from an allowed origin: 204 with methods, headers, credentials, max-age, Vary", async () => {
    await noRun(main, async () => {
      const r = await send(main, "OPTIONS", "/items", { origin: ORIGIN, "access-control-request-method": "POST", "access-control-request-headers": "content-type" });
      expect(r.status).toBe(204);
      expect(r.headers).toMatchObject({
        "access-control-allow-origin": ORIGIN,
        "access-control-allow-methods": "GET, POST",
        "access-control-allow-headers": "Content-Type",
        "access-control-allow-credentials": "true",
        "access-control-max-age": "600",
      });
      expect(r.headers["vary"]).toContain("Origin");
    });
  });

  it.each([
    ["another origin", "https://evil.example", "POST"],
    ["a look-alike origin", "https://app.example.org.evil.example", "POST"],
    ["a method outside methods", ORIGIN, "DELETE"],
  ])("a refused preflight (%s): 403, no CORS header", async (_label, origin, method) => {
    const r = await send(main, "OPTIONS", "/items", { origin, "access-control-request-method": method });
    expect(r.status).toBe(403);
    expect(Object.keys(r.headers).filter((k) => k.startsWith("access-control-"))).toEqual([]);
  });

  it("an allowed origin is echoed with credentials and Vary: Origin; another gets no CORS header but the Vary", async () => {
    const ok = await send(main, "GET", "/runs", { origin: ORIGIN });
    expect(ok.headers).toMatchObject({ "access-control-allow-origin": ORIGIN, "access-control-allow-credentials": "true", vary: "Origin" });
    const evil = await send(main, "GET", "/runs", { origin: "https://evil.example" });
    expect(Object.keys(evil.headers).filter((k) => k.startsWith("access-control-"))).toEqual([]);
    expect(evil.headers["vary"]).toBe("Origin");
  });
});

describe("body limits count the bytes read", () => {
  it("max_body: a body within the limit runs, one over it (Content-Length or chunked) is 413 and runs nothing", async () => {
    expect((await send(small, "POST", "/echo", { "content-type": "application/json" }, JSON.stringify({ text: "x".repeat(900) }))).json).toBe(900);
    await noRun(small, async () => {
      expect((await send(small, "POST", "/echo", { "content-type": "application/json" }, JSON.stringify({ text: "x".repeat(1100) }))).status).toBe(413);
      const chunked = await stream(small, "/echo", 1024 * 1024, true);
      expect(chunked.status).toBe(413);
      expect(chunked.json.error).toMatch(/larger than 1024 bytes/);
    });
  });

  it("without max_body, JSON stops at 1 MB: 900 KB runs, 2 MB chunked is 413", async () => {
    const ok = await stream(main, "/note", 900 * 1024, true);
    expect(ok.status).toBe(200);
    expect(ok.json.body.text.length).toBe(900 * 1024 - 11);
    await noRun(main, async () => {
      expect((await stream(main, "/items", 2 * 1024 * 1024, true)).status).toBe(413);
    });
  });

  it("a 200 MB body with Content-Length is answered 413, not reset", async () => {
    await noRun(main, async () => {
      expect((await stream(main, "/items", 200 * 1024 * 1024, false)).status).toBe(413);
    });
  });
});

describe("body parameters take application/json only", () => {
  it.each([
    ["text/plain", "text/plain;charset=UTF-8"],
    ["a form", "application/x-www-form-urlencoded"],
    ["no content type", null],
  ])("%s to a route or an RPC: 415, nothing runs", async (_label, type) => {
    await noRun(main, async () => {
      const headers: Record<string, string> = type ? { "content-type": type } : {};
      expect((await send(main, "POST", "/items", headers, JSON.stringify({ name: "a", qty: 1 }))).status).toBe(415);
      expect((await send(main, "POST", "/rpc/add", headers, JSON.stringify({ __args: [1, 2] }))).status).toBe(415);
    });
  });

  it("application/json (with a charset) runs; a (req, res) handler still takes text", async () => {
    expect((await send(main, "POST", "/items", { "content-type": "application/json; charset=utf-8" }, JSON.stringify({ name: "a", qty: 1 }))).json).toEqual({ name: "a", qty: 1 });
    expect((await send(main, "POST", "/note", { "content-type": "text/plain" }, "just text")).json).toEqual({ body: "just text" });
    // An RPC without a body (no arguments to send) needs no content type.
    expect((await send(main, "POST", "/rpc/add", {})).status).toBe(400);
  });
});

describe("integers from JSON are safe integers", () => {
  it.each(["9223372036854775808", "1e300", "9007199254740992", "-9007199254740992"])("qty = %s: 400 naming qty, nothing runs", async (text) => {
    await noRun(main, async () => {
      const r = await send(main, "POST", "/items", { "content-type": "application/json" }, `{"name":"a","qty":${text}}`);
      expect(r.status).toBe(400);
      expect(r.json).toMatchObject({ param: "qty", error: expect.stringMatching(/safe integers/) });
      expect((await send(main, "POST", "/rpc/add", { "content-type": "application/json" }, `{"__args":[1,${text}]}`)).json.param).toBe("b");
    });
  });

  it("2^53 - 1 passes exactly", async () => {
    expect((await send(main, "POST", "/items", { "content-type": "application/json" }, `{"name":"a","qty":9007199254740991}`)).body).toContain("9007199254740991");
  });
});

describe("405, early errors", () => {
  it.each([
    ["PUT", "/runs", "GET, HEAD"],
    ["POST", "/items/7", "GET, HEAD, DELETE"],
    ["PROPFIND", "/runs", "GET, HEAD"],
  ])("%s %s: 405 with Allow, nothing runs", async (method, target, allow) => {
    await noRun(main, async () => {
      const r = await send(main, method, target);
      expect(r.status).toBe(405);
      expect(r.headers["allow"]).toBe(allow);
      expect(r.json).toEqual({ error: "Method Not Allowed" });
    });
  });

  it("an unknown path is still 404; HEAD of a GET route is 200", async () => {
    expect((await send(main, "POST", "/nowhere")).status).toBe(404);
    expect((await send(main, "HEAD", "/runs")).status).toBe(200);
  });

  it("a URL over 8 KB (that Bun lets through) is 414 with a JSON body", async () => {
    const r = await send(main, "GET", `/runs?pad=${"a".repeat(9000)}`);
    expect(r.status).toBe(414);
    expect(r.json.error).toMatch(/longer than 8192/);
  });

  // Known limits of Bun 1.4.5, where the app's code never runs (no request log line is written):
  // a request head over 16 KB is answered by Bun's parser itself, 431 with an empty body and
  // `Connection: close`; a method its parser does not know (`BREW`, `FOO`, lower-case `get`) closes
  // the connection without an answer. `bun --max-http-header-size` moves the first limit; nothing
  // in Bun.serve's options changes either.
  it("Bun's own answers before the app: 431 for a 64 KB header, a dropped connection for BREW", async () => {
    const lines = () => logLines(main.output().stdout).filter((l) => l["msg"] === "request").length;
    await new Promise((resolve) => setTimeout(resolve, 250)); // the request log is flushed every 100 ms
    const before = lines();
    const r = await send(main, "GET", "/runs", { "x-pad": "a".repeat(64 * 1024) });
    expect(r.status).toBe(431);
    expect(r.body).toBe("");
    await expect(send(main, "BREW", "/runs")).rejects.toThrow(/answer/);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(lines()).toBe(before);
  });
});

describe("If-None-Match and cache", () => {
  it("a matching tag answers 304 without a body, keeping ETag and Cache-Control", async () => {
    const first = await send(main, "GET", "/tagged");
    expect(first.status).toBe(200);
    expect(first.headers).toMatchObject({ etag: '"v1"', "cache-control": "private, max-age=5" });
    const again = await send(main, "GET", "/tagged", { "if-none-match": 'W/"v1"' });
    expect(again.status).toBe(304);
    expect(again.body).toBe("");
    expect(again.headers).toMatchObject({ etag: '"v1"', "cache-control": "private, max-age=5" });
    expect((await send(main, "GET", "/tagged", { "if-none-match": '"v2"' })).status).toBe(200);
  });

  it("cache { default } is the Cache-Control of successful GETs that set none, not of errors", async () => {
    expect((await send(main, "GET", "/runs")).headers["cache-control"]).toBe("public, max-age=60");
    expect((await send(main, "GET", "/nothing")).headers["cache-control"]).toBeUndefined();
  });
});

// ------------------------------------------------------------------ uploads

interface Part {
  name: string;
  filename?: string;
  type?: string;
  data: string | Buffer;
}
function multipart(parts: Part[]): { body: Buffer; type: string } {
  const b = "----tova" + Math.random().toString(16).slice(2);
  const pieces = parts.flatMap((p) => [
    Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ""}\r\n${p.type ? `Content-Type: ${p.type}\r\n` : ""}\r\n`),
    Buffer.from(p.data),
    Buffer.from("\r\n"),
  ]);
  return { body: Buffer.concat([...pieces, Buffer.from(`--${b}--\r\n`)]), type: `multipart/form-data; boundary=${b}` };
}
const upload = (target: string, parts: Part[]) => {
  const { body, type } = multipart(parts);
  return raw(main ? portOf(main) : 0, `POST ${target} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: ${type}\r\ncontent-length: ${body.length}\r\n\r\n`, body);
};
const stored = () => {
  try {
    return readdirSync(path.join(data, "uploads"));
  } catch {
    return [];
  }
};

describe("uploads", () => {
  it("a File parameter gets { name, type, size, path }, saved under the data directory's uploads/; fields convert", async () => {
    const r = await upload("/avatar", [{ name: "title", data: "me" }, { name: "n", data: "42" }, { name: "image", filename: "../me.png", type: "image/png", data: PNG }]);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ title: "me", n: 42, image: { name: "me.png", type: "image/png", size: PNG.length } });
    expect(path.dirname(r.json.image.path)).toBe(path.join(data, "uploads"));
    expect(stored()).toContain(path.basename(r.json.image.path));
  });

  it.each([
    ["a part over max_size", [{ name: "title", data: "me" }, { name: "image", filename: "a.png", type: "image/png", data: Buffer.concat([PNG, Buffer.alloc(4096)]) }], 413],
    ["HTML declared as a PNG", [{ name: "title", data: "me" }, { name: "image", filename: "a.png", type: "image/png", data: "<script>alert(1)</script>" }], 415],
    ["a field that does not convert", [{ name: "title", data: "me" }, { name: "n", data: "many" }, { name: "image", filename: "a.png", type: "image/png", data: PNG }], 400],
    ["a missing field", [{ name: "image", filename: "a.png", type: "image/png", data: PNG }], 400],
    ["an unknown part", [{ name: "title", data: "me" }, { name: "image", filename: "a.png", type: "image/png", data: PNG }, { name: "x", filename: "x.png", type: "image/png", data: PNG }], 400],
  ] as [string, Part[], number][])("%s: %i, nothing runs, nothing stays on disk", async (_label, parts, status) => {
    const before = stored();
    await noRun(main, async () => {
      const r = await upload("/avatar", parts);
      expect(r.status).toBe(status);
      expect(r.json).toHaveProperty("error");
    });
    expect(stored()).toEqual(before);
  });

  it("[File] takes several parts; a handler's error answer deletes what was saved", async () => {
    const docs: Part[] = [
      { name: "docs", filename: "a.txt", type: "text/plain", data: "one" },
      { name: "docs", filename: "b.png", type: "image/png", data: PNG },
    ];
    const before = stored();
    const ok = await upload("/docs", [...docs, { name: "reject", data: "false" }]);
    expect(ok.json).toEqual({ docs: ["a.txt", "b.png"] });
    expect(stored().length).toBe(before.length + 2);
    const refused = await upload("/docs", [...docs, { name: "reject", data: "true" }]);
    expect(refused.status).toBe(400);
    expect(stored().length).toBe(before.length + 2);
  });

  it("a JSON body on an upload route is 415: no JSON value is a File", async () => {
    await noRun(main, async () => {
      const r = await send(main, "POST", "/avatar", { "content-type": "application/json" }, JSON.stringify({ title: "x", image: { name: "a", type: "image/png", size: 1, path: "/etc/passwd" } }));
      expect(r.status).toBe(415);
    });
  });

  it("an allowed_types entry the runtime cannot check by content stops the start", async () => {
    const file = writeProgram(dir, "badtypes.ts", `
import { createApp } from "./runtime/server.js";
const app = createApp({ name: null, port: 0, portEnv: "PORT" });
app.config("uploads", { allowed_types: ["audio/mpeg"] });
await app.listen();
`);
    const r = await runBun(file, { PORT: "0" });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/allowed_types "audio\/mpeg" cannot be checked/);
  });
});

describe("HOST", () => {
  it("HOST=127.0.0.1 listens on loopback only; without it, every interface", async () => {
    const only = await startServer(writeProgram(dir, "host.ts", SMALL), { HOST: "127.0.0.1" });
    const connects = (port: number, host: string) =>
      new Promise<boolean>((resolve) => {
        const s = net.connect(port, host);
        s.on("connect", () => (s.destroy(), resolve(true)));
        s.on("error", () => resolve(false));
      });
    expect(await connects(portOf(only), "127.0.0.1")).toBe(true);
    expect(await connects(portOf(only), "127.0.0.2")).toBe(false);
    expect(await connects(portOf(small), "127.0.0.2")).toBe(true);
  });
});
