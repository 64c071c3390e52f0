// The security layers in a real Bun server, the way a compiled program
// uses them (createApp, app.security, app.config, routes), attacked over raw
// HTTP so that no client normalises the paths first.
import { createHmac } from "node:crypto";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, stopAll, workspace, writeProgram, type Server } from "../testing/bun-process.js";

const SECRET = "e2e-secret-e2e-secret-e2e-secret-0123456789";

const PROGRAM = (security: string, extra = "") => `
import { createApp, sign_jwt, has_role, can } from "./runtime/server.js";
import { t } from "./runtime/schema.js";
const app = createApp({ name: null, port: 0, portEnv: "PORT" });
const calls = [];
app.security(${security});
${extra}
app.route("GET", "/api/admin/users", () => { calls.push("admin/users"); return ["ada"]; }, []);
app.route("GET", "/api/me", (req, res) => res.json({ user: req.user, admin: has_role(req, "Admin"), reports: can(req, "view_reports") }), "req-res");
app.route("GET", "/files/:name", (name) => { calls.push("files/" + name); return { name }; }, [{ name: "name", schema: t.string }]);
app.rpc("delete_user", (id) => { calls.push("delete_user " + id); return { deleted: id }; }, [{ name: "id", schema: t.int }]);
app.route("POST", "/login", (req, res) => res.json({ token: sign_jwt({ sub: req.body.name, role: req.body.role }) }), "req-res");
app.route("GET", "/calls", () => calls, []);
app.route("GET", "/ip", (req, res) => res.json({ ip: req.ip }), "req-res");
const server = Bun.serve({ ...(await app.start()), hostname: "127.0.0.1" });
app.stopOnSignals(server);
`;

const JWT_APP = `{
  auth: { kind: "jwt", secret: process.env.JWT_SECRET, expires: 3600000 },
  roles: { Admin: ["manage_users", "view_reports"], Member: ["view_reports"] },
  protect: [
    { pattern: "/rpc/delete_user", require: "Admin" },
    { pattern: "/api/admin/*", require: "Admin" },
    { pattern: "/api/*", require: "authenticated" },
    { pattern: "/files/secret*", require: "Admin" },
  ],
}`;

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: any;
}

/** One HTTP/1.1 request written as given: the path is sent byte for byte. */
function raw(server: Server, method: string, path: string, headers: Record<string, string> = {}, body = ""): Promise<Answer> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), "127.0.0.1", () => {
      const lines = [`${method} ${path} HTTP/1.1`, "Host: 127.0.0.1", "Connection: close", ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
      if (body) lines.push("Content-Type: application/json", `Content-Length: ${Buffer.byteLength(body)}`);
      socket.write(lines.join("\r\n") + "\r\n\r\n" + body);
    });
    const chunks: Buffer[] = [];
    socket.on("data", (c) => chunks.push(c));
    socket.on("error", reject);
    socket.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const split = text.indexOf("\r\n\r\n");
      const [statusLine, ...headerLines] = text.slice(0, split).split("\r\n");
      const hs: Record<string, string> = {};
      for (const l of headerLines) hs[l.slice(0, l.indexOf(":")).toLowerCase()] = l.slice(l.indexOf(":") + 1).trim();
      let payload = text.slice(split + 4);
      if (hs["transfer-encoding"] === "chunked") {
        let out = "";
        for (let i = 0; ; ) {
          const eol = payload.indexOf("\r\n", i);
          const size = parseInt(payload.slice(i, eol), 16);
          if (!size) break;
          out += payload.slice(eol + 2, eol + 2 + size);
          i = eol + 2 + size + 2;
        }
        payload = out;
      }
      let parsed: unknown = payload;
      try {
        parsed = JSON.parse(payload);
      } catch {
        // not JSON
      }
      resolve({ status: Number(statusLine!.split(" ")[1]), headers: hs, body: parsed });
    });
  });
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
const now = () => Math.floor(Date.now() / 1000);
function token(payload: Record<string, unknown>, options: { alg?: string; secret?: string | null } = {}): string {
  const unsigned = `${b64({ alg: options.alg ?? "HS256", typ: "JWT" })}.${b64(payload)}`;
  const secret = options.secret === undefined ? SECRET : options.secret;
  const hash = options.alg === "HS512" ? "sha512" : "sha256";
  return `${unsigned}.${secret === null ? "" : createHmac(hash, secret).update(unsigned).digest("base64url")}`;
}
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const ADMIN = () => token({ sub: "a", role: "Admin", exp: now() + 600 });
const MEMBER = () => token({ sub: "m", role: "Member", exp: now() + 600 });

let dir: string;
beforeAll(() => {
  dir = workspace();
}, 120_000);
afterAll(() => stopAll());

describe("auth jwt + protect, in a Bun server", () => {
  let s: Server;
  beforeAll(async () => {
    s = await startServer(writeProgram(dir, "jwt.js", PROGRAM(JWT_APP)), { JWT_SECRET: SECRET });
  });

  it.each([
    ["no token", null],
    ["alg none", () => token({ sub: "a", role: "Admin", exp: now() + 600 }, { alg: "none", secret: null })],
    ["another algorithm (HS512, same secret)", () => token({ sub: "a", role: "Admin", exp: now() + 600 }, { alg: "HS512" })],
    ["a bad signature", () => ADMIN().slice(0, -4) + "AAAA"],
    ["claims changed after signing", () => { const [h, , sig] = MEMBER().split("."); return `${h}.${b64({ sub: "m", role: "Admin", exp: now() + 600 })}.${sig}`; }],
    ["an expired exp", () => token({ sub: "a", role: "Admin", exp: now() - 5 })],
    ["a future nbf", () => token({ sub: "a", role: "Admin", exp: now() + 600, nbf: now() + 300 })],
    ["another secret", () => token({ sub: "a", role: "Admin", exp: now() + 600 }, { secret: "not-the-secret-not-the-secret-0123456789" })],
  ])("%s: 401 with WWW-Authenticate: Bearer, and the handler does not run", async (_, make) => {
    const res = await raw(s, "GET", "/api/admin/users", make ? bearer(make()) : {});
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: "authentication required" });
    expect(res.headers["www-authenticate"]).toBe("Bearer");
  });

  it("a valid token without the role: 403; with it: 200", async () => {
    const member = await raw(s, "GET", "/api/admin/users", bearer(MEMBER()));
    expect([member.status, member.body]).toEqual([403, { error: "forbidden" }]);
    const admin = await raw(s, "GET", "/api/admin/users", bearer(ADMIN()));
    expect([admin.status, admin.body]).toEqual([200, ["ada"]]);
  });

  it.each(["//api/admin/users", "/api//admin/users", "/api/./admin/users", "/api/%2e%2e/api/admin/users", "/api%2Fadmin/users", "/api%2fadmin%2fusers", "/api/x/..%2F..%2Fapi/admin/users", "/api\\admin\\users", "/%61pi/admin/users", "/API/admin/users", "/api/admin/users/", "/api/Admin/users"])(
    "%s: 401 without a token, 403 with a Member's",
    async (path) => {
      expect((await raw(s, "GET", path)).status).toBe(401);
      expect((await raw(s, "GET", path, bearer(MEMBER()))).status).toBe(403);
    },
  );

  it("an Admin reaches the handler through normalised spellings; other cases and a trailing slash are not routes (404)", async () => {
    for (const path of ["//api/admin/users", "/api%2Fadmin/users", "/api/x/..%2F..%2Fapi/admin/users", "/%61pi/admin/users"]) {
      expect([path, (await raw(s, "GET", path, bearer(ADMIN()))).status]).toEqual([path, 200]);
    }
    for (const path of ["/API/admin/users", "/api/admin/users/"]) expect([path, (await raw(s, "GET", path, bearer(ADMIN()))).status]).toEqual([path, 404]);
  });

  it("a path parameter cannot smuggle a protected path past the check", async () => {
    // Without normalisation the router would bind name = "secret-plans" behind /files/x%2F..%2F: it is checked (and routed) as /files/secret-plans.
    expect((await raw(s, "GET", "/files/x%2F..%2Fsecret-plans")).status).toBe(401);
    expect((await raw(s, "GET", "/files/x%2F..%2Fsecret-plans", bearer(ADMIN()))).body).toEqual({ name: "secret-plans" });
    expect((await raw(s, "GET", "/files/open")).body).toEqual({ name: "open" });
  });

  it("the RPC side door: POST /rpc/delete_user needs the role, in every spelling", async () => {
    const body = JSON.stringify({ __args: [7] });
    expect((await raw(s, "POST", "/rpc/delete_user", {}, body)).status).toBe(401);
    expect((await raw(s, "POST", "/rpc/delete_user", bearer(MEMBER()), body)).status).toBe(403);
    expect((await raw(s, "POST", "//rpc/delete_user", bearer(MEMBER()), body)).status).toBe(403);
    expect((await raw(s, "POST", "/rpc%2Fdelete_user", {}, body)).status).toBe(401);
    expect((await raw(s, "POST", "/RPC/delete_user", {}, body)).status).toBe(401);
    const done = await raw(s, "POST", "//rpc/delete_user", bearer(ADMIN()), body);
    expect([done.status, done.body]).toEqual([200, { result: { deleted: 7 } }]);
  });

  it("nothing ran for a refused request", async () => {
    const calls = (await raw(s, "GET", "/calls")).body as string[];
    // Only the Admin requests above reached handlers: 1 + 4 admin/users, 1 delete_user, 2 files.
    expect(calls.filter((c) => c === "admin/users")).toHaveLength(5);
    expect(calls.filter((c) => c.startsWith("delete_user"))).toEqual(["delete_user 7"]);
    expect(calls.filter((c) => c.startsWith("files/"))).toEqual(["files/secret-plans", "files/open"]);
  });

  it("sign_jwt's token is accepted; req.user, has_role and can see its claims; the cookie works too", async () => {
    const login = await raw(s, "POST", "/login", {}, JSON.stringify({ name: "mia", role: "Member" }));
    const t = login.body.token as string;
    const payload = JSON.parse(Buffer.from(t.split(".")[1]!, "base64url").toString());
    expect(payload.exp - now()).toBeGreaterThan(3590);
    const me = await raw(s, "GET", "/api/me", bearer(t));
    expect(me.body).toEqual({ user: { sub: "mia", role: "Member", exp: payload.exp }, admin: false, reports: true });
    expect((await raw(s, "GET", "/api/me", { cookie: `tova_token=${t}` })).status).toBe(200);
    expect((await raw(s, "GET", "/api/admin/users", { cookie: `tova_token=${t}` })).status).toBe(403);
  });

  it("GET /healthz stays open", async () => {
    expect((await raw(s, "GET", "/healthz")).status).toBe(200);
  });
});

describe("rate_limit and trust_proxy, in a Bun server", () => {
  let plain: Server;
  let trusted: Server;
  let deployed: Server;
  beforeAll(async () => {
    [plain, trusted, deployed] = await Promise.all([
      startServer(writeProgram(dir, "limited.js", PROGRAM("{}", `app.config("rate_limit", { requests: 3, window: 1500 });`))),
      startServer(
        writeProgram(dir, "trusted.js", PROGRAM(`{ auth: { kind: "api_key", header: "X-API-Key", keys: "k1,k2" }, protect: [{ pattern: "/*", require: "authenticated" }], rate_limit: { requests: 2, window: 60000 }, trust_proxy: true }`)),
        { TOVA_HEALTH_PATH: "/up" },
      ),
      startServer(writeProgram(dir, "deployed.js", PROGRAM("{}")), { TOVA_TRUSTED_PROXIES: "127.0.0.1,::1" }),
    ]);
  });

  it("N requests pass with RateLimit headers, N+1 is 429 with Retry-After, and the window's end resets the count", async () => {
    const answers: Answer[] = [];
    for (let i = 0; i < 4; i++) answers.push(await raw(plain, "GET", "/ip"));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429]);
    expect(answers.map((a) => a.headers["ratelimit-limit"])).toEqual(["3", "3", "3", "3"]);
    expect(answers.map((a) => a.headers["ratelimit-remaining"])).toEqual(["2", "1", "0", "0"]);
    for (const a of answers) expect(Number(a.headers["ratelimit-reset"])).toBeGreaterThanOrEqual(1);
    expect(answers[3]!.body).toEqual({ error: "rate limit exceeded" });
    expect(Number(answers[3]!.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    await new Promise((r) => setTimeout(r, 1600));
    const after = await raw(plain, "GET", "/ip");
    expect([after.status, after.headers["ratelimit-remaining"]]).toEqual([200, "2"]);
  });

  it("without trust_proxy, X-Forwarded-For changes neither req.ip nor the counter", async () => {
    await new Promise((r) => setTimeout(r, 1600));
    const answers: Answer[] = [];
    for (let i = 0; i < 4; i++) answers.push(await raw(plain, "GET", "/ip", { "X-Forwarded-For": `198.51.100.${i}` }));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429]);
    expect(answers[0]!.body).toEqual({ ip: "127.0.0.1" });
  });

  it("with trust_proxy true (a loopback peer): the right-most untrusted address is req.ip and the rate-limit key", async () => {
    const key = { "X-API-Key": "k2" };
    const ip = (xff: string) => raw(trusted, "GET", "/ip", { ...key, "X-Forwarded-For": xff });
    expect((await ip("6.6.6.6, 203.0.113.10")).body).toEqual({ ip: "203.0.113.10" });
    expect((await ip("203.0.113.10, 10.0.0.3")).body).toEqual({ ip: "203.0.113.10" });
    expect((await ip("203.0.113.10")).status).toBe(429);
    expect((await ip("203.0.113.11")).status).toBe(200);
  });

  it("api_key: GET /healthz and the deploy health path are open under protect \"/*\"; everything else needs a key", async () => {
    expect((await raw(trusted, "GET", "/healthz", { "X-Forwarded-For": "203.0.113.50" })).status).toBe(200);
    expect((await raw(trusted, "GET", "/up", { "X-Forwarded-For": "203.0.113.53" })).status).toBe(200);
    const refused = await raw(trusted, "GET", "/calls", { "X-Forwarded-For": "203.0.113.51" });
    expect([refused.status, refused.headers["www-authenticate"]]).toEqual([401, "Bearer"]);
    expect((await raw(trusted, "GET", "/calls", { "X-Forwarded-For": "203.0.113.51", "X-API-Key": "k3" })).status).toBe(401);
    expect((await raw(trusted, "GET", "/calls", { "X-Forwarded-For": "203.0.113.52", "X-API-Key": "k1" })).status).toBe(200);
  });

  it("a deployed app (TOVA_TRUSTED_PROXIES=127.0.0.1,::1) reads X-Forwarded-For from its Caddy without a security block", async () => {
    expect((await raw(deployed, "GET", "/ip", { "X-Forwarded-For": "6.6.6.6, 203.0.113.20" })).body).toEqual({ ip: "203.0.113.20" });
    expect((await raw(deployed, "GET", "/ip")).body).toEqual({ ip: "127.0.0.1" });
  });
});
