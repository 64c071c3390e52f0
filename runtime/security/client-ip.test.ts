import { afterEach, describe, expect, it } from "vitest";
import { cameOverHttps, clientAddress, clientIp, setProcessTrust, trustOf } from "./client-ip.js";

/** A Bun-like server whose socket peer is `peer`. */
const from = (peer: string) => ({ requestIP: () => ({ address: peer }) });
const req = (xff?: string) => new Request("http://x/", xff === undefined ? {} : { headers: { "x-forwarded-for": xff } });

describe("trustOf", () => {
  it("trusts nothing without trust_proxy or TOVA_TRUSTED_PROXIES", () => {
    expect(trustOf(undefined, undefined)).toBeNull();
    expect(trustOf(false, "")).toBeNull();
  });

  it("true: loopback and private ranges, nothing public", () => {
    const t = trustOf(true, undefined)!;
    for (const a of ["127.0.0.1", "127.5.5.5", "::1", "::ffff:127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "fd00::1", "fe80::1"]) expect(t.has(a), a).toBe(true);
    for (const a of ["8.8.8.8", "172.32.0.1", "11.0.0.1", "2001:db8::1", "", "not-an-ip"]) expect(t.has(a), a).toBe(false);
  });

  it("a list: exactly its addresses and ranges (and the words loopback, private)", () => {
    const t = trustOf(["10.0.0.1", "192.0.2.0/24", "2001:db8::/32"], undefined)!;
    expect(t.has("10.0.0.1")).toBe(true);
    expect(t.has("10.0.0.2")).toBe(false);
    expect(t.has("127.0.0.1")).toBe(false);
    expect(t.has("192.0.2.77")).toBe(true);
    expect(t.has("2001:db8:1::5")).toBe(true);
    expect(trustOf(["loopback"], undefined)!.has("127.0.0.1")).toBe(true);
    expect(trustOf(["loopback"], undefined)!.has("10.0.0.1")).toBe(false);
  });

  it("TOVA_TRUSTED_PROXIES (the deploy's loopback Caddy) adds to the block's list, or stands alone", () => {
    expect(trustOf(undefined, "loopback")!.has("127.0.0.1")).toBe(true);
    const both = trustOf(["10.0.0.1"], "loopback, 192.0.2.9")!;
    for (const a of ["10.0.0.1", "127.0.0.1", "192.0.2.9"]) expect(both.has(a)).toBe(true);
  });

  it("a malformed entry stops the start", () => {
    expect(() => trustOf(["10.0.0.300"], undefined)).toThrow(/not an IP address/);
    expect(() => trustOf(["10.0.0.0/33"], undefined)).toThrow(/not an IP address/);
    expect(() => trustOf(undefined, "localhost")).toThrow(/not an IP address/);
  });
});

describe("clientIp", () => {
  const trusted = trustOf(["loopback", "10.0.0.0/8"], undefined);

  it("without trust: the socket's address, X-Forwarded-For ignored", () => {
    expect(clientIp(req("6.6.6.6"), from("127.0.0.1"), null)).toBe("127.0.0.1");
  });

  it("a peer that is not a trusted proxy cannot speak for anyone", () => {
    expect(clientIp(req("6.6.6.6"), from("203.0.113.5"), trusted)).toBe("203.0.113.5");
  });

  it("behind trusted proxies: the right-most untrusted address", () => {
    expect(clientIp(req("203.0.113.9"), from("127.0.0.1"), trusted)).toBe("203.0.113.9");
    // The client forged the left-most entry; the proxies appended the real one.
    expect(clientIp(req("6.6.6.6, 203.0.113.9, 10.0.0.7"), from("127.0.0.1"), trusted)).toBe("203.0.113.9");
    expect(clientIp(req("6.6.6.6,203.0.113.9"), from("::ffff:127.0.0.1"), trusted)).toBe("203.0.113.9");
  });

  it("ports and brackets are not part of the address", () => {
    expect(clientIp(req("203.0.113.9:5555"), from("127.0.0.1"), trusted)).toBe("203.0.113.9");
    expect(clientIp(req("[2001:db8::7]:443"), from("127.0.0.1"), trusted)).toBe("2001:db8::7");
    expect(clientIp(req("2001:db8::7"), from("127.0.0.1"), trusted)).toBe("2001:db8::7");
  });

  it("all trusted: the left-most; no header: the socket; garbage: the last address a trusted proxy gave", () => {
    expect(clientIp(req("10.0.0.8, 10.0.0.7"), from("127.0.0.1"), trusted)).toBe("10.0.0.8");
    expect(clientIp(req(), from("127.0.0.1"), trusted)).toBe("127.0.0.1");
    expect(clientIp(req("evil, 10.0.0.7"), from("127.0.0.1"), trusted)).toBe("10.0.0.7");
    expect(clientIp(req("evil"), from("127.0.0.1"), trusted)).toBe("127.0.0.1");
  });

  it("no socket information: empty", () => {
    expect(clientIp(req("1.2.3.4"), undefined, trusted)).toBe("");
  });
});

describe("clientAddress (req.ip)", () => {
  afterEach(() => setProcessTrust(null));

  it("follows the trust the security block set", () => {
    setProcessTrust(null);
    expect(clientAddress(req("203.0.113.9"), from("127.0.0.1"))).toBe("127.0.0.1");
    setProcessTrust(trustOf(true, undefined));
    expect(clientAddress(req("203.0.113.9"), from("127.0.0.1"))).toBe("203.0.113.9");
  });
});

describe("cameOverHttps (the session cookie's Secure)", () => {
  afterEach(() => setProcessTrust(null));
  const proto = (url: string, value?: string) => new Request(url, value === undefined ? {} : { headers: { "x-forwarded-proto": value } });

  it("an https URL is https; plain http is not", () => {
    setProcessTrust(null);
    expect(cameOverHttps(proto("https://x/"), from("203.0.113.5"))).toBe(true);
    expect(cameOverHttps(proto("http://x/"), from("127.0.0.1"))).toBe(false);
  });

  it("X-Forwarded-Proto counts only from a trusted proxy", () => {
    setProcessTrust(null);
    expect(cameOverHttps(proto("http://x/", "https"), from("127.0.0.1"))).toBe(false);
    setProcessTrust(trustOf(["loopback"], undefined));
    expect(cameOverHttps(proto("http://x/", "https"), from("127.0.0.1"))).toBe(true);
    expect(cameOverHttps(proto("http://x/", "HTTPS, http"), from("127.0.0.1"))).toBe(true);
    expect(cameOverHttps(proto("http://x/", "http"), from("127.0.0.1"))).toBe(false);
    expect(cameOverHttps(proto("http://x/"), from("127.0.0.1"))).toBe(false);
    // A client reaching the app directly cannot claim https.
    expect(cameOverHttps(proto("http://x/", "https"), from("203.0.113.5"))).toBe(false);
  });
});
