import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanDirs, stopAll } from "../server/harness.js";
import { send, serve, type RawResponse } from "./attack.js";

/**
 * security.md, "cors { origins, methods, headers, credentials, max_age }":
 * preflights answer 204 with the allowed methods and headers; an allowed
 * origin is echoed with `Vary: Origin`; a disallowed origin gets no CORS
 * headers. A preflight never runs the handler.
 */
const PROGRAM = `
server {
  cors {
    origins: ["https://app.example.org"],
    methods: ["GET", "POST"],
    headers: ["Content-Type", "Authorization"],
    credentials: true,
    max_age: 600
  }

  var runs = 0

  fn add(n: Int) {
    runs += 1
    { runs: runs }
  }

  fn count() { { runs: runs } }

  route POST "/add" => add
  route GET "/count" => count
}
`;

const ALLOWED = "https://app.example.org";
const server = serve(PROGRAM);
beforeAll(() => server.ready, 60_000);
afterAll(async () => {
  await stopAll();
  cleanDirs();
});

const port = () => server.get().port;
const runs = async () => (await send(port(), "GET", "/count")).json.runs as number;
const preflight = (origin: string, method = "POST", headers = "content-type") =>
  send(port(), "OPTIONS", "/add", { origin, "access-control-request-method": method, "access-control-request-headers": headers });
const list = (v: string | undefined) => (v ?? "").split(",").map((x) => x.trim().toLowerCase()).filter(Boolean);
const corsHeaders = (r: RawResponse) => Object.keys(r.headers).filter((k) => k.startsWith("access-control-"));

/** Origins that must not pass for the allowed one. */
const REFUSED = ["https://evil.example", "https://app.example.org.evil.example", "https://evilapp.example.org", "http://app.example.org", "https://app.example.org:8443", "null"];

describe("cors: preflights", () => {
  it("an allowed origin: 204 with the origin echoed, credentials, methods, headers, max_age and Vary: Origin", async () => {
    const before = await runs();
    const r = await preflight(ALLOWED);
    expect(r.status).toBe(204);
    expect(r.headers["access-control-allow-origin"]).toBe(ALLOWED);
    expect(r.headers["access-control-allow-credentials"]).toBe("true");
    expect(list(r.headers["access-control-allow-methods"])).toEqual(expect.arrayContaining(["get", "post"]));
    expect(list(r.headers["access-control-allow-methods"])).not.toContain("delete");
    expect(list(r.headers["access-control-allow-headers"])).toEqual(expect.arrayContaining(["content-type"]));
    expect(r.headers["access-control-max-age"]).toBe("600");
    expect(list(r.headers["vary"])).toContain("origin");
    expect(await runs()).toBe(before);
  });

  it.each(REFUSED)("a refused origin (%s) gets no CORS headers and runs nothing", async (origin) => {
    const before = await runs();
    const r = await preflight(origin);
    // OPEN (http helper): security.md does not say what a refused preflight
    // answers; 204 without CORS headers (the browser then blocks) or 403.
    expect([204, 403]).toContain(r.status);
    expect(corsHeaders(r)).toEqual([]);
    expect(await runs()).toBe(before);
  });

  it("a method outside methods is not granted", async () => {
    const r = await preflight(ALLOWED, "DELETE");
    expect(list(r.headers["access-control-allow-methods"])).not.toContain("delete");
  });
});

describe("cors: actual requests", () => {
  it("an allowed origin is echoed (never *), with credentials and Vary: Origin", async () => {
    const r = await send(port(), "GET", "/count", { origin: ALLOWED });
    expect(r.status).toBe(200);
    expect(r.headers["access-control-allow-origin"]).toBe(ALLOWED);
    expect(r.headers["access-control-allow-credentials"]).toBe("true");
    expect(list(r.headers["vary"])).toContain("origin");
  });

  it("a POST from an allowed origin runs and is echoed", async () => {
    const before = await runs();
    const r = await send(port(), "POST", "/add", { origin: ALLOWED, "content-type": "application/json" }, JSON.stringify({ n: 1 }));
    expect(r.status).toBe(200);
    expect(r.headers["access-control-allow-origin"]).toBe(ALLOWED);
    expect(await runs()).toBe(before + 1);
  });

  it.each(REFUSED)("a refused origin (%s) gets no CORS headers", async (origin) => {
    const r = await send(port(), "GET", "/count", { origin });
    expect(corsHeaders(r)).toEqual([]);
  });

  it("a cross-site form post (text/plain, refused origin) is 415 and runs nothing", async () => {
    const before = await runs();
    const r = await send(port(), "POST", "/add", { origin: "https://evil.example", "content-type": "text/plain" }, JSON.stringify({ n: 1 }));
    expect(r.status).toBe(415);
    expect(corsHeaders(r)).toEqual([]);
    expect(await runs()).toBe(before);
  });
});
