import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanDirs, stopAll, type Running } from "../server/harness.js";
import { bigJsonBody, canConnect, DEFAULT_HEADERS, launch, removeTempDirs, send, serve, streamBody, tempDir, type RawResponse } from "./attack.js";

/**
 * security.md, "Server statements" (max_body, cache/etag) and "Requests", and
 * the holes of issue 10 in request handling: body limits that count the bytes
 * read (chunked too) and are answered (413), never a reset; JSON only for
 * body parameters (415); safe integers (400); model writes checked (400
 * naming the field, nothing stored); 304; 405 with Allow; oversized requests
 * answered; the default response headers; HOST. Every refused request is
 * checked to have stored and run nothing through /stats.
 */
const PROGRAM = `
server {
  db { path: "app.db" }

  model Item {
    name: String
    qty: Int
  }

  var runs = 0

  fn create_item(name: String, qty: Int) {
    runs += 1
    Item.create({ name: name, qty: qty })
  }

  fn update_item(id: Int, changes: {String: Any}) {
    runs += 1
    Item.update(id, changes)
    Item.find(id)
  }

  fn create_raw(data: {String: Any}) {
    runs += 1
    Item.create(data)
  }

  fn get_item(id: Int) -> Option<Item> { Item.find(id) }

  fn stats() { { runs: runs, items: Item.count() } }

  fn tagged(req, res) {
    etag(res, "v1")
    { data: "tagged" }
  }

  route POST "/items" => create_item
  route GET "/items/:id" => get_item
  route GET "/stats" => stats
  route GET "/tagged" => tagged
}

server "small" {
  max_body 1.kilobytes

  var runs = 0

  fn echo(text: String) {
    runs += 1
    len(text)
  }

  fn stats() { { runs: runs } }

  route POST "/echo" => echo
  route GET "/stats" => stats
}
`;

const program = serve(PROGRAM, { launch: false });
let main: Running;
let small: Running;
let failure: unknown = null;

beforeAll(async () => {
  await program.ready;
  try {
    const built = program.built();
    [main, small] = await Promise.all([
      launch(built.file("server"), { env: { TOVA_DATA_DIR: tempDir("requests-data") } }),
      launch(built.file("server", "small"), { portEnv: "PORT_SMALL" }),
    ]);
  } catch (err) {
    failure = err;
  }
}, 60_000);

afterAll(async () => {
  await stopAll();
  cleanDirs();
  removeTempDirs();
});

function ready(): void {
  program.built();
  if (failure) throw failure;
}

const stats = async (s: Running) => {
  const r = await send(s.port, "GET", "/stats");
  expect(r.status).toBe(200);
  return r.json as { runs: number; items?: number };
};

/** Runs `attempt` and checks that the server ran no handler and stored nothing meanwhile. */
async function nothingStored(s: Running, attempt: () => Promise<void>): Promise<void> {
  ready();
  const before = await stats(s);
  await attempt();
  expect(await stats(s)).toEqual(before);
}

const json = (s: Running, target: string, body: unknown, headers: Record<string, string> = {}) =>
  send(s.port, "POST", target, { "content-type": "application/json", ...headers }, typeof body === "string" ? body : JSON.stringify(body));

/** A 400 answer names `field` (as `param`, `field`, or in the message). */
function expectNames(r: RawResponse, field: string): void {
  expect(r.status).toBe(400);
  expect(typeof r.json?.error).toBe("string");
  expect([r.json.param, r.json.field].includes(field) || r.json.error.includes(field)).toBe(true);
}

const head = (target: string, headers: Record<string, string>) =>
  `POST ${target} HTTP/1.1\r\nhost: 127.0.0.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("")}\r\n`;

describe("max_body counts the bytes actually read", () => {
  it("max_body 1.kilobytes: a 2 KB body with Content-Length is 413", async () => {
    await nothingStored(small, async () => {
      const r = await json(small, "/echo", { text: "x".repeat(2048) });
      expect(r.status).toBe(413);
      expect(r.json).toHaveProperty("error");
    });
  });

  it("max_body 1.kilobytes: a 1 MB chunked body (no Content-Length) is cut off with 413", async () => {
    await nothingStored(small, async () => {
      const total = 1024 * 1024;
      const r = await streamBody(small.port, head("/echo", { "content-type": "application/json", "transfer-encoding": "chunked" }), total, bigJsonBody(total, "text", ""), true);
      expect(r.response, `answered (${r.error})`).not.toBeNull();
      expect(r.response!.status).toBe(413);
    });
  });

  it("max_body 1.kilobytes: a small chunked body still works", async () => {
    ready();
    const before = await stats(small);
    const r = await streamBody(small.port, head("/echo", { "content-type": "application/json", "transfer-encoding": "chunked", connection: "close" }), 500, bigJsonBody(500, "text", ""), true);
    expect(r.response?.status).toBe(200);
    expect((await stats(small)).runs).toBe(before.runs + 1);
  });

  it("without max_body: a 2 MB JSON body is over the 1 MB default (413), nothing stored", async () => {
    await nothingStored(main, async () => {
      const total = 2 * 1024 * 1024;
      const r = await streamBody(main.port, head("/items", { "content-type": "application/json", "content-length": String(total) }), total, bigJsonBody(total, "name", '"qty":1'), false);
      expect(r.response, `answered (${r.error})`).not.toBeNull();
      expect(r.response!.status).toBe(413);
    });
  });

  it("without max_body: a 900 KB JSON body is stored", async () => {
    ready();
    const before = await stats(main);
    const total = 900 * 1024;
    const r = await streamBody(main.port, head("/items", { "content-type": "application/json", "content-length": String(total), connection: "close" }), total, bigJsonBody(total, "name", '"qty":1'), false);
    expect(r.response?.status).toBe(200);
    expect((await stats(main)).items).toBe(before.items! + 1);
  });

  it.each([
    ["50 MB with Content-Length", 50, false],
    ["50 MB chunked", 50, true],
    ["200 MB with Content-Length", 200, false],
  ] as const)("without max_body: %s is answered 413 (not a reset), nothing stored", async (_label, mb, chunked) => {
    await nothingStored(main, async () => {
      const total = mb * 1024 * 1024;
      const framing: Record<string, string> = chunked ? { "transfer-encoding": "chunked" } : { "content-length": String(total) };
      const r = await streamBody(main.port, head("/items", { "content-type": "application/json", ...framing }), total, bigJsonBody(total, "name", '"qty":1'), chunked, 10_000);
      expect(r.response, `answered (${r.error}, ${r.sent} bytes sent)`).not.toBeNull();
      expect(r.response!.status).toBe(413);
      expect(r.response!.json).toHaveProperty("error");
    });
  });
});

describe("body parameters take application/json only (415)", () => {
  const body = JSON.stringify({ name: "form", qty: 1 });
  it.each([
    ["text/plain", "text/plain", body],
    ["text/plain;charset=UTF-8 (what a cross-site form sends)", "text/plain;charset=UTF-8", body],
    ["application/x-www-form-urlencoded", "application/x-www-form-urlencoded", "name=form&qty=1"],
    ["multipart/form-data", "multipart/form-data; boundary=xyz", `--xyz\r\nContent-Disposition: form-data; name="name"\r\n\r\nform\r\n--xyz--\r\n`],
    ["no content type", null, body],
    ["application/jsonx", "application/jsonx", body],
  ] as const)("%s to a route: 415, nothing stored", async (_label, type, data) => {
    await nothingStored(main, async () => {
      const r = await send(main.port, "POST", "/items", type ? { "content-type": type, origin: "https://evil.example" } : {}, data);
      expect(r.status).toBe(415);
      expect(r.json).toHaveProperty("error");
      expect(r.headers["access-control-allow-origin"]).toBeUndefined();
    });
  });

  it("text/plain to an RPC endpoint: 415, nothing stored", async () => {
    await nothingStored(main, async () => {
      const r = await send(main.port, "POST", "/rpc/create_item", { "content-type": "text/plain" }, JSON.stringify({ __args: ["form", 1] }));
      expect(r.status).toBe(415);
    });
  });

  it("application/json with a charset is JSON", async () => {
    ready();
    const r = await send(main.port, "POST", "/items", { "content-type": "application/json; charset=utf-8" }, body);
    expect(r.status).toBe(200);
  });
});

describe("integers from JSON must be safe (400), nothing stored", () => {
  it.each([
    ["2^63", "9223372036854775808"],
    ["1e300", "1e300"],
    ["2^53", "9007199254740992"],
    ["-2^53", "-9007199254740992"],
    ["2^53 written as a float", "9007199254740992.0"],
  ])("qty = %s", async (_label, text) => {
    await nothingStored(main, async () => {
      const r = await send(main.port, "POST", "/items", { "content-type": "application/json" }, `{"name":"big","qty":${text}}`);
      expectNames(r, "qty");
      const rpc = await send(main.port, "POST", "/rpc/create_item", { "content-type": "application/json" }, `{"__args":["big",${text}]}`);
      expect(rpc.status).toBe(400);
    });
  });

  it("2^53 - 1 is accepted and kept exactly", async () => {
    ready();
    const r = await json(main, "/items", { name: "max", qty: Number.MAX_SAFE_INTEGER });
    expect(r.status).toBe(200);
    const back = await send(main.port, "GET", `/items/${r.json.id}`);
    expect(back.body).toContain(`"qty":${Number.MAX_SAFE_INTEGER}`);
  });
});

describe("model writes are checked against the model's fields (400 naming the field, nothing stored)", () => {
  // The handler runs (it is the model write that refuses), so these compare the stored rows, not the run count.
  let id = 0;
  const item = async () => {
    ready();
    if (!id) id = (await json(main, "/items", { name: "lamp", qty: 3 })).json.id;
    return id;
  };
  const update = (changes: unknown) => json(main, "/rpc/update_item", { __args: [id, changes] });
  const rows = async () => ({ count: (await stats(main)).items, item: (await send(main.port, "GET", `/items/${id}`)).json });

  it.each([
    ["a String in an Int column", { qty: "lots" }, "qty"],
    ["a Float in an Int column", { qty: 1.5 }, "qty"],
    ["an unsafe integer", { qty: 2 ** 60 }, "qty"],
    ["an unknown column", { colour: "red" }, "colour"],
    ["the id", { id: 99 }, "id"],
    ["a SQL-looking column name", { "qty = 0; --": 1 }, "qty = 0; --"],
  ])("Item.update with %s", async (_label, changes, field) => {
    await item();
    const before = await rows();
    expectNames(await update(changes), field);
    expect(await rows()).toEqual(before);
  });

  it("Item.update with good changes stores them", async () => {
    await item();
    const r = await update({ qty: 7 });
    expect(r.status).toBe(200);
    expect((await send(main.port, "GET", `/items/${id}`)).json).toMatchObject({ id, name: "lamp", qty: 7 });
  });

  it.each([
    ["a String in an Int column", { name: "x", qty: "lots" }, "qty"],
    ["an unknown column", { name: "x", qty: 1, colour: "red" }, "colour"],
    ["a missing column", { name: "x" }, "qty"],
  ])("Item.create from request data with %s", async (_label, data, field) => {
    ready();
    const before = (await stats(main)).items;
    expectNames(await json(main, "/rpc/create_raw", { __args: [data] }), field);
    expect((await stats(main)).items).toBe(before);
  });
});

describe("If-None-Match (etag)", () => {
  it("a matching If-None-Match answers 304 with no body", async () => {
    ready();
    const first = await send(main.port, "GET", "/tagged");
    expect(first.status).toBe(200);
    expect(first.headers["etag"]).toBe('"v1"');
    for (const tag of ['"v1"', 'W/"v1"', '"v0", "v1"', "*"]) {
      const r = await send(main.port, "GET", "/tagged", { "if-none-match": tag });
      expect(r.status, tag).toBe(304);
      expect(r.body).toBe("");
      expect(r.headers["etag"]).toBe('"v1"');
    }
  });

  it("a different tag answers 200 with the body", async () => {
    ready();
    const r = await send(main.port, "GET", "/tagged", { "if-none-match": '"v2"' });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ data: "tagged" });
  });
});

describe("405 with Allow", () => {
  it.each([
    ["POST", "/stats"],
    ["DELETE", "/items/1"],
    ["PUT", "/tagged"],
    ["GET", "/items"],
  ])("%s %s", async (method, target) => {
    await nothingStored(main, async () => {
      const r = await send(main.port, method, target, method === "GET" ? {} : { "content-type": "application/json" }, method === "GET" ? undefined : "{}");
      expect(r.status).toBe(405);
      const allow = (r.headers["allow"] ?? "").split(",").map((m) => m.trim());
      expect(allow).toContain(target === "/items" ? "POST" : "GET");
      expect(allow).not.toContain(method);
      expect(r.json).toHaveProperty("error");
    });
  });

  it("a path with no route at all is still 404", async () => {
    ready();
    expect((await send(main.port, "POST", "/nothing-here", { "content-type": "application/json" }, "{}")).status).toBe(404);
  });

  // A known limit of Bun 1.4.5: its HTTP parser closes the connection on a method it does not know, before any of
  // the runtime's code runs (runtime/server/hardening.test.ts shows it). What the program can rely on is checked:
  // nothing runs, nothing is stored, and the server keeps serving. Behind the deploy's Caddy, Caddy answers it.
  it("an unknown method reaches no handler, stores nothing, and the server keeps serving (Bun closes the connection)", async () => {
    await nothingStored(main, async () => {
      const r = await send(main.port, "BREW", "/stats").catch((e: Error) => e);
      if (!(r instanceof Error)) expect(r.status).toBeGreaterThanOrEqual(400);
    });
    expect((await send(main.port, "GET", "/stats")).status).toBe(200);
  });
});

// Bun 1.4.5 answers a request head over 16 KB, or with 200 headers or more, with its own 431 and an empty body,
// before the runtime sees it (runtime/server/hardening.test.ts). The answer is 431 (or 414) and nothing runs;
// the JSON body the runtime gives to every other refusal cannot be added here.
describe("oversized requests are refused before any handler", () => {
  const refused = async (method: string, target: string, headers: Record<string, string> = {}) => {
    await nothingStored(main, async () => {
      const r = await send(main.port, method, target, headers);
      expect([414, 431]).toContain(r.status);
    });
    expect((await send(main.port, "GET", "/stats")).status).toBe(200);
  };
  it("a 64 KB URL", () => refused("GET", `/stats?pad=${"a".repeat(64 * 1024)}`));
  it("a 64 KB header", () => refused("GET", "/stats", { "x-pad": "a".repeat(64 * 1024) }));
  it("2000 headers", () => refused("GET", "/stats", Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`x-h${i}`, "v"]))));
});

describe("default response headers", () => {
  it.each([
    ["200", "GET", "/stats", undefined],
    ["404", "GET", "/nothing-here", undefined],
    ["405", "DELETE", "/stats", undefined],
    ["415", "POST", "/items", "text/plain"],
    ["400", "POST", "/items", "application/json"],
  ])("on a %s answer", async (status, method, target, type) => {
    ready();
    const r = await send(main.port, method, target, type ? { "content-type": type } : {}, type ? "{}" : undefined);
    expect(String(r.status)).toBe(status);
    expect(r.headers).toMatchObject(DEFAULT_HEADERS);
    expect(r.headers["strict-transport-security"]).toBeUndefined(); // plain HTTP
  });

  it("on a 413 answer", async () => {
    ready();
    const r = await json(small, "/echo", { text: "x".repeat(4096) });
    expect(r.status).toBe(413);
    expect(r.headers).toMatchObject(DEFAULT_HEADERS);
  });
});

describe("HOST", () => {
  // 127.0.0.2 is on the loopback interface: a server bound to 127.0.0.1 does
  // not accept it, one bound to 0.0.0.0 does.
  it("HOST=127.0.0.1 listens on that address only", async () => {
    ready();
    const s = await launch(program.built().file("server"), { env: { HOST: "127.0.0.1", TOVA_DATA_DIR: tempDir("host-data") } });
    expect(await canConnect(s.port, "127.0.0.1")).toBe(true);
    expect(await canConnect(s.port, "127.0.0.2")).toBe(false);
    await s.stop();
  });

  it("without HOST a built server listens on every interface (0.0.0.0)", async () => {
    ready();
    expect(await canConnect(main.port, "127.0.0.2")).toBe(true);
  });
});
