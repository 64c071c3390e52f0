import { describe, expect, it } from "vitest";
import { apiKeys } from "./api-key.js";

const r = (headers: Record<string, string>) => new Request("http://x/", { headers });

describe("auth api_key", () => {
  const keys = apiKeys({ header: "X-API-Key", keys: ["k-one", "k-two"] });

  it("req.user is { key } for a configured key, in the configured header (any case)", () => {
    expect(keys.userOf(r({ "x-api-key": "k-two" }))).toEqual({ key: "k-two" });
    expect(keys.userOf(r({ "X-API-KEY": "k-one" }))).toEqual({ key: "k-one" });
  });

  it("anything else is no user", () => {
    for (const v of ["k-three", "k-on", "k-one-", "K-ONE", ""]) expect(keys.userOf(r({ "x-api-key": v })), v).toBeNull();
    expect(keys.userOf(r({ authorization: "Bearer k-one" }))).toBeNull();
  });

  it("keys given as one comma-separated string; empty entries never count", () => {
    const k = apiKeys({ header: "X-Key", keys: "a1, b2,," });
    expect(k.userOf(r({ "x-key": "b2" }))).toEqual({ key: "b2" });
    expect(k.userOf(r({ "x-key": " " }))).toBeNull();
  });

  it("no keys (an unset variable) stops the start", () => {
    expect(() => apiKeys({ header: "X-Key", keys: null })).toThrow(/no keys/);
    expect(() => apiKeys({ header: "X-Key", keys: [""] })).toThrow(/no keys/);
    expect(() => apiKeys({ header: "", keys: ["a"] })).toThrow(/header/);
  });
});
