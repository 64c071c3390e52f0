// `static { dir, cache }` against real Bun servers (security.md, "Server
// statements"): files served with GET/HEAD, ETag/304, Last-Modified, Range,
// Cache-Control; every way out of the directory (encoded, backslashed,
// absolute, through symlinks), dotfiles and directories answer 404; routes win.
// Requests that must reach the server unnormalised are written on a raw socket.
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBun, startServer, stopAll, workspace, writeProgram, type Server } from "../testing/bun-process.js";

const SECRET = "TOP-SECRET-outside-the-static-dir";
const HELLO = "hello, static world\n";

const program = (config: string) => `
import { createApp } from "./runtime/server.js";
import { t } from "./runtime/schema.js";
const app = createApp({ name: null, port: 3000, portEnv: "PORT" });
app.baseDir(import.meta.dir);
app.route("GET", "/shadowed.txt", () => ({ route: true }), []);
app.route("GET", "/items/:id", (id) => ({ item: id }), [{ name: "id", schema: t.int }]);
app.config("static", ${config});
await app.listen();
`;

let dir: string;
let server: Server;
let linked: Server;

beforeAll(async () => {
  dir = workspace();
  const pub = path.join(dir, "public");
  mkdirSync(path.join(pub, "sub"), { recursive: true });
  mkdirSync(path.join(pub, ".git"));
  mkdirSync(path.join(pub, "items"));
  mkdirSync(path.join(dir, "private"));
  writeFileSync(path.join(pub, "hello.txt"), HELLO);
  writeFileSync(path.join(pub, "sub", "page.html"), "<p>page</p>");
  writeFileSync(path.join(pub, "sub", ".hidden"), SECRET);
  writeFileSync(path.join(pub, ".env"), SECRET);
  writeFileSync(path.join(pub, ".git", "config"), SECRET);
  writeFileSync(path.join(pub, "shadowed.txt"), "the file, not the route");
  writeFileSync(path.join(pub, "items", "7"), "the file, not the route");
  writeFileSync(path.join(pub, "data.bin"), "0123456789");
  writeFileSync(path.join(dir, "secret.txt"), SECRET);
  writeFileSync(path.join(dir, "private", "key.txt"), SECRET);
  symlinkSync(path.join(dir, "secret.txt"), path.join(pub, "out.txt"));
  symlinkSync(path.join(dir, "private"), path.join(pub, "outdir"));
  symlinkSync(path.join(pub, "hello.txt"), path.join(pub, "in.txt"));
  symlinkSync(path.join(pub, ".env"), path.join(pub, "env-link.txt"));
  // `tova dev` may link the program's directory into the build folder: the root itself may be a symlink.
  symlinkSync(pub, path.join(dir, "linked"));
  server = await startServer(writeProgram(dir, "static-server.js", program(`{ dir: "public", cache: "public, max-age=60" }`)));
  linked = await startServer(writeProgram(dir, "static-linked.js", program(`{ dir: "linked", cache: 3600000 }`)));
}, 120_000);
afterAll(stopAll);

interface Raw {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One request written as is: no client-side normalisation of the path. */
function raw(url: string, target: string, method = "GET", headers: Record<string, string> = {}): Promise<Raw> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), "127.0.0.1", () => {
      const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("");
      socket.write(`${method} ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${extra}\r\n`);
    });
    let data = "";
    socket.on("data", (d) => (data += d.toString("latin1")));
    socket.on("error", reject);
    socket.on("end", () => {
      const [head, ...rest] = data.split("\r\n\r\n");
      const [status, ...lines] = head!.split("\r\n");
      const h: Record<string, string> = {};
      for (const l of lines) h[l.slice(0, l.indexOf(":")).toLowerCase()] = l.slice(l.indexOf(":") + 1).trim();
      resolve({ status: Number(status!.split(" ")[1]), headers: h, body: rest.join("\r\n\r\n") });
    });
  });
}

describe("static: serving", () => {
  it("serves a file at its path with its type, length, ETag, Last-Modified and the cache value", async () => {
    const res = await fetch(`${server.url}/hello.txt`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(HELLO);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(res.headers.get("content-length")).toBe(String(HELLO.length));
    expect(res.headers.get("etag")).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);
    expect(Date.parse(res.headers.get("last-modified")!)).not.toBeNaN();
    expect(res.headers.get("cache-control")).toBe("public, max-age=60");
    expect(res.headers.get("accept-ranges")).toBe("bytes");
    const page = await fetch(`${server.url}/sub/page.html`);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await page.text()).toBe("<p>page</p>");
  });

  it("HEAD answers the headers of GET without a body", async () => {
    const res = await raw(server.url, "/hello.txt", "HEAD");
    expect(res.status).toBe(200);
    expect(res.headers["content-length"]).toBe(String(HELLO.length));
    expect(res.headers["etag"]).toMatch(/^"/);
    expect(res.body).toBe("");
  });

  it("answers 304 for a matching If-None-Match (strong, weak, in a list) or If-Modified-Since, 200 otherwise", async () => {
    const first = await fetch(`${server.url}/hello.txt`);
    const etag = first.headers.get("etag")!;
    for (const match of [etag, `W/${etag}`, `"nope", ${etag}`, "*"]) {
      const res = await fetch(`${server.url}/hello.txt`, { headers: { "if-none-match": match } });
      expect(res.status, match).toBe(304);
      expect(await res.text()).toBe("");
      expect(res.headers.get("etag")).toBe(etag);
    }
    const other = await fetch(`${server.url}/hello.txt`, { headers: { "if-none-match": '"other"' } });
    expect(other.status).toBe(200);
    expect(await other.text()).toBe(HELLO);
    const since = await fetch(`${server.url}/hello.txt`, { headers: { "if-modified-since": first.headers.get("last-modified")! } });
    expect(since.status).toBe(304);
    const before = await fetch(`${server.url}/hello.txt`, { headers: { "if-modified-since": "Thu, 01 Jan 1970 00:00:00 GMT" } });
    expect(before.status).toBe(200);
  });

  it("answers byte ranges with 206 and Content-Range, unsatisfiable ones with 416", async () => {
    const range = (r: string, extra: Record<string, string> = {}) => fetch(`${server.url}/data.bin`, { headers: { range: r, ...extra } });
    const a = await range("bytes=2-5");
    expect(a.status).toBe(206);
    expect(a.headers.get("content-range")).toBe("bytes 2-5/10");
    expect(a.headers.get("content-length")).toBe("4");
    expect(await a.text()).toBe("2345");
    const tail = await range("bytes=7-");
    expect([tail.status, await tail.text()]).toEqual([206, "789"]);
    const suffix = await range("bytes=-3");
    expect([suffix.status, await suffix.text(), suffix.headers.get("content-range")]).toEqual([206, "789", "bytes 7-9/10"]);
    const clamped = await range("bytes=8-100");
    expect([clamped.status, await clamped.text()]).toEqual([206, "89"]);
    const beyond = await range("bytes=10-");
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get("content-range")).toBe("bytes */10");
    expect(await beyond.text()).toBe("");
    // Several ranges, nonsense, or an If-Range that no longer matches: the whole file.
    for (const [r, extra] of [["bytes=0-1,4-5", {}], ["lines=1-2", {}], ["bytes=5-2", {}], ["bytes=0-1", { "if-range": '"stale"' }]] as const) {
      const res = await range(r, extra);
      expect([res.status, await res.text()], r).toEqual([200, "0123456789"]);
    }
    const etag = (await fetch(`${server.url}/data.bin`)).headers.get("etag")!;
    const current = await range("bytes=0-1", { "if-range": etag });
    expect([current.status, await current.text()]).toEqual([206, "01"]);
    const head = await raw(server.url, "/data.bin", "HEAD", { range: "bytes=2-5" });
    expect([head.status, head.headers["content-length"], head.body]).toEqual([206, "4", ""]);
  });

  it("follows symlinks that stay inside the directory, and a root that is itself a symlink", async () => {
    expect(await (await fetch(`${server.url}/in.txt`)).text()).toBe(HELLO);
    const res = await fetch(`${linked.url}/hello.txt`);
    expect(await res.text()).toBe(HELLO);
    expect(res.headers.get("cache-control")).toBe("public, max-age=3600");
  });

  it("lets routes and the runtime's own paths win over files", async () => {
    expect(await (await fetch(`${server.url}/shadowed.txt`)).json()).toEqual({ route: true });
    expect(await (await fetch(`${server.url}/items/7`)).json()).toEqual({ item: 7 });
    expect(await (await raw(server.url, "/%73hadowed.txt")).body).toContain('"route":true');
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it("serves GET and HEAD only", async () => {
    const res = await fetch(`${server.url}/hello.txt`, { method: "POST" });
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain("hello");
  });
});

describe("static: what is never served", () => {
  const forbidden = [
    // leaving the directory
    "/../secret.txt",
    "/%2e%2e/secret.txt",
    "/%2E%2E/secret.txt",
    "/.%2e/secret.txt",
    "/..%2fsecret.txt",
    "/%2e%2e%2fsecret.txt",
    "/sub/..%2f..%2fsecret.txt",
    "/sub/%2e%2e/%2e%2e/secret.txt",
    "/..\\secret.txt",
    "/..%5csecret.txt",
    "/sub%5c..%5c..%5csecret.txt",
    "/%252e%252e/secret.txt",
    "/hello.txt%00.png",
    // absolute paths
    "//etc/passwd",
    "/%2fetc%2fpasswd",
    "/%2F" + encodeURIComponent("etc/passwd"),
    "/etc/passwd",
    // symlinks out of the directory, or onto a dotfile
    "/out.txt",
    "/outdir/key.txt",
    "/env-link.txt",
    // dotfiles and dot-directories, however spelt
    "/.env",
    "/%2eenv",
    "/.git/config",
    "/%2Egit/config",
    "/sub/.hidden",
    // directories
    "/sub",
    "/sub/",
    "/",
    "/outdir",
  ];
  for (const target of forbidden) {
    it(`${target} answers 404 without the file`, async () => {
      for (const method of ["GET", "HEAD"]) {
        const res = await raw(server.url, target, method);
        expect(res.status, method).toBe(404);
        expect(res.body).not.toContain(SECRET);
        expect(res.body).not.toContain("root:");
      }
    });
  }

  it("refuses to start when the directory does not exist, in one line", async () => {
    const r = await runBun(writeProgram(dir, "static-missing.js", program(`{ dir: "nowhere" }`)), { PORT: "0" });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^tova: static: the directory "nowhere" \(.*nowhere\) does not exist or is not a directory/);
  });
});
