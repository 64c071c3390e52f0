import { afterEach, describe, expect, it } from "vitest";
import { compose } from "../server/layers/layer.js";
import { peekInfo } from "../server/request-info.js";
import { pathOf, TovaRequestImpl } from "../server/request.js";
import { can, has_role, sign_jwt } from "../server/auth-functions.js";
import type { SecurityConfig } from "../server/types.js";
import { authLayer } from "./auth.js";
import { setProcessTrust } from "./client-ip.js";

const SECRET = "a-test-secret-that-is-long-enough-0123456789";
const CONFIG: SecurityConfig = {
  auth: { kind: "jwt", secret: SECRET, expires: 60_000 },
  roles: { Admin: ["manage_users", "view_reports"], Member: ["view_reports"] },
  protect: [
    { pattern: "/rpc/delete_user", require: "Admin" },
    { pattern: "/api/admin/*", require: "Admin" },
    { pattern: "/api/*", require: "authenticated" },
  ],
};

/** The request the router would get: its path, user and ip. */
interface Seen {
  path: string;
  search: string;
  user: unknown;
  ip: string | undefined;
  method: string;
  body: string;
}

function app(config: SecurityConfig, options?: { health?: string[] }) {
  const seen: Seen[] = [];
  const fetch = compose(authLayer(config, options), async (req) => {
    seen.push({ path: pathOf(req.url), search: new URL(req.url).search, user: peekInfo(req)?.user ?? null, ip: peekInfo(req)?.ip, method: req.method, body: await req.text() });
    return new Response("handled");
  });
  const server = { requestIP: () => ({ address: "203.0.113.7" }) };
  return {
    seen,
    async get(path: string, token?: string, init: RequestInit = {}) {
      const headers = new Headers(init.headers);
      if (token) headers.set("authorization", `Bearer ${token}`);
      return (await fetch(new Request(`http://x${path}`, { ...init, headers }), server))!;
    },
  };
}

afterEach(() => setProcessTrust(null));

describe("authLayer: protect", () => {
  it("is absent without auth; protect without auth or with an unknown role stops the start", () => {
    expect(authLayer(null)).toEqual([]);
    expect(authLayer({ roles: { A: [] } })).toEqual([]);
    expect(() => authLayer({ protect: [{ pattern: "/a/*", require: "authenticated" }] })).toThrow(/needs `auth/);
    expect(() => authLayer({ ...CONFIG, protect: [{ pattern: "/a/*", require: "Root" }] })).toThrow(/unknown role Root/);
    // An unset env("JWT_SECRET") arrives as null.
    expect(() => authLayer({ auth: JSON.parse('{"kind":"jwt","secret":null}') })).toThrow(/secret/);
  });

  it("no token: 401 with WWW-Authenticate: Bearer, and the handler never runs", async () => {
    const a = app(CONFIG);
    const res = await a.get("/api/admin/users");
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe("Bearer");
    expect(await res.json()).toEqual({ error: "authentication required" });
    expect((await a.get("/api/x", "not.a.token")).status).toBe(401);
    expect(a.seen).toEqual([]);
  });

  it("a valid token without the role: 403; with it: through, claims as req.user", async () => {
    authLayer(CONFIG);
    const member = sign_jwt({ sub: "m", role: "Member" });
    const admin = sign_jwt({ sub: "a", roles: ["Member", "Admin"] });
    const a = app(CONFIG);
    const refused = await a.get("/api/admin/users", member);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ error: "forbidden" });
    expect((await a.get("/api/things", member)).status).toBe(200);
    expect((await a.get("/api/admin/users", admin)).status).toBe(200);
    expect((await a.get("/rpc/delete_user", member, { method: "POST" })).status).toBe(403);
    expect((await a.get("/rpc/delete_user", admin, { method: "POST" })).status).toBe(200);
    expect(a.seen.map((s) => [s.path, (s.user as { sub: string }).sub])).toEqual([["/api/things", "m"], ["/api/admin/users", "a"], ["/rpc/delete_user", "a"]]);
  });

  it("unprotected paths pass without a token; with a valid one its claims are req.user, a bad one is ignored", async () => {
    authLayer(CONFIG);
    const a = app(CONFIG);
    expect((await a.get("/public")).status).toBe(200);
    expect((await a.get("/public", sign_jwt({ sub: "u" }))).status).toBe(200);
    expect((await a.get("/public", "bad.token.here")).status).toBe(200);
    expect(a.seen.map((s) => s.user)).toEqual([null, expect.objectContaining({ sub: "u" }), null]);
  });

  it("the token may come in the tova_token cookie", async () => {
    authLayer(CONFIG);
    const a = app(CONFIG);
    expect((await a.get("/api/x", undefined, { headers: { cookie: `tova_token=${sign_jwt({ sub: "c" })}` } })).status).toBe(200);
  });

  it.each(["//api/admin/users", "/api//admin/users", "/api/./admin/users", "/api/%2e%2e/api/admin/users", "/api%2fadmin/users", "/x/..%2f..%2fapi/admin/users", "/API/admin/users", "/api/ADMIN/users", "/api/admin", "/api/admin/", "/rpc/delete_user/", "/RPC/delete_user", "/%61pi/admin/users"])(
    "%s is protected like /api/admin/* (403 for a Member)",
    async (path) => {
      authLayer(CONFIG);
      const a = app(CONFIG);
      expect((await a.get(path)).status).toBe(401);
      expect((await a.get(path, sign_jwt({ role: "Member" }))).status).toBe(403);
      expect(a.seen).toEqual([]);
    },
  );

  it("a differently spelt path reaches the router at its normal spelling, body, method and client address kept", async () => {
    authLayer(CONFIG);
    const a = app(CONFIG);
    const admin = sign_jwt({ sub: "a", role: "Admin" });
    await a.get("//api/admin/users?x=1", admin);
    await a.get("/api%2fadmin%2F..%2Fadmin/x%20y", admin, { method: "POST", body: '{"a":1}' });
    await a.get("/public/..%2F..%2Fother", admin);
    expect(a.seen.map((s) => [s.method, s.path, s.search, s.body, s.ip])).toEqual([
      ["GET", "/api/admin/users", "?x=1", "", "203.0.113.7"],
      ["POST", "/api/admin/x%20y", "", '{"a":1}', "203.0.113.7"],
      ["GET", "/other", "", "", "203.0.113.7"],
    ]);
  });

  it("a path whose escapes are not UTF-8 is refused", async () => {
    const a = app(CONFIG);
    expect((await a.get("/api/%ff")).status).toBe(400);
    expect((await a.get("/public/%zz")).status).toBe(400);
  });

  it("GET /healthz (and the deploy health path) is never protected; other methods and spellings are", async () => {
    const all: SecurityConfig = { ...CONFIG, protect: [{ pattern: "/*", require: "Admin" }] };
    const a = app(all, { health: ["/healthz", "/up"] });
    expect((await a.get("/healthz")).status).toBe(200);
    expect((await a.get("/healthz", undefined, { method: "HEAD" })).status).toBe(200);
    expect((await a.get("/up")).status).toBe(200);
    expect((await a.get("//healthz")).status).toBe(200);
    expect((await a.get("/healthz", undefined, { method: "POST" })).status).toBe(401);
    expect((await a.get("/healthz/")).status).toBe(401);
    expect((await a.get("/HEALTHZ")).status).toBe(401);
    expect((await a.get("/")).status).toBe(401);
  });
});

describe("authLayer: api_key", () => {
  const config: SecurityConfig = { auth: { kind: "api_key", header: "X-API-Key", keys: ["key-1"] }, protect: [{ pattern: "/api/*", require: "authenticated" }] };
  it("a configured key is let in as { key }; no key or another is 401", async () => {
    const a = app(config);
    expect((await a.get("/api/x", undefined, { headers: { "x-api-key": "key-1" } })).status).toBe(200);
    expect((await a.get("/api/x", undefined, { headers: { "x-api-key": "key-2" } })).status).toBe(401);
    expect((await a.get("/api/x")).status).toBe(401);
    expect(a.seen.map((s) => s.user)).toEqual([{ key: "key-1" }]);
  });
});

describe("sign_jwt, has_role, can", () => {
  const reqWith = (user: unknown) => {
    const r = new TovaRequestImpl(new Request("http://x/"), "/", "id", {}, undefined);
    r.user = user;
    return r;
  };

  it("has_role reads role and roles; can reads the block's role table", () => {
    authLayer(CONFIG);
    expect(has_role(reqWith({ role: "Admin" }), "Admin")).toBe(true);
    expect(has_role(reqWith({ roles: ["Member", "Admin"] }), "Admin")).toBe(true);
    expect(has_role(reqWith({ role: "Member" }), "Admin")).toBe(false);
    expect(has_role(reqWith(null), "Admin")).toBe(false);
    expect(has_role(reqWith({ role: ["Admin"] }), "Admin")).toBe(false);
    expect(can(reqWith({ role: "Member" }), "view_reports")).toBe(true);
    expect(can(reqWith({ role: "Member" }), "manage_users")).toBe(false);
    expect(can(reqWith({ roles: ["Member", "Admin"] }), "manage_users")).toBe(true);
    expect(can(reqWith({ role: "Ghost" }), "view_reports")).toBe(false);
    expect(can(reqWith(null), "view_reports")).toBe(false);
  });

  it("req.user is None without a user, the layer's user otherwise, and middleware may set it", async () => {
    authLayer(CONFIG);
    const raw = new Request("http://x/", { headers: { authorization: `Bearer ${sign_jwt({ sub: "z" })}` } });
    expect(new TovaRequestImpl(raw, "/", "id", {}, undefined).user).toBeNull();
    await compose(authLayer(CONFIG), () => new Response())(raw, undefined);
    expect(new TovaRequestImpl(raw, "/", "id", {}, undefined).user).toMatchObject({ sub: "z" });
    expect(reqWith({ sub: "set" }).user).toEqual({ sub: "set" });
  });

  it("sign_jwt without auth jwt says what is missing", () => {
    authLayer(null);
    expect(() => sign_jwt({ sub: "x" })).toThrow(/needs `auth jwt/);
  });
});
