import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanDirs, stopAll } from "../server/harness.js";
import { removeTempDirs, send, serve, sleep, tempDir, type RawResponse } from "./attack.js";

/**
 * security.md, "sessions": a session id in a signed `tova_sid` cookie, the
 * data on the server; a tampered cookie is a new, empty session;
 * `regenerate()` gives a new id with the same data (so a fixed id is worth
 * nothing after login); `destroy()`; expiry after `max_age`.
 */
const PROGRAM = `
server {
  db { path: "app.db" }

  sessions {
    secret: env("SESSION_SECRET"),
    max_age: 2.seconds,
    secure: false,
    http_only: true,
    same_site: "lax"
  }

  fn login(req) {
    req.session.set("user", "ada")
    req.session.regenerate()
    { ok: true }
  }

  fn note(req) {
    req.session.set("note", req.body.text)
    { ok: true }
  }

  fn me(req) {
    { user: req.session.get("user"), note: req.session.get("note") }
  }

  fn logout(req) {
    req.session.destroy()
    { ok: true }
  }

  route POST "/login" => login
  route POST "/note" => note
  route GET "/me" => me
  route POST "/logout" => logout
}
`;

const server = serve(PROGRAM, { env: { SESSION_SECRET: randomBytes(32).toString("hex"), TOVA_DATA_DIR: tempDir("sessions") } });
beforeAll(() => server.ready, 60_000);
afterAll(async () => {
  await stopAll();
  cleanDirs();
  removeTempDirs();
});

interface Cookie {
  value: string;
  attributes: string[];
}

/** The `tova_sid` cookie a response sets, or null. */
function sid(r: RawResponse): Cookie | null {
  for (const line of (r.headers["set-cookie"] ?? "").split("\n")) {
    const m = /^tova_sid=([^;]*)(.*)$/.exec(line.trim());
    if (m) return { value: m[1]!, attributes: m[2]!.split(";").map((a) => a.trim()).filter(Boolean) };
  }
  return null;
}

const post = (path: string, cookie: string | null, body: unknown = {}) =>
  send(server.get().port, "POST", path, { "content-type": "application/json", ...(cookie ? { cookie: `tova_sid=${cookie}` } : {}) }, JSON.stringify(body));
const me = async (cookie: string | null) => {
  const r = await send(server.get().port, "GET", "/me", cookie ? { cookie: `tova_sid=${cookie}` } : {});
  expect(r.status).toBe(200);
  return { user: r.json.user ?? null, note: r.json.note ?? null, cookie: sid(r) };
};

/** A session holding note = `text`; returns its cookie value. */
async function session(text: string): Promise<string> {
  const r = await post("/note", null, { text });
  expect(r.status).toBe(200);
  const c = sid(r);
  expect(c, "POST /note sets tova_sid").not.toBeNull();
  return c!.value;
}

/** Changes one character of the id part (before the last ".") or of the signature (after it) of a cookie value. */
function tamper(value: string, part: "id" | "signature"): string {
  const plain = decodeURIComponent(value);
  const dot = plain.lastIndexOf(".");
  const at = part === "id" ? 0 : dot === -1 ? plain.length - 2 : dot + 1;
  const c = plain[at]!;
  const swapped = c === "A" ? "B" : "A";
  const out = plain.slice(0, at) + swapped + plain.slice(at + 1);
  return value === plain ? out : encodeURIComponent(out);
}

describe("sessions", () => {
  it("the cookie is tova_sid with the declared attributes, and the data stays on the server", async () => {
    const r = await post("/note", null, { text: "hello" });
    const c = sid(r)!;
    expect(c).not.toBeNull();
    const attrs = c.attributes.map((a) => a.toLowerCase());
    expect(attrs).toContain("httponly");
    expect(attrs).toContain("samesite=lax");
    expect(attrs).not.toContain("secure");
    expect(attrs.some((a) => a === "max-age=2" || a.startsWith("expires="))).toBe(true);
    expect(decodeURIComponent(c.value)).not.toContain("hello");
    expect(await me(c.value)).toMatchObject({ note: "hello", user: null });
  });

  it.each([
    ["the id changed, signature kept", (v: string) => tamper(v, "id")],
    ["the signature changed", (v: string) => tamper(v, "signature")],
    ["the signature removed", (v: string) => decodeURIComponent(v).slice(0, Math.max(decodeURIComponent(v).lastIndexOf("."), 1))],
    ["a guessed id", () => "1"],
    ["empty", () => ""],
  ] as const)("a tampered cookie (%s) is a new, empty session and leaves the real one alone", async (_label, forge) => {
    const real = await session("mine");
    const forged = forge(real);
    expect(await me(forged)).toMatchObject({ note: null, user: null });
    const write = await post("/note", forged, { text: "evil" });
    expect(write.status).toBe(200);
    const issued = sid(write);
    expect(issued, "a new session gets a cookie").not.toBeNull();
    expect(issued!.value).not.toBe(forged);
    expect(issued!.value).not.toBe(real);
    expect(await me(real)).toMatchObject({ note: "mine" });
  });

  it("fixation: regenerate() at login gives a new id with the same data; the old id carries nothing", async () => {
    const fixed = await session("planted"); // the attacker's cookie, planted in the victim's browser
    const login = await post("/login", fixed);
    expect(login.status).toBe(200);
    const fresh = sid(login);
    expect(fresh, "login sets a new tova_sid").not.toBeNull();
    expect(fresh!.value).not.toBe(fixed);
    expect(await me(fresh!.value)).toMatchObject({ user: "ada", note: "planted" });
    // OPEN (files helper): "new id, same data" does not say the old id is
    // dropped; without that, regenerate() would not stop fixation.
    expect(await me(fixed)).toMatchObject({ user: null, note: null });
  });

  it("destroy() ends the session", async () => {
    const login = await post("/login", await session("x"));
    const c = sid(login)!.value;
    expect((await me(c)).user).toBe("ada");
    expect((await post("/logout", c)).status).toBe(200);
    expect(await me(c)).toMatchObject({ user: null, note: null });
  });

  it("a session expires after max_age on the server, whatever the client keeps", async () => {
    const c = await session("short-lived");
    expect((await me(c)).note).toBe("short-lived");
    await sleep(2_600);
    // OPEN: whether max_age counts from creation or from the last use; this
    // test does not touch the session in between, so both readings agree.
    expect(await me(c)).toMatchObject({ note: null, user: null });
  });
});
