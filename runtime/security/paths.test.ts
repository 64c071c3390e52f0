import { describe, expect, it } from "vitest";
import { needsNormalising, normalisePath, protectMatcher } from "./paths.js";

describe("normalisePath", () => {
  it.each([
    ["/api/admin", "/api/admin", "/api/admin"],
    ["//api/admin", "/api/admin", "/api/admin"],
    ["/api//admin", "/api/admin", "/api/admin"],
    ["/api/./admin", "/api/admin", "/api/admin"],
    ["/api/../api/admin", "/api/admin", "/api/admin"],
    ["/api/%2e%2e/api/admin", "/api/admin", "/api/admin"],
    ["/api/%2E%2E/api/admin", "/api/admin", "/api/admin"],
    ["/api%2fadmin", "/api/admin", "/api/admin"],
    ["/api%2Fadmin", "/api/admin", "/api/admin"],
    ["/api%5cadmin", "/api/admin", "/api/admin"],
    ["/api\\admin", "/api/admin", "/api/admin"],
    ["/%61pi/admin", "/api/admin", "/api/admin"],
    ["/public/..%2f..%2fapi/admin", "/api/admin", "/api/admin"],
    ["/api/admin%2f..%2f..%2fpublic", "/public", "/public"],
    ["/../../api/admin", "/api/admin", "/api/admin"],
    ["/api/admin/", "/api/admin/", "/api/admin/"],
    ["/api/admin/.", "/api/admin/", "/api/admin/"],
    ["/api/admin/..", "/api/", "/api/"],
    ["/..", "/", "/"],
    ["/", "/", "/"],
    ["/caf%C3%A9", "/café", "/caf%C3%A9"],
    ["/caf%c3%a9", "/café", "/caf%C3%A9"],
    ["/files/100%25", "/files/100%", "/files/100%25"],
    ["/files/a%3Fb%23c", "/files/a?b#c", "/files/a%3Fb%23c"],
    ["/files/a%20b", "/files/a b", "/files/a%20b"],
    ["/files/%252F", "/files/%2F", "/files/%252F"],
  ])("%s is checked as %s and routed as %s", (path, check, routed) => {
    expect(normalisePath(path)).toEqual({ check, routed });
  });

  it("leaves ordinary paths alone without work", () => {
    for (const p of ["/", "/api/admin", "/.well-known/x", "/a/b.c/d..e", "/api/admin/"]) expect(needsNormalising(p)).toBe(false);
    for (const p of ["//a", "/a/./b", "/a/../b", "/a/..", "/a/.", "/a%20b", "/a\\b"]) expect(needsNormalising(p)).toBe(true);
  });

  it("refuses escapes that are not UTF-8", () => {
    expect(normalisePath("/api/%ff")).toBeNull();
    expect(normalisePath("/api/%zz")).toBeNull();
    expect(normalisePath("/api/%")).toBeNull();
  });

  it("routes what it checks: decoding the routed form once gives the checked path", () => {
    for (const p of ["/a%2fb/../c", "/x/%2e%2e%2fy", "/caf%C3%A9/%3F", "/a//b///c/"]) {
      const n = normalisePath(p)!;
      expect(decodeURIComponent(n.routed)).toBe(n.check);
      expect(normalisePath(n.routed)).toEqual(n); // the routed form is its own normal form
    }
  });
});

describe("protectMatcher", () => {
  const match = protectMatcher([
    { pattern: "/rpc/delete_user", require: "Admin" },
    { pattern: "/api/admin/*", require: "Admin" },
    { pattern: "/api/*", require: "authenticated" },
    { pattern: "/files*", require: "Member" },
  ]);

  it("first match wins", () => {
    expect(match("/api/admin/users")).toBe("Admin");
    expect(match("/api/users")).toBe("authenticated");
  });

  it("P/* covers P itself, with or without a trailing slash, and everything under it", () => {
    expect(match("/api/admin")).toBe("Admin");
    expect(match("/api/admin/")).toBe("Admin");
    expect(match("/api/admin/a/b")).toBe("Admin");
    expect(match("/api")).toBe("authenticated");
    expect(match("/apix")).toBeNull();
    expect(match("/api/adminx")).toBe("authenticated");
  });

  it("an exact pattern (the RPC side door) matches its path, with a trailing slash too, and nothing longer", () => {
    expect(match("/rpc/delete_user")).toBe("Admin");
    expect(match("/rpc/delete_user/")).toBe("Admin");
    expect(match("/rpc/delete_user2")).toBeNull();
    expect(match("/rpc/delete_user/x")).toBeNull();
  });

  it("P* without a slash is a plain prefix", () => {
    expect(match("/files")).toBe("Member");
    expect(match("/files-old/a")).toBe("Member");
  });

  it("case does not matter", () => {
    expect(match("/API/admin")).toBe("Admin");
    expect(match("/Api/Admin/X")).toBe("Admin");
    expect(match("/RPC/DELETE_USER")).toBe("Admin");
    expect(protectMatcher([{ pattern: "/Admin/*", require: "Admin" }])("/admin/x")).toBe("Admin");
  });

  it("/* covers everything", () => {
    const all = protectMatcher([{ pattern: "/*", require: "authenticated" }]);
    for (const p of ["/", "/a", "/a/b/"]) expect(all(p)).toBe("authenticated");
  });

  it("patterns are normalised like paths", () => {
    expect(protectMatcher([{ pattern: "/api//admin/./*", require: "Admin" }])("/api/admin/x")).toBe("Admin");
  });

  it("a pattern that is not a path stops the start", () => {
    expect(() => protectMatcher([{ pattern: "api/*", require: "Admin" }])).toThrow(/not|path/);
    expect(() => protectMatcher([{ pattern: "/api/*/x", require: "Admin" }])).toThrow(/trailing \*/);
  });
});
