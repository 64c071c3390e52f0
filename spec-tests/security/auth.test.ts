import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanDirs, stopAll } from "../server/harness.js";
import { jwt, now, rs256, send, serve, type RawResponse } from "./attack.js";

/**
 * security.md, "The `security` block": `auth jwt` (HS256 pinned, signature,
 * `exp`, `nbf`, header or `tova_token` cookie), roles, `protect` matched
 * against the normalised path, the RPC side door, and `auth api_key`. Every
 * refused request is checked to have run nothing: the handlers count their
 * runs, read afterwards through an unprotected route.
 */
const JWT_PROGRAM = `
security {
  auth jwt {
    secret: env("JWT_SECRET")
    expires: 1.hour
  }

  role Admin { can: [manage_users, view_reports] }
  role Member { can: [view_reports] }

  protect "/api/admin/*" { require: Admin }
  protect "/api/*" { require: authenticated }
}

server {
  var admin_runs = 0
  var wipes = 0

  fn list_users() {
    admin_runs += 1
    { users: ["ada", "bob"] }
  }

  fn wipe_users() {
    wipes += 1
    { wiped: true }
  }

  fn admin_home() {
    admin_runs += 1
    { page: "admin" }
  }

  fn me(req) {
    { user: req.user, admin: has_role(req, "Admin"), reports: can(req, "view_reports"), manage: can(req, "manage_users") }
  }

  fn login(name: String) {
    { token: sign_jwt({ sub: name, role: "Member" }) }
  }

  fn counts() {
    { admin_runs: admin_runs, wipes: wipes }
  }

  route GET "/api/admin/users" => list_users
  route POST "/api/admin/wipe" => wipe_users
  route GET "/api/admin" => admin_home
  route GET "/api/me" => me
  route POST "/login" => login
  route GET "/counts" => counts
}
`;

const API_KEY_PROGRAM = `
security {
  auth api_key {
    header: "X-API-Key"
    keys: env("API_KEYS") |> split(",")
  }

  protect "/*" { require: authenticated }
}

server {
  var runs = 0

  fn who(req) {
    runs += 1
    { user: req.user, runs: runs }
  }

  route GET "/who" => who
}
`;

/** The deploy block's health path is never protected either (security.md, protect). */
const HEALTH_PROGRAM = `
security {
  auth jwt { secret: env("JWT_SECRET") }

  protect "/*" { require: authenticated }
}

server {
  fn hello() { "hi" }

  route GET "/hello" => hello
}

deploy "prod" {
  server: "root@deploy.example.org"
  domain: "example.org"
  health: "/up"
}
`;

const SECRET = randomBytes(24).toString("hex");
const KEYS = ["key-one-4f1c", "key-two-9a7e"];
const jwtServer = serve(JWT_PROGRAM, { env: { JWT_SECRET: SECRET } });
const keyServer = serve(API_KEY_PROGRAM, { env: { API_KEYS: KEYS.join(",") } });

const healthServer = serve(HEALTH_PROGRAM, { env: { JWT_SECRET: SECRET } });

beforeAll(() => Promise.all([jwtServer.ready, keyServer.ready, healthServer.ready]), 60_000);

afterAll(async () => {
  await stopAll();
  cleanDirs();
});

const claims = (extra: Record<string, unknown> = {}) => ({ sub: "ada", iat: now(), exp: now() + 600, ...extra });
const admin = () => jwt(claims({ role: "Admin" }), SECRET);
const member = () => jwt(claims({ role: "Member" }), SECRET);

function get(target: string, token?: string, method = "GET"): Promise<RawResponse> {
  return send(jwtServer.get().port, method, target, token === undefined ? {} : { authorization: `Bearer ${token}` });
}

async function counts(): Promise<{ admin_runs: number; wipes: number }> {
  const r = await get("/counts");
  expect(r.status).toBe(200);
  return r.json;
}

/** Runs `attempt` and checks that no protected handler ran meanwhile. */
async function ranNothing(attempt: () => Promise<void>): Promise<void> {
  const before = await counts();
  await attempt();
  expect(await counts()).toEqual(before);
}

function expect401(r: RawResponse): void {
  expect(r.status).toBe(401);
  expect(r.json).toEqual({ error: "authentication required" });
  expect(r.headers["www-authenticate"]).toMatch(/^Bearer\b/);
}

function expect403(r: RawResponse): void {
  expect(r.status).toBe(403);
  expect(r.json).toEqual({ error: "forbidden" });
}

describe("auth jwt: tokens that must be refused (401, nothing runs)", () => {
  const tampered = () => {
    const [h, , s] = member().split(".");
    return `${h}.${Buffer.from(JSON.stringify(claims({ role: "Admin" }))).toString("base64url")}.${s}`;
  };
  const flipped = () => {
    const [h, p, s] = admin().split(".");
    const sig = Buffer.from(s!, "base64url");
    sig[0] = sig[0]! ^ 0xff;
    return `${h}.${p}.${sig.toString("base64url")}`;
  };
  const cases: [string, () => string | undefined][] = [
    ["no token at all", () => undefined],
    ["alg none, no signature", () => jwt(claims({ role: "Admin" }), SECRET, { alg: "none", typ: "JWT" }, null)],
    ["alg None (other casing), no signature", () => jwt(claims({ role: "Admin" }), SECRET, { alg: "None", typ: "JWT" }, null)],
    ["alg none with an HS256 signature attached", () => jwt(claims({ role: "Admin" }), SECRET, { alg: "none", typ: "JWT" })],
    ["another algorithm: HS512 with the right secret", () => jwt(claims({ role: "Admin" }), SECRET, { alg: "HS512", typ: "JWT" }, "sha512")],
    ["another algorithm: a real RS256 token", () => rs256(claims({ role: "Admin" }))],
    ["RS256 header on an HMAC signature made with the secret (algorithm confusion)", () => jwt(claims({ role: "Admin" }), SECRET, { alg: "RS256", typ: "JWT" })],
    ["a header without alg", () => jwt(claims({ role: "Admin" }), SECRET, { typ: "JWT" })],
    ["a bad signature (bytes flipped)", flipped],
    ["claims changed after signing (Member -> Admin)", tampered],
    ["an expired exp", () => jwt(claims({ role: "Admin", iat: now() - 7200, exp: now() - 60 }), SECRET)],
    ["a future nbf", () => jwt(claims({ role: "Admin", nbf: now() + 3600 }), SECRET)],
    ["signed with another secret", () => jwt(claims({ role: "Admin" }), `${SECRET}-other`)],
    ["not a JWT", () => "not-a-token"],
    ["an empty bearer", () => ""],
  ];
  it.each(cases)("%s", async (_label, token) => {
    await ranNothing(async () => {
      expect401(await get("/api/admin/users", token()));
      expect401(await send(jwtServer.get().port, "POST", "/api/admin/wipe", { "content-type": "application/json", ...(token() !== undefined ? { authorization: `Bearer ${token()}` } : {}) }, "{}"));
    });
  });

  it("a forged token in the tova_token cookie is refused too", async () => {
    await ranNothing(async () => {
      expect401(await send(jwtServer.get().port, "GET", "/api/admin/users", { cookie: `tova_token=${jwt(claims({ role: "Admin" }), SECRET, { alg: "none" }, null)}` }));
      expect401(await send(jwtServer.get().port, "GET", "/api/admin/users", { cookie: `tova_token=${jwt(claims({ role: "Admin" }), "guess")}` }));
    });
  });
});

describe("auth jwt: roles", () => {
  it("a valid token without the role answers 403 and runs nothing", async () => {
    await ranNothing(async () => {
      expect403(await get("/api/admin/users", member()));
      expect403(await send(jwtServer.get().port, "POST", "/api/admin/wipe", { authorization: `Bearer ${member()}`, "content-type": "application/json" }, "{}"));
      // A role the block does not declare grants nothing.
      expect403(await get("/api/admin/users", jwt(claims({ role: "Root" }), SECRET)));
    });
  });

  it("a valid token with the role reaches the handler, once", async () => {
    const before = await counts();
    const r = await get("/api/admin/users", admin());
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ users: ["ada", "bob"] });
    expect(await counts()).toEqual({ ...before, admin_runs: before.admin_runs + 1 });
  });

  it("the roles claim (an array) counts like role", async () => {
    const r = await get("/api/admin/users", jwt(claims({ roles: ["Member", "Admin"] }), SECRET));
    expect(r.status).toBe(200);
  });

  it("the tova_token cookie is read when there is no Authorization header", async () => {
    const r = await send(jwtServer.get().port, "GET", "/api/admin/users", { cookie: `tova_token=${admin()}` });
    expect(r.status).toBe(200);
  });

  it("req.user holds the verified claims; has_role and can follow the role block", async () => {
    const token = jwt(claims({ role: "Member", name: "Ada" }), SECRET);
    const r = await get("/api/me", token);
    expect(r.status).toBe(200);
    expect(r.json.user).toMatchObject({ sub: "ada", role: "Member", name: "Ada" });
    expect(r.json).toMatchObject({ admin: false, reports: true, manage: false });
  });

  it("sign_jwt signs with the block's secret and expires", async () => {
    const login = await send(jwtServer.get().port, "POST", "/login", { "content-type": "application/json" }, JSON.stringify({ name: "cy" }));
    expect(login.status).toBe(200);
    const token: string = login.json.token;
    const [header, payload] = token.split(".").slice(0, 2).map((p) => JSON.parse(Buffer.from(p, "base64url").toString()));
    expect(header.alg).toBe("HS256");
    expect(payload.exp - now()).toBeGreaterThan(3500);
    expect(payload.exp - now()).toBeLessThanOrEqual(3600);
    expect(token).toBe(jwt(payload, SECRET, header)); // verifiable with the secret, nothing else
    const me = await get("/api/me", token);
    expect(me.status).toBe(200);
    expect(me.json.user).toMatchObject({ sub: "cy", role: "Member" });
    expect403(await get("/api/admin/users", token));
  });
});

describe("protect: bypass attempts reach no protected handler", () => {
  // security.md: patterns match "the normalised path (`//`, `/./`, `/../` and
  // percent-encoded slashes resolved first)". Without a token each is a 401;
  // with a Member token (which passes "/api/*") each is a 403: a path that
  // escaped normalisation would match only "/api/*" and reach the handler.
  const paths = [
    "//api/admin/users",
    "/api//admin/users",
    "/api/./admin/users",
    "/api/%2e%2e/api/admin/users",
    "/api/%2E%2E/api/admin/users",
    "/api/x/../admin/users",
    "/api/admin%2fusers",
    "/api%2Fadmin%2Fusers",
    "/api/%2e/admin/users",
    "/api/admin/users/",
    "/api/admin/users?x=/../../counts",
  ];

  it.each(paths)("%s without a token: 401", async (p) => {
    await ranNothing(async () => expect401(await get(p)));
  });

  it.each(paths)("%s with a Member token: 403", async (p) => {
    await ranNothing(async () => expect403(await get(p, member())));
  });

  it("HEAD of a protected route is protected like GET", async () => {
    await ranNothing(async () => {
      expect((await get("/api/admin/users", undefined, "HEAD")).status).toBe(401);
      expect((await get("/api/admin/users", member(), "HEAD")).status).toBe(403);
    });
  });

  it("/API/admin/users (case): never reaches the handler", async () => {
    // OPEN (auth helper's case rule): if protect matches case-insensitively the
    // answer is 401/403 as above; if routes and patterns are both
    // case-sensitive the router answers 404. Either way nothing runs. Fill in
    // the exact status once the rule is documented.
    await ranNothing(async () => {
      expect([401, 404]).toContain((await get("/API/admin/users")).status);
      expect([403, 404]).toContain((await get("/API/admin/users", member())).status);
      expect([403, 404]).toContain((await get("/Api/Admin/Users", member())).status);
    });
  });

  it("/api/admin (the wildcard's own prefix, no trailing segment) needs Admin", async () => {
    // OPEN: security.md says "a path with a trailing `*` wildcard" without
    // saying whether "/api/admin/*" covers "/api/admin" itself. Anything else
    // would let a Member into the admin section's index, so this expects 403.
    await ranNothing(async () => expect403(await get("/api/admin", member())));
  });

  describe("the side door: POST /rpc/<fn> of a protected route's function", () => {
    const rpc = (fn: string, token?: string) =>
      send(jwtServer.get().port, "POST", `/rpc/${fn}`, { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) }, JSON.stringify({ __args: [] }));

    it("without a token: 401", async () => {
      await ranNothing(async () => {
        expect401(await rpc("list_users"));
        expect401(await rpc("wipe_users"));
        expect401(await rpc("admin_home"));
      });
    });

    it("with a token without the role: 403", async () => {
      await ranNothing(async () => {
        expect403(await rpc("list_users", member()));
        expect403(await rpc("wipe_users", member()));
      });
    });

    it("with the role: the function runs", async () => {
      const before = await counts();
      const r = await rpc("wipe_users", admin());
      expect(r.status).toBe(200);
      expect(r.json).toEqual({ result: { wiped: true } });
      expect((await counts()).wipes).toBe(before.wipes + 1);
    });

    it("the side door's path is normalised too", async () => {
      await ranNothing(async () => {
        expect401(await send(jwtServer.get().port, "POST", "//rpc/wipe_users", { "content-type": "application/json" }, JSON.stringify({ __args: [] })));
        expect403(await send(jwtServer.get().port, "POST", "/rpc/./wipe_users", { "content-type": "application/json", authorization: `Bearer ${member()}` }, JSON.stringify({ __args: [] })));
      });
    });
  });
});

describe("auth api_key", () => {
  const who = (key?: string, header = "x-api-key") => send(keyServer.get().port, "GET", "/who", key === undefined ? {} : { [header]: key });

  it("refuses a missing, wrong, prefix, extended, differently cased, joined or misplaced key with 401 and runs nothing", async () => {
    // (Whitespace around a header value is not the client's to send: HTTP trims it.)
    for (const key of [undefined, "nope", KEYS[0]!.slice(0, -1), `${KEYS[0]}x`, `x${KEYS[0]}`, KEYS[0]!.toUpperCase(), `${KEYS[0]},${KEYS[1]}`, ""]) {
      const r = await who(key);
      expect(r.status, String(key)).toBe(401);
      expect(r.json).toEqual({ error: "authentication required" });
    }
    expect((await who(KEYS[0], "authorization")).status).toBe(401);
    // Nothing ran: the first accepted call sees runs = 1.
    const ok = await who(KEYS[1]);
    expect(ok.status).toBe(200);
    expect(ok.json).toEqual({ user: { key: KEYS[1] }, runs: 1 });
  });

  it("accepts every listed key; req.user is { key }", async () => {
    const r = await who(KEYS[0]);
    expect(r.status).toBe(200);
    expect(r.json.user).toEqual({ key: KEYS[0] });
  });

  it("GET /healthz is never protected, even under protect \"/*\"", async () => {
    const r = await send(keyServer.get().port, "GET", "/healthz");
    expect(r.status).toBe(200);
    expect(r.json.status).toBe("ok");
  });
});

describe("the deploy block's health path", () => {
  it('is answered without a token under protect "/*"; the rest is protected', async () => {
    const up = await send(healthServer.get().port, "GET", "/up");
    expect(up.status).toBe(200);
    expect(up.json.status).toBe("ok");
    expect((await send(healthServer.get().port, "GET", "/hello")).status).toBe(401);
  });
});
