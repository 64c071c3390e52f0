import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanDirs, stopAll, type Built } from "../server/harness.js";
import { DEFAULT_HEADERS, send, serve } from "./attack.js";

/**
 * security.md, "static { dir, cache }": the files under `dir` with GET and
 * HEAD, ETag and 304, Last-Modified, byte ranges, a content type by
 * extension and `cache` as Cache-Control; a path that leaves `dir` after
 * decoding and normalising, a dotfile or a directory answers 404; routes win
 * over files. Requests go over a raw socket: `fetch` would resolve the
 * traversals before sending them.
 */
const PROGRAM = `
server {
  static { dir: "public", cache: "public, max-age=60" }

  fn hello() { "from the route" }

  route GET "/hello.txt" => hello
}
`;

const SECRET = "TOP SECRET outside the static directory";
const DOT = "SECRET=dotfile";
let root = "";

/** The program's directory is the build's (the runtime resolves `dir` against the server module's directory). */
function lay(built: Built): void {
  root = built.dir;
  const pub = path.join(root, "public");
  mkdirSync(path.join(pub, "sub"), { recursive: true });
  mkdirSync(path.join(pub, ".git"));
  writeFileSync(path.join(pub, "a.txt"), "alpha file\n");
  writeFileSync(path.join(pub, "page.html"), "<p>page</p>\n");
  writeFileSync(path.join(pub, "hello.txt"), "from the file\n");
  writeFileSync(path.join(pub, "sub", "b.txt"), "bravo\n");
  writeFileSync(path.join(pub, ".env"), `${DOT}\n`);
  writeFileSync(path.join(pub, "sub", ".hidden"), `${DOT}\n`);
  writeFileSync(path.join(pub, ".git", "config"), `${DOT}\n`);
  writeFileSync(path.join(root, "secret.txt"), `${SECRET}\n`);
  symlinkSync(path.join(root, "secret.txt"), path.join(pub, "link.txt"));
  symlinkSync("/", path.join(pub, "rootdir"));
  symlinkSync(root, path.join(pub, "up"));
}

const server = serve(PROGRAM, { before: lay });
beforeAll(() => server.ready, 60_000);
afterAll(async () => {
  await stopAll();
  cleanDirs();
});

const get = (target: string, headers: Record<string, string> = {}, method = "GET") => send(server.get().port, method, target, headers);

describe("static: what is served", () => {
  it("GET a file: body, content type, ETag, Last-Modified, Cache-Control, default headers", async () => {
    const r = await get("/a.txt");
    expect(r.status).toBe(200);
    expect(r.body).toBe("alpha file\n");
    expect(r.headers["content-type"]).toMatch(/^text\/plain/);
    expect(r.headers["etag"]).toMatch(/^(W\/)?".+"$/);
    expect(new Date(r.headers["last-modified"] ?? "").getTime()).not.toBeNaN();
    expect(r.headers["cache-control"]).toBe("public, max-age=60");
    expect(r.headers).toMatchObject(DEFAULT_HEADERS);
    expect((await get("/page.html")).headers["content-type"]).toMatch(/^text\/html/);
    expect((await get("/sub/b.txt")).body).toBe("bravo\n");
  });

  it("HEAD: the headers of GET, no body", async () => {
    const r = await get("/a.txt", {}, "HEAD");
    expect(r.status).toBe(200);
    expect(r.body).toBe("");
    expect(r.headers["content-length"]).toBe("11");
    expect(r.headers["etag"]).toBe((await get("/a.txt")).headers["etag"]);
  });

  it("Range: 206 with Content-Range; a suffix range; 416 for an unsatisfiable one", async () => {
    const r = await get("/a.txt", { range: "bytes=0-4" });
    expect(r.status).toBe(206);
    expect(r.body).toBe("alpha");
    expect(r.headers["content-range"]).toBe("bytes 0-4/11");
    const tail = await get("/a.txt", { range: "bytes=-5" });
    expect(tail.status).toBe(206);
    expect(tail.body).toBe("file\n");
    const bad = await get("/a.txt", { range: "bytes=100-200" });
    expect(bad.status).toBe(416);
    expect(bad.headers["content-range"]).toBe("bytes */11");
  });

  it("If-None-Match with the ETag: 304 without a body", async () => {
    const tag = (await get("/a.txt")).headers["etag"]!;
    const r = await get("/a.txt", { "if-none-match": tag });
    expect(r.status).toBe(304);
    expect(r.body).toBe("");
    expect(r.headers["etag"]).toBe(tag);
    expect((await get("/a.txt", { "if-none-match": '"something-else"' })).status).toBe(200);
  });

  it("routes win over files", async () => {
    const r = await get("/hello.txt");
    expect(r.status).toBe(200);
    expect(r.json ?? r.body).toBe("from the route");
  });
});

describe("static: traversal, dotfiles, directories and symlinks answer 404 and leak nothing", () => {
  // "<abs>" stands for the absolute path of secret.txt, known once the build exists.
  const targets = [
    "/../secret.txt",
    "/sub/../../secret.txt",
    "/%2e%2e/secret.txt",
    "/%2E%2E/secret.txt",
    "/.%2e/secret.txt",
    "/sub/%2e%2e/%2e%2e/secret.txt",
    "/..%2fsecret.txt",
    "/%2e%2e%2fsecret.txt",
    "/sub%2f..%2f..%2fsecret.txt",
    "/..%252fsecret.txt",
    "/..\\secret.txt",
    "/sub\\..\\..\\secret.txt",
    "/..%5csecret.txt",
    "/%5c..%5csecret.txt",
    "/<abs>",
    "/<abs encoded>",
    "/<abs with backslashes>",
    "/%2fetc%2fpasswd",
    "//etc/passwd",
    "/../app.server.js",
    "/%2e%2e/app.server.js",
    "/.env",
    "/%2eenv",
    "/sub/.hidden",
    "/sub/../.env",
    "/.git/config",
    "/%2egit/config",
    "/link.txt",
    "/rootdir/etc/passwd",
    "/up/secret.txt",
    "/up/app.server.js",
    "/sub",
    "/sub/",
    "/sub/%2e",
  ];
  const resolve = (t: string) => {
    const abs = path.join(root, "secret.txt");
    return t.replace("<abs>", abs).replace("<abs encoded>", encodeURIComponent(abs)).replace("<abs with backslashes>", abs.replaceAll("/", "\\"));
  };

  it.each(targets)("%s", async (t) => {
    const r = await get(resolve(t));
    expect(r.status).toBe(404);
    for (const leak of [SECRET, DOT, "root:x:0:0", "createApp"]) expect(r.body).not.toContain(leak);
  });

  it("HEAD and Range do not open a way around the rules", async () => {
    for (const t of ["/../secret.txt", "/.env", "/link.txt", "/sub"]) {
      expect((await get(t, {}, "HEAD")).status, `HEAD ${t}`).toBe(404);
      const ranged = await get(t, { range: "bytes=0-5" });
      expect(ranged.status, `Range ${t}`).toBe(404);
      expect(ranged.body).not.toContain("TOP SE");
    }
  });
});
