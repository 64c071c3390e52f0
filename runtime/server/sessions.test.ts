// `sessions { secret, max_age, secure, http_only, same_site }` (security.md,
// "Server statements") against real Bun servers: the signed `tova_sid`
// cookie, data on the server in the block's SQLite database, tampering and
// forgery (a new, empty session), fixation (`regenerate` changes the id and
// kills the old one), expiry, `destroy`, and the cookie's attributes.
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, stopAll, workspace, writeProgram, type Server } from "../testing/bun-process.js";

const SECRET = "session-test-secret-0123456789";
const MAX_AGE = 1500;

const program = (config: string) => `
import { Database } from "bun:sqlite";
import { createApp } from "./runtime/server.js";
const app = createApp({ name: null, port: 3000, portEnv: "PORT" });
app.route("POST", "/login", (req, res) => { req.session.set("user", req.body.user); req.session.regenerate(); return { ok: true }; }, "req-res");
app.route("POST", "/set", (req, res) => { req.session.set(req.body.key, req.body.value); return { ok: true }; }, "req-res");
app.route("POST", "/unset", (req, res) => { req.session.delete(req.body.key); return { ok: true }; }, "req-res");
app.route("POST", "/logout", (req, res) => { req.session.destroy(); return { ok: true }; }, "req-res");
app.route("GET", "/me", (req, res) => ({ user: req.session.get("user"), cart: req.session.get("cart") }), "req-res");
app.route("GET", "/plain", () => ({ plain: true }), []);
app.route("GET", "/rows", (req, res) => {
  const db = new Database("sessions-test.db", { readonly: true });
  const rows = db.query("SELECT id, data, expires FROM tova_sessions").all();
  db.close();
  return rows;
}, "req-res");
${config}
await app.listen();
`;

let dir: string;
let server: Server;
let custom: Server;
let without: Server;
let proxied: Server;

beforeAll(async () => {
  dir = workspace();
  server = await startServer(writeProgram(dir, "sessions.js", program(`app.config("sessions", { secret: ${JSON.stringify(SECRET)}, max_age: ${MAX_AGE}, database: "sessions-test.db" });`)));
  custom = await startServer(writeProgram(dir, "sessions-custom.js", program(`app.config("sessions", { secret: "x", max_age: 7200000, secure: true, http_only: false, same_site: "Strict", database: "custom.db" });`)));
  without = await startServer(writeProgram(dir, "no-sessions.js", program("")));
  // As deployed: Caddy on the same host terminates TLS and says so in X-Forwarded-Proto.
  proxied = await startServer(writeProgram(dir, "sessions-proxied.js", program(`app.config("sessions", { secret: "p", max_age: 60000, database: "proxied.db" });`)), { TOVA_TRUSTED_PROXIES: "loopback" });
}, 120_000);
afterAll(stopAll);

/** The `tova_sid=...` pair of a response's Set-Cookie (null without one), and the whole header. */
function sid(res: Response): { pair: string | null; header: string | null } {
  const header = res.headers.get("set-cookie");
  return { pair: header === null ? null : header.split(";")[0]!, header };
}

/** The id inside a `tova_sid=<id>.<signature>` pair. */
const idOf = (pair: string) => decodeURIComponent(pair.slice("tova_sid=".length)).split(".")[0]!;

/** A cookie for `id` signed the way Hono's serializeSigned does: base64 HMAC-SHA256, URL-encoded. */
const signed = (id: string, secret: string) => `tova_sid=${encodeURIComponent(`${id}.${createHmac("sha256", secret).update(id).digest("base64")}`)}`;

const post = (s: Server, path: string, body: unknown, cookie?: string) =>
  fetch(`${s.url}${path}`, { method: "POST", headers: { "content-type": "application/json", ...(cookie ? { cookie } : {}) }, body: JSON.stringify(body) });
const me = async (cookie?: string, s = server) => {
  const res = await fetch(`${s.url}/me`, { headers: cookie ? { cookie } : {} });
  return { body: (await res.json()) as { user: unknown; cart: unknown }, setCookie: res.headers.get("set-cookie") };
};
const rows = async () => (await (await fetch(`${server.url}/rows`)).json()) as { id: string; data: string; expires: number }[];

async function login(user: string, cookie?: string): Promise<string> {
  const res = await post(server, "/login", { user }, cookie);
  expect(res.status).toBe(200);
  const { pair } = sid(res);
  expect(pair).not.toBeNull();
  return pair!;
}

describe("sessions", () => {
  it("keeps the data on the server behind a signed id, with HttpOnly, SameSite=Lax, Path=/ and Max-Age", async () => {
    const res = await post(server, "/login", { user: "ann" });
    const { pair, header } = sid(res);
    expect(header).toMatch(/^tova_sid=[A-Za-z0-9_-]{43}\.[^;]+; Max-Age=2; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(header).not.toContain("ann");
    expect((await me(pair!)).body.user).toBe("ann");
    // Stored under a hash of the id, never the id itself.
    const stored = (await rows()).find((r) => JSON.parse(r.data).user === "ann")!;
    expect(stored).toBeDefined();
    expect(stored.id).not.toBe(idOf(pair!));
    expect(stored.id).toMatch(/^[0-9a-f]{64}$/);
  });

  it("creates nothing for a request that does not write to its session", async () => {
    const before = (await rows()).length;
    const plain = await fetch(`${server.url}/plain`);
    expect(plain.headers.get("set-cookie")).toBeNull();
    const anonymous = await me();
    expect(anonymous).toEqual({ body: { user: null, cart: null }, setCookie: null });
    expect((await rows()).length).toBe(before);
  });

  it("treats a tampered or forged cookie as a new, empty session", async () => {
    const pair = await login("bob");
    const id = idOf(pair);
    // The test's own signing agrees with the server's: the right secret reaches bob's session...
    expect((await me(signed(id, SECRET))).body.user).toBe("bob");
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === "A" ? "B" : "A") + s.slice(i + 1);
    const value = decodeURIComponent(pair.slice("tova_sid=".length));
    const dot = value.indexOf(".");
    const attempts = [
      signed(id, "not-the-secret"), // ...another secret does not
      `tova_sid=${encodeURIComponent(flip(value, 5))}`, // the id changed, the signature kept
      `tova_sid=${encodeURIComponent(flip(value, dot + 3))}`, // the signature changed
      `tova_sid=${id}`, // no signature
      `tova_sid=${encodeURIComponent(`${id}.`)}`,
      signed("A".repeat(43), SECRET), // a well-signed id that names no session
      signed(`${id}' OR '1'='1`, SECRET),
    ];
    for (const cookie of attempts) {
      const r = await me(cookie);
      expect(r.body, cookie).toEqual({ user: null, cart: null });
      expect(r.setCookie, cookie).toBeNull();
    }
    // Writing through a tampered cookie starts a new session: bob's is untouched.
    const res = await post(server, "/set", { key: "user", value: "mallory" }, attempts[1]);
    const fresh = sid(res).pair!;
    expect(idOf(fresh)).not.toBe(id);
    expect((await me(pair)).body.user).toBe("bob");
    expect((await me(fresh)).body.user).toBe("mallory");
  });

  it("regenerate gives a new id for the same data and the old id stops working (fixation)", async () => {
    // The attacker gets a session and plants its cookie in the victim's browser.
    const planted = sid(await post(server, "/set", { key: "cart", value: [1, 2] })).pair!;
    // The victim logs in with it: the handler calls regenerate().
    const after = await login("victim", planted);
    expect(idOf(after)).not.toBe(idOf(planted));
    expect((await me(after)).body).toEqual({ user: "victim", cart: [1, 2] });
    expect((await me(planted)).body).toEqual({ user: null, cart: null });
  });

  it("expires max_age after the last write, on the server whatever the browser keeps", async () => {
    const pair = await login("carol");
    expect((await me(pair)).body.user).toBe("carol");
    await new Promise((r) => setTimeout(r, MAX_AGE + 300));
    expect((await me(pair)).body.user).toBeNull();
    expect((await rows()).some((r) => JSON.parse(r.data).user === "carol")).toBe(false);
  });

  it("a write moves the expiry: a session in use does not expire", async () => {
    const pair = await login("dave");
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, MAX_AGE / 2));
      expect(sid(await post(server, "/set", { key: "cart", value: [i] }, pair)).pair).toBe(pair);
    }
    expect((await me(pair)).body).toEqual({ user: "dave", cart: [2] });
  });

  it("delete removes one key; destroy forgets the session and clears the cookie", async () => {
    const pair = await login("erin");
    await post(server, "/set", { key: "cart", value: ["x"] }, pair);
    await post(server, "/unset", { key: "cart" }, pair);
    expect((await me(pair)).body).toEqual({ user: "erin", cart: null });
    const out = await post(server, "/logout", {}, pair);
    expect(out.headers.get("set-cookie")).toMatch(/^tova_sid=; Max-Age=0; Path=\/; HttpOnly; SameSite=Lax$/);
    expect((await me(pair)).body.user).toBeNull();
    expect((await rows()).some((r) => JSON.parse(r.data).user === "erin")).toBe(false);
  });

  it("sets the cookie attributes the statement names", async () => {
    const res = await post(custom, "/login", { user: "frank" });
    expect(res.headers.get("set-cookie")).toMatch(/^tova_sid=[^;]+; Max-Age=7200; Path=\/; Secure; SameSite=Strict$/);
    expect((await me(sid(res).pair!, custom)).body.user).toBe("frank");
    // Each server signs with its own secret: a cookie of one is nothing to the other.
    expect((await me(sid(res).pair!)).body.user).toBeNull();
  });

  it("behind a trusted TLS proxy the cookie is Secure; a client's own X-Forwarded-Proto is not believed", async () => {
    const login = (s: Server) =>
      fetch(`${s.url}/login`, { method: "POST", headers: { "content-type": "application/json", "x-forwarded-proto": "https" }, body: JSON.stringify({ user: "gus" }) });
    expect((await login(proxied)).headers.get("set-cookie")).toMatch(/; Secure; SameSite=Lax$/);
    expect((await login(server)).headers.get("set-cookie")).not.toContain("Secure");
  });

  it("without a sessions statement, req.session answers 500 and logs what is missing", async () => {
    const res = await fetch(`${without.url}/me`);
    expect(res.status).toBe(500);
    expect(await res.text()).not.toContain("sessions");
    for (let i = 0; i < 50 && !without.output().stdout.includes("req.session needs"); i++) await new Promise((r) => setTimeout(r, 20)); // logs are written every 100 ms
    expect(without.output().stdout).toContain("req.session needs a `sessions");
  });
});
