import { createHmac } from "node:crypto";
import { sign as honoSign, verify as honoVerify } from "hono/jwt";
import { describe, expect, it } from "vitest";
import { cookieValue, jwt, tokenOf } from "./jwt.js";

const SECRET = "a-test-secret-that-is-long-enough-0123456789";
const now = () => Math.floor(Date.now() / 1000);
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
/** A token with any header, signed with HMAC-SHA256 over `secret` (or not signed at all). */
function forge(header: unknown, payload: unknown, secret: string | null = SECRET): string {
  const unsigned = `${b64(header)}.${b64(payload)}`;
  return `${unsigned}.${secret === null ? "" : createHmac("sha256", secret).update(unsigned).digest("base64url")}`;
}

describe("auth jwt", () => {
  const auth = jwt({ secret: SECRET, expires: 3_600_000 });

  it("a token it signs verifies, with exp set from expires", async () => {
    const token = auth.sign({ sub: "u1", role: "Admin" });
    const claims = await auth.verify(token);
    expect(claims).toMatchObject({ sub: "u1", role: "Admin" });
    expect(claims!["exp"]).toBeGreaterThanOrEqual(now() + 3599);
    expect(claims!["exp"]).toBeLessThanOrEqual(now() + 3601);
  });

  it("signs what Hono signs and Hono verifies it", async () => {
    const claims = { sub: "u1", exp: now() + 60, name: "Zoë" };
    expect(auth.sign(claims)).toBe(await honoSign(claims, SECRET, "HS256"));
    expect(await honoVerify(auth.sign(claims), SECRET, "HS256")).toEqual(claims);
  });

  it("keeps the claims' own exp", async () => {
    const exp = now() + 10;
    expect((await auth.verify(auth.sign({ sub: "u1", exp })))!["exp"]).toBe(exp);
  });

  it("rejects alg none (unsigned, and with a signature)", async () => {
    expect(await auth.verify(forge({ alg: "none", typ: "JWT" }, { sub: "u1", exp: now() + 60 }, null))).toBeNull();
    expect(await auth.verify(forge({ alg: "none", typ: "JWT" }, { sub: "u1", exp: now() + 60 }))).toBeNull();
    expect(await auth.verify(forge({ alg: "None" }, { sub: "u1", exp: now() + 60 }, null))).toBeNull();
  });

  it("rejects another algorithm, even one signed with the same secret", async () => {
    expect(await auth.verify(await honoSign({ sub: "u1", exp: now() + 60 }, SECRET, "HS512"))).toBeNull();
    expect(await auth.verify(await honoSign({ sub: "u1", exp: now() + 60 }, SECRET, "HS384"))).toBeNull();
    // An HS256 signature under a header that claims RS256 (the key-confusion attack).
    expect(await auth.verify(forge({ alg: "RS256", typ: "JWT" }, { sub: "u1", exp: now() + 60 }))).toBeNull();
  });

  it("rejects a bad signature and one made with another secret", async () => {
    const token = auth.sign({ sub: "u1" });
    const [h, p, s] = token.split(".");
    const flipped = s!.slice(0, -2) + (s!.at(-2) === "A" ? "B" : "A") + s!.at(-1);
    expect(await auth.verify(`${h}.${p}.${flipped}`)).toBeNull();
    expect(await auth.verify(`${h}.${b64({ sub: "admin", exp: now() + 60 })}.${s}`)).toBeNull();
    expect(await auth.verify(forge({ alg: "HS256", typ: "JWT" }, { sub: "u1", exp: now() + 60 }, "another-secret-another-secret-0123456789"))).toBeNull();
  });

  it("rejects an expired exp and a future nbf; accepts a past nbf", async () => {
    expect(await auth.verify(forge({ alg: "HS256", typ: "JWT" }, { sub: "u1", exp: now() - 1 }))).toBeNull();
    expect(await auth.verify(forge({ alg: "HS256", typ: "JWT" }, { sub: "u1", exp: now() + 60, nbf: now() + 30 }))).toBeNull();
    expect(await auth.verify(forge({ alg: "HS256", typ: "JWT" }, { sub: "u1", exp: now() + 60, nbf: now() - 30 }))).toMatchObject({ sub: "u1" });
  });

  it("with expires, a token without exp was not signed here to live forever: rejected", async () => {
    expect(await auth.verify(forge({ alg: "HS256", typ: "JWT" }, { sub: "u1" }))).toBeNull();
    const noExpiry = jwt({ secret: SECRET });
    expect(await noExpiry.verify(forge({ alg: "HS256", typ: "JWT" }, { sub: "u1" }))).toEqual({ sub: "u1" });
    expect(noExpiry.sign({ sub: "u1" }).split(".")[1]).toBe(b64({ sub: "u1" }));
  });

  it("rejects what is not a token", async () => {
    for (const t of ["", "abc", "a.b", "a.b.c.d", `${b64({ alg: "HS256" })}.notjson.x`, forge({ alg: "HS256", typ: "JWT" }, [1, 2])]) {
      expect(await auth.verify(t)).toBeNull();
    }
  });

  it("a missing secret stops the start", () => {
    expect(() => jwt({ secret: null })).toThrow(/secret is missing/);
    expect(() => jwt({ secret: "" })).toThrow(/secret is missing/);
    expect(() => jwt({ secret: SECRET, expires: -1 })).toThrow(/expires/);
  });
});

describe("tokenOf", () => {
  const r = (headers: Record<string, string>) => new Request("http://x/", { headers });
  it("reads Authorization: Bearer, else the tova_token cookie", () => {
    expect(tokenOf(r({ authorization: "Bearer abc.def.ghi" }))).toBe("abc.def.ghi");
    expect(tokenOf(r({ authorization: "bearer abc" }))).toBe("abc");
    expect(tokenOf(r({ cookie: "a=1; tova_token=tok.en.x; b=2" }))).toBe("tok.en.x");
    expect(tokenOf(r({ authorization: "Bearer h", cookie: "tova_token=c" }))).toBe("h");
    expect(tokenOf(r({ authorization: "Basic dTpw" }))).toBeNull();
    expect(tokenOf(r({}))).toBeNull();
    expect(tokenOf(r({ cookie: "xtova_token=1" }))).toBeNull();
  });
  it("cookieValue", () => {
    expect(cookieValue('tova_token="q"', "tova_token")).toBe("q");
    expect(cookieValue("tova_token=", "tova_token")).toBeNull();
  });
});
